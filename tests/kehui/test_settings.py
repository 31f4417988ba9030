"""Settings read the environment: each case runs in a fresh interpreter with its own variables."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
    "conn_max_age": db.get("CONN_MAX_AGE"), "health_checks": db.get("CONN_HEALTH_CHECKS"),
    "debug": settings.DEBUG, "allowed_hosts": settings.ALLOWED_HOSTS,
    "csrf_trusted_origins": settings.CSRF_TRUSTED_ORIGINS, "time_zone": settings.TIME_ZONE,
}))
"""


OUR_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "TIME_ZONE",
    # Set by the browser tests while Playwright runs; check --deploy would report async.E001.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def without_our_variables(environ) -> dict[str, str]:
    """The caller's environment minus the variables under test (make exports DEBUG=true)."""
    return {
        k: v for k, v in environ.items() if k not in OUR_VARIABLES and not k.startswith("SECURE_")
    }


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = without_our_variables(os.environ)
    clean.update({"DJANGO_SETTINGS_MODULE": "kehui.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_as_dict(**env: str) -> dict:
    result = load_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_database_url_it_uses_an_sqlite_file_under_var():
    values = settings_as_dict(DEBUG="true")
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(ROOT / "var" / "kehui.sqlite3")


def test_a_postgres_url_selects_postgresql_with_persistent_checked_connections():
    values = settings_as_dict(
        DEBUG="true", DATABASE_URL="postgres://kehui:secret@db.internal:5433/carbon"
    )
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "carbon"
    assert values["host"] == "db.internal"
    assert values["conn_max_age"] == 60
    assert values["health_checks"] is True


def test_an_unsupported_database_url_is_refused_with_its_scheme_named():
    result = load_settings(DEBUG="true", DATABASE_URL="mysql://root@localhost/kehui")
    assert result.returncode != 0
    assert "DATABASE_URL must start with postgres:// (or sqlite:), not 'mysql'." in result.stderr


def test_without_debug_a_missing_secret_key_is_a_clear_error():
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is false." in result.stderr


def test_debug_defaults_to_off():
    result = load_settings(DEBUG="")
    assert "SECRET_KEY must be set when DEBUG is false" in result.stderr
    values = settings_as_dict(SECRET_KEY="x" * 50, ALLOWED_HOSTS="carbon.example.com")
    assert values["debug"] is False


def test_a_misspelt_boolean_is_refused():
    result = load_settings(DEBUG="maybe")
    assert "DEBUG must be true or false, not 'maybe'." in result.stderr


def test_hosts_and_trusted_origins_are_comma_separated_lists():
    values = settings_as_dict(
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="carbon.example.com, www.carbon.example.com",
        CSRF_TRUSTED_ORIGINS="https://carbon.example.com",
    )
    assert values["allowed_hosts"] == ["carbon.example.com", "www.carbon.example.com"]
    assert values["csrf_trusted_origins"] == ["https://carbon.example.com"]


def test_the_time_zone_defaults_to_shanghai():
    assert settings_as_dict(DEBUG="true")["time_zone"] == "Asia/Shanghai"


PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k3hui-" + "q8Zr2vX9pL4mN7bT1cY6wE0sA5dF3gH8jK2lP9oI" * 2,
    "ALLOWED_HOSTS": "carbon.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://carbon.example.com",
    "DATABASE_URL": "postgres://kehui:secret@db:5432/kehui",
}


@pytest.mark.parametrize("extra", [{}, {"SECURE_PROXY_SSL_HEADER": "true"}])
def test_check_deploy_is_silent_with_the_documented_production_variables(extra):
    clean = without_our_variables(os.environ)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV, **extra},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
