"""Import activity records from a CSV or XLSX file: read, validate, preview, commit, roll back.

The file is kept server-side in an ImportBatch from the preview to the commit; the commit
reads and validates those bytes again, and writes every row or none.
"""

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from emissions.facilities.models import Facility

from .calculation import RecordCalculator
from .models import ActivityRecord, ActivityType, DataQuality, ImportBatch, ImportStatus

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_LABEL = "20 MB"
PROBLEMS_SHOWN = 200
BATCH_SIZE = 2000

COLUMNS = [
    "facility",
    "activity_type",
    "period_start",
    "period_end",
    "quantity",
    "unit",
    "data_quality",
    "source_reference",
    "notes",
]
REQUIRED = {"facility", "activity_type", "period_start", "period_end", "quantity", "data_quality"}
# Headers are matched case-insensitively after trimming; each column has one Chinese name.
CHINESE_HEADERS = {
    "设施": "facility",
    "活动类型": "activity_type",
    "开始日期": "period_start",
    "结束日期": "period_end",
    "数量": "quantity",
    "单位": "unit",
    "数据质量": "data_quality",
    "来源": "source_reference",
    "备注": "notes",
}
# The ledger's CSV/XLSX export (English headers) imports as it is: its input columns map to
# ours and its calculated columns are recomputed, so they are ignored.
LEDGER_EXPORT_HEADERS = {
    "facility code": "facility",
    "activity type": "activity_type",
    "period start": "period_start",
    "period end": "period_end",
    "data quality": "data_quality",
    "source reference": "source_reference",
}
LEDGER_EXPORT_CALCULATED = {
    "id", "facility name", "scope", "category", "factor key", "factor dataset",
    "region match", "year match", "kg co2", "kg ch4", "kg n2o", "kg other gas", "other gas",
    "kg co2e", "t co2e", "gwp basis",
}  # fmt: skip
HEADER_ALIASES = {name: name for name in COLUMNS} | CHINESE_HEADERS | LEDGER_EXPORT_HEADERS
QUALITY_ALIASES = {q.value: q.value for q in DataQuality} | {
    "计量": DataQuality.METERED.value,
    "发票": DataQuality.INVOICE.value,
    "估算": DataQuality.ESTIMATED.value,
}

DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
]
PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")
FIELD_COLUMNS = {
    "facility": "facility",
    "activity_type": "activity_type",
    "period_start": "period_start",
    "period_end": "period_end",
    "quantity": "quantity",
    "unit": "unit",
    "data_quality": "data_quality",
}


class FileUnreadable(ValidationError):
    """The whole file cannot be read (encoding, format, headers)."""


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str


