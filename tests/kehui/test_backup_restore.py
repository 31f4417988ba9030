"""scripts/backup.sh and scripts/restore.sh: a backup restored elsewhere gives the same figures.

The round trip needs PostgreSQL and its client tools (pg_dump runs in its own process, on its
own connection), so it skips on SQLite; CI runs it. The demo is committed for real
(`transactional_db`), which empties every table afterwards, the session's factor library too:
`library_reloaded_afterwards` loads it again for the tests that follow.
"""

import dataclasses
import os
import shutil
import subprocess
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Sum
from psycopg import sql
from simple_history.models import HistoricalChanges

from emissions.activities.catalogue import load_activity_types
from emissions.activities.models import ActivityRecord, ActivityType
from emissions.evidence import services as evidence_services
from emissions.evidence.models import EvidenceFile
from emissions.factors.loading import load_shipped_factors
from emissions.factors.models import EmissionFactor
from emissions.neutrality.selectors import yearly_balance
from emissions.offsets.selectors import credits_retired_by_year
from tests.evidence.conftest import PDF, PNG, upload

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
BACKUP = SCRIPTS / "backup.sh"
RESTORE = SCRIPTS / "restore.sh"

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="backups are pg_dump archives: needs PostgreSQL"
)
with_client_tools = pytest.mark.skipif(
    not (shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="needs the PostgreSQL client tools (pg_dump, pg_restore)",
)


def database_url(name: str) -> str:
    """A postgres:// URL for database `name` on the test database's server, as that user."""
    settings = connection.settings_dict
    user = quote(settings["USER"] or "", safe="")
    password = quote(settings["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings["HOST"] or "localhost"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{credentials}{host}{port}/{quote(name, safe='')}"


def run_script(script: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "MEDIA_ROOT") and not key.startswith("PG")
    }
    return subprocess.run(
        [str(script), *args],
        env={**environment, **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


@contextmanager
def server_connection():
    """An autocommit connection to the server's maintenance database (CREATE/DROP DATABASE)."""
    settings = connection.settings_dict
    with psycopg.connect(
        dbname="postgres",
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    ) as server:
        yield server


@contextmanager
def scratch_database(name: str):
    """A new, empty database, dropped again afterwards whatever happens."""
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with server_connection() as server:
        server.execute(drop)
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with server_connection() as server:
            server.execute(drop)


@contextmanager
def default_database_named(name: str):
    """Point Django's default connection at another database on the same server for a while.

    The selectors read through the default connection only; this runs the very same code
    against the restored copy.
    """
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


def balance_fields(balance) -> dict:
    fields = {field.name: getattr(balance, field.name) for field in dataclasses.fields(balance)}
    return {**fields, "target": balance.target and balance.target.pk}


def totals() -> dict:
    """Every figure the restore must give back: emissions, credits, balances, row counts."""
    records = ActivityRecord.objects.order_by()
    emissions = records.values_list("year", "scope").annotate(kg=Sum("co2e_kg"), n=Count("id"))
    models = [model for model in apps.get_models() if model._meta.managed]
    return {
        "records": records.count(),
        "co2e kg by year and scope": {(year, scope): (kg, n) for year, scope, kg, n in emissions},
        "credits retired by year": credits_retired_by_year(),
        "neutrality balance": [balance_fields(b) for b in yearly_balance()],
        "report balance": [balance_fields(b) for b in yearly_balance(approved_only=True)],
        "history rows": sum(
            model.objects.count() for model in models if issubclass(model, HistoricalChanges)
        ),
        "rows by table": {model._meta.db_table: model.objects.count() for model in models},
        "evidence": sorted(EvidenceFile.objects.values_list("file", "sha256", "size")),
    }


def files_under(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def library_reloaded_afterwards(django_db_blocker):
    """Load the factor library again once `transactional_db` has emptied the tables.

    Requested before `transactional_db`, so its teardown runs after that fixture's flush.
    """
    yield
    with django_db_blocker.unblock():
        if not EmissionFactor.objects.exists():
            load_shipped_factors()
            load_activity_types()


@pytest.fixture
def kehui_demo(transactional_db, django_user_model):
    """The committed Kehui demo, with two evidence files (in the test's own MEDIA_ROOT)."""
    if not (EmissionFactor.objects.exists() and ActivityType.objects.exists()):
        load_shipped_factors()
        load_activity_types()
    call_command("load_demo", stdout=StringIO())
    user = django_user_model.objects.create_user("auditor", password="auditor-pass-123")
    first, second = ActivityRecord.objects.order_by("pk")[:2]
    evidence_services.attach_evidence(
        record=first, upload=upload("March bill.pdf", PDF), description="bill", user=user
    )
    evidence_services.attach_evidence(
        record=second,
        upload=upload("meter.png", PNG, content_type="image/png"),
        description="meter photo",
        user=user,
    )


@on_postgresql
@with_client_tools
def test_a_restored_backup_gives_back_every_total_and_evidence_file(
    library_reloaded_afterwards, kehui_demo, media_root, tmp_path
):
    before = totals()
    # Not a vacuous comparison: the demo's seven years, credits, history and files are there.
    assert before["records"] > 1000
    assert len(before["neutrality balance"]) == 7
    assert sum(credits.total_t for credits in before["credits retired by year"].values()) > 0
    assert before["history rows"] >= before["records"]
    assert len(files_under(media_root)) == 2

    backups = tmp_path / "backups"
    source = connection.settings_dict["NAME"]
    backup = run_script(
        BACKUP, str(backups), DATABASE_URL=database_url(source), MEDIA_ROOT=str(media_root)
    )
    assert backup.returncode == 0, backup.stderr
    [dump] = backups.glob("kehui-*.dump")
    [media] = backups.glob("kehui-*-media.tar.gz")
    assert str(dump) in backup.stdout
    assert str(media) in backup.stdout

    restored_media = tmp_path / "restored-media"
    with scratch_database(f"{source}_restore") as target:
        target_url = database_url(target)
        restore = run_script(
            RESTORE, "--yes", str(dump), DATABASE_URL=target_url, MEDIA_ROOT=str(restored_media)
        )
        assert restore.returncode == 0, restore.stderr
        with default_database_named(target):
            into_an_empty_database = totals()
            stored_names = list(EvidenceFile.objects.values_list("file", flat=True))

        # Without --yes and without a terminal to ask at, nothing is replaced.
        unconfirmed = run_script(RESTORE, str(dump), DATABASE_URL=target_url)
        assert unconfirmed.returncode == 2
        assert "without --yes" in unconfirmed.stderr

        # The usual case after an accident: the damaged database is still there, and --clean
        # replaces what the dump holds instead of failing on tables that already exist.
        with default_database_named(target):
            ActivityRecord.objects.filter(year=2019).update(co2e_kg=0)
        restore = run_script(
            RESTORE, "--yes", str(dump), DATABASE_URL=target_url, MEDIA_ROOT=str(restored_media)
        )
        assert restore.returncode == 0, restore.stderr
        with default_database_named(target):
            over_a_damaged_copy = totals()

    assert into_an_empty_database == before
    assert over_a_damaged_copy == before
    assert files_under(restored_media) == files_under(media_root)
    assert all((restored_media / name).is_file() for name in stored_names)


# What the scripts say when they are called wrongly: no database needed.


def test_the_backup_script_explains_its_usage_when_called_without_a_folder():
    result = run_script(BACKUP)

    assert result.returncode == 2
    assert "Usage: backup.sh OUTPUT_DIR" in result.stderr


def test_the_backup_script_asks_for_a_database_url(tmp_path):
    result = run_script(BACKUP, str(tmp_path))

    assert result.returncode == 2
    assert "DATABASE_URL is not set" in result.stderr


def test_the_backup_script_refuses_a_database_that_is_not_postgresql(tmp_path):
    result = run_script(BACKUP, str(tmp_path), DATABASE_URL="sqlite:///var/kehui.sqlite3")

    assert result.returncode == 2
    assert "must start with postgres://" in result.stderr
    assert not list(tmp_path.iterdir())


def test_the_restore_script_explains_its_usage_when_called_without_a_dump():
    result = run_script(RESTORE)

    assert result.returncode == 2
    assert "Usage: restore.sh [--yes] DUMP_FILE [MEDIA_ARCHIVE]" in result.stderr


def test_the_restore_script_names_a_missing_media_archive(tmp_path):
    dump = tmp_path / "kehui-20260101T000000Z.dump"
    dump.write_bytes(b"PGDMP")

    result = run_script(RESTORE, "--yes", str(dump), DATABASE_URL="postgres://u@h/kehui")

    assert result.returncode == 2
    assert f"no media archive at {tmp_path}/kehui-20260101T000000Z-media.tar.gz" in result.stderr
