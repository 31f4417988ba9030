"""Interval meter data: 15-minute or hourly kWh per meter, imported from CSV, read by the hour.

reading.py reads the file's cells, validation.py checks the rows and sums them into
meter-days, writing.py stores them with their history, service.py does an upload all or
nothing, selectors.py gives hourly kWh per facility and year (hourly-matched Scope 2).
"""

from .reading import CHINESE_HEADERS, COLUMNS
from .service import IntervalImport, import_intervals

# A year of 50 meters at 15 minutes is 1,752,000 rows, about 62 MB as CSV: one upload must
# hold it (issue 18). Checked and written within the request, well inside gunicorn's 60 s:
# 6 s on the 2-core host (9-13 s under load), so 100 MB (about 3 million rows) about 10-20 s
# (tests/bench/test_interval_bench.py, docs/performance.md).
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
MAX_UPLOAD_LABEL = "100 MB"

__all__ = [
    "CHINESE_HEADERS",
    "COLUMNS",
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_LABEL",
    "IntervalImport",
    "import_intervals",
]
