"""Real-browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Without Chromium every test here is skipped with one reason; CI sets KEHUI_E2E_REQUIRED=1, and
then a missing Chromium, or any other skip of a test in this folder, is a failure instead.
"""

import datetime
import os
import shutil
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread
from playwright.sync_api import expect

from emissions.activities.catalogue import load_activity_types
from emissions.activities.models import ActivityType
from emissions.facilities.models import Facility, FacilityKind
from emissions.facilities.regions import GridRegion, Province
from emissions.factors.loading import load_shipped_factors
from emissions.factors.models import EmissionFactor
from tests.e2e.test_login_flow import log_in

E2E_DIR = Path(__file__).resolve().parent
CHROMIUM_MISSING = "Chromium not found: apt-get install chromium"
PASSWORD = "carbon-neutral-2060"
# The apps whose `view_*` permissions make a staff member a viewer of every dashboard page.
VIEWER_APPS = (
    "facilities",
    "factors",
    "activities",
    "offsets",
    "neutrality",
    "products",
    "planning",
)


def e2e_required() -> bool:
    return os.environ.get("KEHUI_E2E_REQUIRED") == "1"


def pytest_collection_modifyitems(config, items):
    # A session-wide hook: it sees every collected test, so pick out the ones in this folder.
    # They run last, so that no other test runs while Playwright is up (see `playwright`).
    e2e_items = [item for item in items if E2E_DIR in item.path.parents]
    for item in e2e_items:
        item.add_marker(pytest.mark.e2e)
    items[:] = [item for item in items if item not in e2e_items] + e2e_items


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    skipped = report.skipped and not hasattr(report, "wasxfail")
    if skipped and e2e_required() and E2E_DIR in item.path.parents:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"KEHUI_E2E_REQUIRED=1 turns this skip into a failure: {reason}"


@pytest.fixture(scope="session", autouse=True)
def chromium_path() -> str:
    """Debian's Chromium; Playwright's own browser downloads are not used."""
    path = shutil.which("chromium")
    if path is None:
        if e2e_required():
            pytest.fail(CHROMIUM_MISSING, pytrace=False)
        pytest.skip(CHROMIUM_MISSING)
    return path


@pytest.fixture(scope="session")
def playwright(playwright):
    # From here on Playwright's sync API marks an event loop as running in this thread, and
    # Django then refuses ORM calls (our fixtures, the test database's flush and teardown)
    # unless DJANGO_ALLOW_ASYNC_UNSAFE is set. It is set only while Playwright runs, not at
    # import: `manage.py check --deploy` in a subprocess (tests/kehui) fails with it set.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield playwright


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_path):
    # Extends pytest-playwright's fixture of the same name (keeps --headed, --slowmo, ...).
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def base_url(pytestconfig) -> str | None:
    # Same value as pytest-playwright's fallback `base_url` fixture. That one is a method of a
    # plugin object, which pytest 9.2 reports with a PytestRemovedIn10Warning, and pyproject
    # turns DeprecationWarnings into errors, so every browser test would error in its setup.
    return pytestconfig.getoption("--base-url", None) or pytestconfig.getini("base_url") or None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # LocaleMiddleware reads Accept-Language: pin it so pages start in English on any machine.
    return {**browser_context_args, "locale": "en-US"}


@pytest.fixture
def console_errors(page) -> list[str]:
    """Console errors (CSP violations included) and uncaught exceptions of `page`."""
    errors: list[str] = []

    def on_console(message):
        if message.type == "error":
            errors.append(f"console: {message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    return errors


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def staff_member(transactional_db, django_user_model):
    """A viewer, with the password `PASSWORD`: may read every dashboard page, change nothing.

    Every `view_*` permission of the apps behind the pages (VIEWER_APPS).
    """
    user = django_user_model.objects.create_user("mei.lin", password=PASSWORD)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=VIEWER_APPS, codename__startswith="view_"
        )
    )
    return user


@pytest.fixture
def facilities(transactional_db) -> list[Facility]:
    return [
        Facility.objects.create(
            code="SZ-01",
            name_en="Suzhou Assembly Plant",
            name_zh="苏州总装厂",
            kind=FacilityKind.FACTORY,
            province=Province.JIANGSU,
            grid_region=GridRegion.EAST,
            opened_on=datetime.date(2012, 3, 1),
        ),
        Facility.objects.create(
            code="SH-HQ",
            name_en="Shanghai Head Office",
            name_zh="上海总部",
            kind=FacilityKind.OFFICE,
            province=Province.SHANGHAI,
            grid_region=GridRegion.EAST,
            opened_on=datetime.date(2015, 9, 15),
        ),
    ]


@pytest.fixture
def demo(transactional_db):
    """The Kehui demo: organisation, facilities, 2019–2025 records, instruments, targets.

    The session's database setup (tests/conftest.py) loads the factor library and the activity
    types, but the live server's tests flush the database after each test: load them again.
    """
    if not (EmissionFactor.objects.exists() and ActivityType.objects.exists()):
        load_shipped_factors()
        load_activity_types()
    call_command("load_demo", stdout=StringIO())


@pytest.fixture
def viewer_page(page, live_server, demo, staff_member, password):
    """`page`, logged in as the viewer `staff_member`: on the overview, where login lands."""
    log_in(page, live_server, staff_member.username, password)
    expect(page).to_have_url(f"{live_server.url}/")
    return page


class OneRequestAtATime(ThreadedWSGIServer):
    """The live server, answering one request at a time.

    With SQLite the test database lives in memory and the server's request threads share one
    connection: two requests at once (a page's htmx fragments — the approvals count, the
    recalculation notice — load beside other requests) would use it together and fail with a
    503. PostgreSQL gives each thread its own connection and keeps the threaded server.
    """

    _one_at_a_time = threading.Lock()

    def set_app(self, application):
        # Around each request, not each connection: a browser keeps connections open.
        def one_at_a_time(environ, start_response):
            with self._one_at_a_time:
                return application(environ, start_response)

        super().set_app(one_at_a_time)


@pytest.fixture(scope="session", autouse=True)
def one_request_at_a_time_on_sqlite():
    if connection.vendor != "sqlite":
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LiveServerThread, "server_class", OneRequestAtATime)
        yield
