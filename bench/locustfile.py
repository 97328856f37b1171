"""Locust users for the dashboard load benchmark (bench/bench_dashboard.py starts them).

Each user signs in once with a session (GET the login page for its CSRF cookie, POST the form),
then reads the group's dashboard again and again with a short think time. The target comes from
the environment: BENCH_USERNAME, BENCH_PASSWORD, BENCH_PATH (the dashboard's path) and
BENCH_WAIT ("min,max" seconds between requests, default "1,2"). With BENCH_SESSIONS (session
ids signed in beforehand, comma-separated) each user takes one of them instead of signing in, so
that the password hashing of fifty sign-ins does not share the measured minute.

The portal runs with DJANGO_ENV=production, so its cookies are marked Secure; the benchmark
talks plain HTTP to 127.0.0.1, where a client would not send them back. Their Secure flag is
dropped in the client's jar (nothing else changes: the server does not require HTTPS for them).
"""

import itertools
import os
import re

from locust import HttpUser, between, task

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_low, _high = (float(part) for part in os.environ.get("BENCH_WAIT", "1,2").split(","))
_sessions = [value for value in os.environ.get("BENCH_SESSIONS", "").split(",") if value]
_taken = itertools.count()


def _unsecure(jar) -> None:
    for cookie in jar:
        cookie.secure = False


class DashboardReader(HttpUser):
    """A committee reviewer who keeps the group's dashboard open and reloads it."""

    wait_time = between(_low, _high)

    def on_start(self) -> None:
        if _sessions:
            self.client.cookies.set("sessionid", _sessions[next(_taken) % len(_sessions)])
            return
        page = self.client.get("/accounts/login/", name="login page")
        _unsecure(self.client.cookies)
        match = CSRF_INPUT.search(page.text)
        with self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": match.group(1) if match else "",
                "username": os.environ["BENCH_USERNAME"],
                "password": os.environ["BENCH_PASSWORD"],
            },
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}, not a redirect")
        _unsecure(self.client.cookies)

    @task
    def dashboard(self) -> None:
        with self.client.get(
            os.environ["BENCH_PATH"], name="dashboard", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"answered {response.status_code}")
