"""Benchmark: how long the import preview (validation of every row) takes per file size.

The upload limit (emissions/activities/imports MAX_UPLOAD_BYTES) must preview well within
gunicorn's timeout (gunicorn.conf.py) with room for a loaded machine. Run with
DATABASE_URL=postgres://… ; sizes in MB with KEHUI_BENCH_PREVIEW_MB (default "5,10,20").
Times are printed and written to var/bench/preview.txt.
"""

import os
import time

import pytest
from django.conf import settings

from emissions.activities import imports

from .import_setup import bench_setup
from .test_import_bench import generated_csv

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="The preview benchmark targets PostgreSQL: set DATABASE_URL=postgres://…",
)

TIMEOUT_SECONDS = 60  # gunicorn.conf.py
HEADROOM = 2  # a maximum-size preview must take at most half the timeout


def sizes_mb() -> list[float]:
    return [float(mb) for mb in os.environ.get("KEHUI_BENCH_PREVIEW_MB", "5,10,20").split(",")]


def csv_of_size(megabytes: float) -> tuple[bytes, int]:
    per_row = len(generated_csv(1000)[0]) / 1000
    rows = int(megabytes * 1024 * 1024 / per_row)
    return generated_csv(rows)[0], rows


def test_the_preview_time_per_file_size(shipped_library, django_user_model):
    bench_setup(django_user_model)
    lines = ["Import preview benchmark (check_file: read, validate, duplicate warnings)"]
    for megabytes in sizes_mb():
        content, rows = csv_of_size(megabytes)
        started = time.perf_counter()
        check = imports.check_file("bench.csv", content)
        seconds = time.perf_counter() - started
        assert check.ok and check.record_count == rows
        lines.append(
            f"  {len(content) / 1024 / 1024:5.1f} MB, {rows:8,} rows: {seconds:6.2f} s"
            f" ({seconds / (len(content) / 1024 / 1024):.2f} s/MB)"
        )
    content, rows = csv_of_size(imports.MAX_UPLOAD_BYTES / 1024 / 1024)
    started = time.perf_counter()
    assert imports.check_file("bench.csv", content).ok
    limit_seconds = time.perf_counter() - started
    lines.append(
        f"  at the limit ({imports.MAX_UPLOAD_LABEL}, {rows:,} rows): {limit_seconds:.2f} s"
        f" (goal < {TIMEOUT_SECONDS / HEADROOM:.0f} s: half of gunicorn's {TIMEOUT_SECONDS} s)"
    )
    report = "\n".join(lines) + "\n"
    print("\n" + report)
    out = settings.BASE_DIR / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "preview.txt").write_text(report)
    assert limit_seconds < TIMEOUT_SECONDS / HEADROOM
