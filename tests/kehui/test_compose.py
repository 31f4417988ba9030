"""Checks on the container files (Dockerfile, docker-compose.yml) that need no Docker engine."""

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from ruamel.yaml import YAML  # PyYAML is not installed; check-jsonschema brings ruamel.yaml.

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def load_compose() -> dict:
    return YAML(typ="safe").load(COMPOSE_FILE.read_text(encoding="utf-8"))


def undefined_dependencies(compose: dict) -> list[tuple[str, str]]:
    """(service, dependency) pairs whose depends_on names a service the file does not define.

    depends_on is either a list of names or a mapping of name to condition options.
    """
    services = compose.get("services") or {}
    return [
        (name, dependency)
        for name, service in services.items()
        for dependency in (service or {}).get("depends_on") or []
        if dependency not in services
    ]


def test_compose_file_is_valid_against_the_compose_spec():
    assert CHECK_JSONSCHEMA.exists(), f"{CHECK_JSONSCHEMA} is missing: install the dev group"
    result = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"


def test_compose_file_has_no_obsolete_version_key():
    assert "version" not in load_compose()


def test_every_depends_on_names_a_defined_service():
    assert undefined_dependencies(load_compose()) == []


@pytest.mark.parametrize(
    "depends_on",
    [["db", "cache"], {"db": {"condition": "service_healthy"}, "cache": {}}],
    ids=["list-form", "mapping-form"],
)
def test_depends_on_check_catches_an_undefined_service(depends_on):
    compose = {"services": {"db": {"image": "postgres:17"}, "web": {"depends_on": depends_on}}}
    assert undefined_dependencies(compose) == [("web", "cache")]


def test_web_waits_for_a_healthy_database():
    web = load_compose()["services"]["web"]
    assert web["depends_on"]["db"]["condition"] == "service_healthy"


def test_dockerfile_switches_to_a_user_that_is_not_root():
    users = [
        line.split(maxsplit=1)[1].strip()
        for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
        if re.match(r"USER\s+\S", line.strip(), flags=re.IGNORECASE)
    ]
    assert users, "the Dockerfile has no USER instruction, so the app would run as root"
    # The last USER wins; "root", "0", "root:root" and "0:0" all mean root.
    assert users[-1].split(":")[0] not in {"root", "0"}, f"the image runs as {users[-1]!r}"


def test_web_database_url_points_at_the_db_service():
    compose = load_compose()
    environment = compose["services"]["web"]["environment"]
    if isinstance(environment, list):  # The KEY=value list form.
        environment = dict(item.split("=", 1) for item in environment)
    # Compose fills in ${VAR:-default} at run time; a placeholder is enough to parse the URL.
    url = urlsplit(re.sub(r"\$\{[^}]*\}", "placeholder", environment["DATABASE_URL"]))
    assert url.scheme in {"postgres", "postgresql"}
    assert url.hostname == "db"
    assert "db" in compose["services"]


def test_a_worker_service_runs_the_job_queue_from_the_web_image_with_the_same_settings():
    services = load_compose()["services"]
    worker, web = services["worker"], services["web"]
    assert worker["build"] == web["build"]
    assert worker["environment"] == web["environment"]
    command = " ".join(worker["command"])
    assert "manage.py db_worker" in command
    # It never migrates itself (web does): it waits until the migrations are applied.
    assert "migrate --check" in command and "migrate --noinput" not in command
