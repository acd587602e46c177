"""The Monday spike: committee members each sign in and file this week's barometer once,
while counselors and teachers go about their usual pages.

Loopback only, bounded in users and time. Against gunicorn with production settings
(benchmarks/spike/run.sh starts it and checks the rows afterwards):

    var/locust-venv/bin/locust -f benchmarks/spike/locustfile.py --headless \
        --host http://127.0.0.1:8810 -u 304 -r 2 -t 5m --csv var/spike/run

SPIKE_SCHOOLS (default 50) x SPIKE_MEMBERS (default 60) member accounts are used, each
once: `bench-s001-m01` ... as `make_bench_data` creates them (password bench12345).

SPIKE_SESSIONS=<file of `username session-key` lines> (benchmarks/spike/make_sessions.py):
the members are already signed in ("this is my phone"), as on a real Monday, and only
load the form and file. SPIKE_STEPS="5,10,20,40" with SPIKE_STEP_SECONDS (default 30):
instead of -u/-r, members arrive at each of these rates (filings a second) in turn, to
find the knee. SPIKE_SAMPLES=<file>: every request's time (client and server) and the
step it belongs to, for benchmarks/spike/summary.py.
"""

import csv
import itertools
import os
import random
import re
import time
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, LoadTestShape, between, events, task
from locust.exception import StopUser

PASSWORD = "bench12345"
SCHOOLS = int(os.environ.get("SPIKE_SCHOOLS", "50"))
MEMBERS = int(os.environ.get("SPIKE_MEMBERS", "60"))
TOTAL = int(os.environ.get("SPIKE_MEMBERS_TOTAL", str(SCHOOLS * MEMBERS)))
# Each account files once: a user that finds none left idles until the run ends.
_members = iter(
    [f"bench-s{s:03d}-m{m:02d}" for s in range(1, SCHOOLS + 1) for m in range(1, MEMBERS + 1)][
        :TOTAL
    ]
)
_staff = itertools.count()
_sessions = {}
if os.environ.get("SPIKE_SESSIONS"):
    with open(os.environ["SPIKE_SESSIONS"]) as lines:
        _sessions = dict(line.split() for line in lines if line.strip())
STEPS = [float(r) for r in os.environ.get("SPIKE_STEPS", "").split(",") if r.strip()]
STEP_SECONDS = int(os.environ.get("SPIKE_STEP_SECONDS", "30"))
DRAIN_SECONDS = int(os.environ.get("SPIKE_DRAIN_SECONDS", "60"))
_started = [None]
_samples = []


