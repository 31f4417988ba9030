"""Import activity records from a CSV or XLSX file: read, validate, preview, commit, roll back.

The file is kept server-side in an ImportBatch from the preview to the commit; the commit
reads and validates those bytes again, and writes every row or none.
"""

from .reading import CHINESE_HEADERS, COLUMNS, REQUIRED, FileUnreadable
from .service import (
    ImportRefused,
    check_file,
    commit_import,
    rollback_import,
    sha256,
    start_import,
)
from .template import ImportTemplate, TemplateSheet
from .validation import PROBLEMS_SHOWN, ImportCheck, Problem

# The upload is read and validated whole within its request (the preview) before a worker
# could take it: the largest file must preview well within gunicorn's 60 s timeout
# (gunicorn.conf.py). Measured on the 2-core host with PostgreSQL: about 1.1-1.2 s per MB
# idle, 3-5 s per MB under load (tests/bench/test_preview_bench.py), so 10 MB (about 150,000
# rows) previews in about 12 s idle and stays under 60 s at three times that load. 20 MB took
# 30-65 s and timed out.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_LABEL = "10 MB"

__all__ = [
    "CHINESE_HEADERS",
    "COLUMNS",
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_LABEL",
    "PROBLEMS_SHOWN",
    "REQUIRED",
    "FileUnreadable",
    "ImportCheck",
    "ImportRefused",
    "ImportTemplate",
    "Problem",
    "TemplateSheet",
    "check_file",
    "commit_import",
    "rollback_import",
    "sha256",
    "start_import",
]
