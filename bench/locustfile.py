"""Load as users behave, for bench/run.py: `locust -f bench/locustfile.py --headless ...`.

One user class per role (finance officer, authority lead, Taskforce, MHCLG), each user signing
in once with the real form (CSRF token, the demo password) with an account of its own (made by
bench/run.py: bench.<role>.<n>@scale.invalid; a lead's is bound to authority n) and then
opening the pages that role uses. BENCH_WAIT_SECONDS is the think time between pages (0: a
closed loop, each user sends its next request as soon as the last is answered). Redirects are
not followed and any answer but 200 is an error. Every page answer in the BENCH_DURATION
seconds after the last of the BENCH_USERS users has signed in is written, with its time, to
BENCH_SAMPLES (JSON lines) for bench/run.py to compute the percentiles itself; then locust
stops.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import threading
import time

import gevent
from locust import between, constant, events, task
from locust.contrib.fasthttp import FastHttpUser

PASSWORD = "demo-password-not-for-live-use"
WAIT = float(os.environ.get("BENCH_WAIT_SECONDS", "0"))
USERS = int(os.environ.get("BENCH_USERS", "1"))
DURATION = float(os.environ.get("BENCH_DURATION", "60"))
AUTHORITIES = int(os.environ.get("BENCH_AUTHORITIES", "300"))
SAMPLES = os.environ.get("BENCH_SAMPLES", "")
MONTH = "2023-03"
AREA_CODES = ("E06", "E07", "E08", "E09")  # app.demo.scale.gss_code
_measuring = threading.Event()
_window: dict[str, float] = {}
_samples: list[tuple[str, float, int]] = []
_accounts: dict[str, itertools.count] = {}


def gss_code(index: int) -> str:
    return f"{AREA_CODES[index % 4]}{900000 + index:06d}"


def account(role: str) -> tuple[int, str]:
    """The next of bench/run.py's accounts for `role`: each simulated user has its own, as a
    sign-in ends the account's other sessions."""
    index = next(_accounts.setdefault(role, itertools.count()))
    return index, f"bench.{role}.{index:03d}@scale.invalid"


def _signed_in(environment) -> None:
    """Measure from the moment the last user has signed in (sign-ins are not page loads and
    200 of them at once would fill the first seconds), for BENCH_DURATION seconds."""
    _window["signed_in"] = _window.get("signed_in", 0) + 1
    if _window["signed_in"] == USERS:
        _samples.clear()
        _window["start"] = time.time()
        _measuring.set()
        gevent.spawn_later(DURATION, environment.runner.quit)


@events.quitting.add_listener
def _write_samples(environment, **_):
    if SAMPLES:
        with open(SAMPLES, "w") as out:
            start = _window.get("start")
            out.write(json.dumps({"start": start, "end": start + DURATION if start else None}) + "\n")
            for name, milliseconds, status in _samples:
                out.write(json.dumps([name, milliseconds, status]) + "\n")


def _think():
    return constant(0) if WAIT == 0 else between(WAIT * 0.8, WAIT * 1.2)


class Role(FastHttpUser):
    """Cookies are kept here, not in locust's cookie jar (which drops the app's Secure session
    cookie on a plain-HTTP loopback address), as bench/serving.py's Browser does."""

    abstract = True
    wait_time = _think()
    role = ""

    def on_start(self):
        self.index, self.email = account(self.role)
        self.cookies: dict[str, str] = {}
        try:
            self._sign_in()
        finally:
            _signed_in(self.environment)

    def _sign_in(self) -> None:
        with self.client.get("/login", name="sign in", headers=self._headers(), catch_response=True) as page:
            self._keep_cookies(page)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text or "")
        with self.client.post(
            "/login",
            data={"csrf_token": token.group(1) if token else "", "email": self.email, "password": PASSWORD},
            headers=self._headers(),
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            self._keep_cookies(answer)
            if answer.status_code == 302:
                answer.success()
            else:
                answer.failure(f"sign-in answered {answer.status_code}")

    def _headers(self) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def _keep_cookies(self, answer) -> None:
        self.client.cookiejar.clear()
        for header in answer.headers.getlist("Set-Cookie") if answer.headers else []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def page(self, name: str, path: str) -> None:
        with self.client.get(
            path, name=name, headers=self._headers(), allow_redirects=False, catch_response=True
        ) as answer:
            self._keep_cookies(answer)
            if answer.status_code == 200:
                answer.success()
            else:
                answer.failure(f"{path} answered {answer.status_code}")
            if _measuring.is_set() and time.time() <= _window["start"] + DURATION:
                _samples.append((name, answer.request_meta["response_time"], answer.status_code))


class FinanceOfficer(Role):
    weight = 3
    role = "finance"

    @task(3)
    def finance_summary(self):
        self.page("finance summary", "/finance")

    @task(2)
    def dashboard(self):
        self.page("dashboard", "/")

    @task
    def review_list(self):
        self.page("review list", "/returns/review")

    @task
    def returns_list(self):
        self.page("returns list", "/returns")

    @task
    def authority_finance(self):
        self.page("authority finance", f"/finance/authorities/{gss_code(0)}")


class AuthorityLead(Role):
    weight = 4
    role = "lead"

    def on_start(self):
        super().on_start()
        self.gss = gss_code(self.index % AUTHORITIES)  # the account's authority (bench/run.py)

    @task(3)
    def return_form(self):
        self.page("return form", f"/returns/{self.gss}/{MONTH}")

    @task(2)
    def authority_finance(self):
        self.page("authority finance", f"/finance/authorities/{self.gss}")

    @task(2)
    def client_register(self):
        self.page("client register", f"/clients/{self.gss}/")

    @task
    def services(self):
        self.page("services", "/registers/services")


class Taskforce(Role):
    weight = 2
    role = "taskforce"

    @task(2)
    def outcomes(self):
        self.page("outcomes", "/clients/outcomes")

    @task
    def reporting_rate(self):
        self.page("reporting rate", "/returns/reporting-rate")

    @task
    def reports_list(self):
        self.page("reports list", "/reports")

    @task
    def risks(self):
        self.page("risks", "/registers/risks")


class Mhclg(Role):
    weight = 1
    role = "mhclg"

    @task
    def dashboard(self):
        self.page("dashboard", "/")

    @task
    def finance_summary(self):
        self.page("finance summary", "/finance")

    @task
    def reports_list(self):
        self.page("reports list", "/reports")
