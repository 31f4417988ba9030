"""Validating an import file row by row, in chunks, with the records' own calculation.

Nothing here writes. `scan` hands each chunk of valid rows to a sink (the commit's writer)
while the file is clean, so a file of any size is read, checked and written in one pass
without holding its rows: memory is bounded by the chunk, not the file.
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from emissions.facilities import periods
from emissions.facilities.models import Facility
from emissions.factors.units import FuelProperties
from emissions.suppliers.models import SupplierProduct

from ..calculation import FactorChoice, RecordCalculator
from ..conversion import fallback_note, standard_volume_note
from ..models import ActivityRecord, ActivityType, DataQuality
from ..workflow import reopened_fields
from .reading import cell, column_map, parse_date, parse_quantity, quoted, read_rows, text

CHUNK_SIZE = 5000
PROBLEMS_SHOWN = 200  # problems and valid rows kept for the preview; all are counted
# Kept and shown per problem, whatever text the file put in it (the messages quote values
# shortened already: this bounds the ones that come from elsewhere, and older stored previews).
MESSAGE_CHARS = 500
QUALITY_ALIASES = {q.value: q.value for q in DataQuality} | {
    "计量": DataQuality.METERED.value,
    "发票": DataQuality.INVOICE.value,
    "估算": DataQuality.ESTIMATED.value,
}
FIELD_COLUMNS = {
    "facility": "facility",
    "activity_type": "activity_type",
    "period_start": "period_start",
    "period_end": "period_end",
    "quantity": "quantity",
    "unit": "unit",
    "data_quality": "data_quality",
    "purchased_product": "purchased_product",
}


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def capped(self) -> "Problem":
        """The problem with its message cut to MESSAGE_CHARS."""
        if len(self.message) <= MESSAGE_CHARS:
            return self
        return Problem(self.row, self.column, self.message[:MESSAGE_CHARS] + "…")


class ImportRow:
    """One valid row, calculated: the attributes of an ActivityRecord, without the model.

    RecordCalculator only reads and sets attributes, so a plain object serves, at a fraction
    of a model instance's cost (a model's __init__ was a third of the validation time).
    """

    __slots__ = (
        "number", "facility", "activity_type", "period_start", "period_end", "quantity",
        "unit", "data_quality", "source_reference", "notes", "purchased_product",
        "scope", "category", "year",
        "month", "factor", "factor_region_match", "factor_year_match", "factor_quantity",
        "gwp_basis", "co2_kg", "ch4_kg", "n2o_kg", "other_gas", "other_gas_kg",
        "published_co2e_kg", "biogenic_co2_kg", "co2e_kg", "electricity_kwh", "calculated_at",
        "import_batch", "status", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at",
        "rejection_reason",
    )  # fmt: skip

    def __init__(self, number: int, **values):
        self.number = number
        self.import_batch = None
        # Review fields: a new row is a draft until the commit submits it (workflow.py).
        for name, value in reopened_fields().items():
            setattr(self, name, value)
        for name, value in values.items():
            setattr(self, name, value)

    @property
    def key(self) -> tuple:
        """What makes two rows look like the same reading."""
        return (
            self.facility.pk,
            self.activity_type.pk,
            self.period_start,
            self.period_end,
            self.quantity,
        )

    def shown(self) -> dict:
        """What the preview shows of the row."""
        return {
            "row": self.number,
            "facility": self.facility.code,
            "activity_type": self.activity_type.code,
            "period_start": self.period_start,
            "period_end": self.period_end,
            "quantity": self.quantity,
            "unit": self.unit,
            "year_match": self.factor_year_match,
            "co2e_kg": self.co2e_kg,
            # Not problems: what the row's calculation assumed (a gas volume taken as standard
            # m³, a factor from outside China for a Chinese facility).
            "notes": [
                note
                for note in (
                    standard_volume_note(self.unit, self.activity_type),
                    fallback_note(self),
                )
                if note
            ],
        }

    def as_record(self) -> ActivityRecord:
        values = {name: getattr(self, name) for name in self.__slots__ if name != "number"}
        return ActivityRecord(**values)


@dataclass
class ImportCheck:
    """What validating a file found: counts and totals of every row, the first problems."""

    row_count: int = 0
    record_count: int = 0
    error_count: int = 0
    warning_count: int = 0
    co2e_kg: Decimal = Decimal(0)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    records_shown: list[dict] = field(default_factory=list)  # the first valid rows

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def as_json(self) -> dict:
        """The check as stored with its import batch, for the preview page."""
        return json.loads(json.dumps(asdict(self), cls=DjangoJSONEncoder))

    @classmethod
    def from_json(cls, data: dict) -> "ImportCheck":
        if not data:
            return cls()
        check = cls(**{name: data[name] for name in _COUNTS})
        check.co2e_kg = Decimal(data["co2e_kg"])
        check.errors = [Problem(**p).capped() for p in data["errors"][:PROBLEMS_SHOWN]]
        check.warnings = [Problem(**p).capped() for p in data["warnings"][:PROBLEMS_SHOWN]]
        check.records_shown = [
            shown
            | {
                "period_start": dt.date.fromisoformat(shown["period_start"]),
                "period_end": dt.date.fromisoformat(shown["period_end"]),
                "quantity": Decimal(shown["quantity"]),
                "co2e_kg": Decimal(shown["co2e_kg"]),
            }
            for shown in data["records_shown"]
        ]
        return check

    def add_errors(self, problems) -> None:
        for problem in problems:
            self.error_count += 1
            if len(self.errors) < PROBLEMS_SHOWN:
                self.errors.append(problem.capped())

    def add_warning(self, problem: Problem) -> None:
        self.warning_count += 1
        if len(self.warnings) < PROBLEMS_SHOWN:
            self.warnings.append(problem.capped())


_COUNTS = ("row_count", "record_count", "error_count", "warning_count")


class _ImportCalculator(RecordCalculator):
    """The record calculator, remembering what is the same for many rows of a file.

    Whether a unit converts is a pure function of the two units and the type's fuel
    properties, and the factor chosen a function of facility, type, year and unit: without
    the memos each row would try every candidate factor through pint.
    """

    def __init__(self):
        super().__init__()
        self._convertible: dict[tuple, bool] = {}
        self._choices: dict[tuple, FactorChoice] = {}
        self._purchases: dict[tuple, object] = {}

    def _converts(self, record, factor) -> bool:
        activity_type = record.activity_type
        key = (record.unit, factor.unit, FuelProperties.of(activity_type))
        if key not in self._convertible:
            self._convertible[key] = RecordCalculator._converts(record, factor)
        return self._convertible[key]

    def choose_factor(self, record) -> FactorChoice:
        key = (record.facility.pk, record.activity_type.pk, record.year, record.unit)
        if key not in self._choices:
            self._choices[key] = super().choose_factor(record)
        return self._choices[key]

    def choose_purchase_factor(self, record):
        product = record.purchased_product
        key = (
            record.facility.pk, record.activity_type.pk, record.year, record.unit,
            product.pk if product else None,
        )  # fmt: skip
        if key not in self._purchases:
            self._purchases[key] = super().choose_purchase_factor(record)
        return self._purchases[key]


class _Validator:
    """Checks rows with what all of them share: facilities, types, calculator, duplicates."""

    def __init__(self, check: ImportCheck):
        self.check = check
        self.calculator = _ImportCalculator()
        # Loaded once: a file of 100,000 rows must not look up its facility row by row.
        self.facilities = {f.code: f for f in Facility.objects.all()}
        self.types = {t.code: t for t in ActivityType.objects.select_related("gas")}
        self.products = {p.code: p for p in SupplierProduct.objects.all()}
        # Locked reporting years, loaded once per file: their rows are errors.
        self.locks = periods.locks_by_year()
        # The first row of each reading, for the in-file duplicate warning. Keyed by the key's
        # hash (an int) rather than the key (five objects): ~90 bytes a row instead of ~300.
        # Two different readings sharing a 64-bit hash would only cost a needless warning.
        self.seen: dict[int, int] = {}

    def row(self, number: int, cells: list, positions) -> ImportRow | None:
        """The calculated row, or None after recording its problems."""
        errors: list[Problem] = []

        def problem(column: str, message: str) -> None:
            errors.append(Problem(number, column, message))

        code = text(cell(cells, positions, "facility"))
        facility = self.facilities.get(code)
        if facility is None:
            problem("facility", _("No facility has the code %(code)s.") % {"code": quoted(code)})
        code = text(cell(cells, positions, "activity_type"))
        activity_type = self.types.get(code)
        if activity_type is None:
            problem(
                "activity_type",
                _("No activity type has the code %(code)s.") % {"code": quoted(code)},
            )
        values = {}
        for column, parse in (
            ("period_start", parse_date),
            ("period_end", parse_date),
            ("quantity", parse_quantity),
        ):
            try:
                values[column] = parse(cell(cells, positions, column))
            except ValueError as error:
                problem(column, str(error))
        # A locked reporting year takes no new records (emissions/facilities/periods.py).
        start = values.get("period_start")
        if start is not None and start.year in self.locks:
            problem("period_start", periods.locked_message(self.locks[start.year]))
        raw_quality = text(cell(cells, positions, "data_quality"))
        quality = QUALITY_ALIASES.get(raw_quality.lower())
        if quality is None:
            problem(
                "data_quality",
                _("%(value)s is not a data quality: use metered, invoice or estimated.")
                % {"value": quoted(raw_quality)},
            )
        unit = text(cell(cells, positions, "unit"))
        if not unit and activity_type is not None:
            unit = activity_type.default_unit  # a blank unit means the type's default unit
        if len(unit) > 40:
            problem("unit", _("The unit may have at most 40 characters."))
        code = text(cell(cells, positions, "purchased_product"))
        product = self.products.get(code) if code else None
        if code and product is None:
            problem(
                "purchased_product",
                _("No supplier product has the code %(code)s.") % {"code": quoted(code)},
            )
        source = text(cell(cells, positions, "source_reference"))
        if len(source) > 300:
            problem("source_reference", _("The source reference may have at most 300 characters."))
        if errors:
            self.check.add_errors(errors)
            return None

        row = ImportRow(
            number,
            facility=facility,
            activity_type=activity_type,
            period_start=values["period_start"],
            period_end=values["period_end"],
            quantity=values["quantity"],
            unit=unit,
            data_quality=quality,
            source_reference=source,
            notes=text(cell(cells, positions, "notes")),
            purchased_product=product,
        )
        try:
            self.calculator.calculate(row)
        except ValidationError as error:
            self.check.add_errors(_problems(number, error))
            return None
        first = self.seen.setdefault(hash(row.key), number)
        if first != number:
            self.check.add_warning(
                Problem(
                    number,
                    "",
                    _(
                        "Same facility, activity type, period and quantity as row %(row)s: "
                        "is it a duplicate?"
                    )
                    % {"row": first},
                )
            )
        return row


def _problems(number: int, error: ValidationError) -> list[Problem]:
    problems = []
    for key, messages in error.message_dict.items():
        column = FIELD_COLUMNS.get(key, "") if key != NON_FIELD_ERRORS else ""
        problems.extend(Problem(number, column, message) for message in messages)
    return problems


def _existing_keys(rows: list[ImportRow]) -> set[tuple]:
    """Keys of ledger records that look like these rows; one query per chunk."""
    existing = ActivityRecord.objects.filter(
        facility_id__in={r.facility.pk for r in rows},
        activity_type_id__in={r.activity_type.pk for r in rows},
        period_start__in={r.period_start for r in rows},
    ).values_list("facility_id", "activity_type_id", "period_start", "period_end", "quantity")
    return set(existing.iterator(chunk_size=CHUNK_SIZE))


def _warn_existing(check: ImportCheck, rows: list[ImportRow]) -> None:
    existing = _existing_keys(rows)
    if not existing:
        return
    for row in rows:
        if row.key in existing:
            check.add_warning(
                Problem(
                    row.number,
                    "",
                    _(
                        "Same facility, activity type, period and quantity as a record already "
                        "in the ledger: is it a duplicate?"
                    ),
                )
            )


Sink = Callable[[list[ImportRow]], None]


def scan(
    file_name: str, content: bytes, *, sink: Sink | None = None, warn_existing: bool = True
) -> ImportCheck:
    """Read and validate every row; pass each chunk of valid rows to `sink` while no row failed.

    With `warn_existing`, rows that look like records already in the ledger are warned about
    (the preview does it; the commit, which only writes, does not need to).
    """
    check = ImportCheck()
    try:
        header, rows = read_rows(file_name, content)
        positions = column_map(header)
        validator = _Validator(check)
        chunk: list[ImportRow] = []
        for number, cells in rows:
            check.row_count += 1
            row = validator.row(number, cells, positions)
            if row is not None:
                chunk.append(row)
            if len(chunk) >= CHUNK_SIZE:
                _take(check, chunk, sink, warn_existing)
                chunk = []
        _take(check, chunk, sink, warn_existing)
    except ValidationError as error:  # the whole file: its encoding, format or header
        check.add_errors(Problem(1, "", message) for message in error.messages)
    if not check.ok:
        check.records_shown = []
    check.warnings.sort(key=lambda p: p.row)
    return check


def _take(check: ImportCheck, chunk: list[ImportRow], sink: Sink | None, warn_existing) -> None:
    if not chunk:
        return
    check.record_count += len(chunk)
    check.co2e_kg += sum(row.co2e_kg for row in chunk)
    room = PROBLEMS_SHOWN - len(check.records_shown)
    check.records_shown.extend(row.shown() for row in chunk[:room])
    if warn_existing:
        _warn_existing(check, chunk)
    # Once a row has failed nothing will be committed: the rest is only checked.
    if sink is not None and check.ok:
        sink(chunk)
