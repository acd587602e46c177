"""The Monday spike: committee members each sign in and file this week's barometer once,
while counselors and teachers go about their usual pages.

Loopback only, bounded in users and time. Against gunicorn with production settings
(benchmarks/spike/run.sh starts it and checks the rows afterwards):

    var/locust-venv/bin/locust -f benchmarks/spike/locustfile.py --headless \
        --host http://127.0.0.1:8810 -u 304 -r 2 -t 5m --csv var/spike/run

SPIKE_SCHOOLS (default 50) x SPIKE_MEMBERS (default 60) member accounts are used, each
once: `bench-s001-m01` ... as `make_bench_data` creates them (password bench12345).
"""

import itertools
import os
import random
import re
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, task
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

    def sign_in(self, username, remember):
        page = self.send("GET", "/accounts/login/")
        data = {
            "csrfmiddlewaretoken": CSRF.search(page.text).group(1),
            "username": username,
            "password": PASSWORD,
        }
        if remember:
            data["remember"] = "on"
        with self.send(
            "POST", "/accounts/login/", data=data, catch_response=True, name="sign in"
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

    @task
    def file_the_barometer(self):
        self.sign_in(self.username, remember=True)
        form = self.send("GET", "/committees/barometer/", name="barometer form")
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
        raise StopUser()


class Counselor(PortalUser):
    """A counselor's Monday: the week board, the alerts, the audit trail, the trend."""

    fixed_count = 2
    wait_time = between(2, 5)

    def on_start(self):
        self.sign_in(f"bench-s{next(_staff) % SCHOOLS + 1:03d}-counselor", remember=False)

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
        self.sign_in(f"bench-s{next(_staff) % SCHOOLS + 1:03d}-t01", remember=False)

    @task
    def home(self):
        self.send("GET", "/", name="home")

    @task
    def board(self):
        self.send("GET", "/committees/board/", name="week board (teacher)")

    @task
    def lectures(self):
        self.send("GET", "/lectures/", name="lecture list")