def step_now():
    """The index of the step running now (0 without steps or before the start)."""
    if not STEPS or _started[0] is None:
        return 0
    return min(int((time.monotonic() - _started[0]) // STEP_SECONDS), len(STEPS) - 1)


@events.test_start.add_listener
def _start(**kwargs):
    _started[0] = time.monotonic()


@events.request.add_listener
def _sample(request_type, name, response_time, response_length, response, exception, context, **kw):
    server = ""
    timing = response.headers.get("Server-Timing", "") if response is not None else ""
    if timing.startswith("app;dur="):
        server = timing[len("app;dur=") :]
    at = time.monotonic() - (_started[0] or time.monotonic())
    failed = exception is not None
    _samples.append(
        (f"{at:.3f}", context.get("step", ""), name, f"{response_time:.1f}", server, int(failed))
    )


@events.quitting.add_listener
def _write_samples(**kwargs):
    path = os.environ.get("SPIKE_SAMPLES")
    if path:
        with open(path, "w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["at_s", "step", "name", "client_ms", "server_ms", "failed"])
            writer.writerows(_samples)


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BASE = re.compile(r'name="base" value="([^"]*)"')
if urlsplit(os.environ.get("LOCUST_HOST", "http://127.0.0.1")).hostname not in (
    "127.0.0.1",
    "localhost",
):
    raise SystemExit("the spike runs against loopback only")


class PortalUser(HttpUser):
    abstract = True

    def send(self, method, path, name=None, **kwargs):
        # Production settings: secure cookies, HTTPS behind a proxy. Say the proxy ended TLS
        # and hand the cookies over by hand (requests keeps secure cookies off plain HTTP).
        headers = {
            "X-Forwarded-Proto": "https",
            "Host": "127.0.0.1",  # the CSRF check compares it with the Referer
            "Referer": f"https://127.0.0.1{path}",
            "Accept-Language": "zh-hans",
        }
        jar = self.client.cookies.get_dict()
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        return self.client.request(
            method, path, name=name or path, headers=headers, allow_redirects=False, **kwargs
        )

    def sign_in(self, username, remember, name="sign in"):
        page = self.send("GET", "/accounts/login/")
        data = {
            "csrfmiddlewaretoken": CSRF.search(page.text).group(1),
            "username": username,
            "password": PASSWORD,
        }
        if remember:
            data["remember"] = "on"
        with self.send(
            "POST", "/accounts/login/", data=data, catch_response=True, name=name
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")
                raise StopUser()


class MondayMember(PortalUser):
    """One member: sign in on its phone, open the barometer, file it, see it saved."""

    weight = 100
    wait_time = between(1, 3)

    def on_start(self):
        try:
            self.username = next(_members)
        except StopIteration:
            gevent.sleep(24 * 3600)  # bounded by the run time (-t)
        # Samples belong to the step the member arrived in, not the one its answers
        # straggled into when the server fell behind.
        self.step = step_now()

    def context(self):
        return {"step": self.step}

    @task
    def file_the_barometer(self):
        if _sessions:
            self.client.cookies.set("sessionid", _sessions[self.username])
        else:
            self.sign_in(self.username, remember=True)
        with self.send(
            "GET", "/committees/barometer/", name="barometer form", catch_response=True
        ) as form:
            if form.status_code != 200:
                # A redirect here means the session was not accepted: no filing to make.
                form.failure(f"the form answered {form.status_code}")
        if form.status_code != 200:
            gevent.sleep(24 * 3600)
        data = {
            "csrfmiddlewaretoken": CSRF.search(form.text).group(1),
            "base": (BASE.search(form.text) or [None, "new"])[1],
        }
        if random.random() < 0.3:
            data["nothing_to_report"] = "1"
        else:
            data.update(
                {
                    "weather": str(random.choice([1, 2, 2, 3])),
                    **{f"c_{k}": "0" for k in ("relationships", "family", "love", "homesick")},
                    **{f"c_{k}": "0" for k in ("jobs", "phone", "health", "other")},
                    "c_study": str(random.randint(0, 3)),
                    "s-TOTAL_FORMS": "0",
                    "s-INITIAL_FORMS": "0",
                    "s-MIN_NUM_FORMS": "0",
                    "s-MAX_NUM_FORMS": "30",
                    "suggestions": "",
                    "note": "",
                }
            )
        with self.send(
            "POST", "/committees/barometer/", data=data, catch_response=True, name="file barometer"
        ) as response:
            if response.status_code != 302:
                response.failure(f"filing answered {response.status_code}")
        self.send("GET", "/", name="home after filing")
        # Idle, not stopped: with SPIKE_STEPS the shape counts the members that arrived.
        gevent.sleep(24 * 3600)


class Counselor(PortalUser):
    """A counselor's Monday: the week board, the alerts, the audit trail, the trend."""

    fixed_count = 2
    wait_time = between(2, 5)

    def on_start(self):
        self.sign_in(
            f"bench-s{next(_staff) % SCHOOLS + 1:03d}-counselor",
            remember=False,
            name="sign in (staff)",
        )

    @task(3)
    def board(self):
        self.send("GET", "/committees/board/", name="week board")

    @task
    def alerts(self):
        self.send("GET", "/committees/alerts/", name="alert list")

    @task
    def audit(self):
        self.send("GET", "/audit/", name="audit list")

    @task
    def trend(self):
        self.send("GET", "/committees/board/school/", name="school trend")


class Teacher(PortalUser):
    """A class teacher checks its class and the lectures."""

    fixed_count = 2
    wait_time = between(3, 8)

    def on_start(self):
        self.sign_in(
            f"bench-s{next(_staff) % SCHOOLS + 1:03d}-t01", remember=False, name="sign in (staff)"
        )

    @task
    def home(self):
        self.send("GET", "/", name="home")

    @task
    def board(self):
        self.send("GET", "/committees/board/", name="week board (teacher)")

    @task
    def lectures(self):
        self.send("GET", "/lectures/", name="lecture list")


if STEPS:

    class Steps(LoadTestShape):
        """Members arrive at each rate of SPIKE_STEPS for SPIKE_STEP_SECONDS, then a drain.

        A member files once and then idles, so the users alive are the members arrived so
        far (plus the 4 staff): each step asks for that many more at its rate.
        """

        def tick(self):
            t = self.get_run_time()
            staff = sum(c.fixed_count for c in (Counselor, Teacher))
            done = 0.0
            for i, rate in enumerate(STEPS):
                done += rate * STEP_SECONDS
                if t < (i + 1) * STEP_SECONDS:
                    return (int(staff + done), rate)
            if t < len(STEPS) * STEP_SECONDS + DRAIN_SECONDS:
                return (int(staff + done), STEPS[-1])
            return None
