"""Benchmark: the ledger's XLSX export, in rows per second, to check its row cap.

The cap (emissions/dashboard/exports.py XLSX_ROW_LIMIT) must write a full workbook within a
few seconds, far from gunicorn's timeout. Run with DATABASE_URL=postgres://… ; the number of
records with KEHUI_BENCH_RECORDS (default here: the cap). Written to var/bench/export.txt.
"""

import os
import time

import pytest
from django.conf import settings

from emissions.activities.models import ActivityRecord
from emissions.dashboard import exports

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="The export benchmark targets PostgreSQL: set DATABASE_URL=postgres://…",
)

GOAL_SECONDS = 30  # half of gunicorn's 60 s timeout (gunicorn.conf.py): room for load


@pytest.fixture
def capped_size(monkeypatch):
    monkeypatch.setenv(
        "KEHUI_BENCH_RECORDS", os.environ.get("KEHUI_BENCH_RECORDS", str(exports.XLSX_ROW_LIMIT))
    )


def test_the_xlsx_export_of_the_capped_rows_within_the_goal(capped_size, bench_data):
    records = ActivityRecord.objects.order_by("-period_start", "facility_id", "pk")
    timings = {}
    for name, exporter in (("CSV", exports.export_csv), ("XLSX", exports.export_xlsx)):
        started = time.perf_counter()
        response = exporter(records, filename_stem="bench")
        size = sum(len(chunk) for chunk in response)
        timings[name] = (time.perf_counter() - started, size)
    lines = [f"Ledger export benchmark: {bench_data.records:,} records"]
    for name, (seconds, size) in timings.items():
        lines.append(
            f"  {name:4}: {seconds:6.2f} s, {bench_data.records / seconds:8,.0f} rows/s,"
            f" {size / 1e6:.1f} MB"
        )
    report = "\n".join(lines) + "\n"
    print("\n" + report)
    out = settings.BASE_DIR / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "export.txt").write_text(report)
    assert timings["XLSX"][0] < GOAL_SECONDS