@dataclass
class ImportCheck:
    """What validating a file found: the records it would create, its errors and warnings."""

    records: list[ActivityRecord] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    row_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def co2e_kg(self) -> Decimal:
        return sum((r.co2e_kg for r in self.records), Decimal(0))

    @property
    def errors_shown(self) -> list[Problem]:
        return self.errors[:PROBLEMS_SHOWN]

    @property
    def warnings_shown(self) -> list[Problem]:
        return self.warnings[:PROBLEMS_SHOWN]


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def decode(content: bytes) -> str:
    """The text of a CSV file in UTF-8 (with or without BOM) or GBK/GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileUnreadable(_("The file is neither UTF-8 nor GBK/GB18030 text; save it as UTF-8 CSV."))


def is_xlsx(file_name: str, content: bytes) -> bool:
    return file_name.lower().endswith(".xlsx") or content[:4] == b"PK\x03\x04"


def read_rows(file_name: str, content: bytes) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """The header and the (row number, cells) of each non-empty row; row 1 is the header."""
    if is_xlsx(file_name, content):
        rows = _xlsx_rows(content)
    else:
        rows = enumerate(csv.reader(io.StringIO(decode(content), newline="")), start=1)
    for _number, cells in rows:
        if _blank(cells) or str(cells[0]).lstrip().startswith("#"):
            continue
        header = ["" if cell is None else str(cell).strip() for cell in cells]
        return header, _data_rows(rows)
    raise FileUnreadable(_("The file is empty: it needs a header row and at least one record."))


def _blank(cells) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in cells)


def _data_rows(rows) -> Iterator[tuple[int, list]]:
    for number, cells in rows:
        # Blank rows and the template's "#" comment lines are skipped.
        if _blank(cells) or str(cells[0]).lstrip().startswith("#"):
            continue
        yield number, cells


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or non-XLSX file
        raise FileUnreadable(_("The file could not be read as an XLSX workbook.")) from None
    sheet = workbook.worksheets[0]
    return enumerate((list(row) for row in sheet.iter_rows(values_only=True)), start=1)


def column_map(header: list[str]) -> dict[str, int]:
    """Each known column's position; raise FileUnreadable for unknown or missing columns."""
    positions: dict[str, int] = {}
    unknown = []
    for index, name in enumerate(header):
        if not name:
            continue
        column = HEADER_ALIASES.get(name.lower()) or HEADER_ALIASES.get(name)
        if column is None and name.lower() in LEDGER_EXPORT_CALCULATED:
            continue
        if column is None:
            unknown.append(name)
        elif column in positions:
            raise FileUnreadable(_("The column %(name)s appears twice.") % {"name": column})
        else:
            positions[column] = index
    if unknown:
        raise FileUnreadable(
            _("Unknown columns: %(names)s. Use the columns of the template.")
            % {"names": ", ".join(unknown)}
        )
    missing = [name for name in COLUMNS if name in REQUIRED and name not in positions]
    if missing:
        raise FileUnreadable(
            _("Missing columns: %(names)s.") % {"names": ", ".join(missing)}
        )
    return positions


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise ValueError(
        _("%(value)s is not a date: write it as 2024-03-01, 2024/3/1 or 2024年3月1日.")
        % {"value": repr(text)}
    )


