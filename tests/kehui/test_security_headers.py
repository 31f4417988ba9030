"""With DEBUG off and the README's production variables, real responses carry the security
headers and cookie flags. Settings are read once per process, so each case runs in a fresh
interpreter (as in test_settings.py) against an in-memory SQLite database."""

import json
import os
import subprocess
import sys

import pytest

from tests.kehui.test_settings import PRODUCTION_ENV, ROOT, without_our_variables

REQUESTS = """
import json
import django
from django.conf import settings

django.setup()
# The manifest storage needs collectstatic; only for this the settings are not used as they are.
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

call_command("migrate", verbosity=0)
get_user_model().objects.create_user("wang", password="right-pass-123")

HOST = "carbon.example.com"
client = Client(headers={"host": HOST})


def cookie(name):
    morsel = client.cookies[name]
    return {key: morsel[key] for key in ("secure", "httponly", "samesite")}


plain = client.get("/accounts/login/")
page = client.get("/accounts/login/", secure=True)
login = client.post(
    "/accounts/login/",
    {"username": "wang", "password": "right-pass-123",
     "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    secure=True,
    headers={"origin": "https://" + HOST, "referer": f"https://{HOST}/accounts/login/"},
)
print(json.dumps({
    "plain": [plain.status_code, plain.headers.get("Location", "")],
    "page": page.status_code,
    "headers": dict(page.headers),
    "login": [login.status_code, login.headers.get("Location", "")],
    "csrf_cookie": cookie("csrftoken"),
    "session_cookie": cookie("sessionid"),
    "settings": {
        "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
        "SECURE_CONTENT_TYPE_NOSNIFF": settings.SECURE_CONTENT_TYPE_NOSNIFF,
        "X_FRAME_OPTIONS": settings.X_FRAME_OPTIONS,
        "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
        "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
        "SESSION_COOKIE_HTTPONLY": settings.SESSION_COOKIE_HTTPONLY,
    },
}))
"""


@pytest.fixture(scope="module")
def production():
    env = {
        **without_our_variables(os.environ),
        **PRODUCTION_ENV,
        "DATABASE_URL": "sqlite://:memory:",
        "DJANGO_SETTINGS_MODULE": "kehui.settings",
    }
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", REQUESTS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_plain_http_is_redirected_to_https(production):
    status, location = production["plain"]
    assert status == 301
    assert location == "https://carbon.example.com/accounts/login/"


def test_the_login_page_sends_the_security_headers(production):
    assert production["page"] == 200
    headers = {name.lower(): value for name, value in production["headers"].items()}
    assert headers["strict-transport-security"] == ("max-age=31536000; includeSubDomains; preload")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp


def test_the_settings_behind_them(production):
    values = production["settings"]
    assert values["SECURE_HSTS_SECONDS"] > 0
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True


def test_the_csrf_cookie_is_secure_and_same_site_lax(production):
    assert production["csrf_cookie"]["secure"] is True
    assert production["csrf_cookie"]["samesite"] == "Lax"


def test_logging_in_over_https_sets_a_secure_httponly_lax_session_cookie(production):
    status, location = production["login"]
    assert (status, location) == (302, "/")
    assert production["session_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
