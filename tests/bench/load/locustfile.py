"""Locust users for the load test: staff who log in once and then browse the dashboard pages.

Run by harness.py (`locust -f tests/bench/load/locustfile.py --headless …`), which passes the
login, a facility code and a year in the environment:
KEHUI_LOAD_USERNAME, KEHUI_LOAD_PASSWORD, KEHUI_LOAD_FACILITY, KEHUI_LOAD_YEAR; and for the
scale-out run KEHUI_LOAD_HOSTS, the servers (space-separated URLs) to spread the pages over.

Every page request is made without following redirects: anything but a 200 (a redirect to the
login page, a 403, a 500, a refused connection) counts as a failure.
"""

import csv
import os
import random

from locust import HttpUser, between, events, task

USERNAME = os.environ.get("KEHUI_LOAD_USERNAME", "loadtest")
PASSWORD = os.environ.get("KEHUI_LOAD_PASSWORD", "")
FACILITY = os.environ.get("KEHUI_LOAD_FACILITY", "XT-01")
YEAR = os.environ.get("KEHUI_LOAD_YEAR", "")
LEDGER_FILTER = f"?year={YEAR}&facility={FACILITY}&scope=2" if YEAR else f"?facility={FACILITY}"
# /report/ redirects to the latest year's report: ask for that page directly.
REPORT = f"/report/{YEAR}/" if YEAR else "/report/"
# Each page request goes to one of these at random (the login to --host): the session cookie
# names no port, so one login serves on every server, as behind a load balancer.
HOSTS = os.environ.get("KEHUI_LOAD_HOSTS", "").split()

# Every request (start time, name, milliseconds, failed) for the harness, which computes exact
# percentiles from it (locust's CSV rounds them) for pages and login separately.
REQUEST_LOG = os.environ.get("KEHUI_LOAD_REQUEST_LOG")
_file = open(REQUEST_LOG, "w", newline="") if REQUEST_LOG else None  # noqa: SIM115
_log = csv.writer(_file) if _file else None


@events.request.add_listener
def _record(name, response_time, exception, start_time=None, **kwargs):
    if _log is not None:
        _log.writerow(
            [f"{start_time or 0:.3f}", name, f"{response_time:.1f}", int(bool(exception))]
        )


@events.quitting.add_listener
def _close(**kwargs):
    if _file is not None:
        _file.close()


class Viewer(HttpUser):
    """A staff member with every view permission, reading pages with a short pause between."""

    wait_time = between(0.5, 1.5)

    def _trust_cookies(self):
        # With DEBUG=false the session and CSRF cookies are Secure (settings.py has no switch
        # for that). Browsers keep sending Secure cookies to http://127.0.0.1 (a "potentially
        # trustworthy" origin); Python's cookie jar does not, so the flag is dropped here.
        for cookie in self.client.cookies:
            cookie.secure = False

    def on_start(self):
        self.client.get("/accounts/login/", name="login page")
        self._trust_cookies()
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/accounts/login/",
            data={"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/accounts/login/" in response.headers.get(
                "Location", ""
            ):
                response.failure(f"login failed: HTTP {response.status_code}")
        self._trust_cookies()

    def _page(self, path: str, name: str):
        if HOSTS:
            path = random.choice(HOSTS) + path
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    @task
    def overview(self):
        self._page("/", "overview")

    @task
    def facilities(self):
        self._page("/facilities/", "facilities")

    @task
    def facility(self):
        self._page(f"/facilities/{FACILITY}/", "facility")

    @task
    def ledger(self):
        self._page("/ledger/", "ledger")

    @task
    def ledger_filtered(self):
        self._page(f"/ledger/{LEDGER_FILTER}", "ledger filtered")

    @task
    def offsets(self):
        self._page("/offsets/", "offsets")

    @task
    def targets(self):
        self._page("/targets/", "targets")

    @task
    def report(self):
        self._page(REPORT, "report")
