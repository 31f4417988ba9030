"""Too many failed logins lock a username out from one address for a while (django-axes)."""

import datetime as dt
import io
import json
import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from tests.kehui.test_settings import ROOT, without_our_variables

PASSWORD = "right-pass-123"


@pytest.fixture
def staff_member(django_user_model):
    return django_user_model.objects.create_user("wang", password=PASSWORD)


def log_in(client, username, password, address="198.51.100.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail_until_locked(client, username, address="198.51.100.7"):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = log_in(client, username, "wrong-guess", address)
    return response


def test_the_lockout_settings_are_five_attempts_and_fifteen_minutes_by_default():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert dt.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


@pytest.mark.django_db
def test_a_wrong_password_below_the_limit_shows_the_usual_form_error(client, staff_member):
    response = log_in(client, "wang", "wrong-guess")
    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()


@pytest.mark.django_db
def test_the_fifth_failure_locks_the_account_with_a_429_page_saying_when_to_retry(
    client, staff_member
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "wang", "wrong-guess").status_code == 200
    response = log_in(client, "wang", "wrong-guess")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Login locked" in html
    assert "This account is locked after 5 failed login attempts from your address." in html
    assert "You can try again in 15 minutes." in html
    assert "Log in to Kehui Carbon" not in html  # the lockout page, not the form
    assert 'class="site-header"' in html  # it extends base.html


@pytest.mark.django_db
def test_the_right_password_is_refused_while_locked(client, staff_member):
    fail_until_locked(client, "wang")
    response = log_in(client, "wang", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_lockout_is_per_username_and_address(client, django_user_model, staff_member):
    django_user_model.objects.create_user("li", password=PASSWORD)
    fail_until_locked(client, "wang", address="198.51.100.7")
    # The same username from another address, and another username from the same address.
    assert log_in(client, "wang", PASSWORD, address="203.0.113.9").status_code == 302
    client.logout()
    assert log_in(client, "li", PASSWORD, address="198.51.100.7").status_code == 302


@pytest.mark.django_db
def test_the_lockout_ends_after_the_cool_off(client, staff_member):
    fail_until_locked(client, "wang")
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert log_in(client, "wang", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_an_administrator_unlocks_a_username_with_axes_reset_username(client, staff_member):
    fail_until_locked(client, "wang")
    call_command("axes_reset_username", "wang", stdout=io.StringIO())
    assert log_in(client, "wang", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_successful_login_clears_earlier_failures(client, staff_member):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "wang", "wrong-guess")
    assert log_in(client, "wang", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "wang", "wrong-guess").status_code == 200


@pytest.mark.django_db
def test_the_admin_login_is_protected_too(client, django_user_model):
    django_user_model.objects.create_superuser("root", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("admin:login"), {"username": "root", "password": "wrong-guess"}
        )
    assert response.status_code == 429


@pytest.mark.django_db
def test_force_login_is_unaffected(client, staff_member):
    client.force_login(staff_member)
    assert client.get(reverse("dashboard:facility_list")).status_code == 403  # no permission
    assert client.session["_auth_user_id"] == str(staff_member.pk)


CLIENT_ADDRESSES = """
import json
import django
django.setup()
from axes.helpers import get_client_ip_address
from django.test import RequestFactory

cases = {"none": None, "one": "203.0.113.5", "spoofed": "6.6.6.6, 203.0.113.5"}
found = {}
for case, header in cases.items():
    meta = {"REMOTE_ADDR": "10.0.0.2"}
    if header:
        meta["HTTP_X_FORWARDED_FOR"] = header
    found[case] = get_client_ip_address(RequestFactory().get("/", **meta))
print(json.dumps(found))
"""


def client_addresses(**env) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CLIENT_ADDRESSES],
        cwd=ROOT,
        env={
            **{
                key: value
                for key, value in without_our_variables(os.environ).items()
                if key != "TRUSTED_PROXY_COUNT" and not key.startswith("AXES_")
            },
            "DEBUG": "true",
            "DJANGO_SETTINGS_MODULE": "kehui.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_trusted_proxies_the_address_is_remote_addr_whatever_the_headers_say():
    assert client_addresses() == {"none": "10.0.0.2", "one": "10.0.0.2", "spoofed": "10.0.0.2"}


def test_behind_one_trusted_proxy_the_address_it_appended_is_used_and_spoofs_are_not():
    assert client_addresses(TRUSTED_PROXY_COUNT="1") == {
        "none": "10.0.0.2",
        "one": "203.0.113.5",
        # The client's own header made the chain too long: not believed, the proxy's is used.
        "spoofed": "10.0.0.2",
    }
