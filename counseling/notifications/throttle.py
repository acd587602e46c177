"""A per-robot send window shared by every worker: at most N posts in any 60 seconds.

WeCom and DingTalk group robots accept 20 messages a minute and answer the 21st with an
error (45009, 130101) — for DingTalk, with a ten-minute block. Every Celery worker takes
its slot from the same Redis sorted set; without Redis (embedded mode, eager tests) the
window lives in this process, which is then the only sender.
"""

import hashlib
import threading
import time
import uuid

from django.conf import settings
from django.db import connections

WINDOW = 60.0  # seconds

# Atomically: drop entries older than the window, then either add ours or say how long
# until the oldest one leaves the window.
_ACQUIRE = """
local key, now, window, limit, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]),
    tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, member)
  redis.call('EXPIRE', key, math.ceil(window) + 1)
  return '0'
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""

_local = {}
_local_lock = threading.Lock()
_redis = None


def limit():
    return getattr(settings, "ROBOT_MESSAGES_PER_MINUTE", 18)


def _client():
    global _redis
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return None
    if _redis is None or _redis[0] != url:
        import redis

        _redis = (url, redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2))
    return _redis[1]


def window_key(robot_id):
    """The robot's key in Redis. Robot ids are rows of one database: portals (or parallel
    test runs) that share a Redis keep their windows apart by their database's name."""
    name = str(connections["default"].settings_dict["NAME"])
    return f"robot-window:{hashlib.sha256(name.encode()).hexdigest()[:12]}:{robot_id}"


def acquire(robot_id, now=None):
    """0 when a slot was taken for a post now, else the seconds to wait for the next one."""
    now = time.time() if now is None else now
    client = _client()
    if client is not None:
        wait = client.eval(
            _ACQUIRE, 1, window_key(robot_id), now, WINDOW, limit(), uuid.uuid4().hex
        )
        return max(float(wait), 0.0)
    with _local_lock:
        stamps = [t for t in _local.get(robot_id, []) if t > now - WINDOW]
        if len(stamps) < limit():
            stamps.append(now)
            _local[robot_id] = stamps
            return 0.0
        _local[robot_id] = stamps
        return stamps[0] + WINDOW - now


def block(robot_id, seconds, now=None):
    """The robot said "too fast": fill its window so that nobody posts for `seconds`."""
    now = time.time() if now is None else now
    client = _client()
    stamp = now + seconds - WINDOW
    if client is not None:
        key = window_key(robot_id)
        client.zadd(key, {uuid.uuid4().hex: stamp for _ in range(limit())})
        client.expire(key, int(seconds) + 1)
        return
    with _local_lock:
        _local[robot_id] = [stamp] * limit()


def reset():
    """Forget this database's windows (tests: robot ids are reused from one test to the
    next), not those of another database sharing the Redis."""
    with _local_lock:
        _local.clear()
    client = _client()
    if client is not None:
        keys = list(client.scan_iter(window_key("*")))
        if keys:
            client.delete(*keys)
