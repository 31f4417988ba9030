"""Benchmark: roll back an import of 100,000 records (goal: seconds, within the web timeout).

Run with DATABASE_URL=postgres://… ; size with KEHUI_BENCH_IMPORT_ROWS.
The time is printed and written to var/bench/rollback.txt.
"""

import time

import pytest
from django.conf import settings

from emissions.activities import imports, rollups
from emissions.activities.models import ActivityRecord, ImportStatus

from .import_setup import bench_setup
from .test_import_bench import bench_rows, generated_csv

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="The rollback benchmark targets PostgreSQL: set DATABASE_URL=postgres://…",
)

# gunicorn.conf.py's timeout is 60 s; a rollback must leave room for a loaded machine.
GOAL_SECONDS = 15


def test_a_hundred_thousand_records_roll_back_within_the_goal(shipped_library, django_user_model):
    user = bench_setup(django_user_model)
    rows = bench_rows()
    content, _total_kwh = generated_csv(rows)
    batch = imports.start_import(user=user, file_name="bench.csv", content=content)
    assert imports.commit_import(batch=batch, user=user, sha=batch.sha256).ok
    assert ActivityRecord.objects.count() == rows

    started = time.perf_counter()
    count = imports.rollback_import(batch=batch, user=user, reason="Benchmark")
    seconds = time.perf_counter() - started

    assert count == rows
    assert not ActivityRecord.objects.exists()
    assert ActivityRecord.history.filter(history_type="-").count() == rows
    assert rollups.mismatches() == []
    batch.refresh_from_db()
    assert batch.status == ImportStatus.ROLLED_BACK

    report = (
        f"Rollback benchmark: {rows:,} records\n"
        f"  rollback (history INSERT … SELECT, one DELETE, rollup trigger): {seconds:7.2f} s"
        f" (goal < {GOAL_SECONDS} s)\n"
    )
    print("\n" + report)
    out = settings.BASE_DIR / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "rollback.txt").write_text(report)
    assert seconds < GOAL_SECONDS
