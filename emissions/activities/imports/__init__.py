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

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_LABEL = "20 MB"

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