def parse_quantity(value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(_("The quantity must be a number."))
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = str(value or "").strip().replace(" ", "")
        if THOUSANDS.match(text):
            text = text.replace(",", "")
        elif DECIMAL_COMMA.match(text):
            raise ValueError(
                _(
                    "%(value)s uses a decimal comma: write the decimal point as a full stop "
                    "(1234.5); commas are only read as thousands separators (1,234.5)."
                )
                % {"value": repr(text)}
            )
        if not PLAIN_NUMBER.match(text):
            raise ValueError(_("%(value)s is not a number.") % {"value": repr(text)})
        number = Decimal(text)
    if number < 0:
        raise ValueError(_("Quantity cannot be negative."))
    if not number.is_finite() or number.as_tuple().exponent < -6:
        raise ValueError(_("The quantity may have at most 6 decimal places."))
    if abs(number) >= Decimal(10) ** 14:
        raise ValueError(_("The quantity is too large."))
    return number


def _cell(cells: list, positions: dict[str, int], column: str):
    index = positions.get(column)
    if index is None or index >= len(cells):
        return None
    value = cells[index]
    return value.strip() if isinstance(value, str) else value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _ImportCalculator(RecordCalculator):
    """The record calculator, remembering which record units convert to which factor units.

    Whether a unit converts is a pure function of the two units and the type's fuel
    properties; without the memo each row tries every candidate factor through pint.
    """

    def __init__(self):
        super().__init__()
        self._convertible: dict[tuple, bool] = {}

    def _converts(self, record: ActivityRecord, factor) -> bool:
        activity_type = record.activity_type
        key = (record.unit, factor.unit, activity_type.density_kg_per_l, activity_type.ncv_gj_per_t)
        if key not in self._convertible:
            self._convertible[key] = RecordCalculator._converts(record, factor)
        return self._convertible[key]


class _Validator:
    """Checks rows with what all of them share: facilities, types, calculator, duplicates."""

    def __init__(self):
        self.calculator = _ImportCalculator()
        # Loaded once: a file of 100,000 rows must not look up its facility row by row.
        self.facilities = {f.code: f for f in Facility.objects.all()}
        self.types = {t.code: t for t in ActivityType.objects.select_related("gas")}
        self.seen: dict[tuple, int] = {}

    def existing_keys(self, records: list[ActivityRecord]) -> set[tuple]:
        if not records:
            return set()
        existing = ActivityRecord.objects.filter(
            facility_id__in={r.facility_id for r in records},
            activity_type_id__in={r.activity_type_id for r in records},
            period_start__gte=min(r.period_start for r in records),
            period_end__lte=max(r.period_end for r in records),
        ).values_list("facility_id", "activity_type_id", "period_start", "period_end", "quantity")
        return set(existing)

    def row(self, number: int, cells: list, positions, check: ImportCheck) -> None:
        errors: list[Problem] = []

        def problem(column: str, message: str) -> None:
            errors.append(Problem(number, column, message))

        code = _text(_cell(cells, positions, "facility"))
        facility = self.facilities.get(code)
        if facility is None:
            problem("facility", _("No facility has the code %(code)s.") % {"code": repr(code)})
        code = _text(_cell(cells, positions, "activity_type"))
        activity_type = self.types.get(code)
        if activity_type is None:
            problem(
                "activity_type",
                _("No activity type has the code %(code)s.") % {"code": repr(code)},
            )
        values = {}
        for column, parse in (
            ("period_start", parse_date),
            ("period_end", parse_date),
            ("quantity", parse_quantity),
        ):
            try:
                values[column] = parse(_cell(cells, positions, column))
            except ValueError as error:
                problem(column, str(error))
        raw_quality = _text(_cell(cells, positions, "data_quality"))
        quality = QUALITY_ALIASES.get(raw_quality.lower())
        if quality is None:
            problem(
                "data_quality",
                _("%(value)s is not a data quality: use metered, invoice or estimated.")
                % {"value": repr(raw_quality)},
            )
        unit = _text(_cell(cells, positions, "unit"))
        if not unit and activity_type is not None:
            unit = activity_type.default_unit  # a blank unit means the type's default unit
        source = _text(_cell(cells, positions, "source_reference"))
        if len(source) > 300:
            problem("source_reference", _("The source reference may have at most 300 characters."))
        if errors:
            check.errors.extend(errors)
            return

        record = ActivityRecord(
            facility=facility,
            activity_type=activity_type,
            period_start=values["period_start"],
            period_end=values["period_end"],
            quantity=values["quantity"],
            unit=unit,
            data_quality=quality,
            source_reference=source,
            notes=_text(_cell(cells, positions, "notes")),
        )
        try:
            self.calculator.calculate(record)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                column = FIELD_COLUMNS.get(key, "") if key != NON_FIELD_ERRORS else ""
                check.errors.extend(Problem(number, column, m) for m in messages)
            return
        check.records.append(record)
        record._import_row = number
        key = (
            facility.pk,
            activity_type.pk,
            record.period_start,
            record.period_end,
            record.quantity,
        )
        if key in self.seen:
            check.warnings.append(
                Problem(
                    number,
                    "",
                    _(
                        "Same facility, activity type, period and quantity as row %(row)s: "
                        "is it a duplicate?"
                    )
                    % {"row": self.seen[key]},
                )
            )
        else:
            self.seen[key] = number


def check_file(file_name: str, content: bytes) -> ImportCheck:
    """Read and validate every row; write nothing."""
    check = ImportCheck()
    try:
        header, rows = read_rows(file_name, content)
        positions = column_map(header)
        validator = _Validator()
        for number, cells in rows:
            check.row_count += 1
            validator.row(number, cells, positions, check)
    except ValidationError as error:  # the whole file: its encoding, format or header
        check.errors.extend(Problem(1, "", message) for message in error.messages)
        check.records = []
        return check
    existing = validator.existing_keys(check.records)
    for record in check.records:
        key = (
            record.facility_id,
            record.activity_type_id,
            record.period_start,
            record.period_end,
            record.quantity,
        )
        if key in existing:
            check.warnings.append(
                Problem(
                    record._import_row,
                    "",
                    _(
                        "Same facility, activity type, period and quantity as a record already "
                        "in the ledger: is it a duplicate?"
                    ),
                )
            )
    check.warnings.sort(key=lambda p: p.row)
    return check


def start_import(*, user, file_name: str, content: bytes) -> ImportBatch:
    """Keep the uploaded file server-side, to preview now and commit later."""
    return ImportBatch.objects.create(
        user=user,
        file_name=file_name[:255],
        sha256=sha256(content),
        content=content,
        status=ImportStatus.PREVIEWED,
    )


class ImportRefused(Exception):
    pass


def commit_import(*, batch: ImportBatch, user, sha: str) -> ImportCheck:
    """Validate the kept file again and create all its records, or none; raise ImportRefused."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportStatus.PREVIEWED:
            raise ImportRefused(
                _("This import is %(status)s; only a previewed import can be committed.")
                % {"status": batch.get_status_display().lower()}
            )
        content = bytes(batch.content)
        if sha != batch.sha256 or sha256(content) != batch.sha256:
            raise ImportRefused(_("The file does not match its preview; upload it again."))
        check = check_file(batch.file_name, content)
        batch.row_count = check.row_count
        if not check.ok:
            batch.status = ImportStatus.FAILED
            batch.message = ngettext(
                "Nothing was imported: %(count)s problem was found when committing.",
                "Nothing was imported: %(count)s problems were found when committing.",
                len(check.errors),
            ) % {"count": len(check.errors)}
            batch.save(update_fields=["row_count", "status", "message"])
            return check
        for record in check.records:
            record.import_batch = batch
        # bulk_create skips save() (calculate() ran above) and simple-history's signals: the
        # helper also writes each record's "created" history row.
        bulk_create_with_history(
            check.records,
            ActivityRecord,
            batch_size=BATCH_SIZE,
            default_user=user,
            default_change_reason=f"Imported from {batch.file_name}"[:100],
        )
        batch.status = ImportStatus.COMMITTED
        batch.committed_at = timezone.now()
        batch.message = ngettext(
            "%(count)s record imported.", "%(count)s records imported.", len(check.records)
        ) % {"count": len(check.records)}
        batch.save(update_fields=["row_count", "status", "message", "committed_at"])
    return check


def rollback_import(*, batch: ImportBatch, user) -> int:
    """Delete the import's records (their history keeps them); raise ImportRefused."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == ImportStatus.ROLLED_BACK:
            raise ImportRefused(_("This import has already been rolled back."))
        if batch.status != ImportStatus.COMMITTED:
            raise ImportRefused(_("Only a committed import can be rolled back."))
        # A queryset delete still sends each record's post_delete: history keeps a "deleted" row.
        _total, deleted = ActivityRecord.objects.filter(import_batch=batch).delete()
        count = deleted.get(ActivityRecord._meta.label, 0)
        batch.status = ImportStatus.ROLLED_BACK
        batch.rolled_back_at = timezone.now()
        batch.message = ngettext(
            "%(count)s record deleted by rolling back the import.",
            "%(count)s records deleted by rolling back the import.",
            count,
        ) % {"count": count}
        batch.save(update_fields=["status", "rolled_back_at", "message"])
    return count


def template_csv() -> str:
    """A template: the header, two example rows and the codes of this installation."""
    facilities = list(Facility.objects.order_by("code").values_list("code", "name_en"))
    types = list(ActivityType.objects.order_by("code").values_list("code", "name", "default_unit"))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    facility = facilities[0][0] if facilities else "XT-01"
    by_code = {code: unit for code, _name, unit in types}
    examples = [("grid_electricity", "120000"), ("natural_gas_stationary", "2,345.6")]
    for (type_code, quantity), month in zip(examples, (1, 2), strict=True):
        if type_code not in by_code and types:
            type_code = types[month - 1 if len(types) >= month else 0][0]
        writer.writerow(
            [
                facility,
                type_code,
                f"2024-{month:02d}-01",
                f"2024/{month}/{29 if month == 2 else 31}",
                quantity,
                by_code.get(type_code, ""),
                "metered" if month == 1 else "invoice",
                f"Example {month}",
                "",
            ]
        )
    writer.writerow(["# Lines starting with # are ignored. Delete the example rows above."])
    writer.writerow(["# Facility codes:"])
    for code, name in facilities:
        writer.writerow([f"#   {code}", name])
    writer.writerow(["# Activity type codes and default units:"])
    for code, name, unit in types:
        writer.writerow([f"#   {code}", name, unit])
    return out.getvalue()
