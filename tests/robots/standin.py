"""A stand-in group robot on 127.0.0.1 that follows the published rules of WeCom and DingTalk:
20 messages a minute per robot (the 21st gets the real errcode), the text cap in bytes,
DingTalk's custom keyword and signature."""

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LIMIT = 20
TOO_FAST = {"wecom": (45009, "api freq out of limit"), "dingtalk": (130101, "send too fast")}
CAP = {"wecom": 2048, "dingtalk": 20000}


class StandInRobot:
    def __init__(self, provider="wecom", keyword="", secret=""):
        self.provider, self.keyword, self.secret = provider, keyword, secret
        self.accepted, self.refused, self.stamps = [], [], []
        self.lock = threading.Lock()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                code, message = robot.judge(json.loads(raw or b"{}"), raw, query)
                data = json.dumps({"errcode": code, "errmsg": message}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def judge(self, body, raw, query):
        with self.lock:
            # time.time(), so that a test travelling in time moves this robot's clock too.
            now = time.time()
            self.stamps = [t for t in self.stamps if t > now - 60]
            if len(self.stamps) >= LIMIT:
                self.refused.append(body)
                return TOO_FAST[self.provider]
            self.stamps.append(now)
            content = body.get("text", {}).get("content", "")
            if len(content.encode("utf-8")) > CAP[self.provider]:
                self.refused.append(body)
                return 40058, "content exceed max length"
            if self.provider == "dingtalk":
                if self.keyword and self.keyword not in content:
                    self.refused.append(body)
                    return 310000, "keywords not in content"
                if self.secret:
                    timestamp = query.get("timestamp", [""])[0]
                    expected = base64.b64encode(
                        hmac.new(
                            self.secret.encode(),
                            f"{timestamp}\n{self.secret}".encode(),
                            hashlib.sha256,
                        ).digest()
                    ).decode()
                    if query.get("sign", [""])[0] != expected:
                        self.refused.append(body)
                        return 310000, "sign not match"
            self.accepted.append(body)
            return 0, "ok"

    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/robot/send?access_token=t"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
