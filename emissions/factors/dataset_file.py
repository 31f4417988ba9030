"""Load a new factor dataset from a CSV file in the shipped format (data/emission_factors.csv).

A new year of published factors (a future MEE–NBS announcement, say) is added to the library,
all rows or none; it changes no record by itself (a restatement previews what it would change:
emissions/neutrality/restatements.py). A factor already in the library is never edited by a
file: a row with an existing key must repeat it exactly (it is skipped), else the row is refused,
since a correction to a published factor is a new factor with its own key and source.

Besides the shipped columns, a file may give `group` and `series` (what activity types choose by).
Without them a row takes them from the shipped factor_groups.csv, or from the library's factor
whose key differs only in its trailing year ("…_national_2024" follows "…_national_2023").
"""

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .loading import DATA_DIR, _category, _gwp_basis
from .models import EmissionFactor, FactorDataset

REQUIRED_COLUMNS = [
    "key", "name", "category", "activity_unit", "region", "year", "co2_kg", "ch4_kg",
    "n2o_kg", "co2e_kg", "gwp_basis", "dataset", "source_reference",
]  # fmt: skip
VALUE_COLUMNS = ["co2_kg", "ch4_kg", "n2o_kg", "co2e_kg"]
TRAILING_YEAR = re.compile(r"_(19|20)\d\d$")
MAX_ROWS = 20_000


class DatasetFileError(ValueError):
    """The file was refused: `problems` names each row and column, nothing was loaded."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class DatasetLoad:
    datasets: list[FactorDataset] = field(default_factory=list)
    created: list[EmissionFactor] = field(default_factory=list)
    unchanged: int = 0

    @property
    def factor_ids(self) -> list[int]:
        return [factor.pk for factor in self.created]


def _shipped_groups() -> dict[str, dict]:
    with (DATA_DIR / "factor_groups.csv").open(encoding="utf-8", newline="") as handle:
        return {row["key"]: row for row in csv.DictReader(handle)}


def _stem(key: str) -> str:
    return TRAILING_YEAR.sub("", key)


def _group_and_series(row: dict, shipped: dict, by_stem: dict) -> tuple[str, str] | None:
    if row.get("group", "").strip():
        return row["group"].strip(), row.get("series", "").strip()
    if row["key"] in shipped:
        return shipped[row["key"]]["group"], shipped[row["key"]]["series"]
    return by_stem.get(_stem(row["key"]))


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DatasetFileError([_("The file is not UTF-8 text: save it as CSV UTF-8.")]) from None


def _values(row: dict, number: int, problems: list[str]) -> dict:
    def where(column):
        return _("Row %(row)d, column %(column)s") % {"row": number, "column": column}

    values = {}
    for column in VALUE_COLUMNS:
        text = row[column].strip()
        try:
            values[column] = Decimal(text) if text else None
        except InvalidOperation:
            problems.append(
                f"{where(column)}: " + _("“%(value)s” is not a number.") % {"value": text}
            )
    try:
        values["year"] = int(row["year"])
    except ValueError:
        problems.append(
            f"{where('year')}: " + _("“%(value)s” is not a year.") % {"value": row["year"]}
        )
    try:
        values["category"] = _category(row)
    except KeyError:
        problems.append(
            f"{where('category')}: "
            + _("“%(value)s” is not a category of the shipped format.") % {"value": row["category"]}
        )
    return values


def load_dataset_file(file_name: str, content: bytes, *, publisher: str = "") -> DatasetLoad:
    """Add the file's datasets and factors, all or none; raise DatasetFileError."""
    text = _decode(content)
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise DatasetFileError(
            [_("The file lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)}]
        )
    rows = list(reader)
    if not rows:
        raise DatasetFileError([_("The file has no factor rows.")])
    if len(rows) > MAX_ROWS:
        raise DatasetFileError(
            [_("The file has more than %(limit)s rows.") % {"limit": f"{MAX_ROWS:,}"}]
        )
    names = sorted({(row.get("dataset") or "").strip() for row in rows})
    if len(names) != 1 or not names[0]:
        raise DatasetFileError(
            [
                _(
                    "A file holds one dataset: every row names the same dataset in the column "
                    "dataset (found: %(names)s)."
                )
                % {"names": ", ".join(f"“{name}”" for name in names)}
            ]
        )
    shipped = _shipped_groups()
    by_stem = {
        _stem(key): (group, series)
        for key, group, series in EmissionFactor.objects.values_list("key", "group", "series")
    }
    existing = {factor.key: factor for factor in EmissionFactor.objects.filter(
        key__in=[row["key"] for row in rows]
    )}  # fmt: skip
    problems: list[str] = []
    load = DatasetLoad()
    seen: set[str] = set()
    datasets: dict[str, FactorDataset] = {}
    with transaction.atomic():
        for number, row in enumerate(rows, start=2):  # row 1 is the header
            row = {name: (value or "") for name, value in row.items() if name}
            key = row["key"].strip()
            if key in seen:
                problems.append(
                    _("Row %(row)d: the key %(key)s appears twice in the file.")
                    % {"row": number, "key": key}
                )
                continue
            seen.add(key)
            before = len(problems)
            values = _values(row, number, problems)
            grouping = _group_and_series(row, shipped, by_stem)
            if grouping is None:
                problems.append(
                    _(
                        "Row %(row)d: no factor group for %(key)s. Add the columns group and "
                        "series, or use a key that continues a factor of the library "
                        "(the same key with another year)."
                    )
                    % {"row": number, "key": key}
                )
                continue
            if len(problems) > before:
                continue  # the row's values are not readable; go on to report the others
            dataset_name = row["dataset"].strip()
            if dataset_name not in datasets:
                datasets[dataset_name] = _dataset(dataset_name, row, file_name, publisher)
            factor = EmissionFactor(
                key=key,
                name=row["name"].strip(),
                dataset=datasets[dataset_name],
                group=grouping[0],
                series=grouping[1],
                category=values["category"],
                unit=row["activity_unit"].strip(),
                region=row["region"].strip(),
                year=values["year"],
                co2_kg=values["co2_kg"],
                ch4_kg=values["ch4_kg"],
                n2o_kg=values["n2o_kg"],
                co2e_kg=values["co2e_kg"],
                co2e_gwp_basis=_gwp_basis(row["gwp_basis"])
                if values["co2e_kg"] is not None
                else "",
                source_reference=row["source_reference"].strip(),
                notes=row.get("notes", "").strip(),
            )
            if key in existing:
                if _same(existing[key], factor):
                    load.unchanged += 1
                else:
                    problems.append(
                        _(
                            "Row %(row)d: the factor %(key)s is already in the library with "
                            "other values. A loaded dataset never edits a published factor: "
                            "give a corrected factor a key of its own."
                        )
                        % {"row": number, "key": key}
                    )
                continue
            try:
                factor.full_clean()
            except ValidationError as error:
                for column, messages in error.message_dict.items():
                    for message in messages:
                        problems.append(
                            _("Row %(row)d, column %(column)s: %(message)s")
                            % {"row": number, "column": column, "message": message}
                        )
                continue
            factor.save()
            load.created.append(factor)
        if problems:
            transaction.set_rollback(True)
            raise DatasetFileError(problems)
        if not load.created:
            transaction.set_rollback(True)
            raise DatasetFileError(
                [_("Every factor of the file is already in the library: nothing to load.")]
            )
    load.datasets = list(datasets.values())
    return load


def _dataset(name: str, row: dict, file_name: str, publisher: str) -> FactorDataset:
    dataset = FactorDataset.objects.filter(name=name).first()
    if dataset is not None:
        return dataset
    dataset = FactorDataset(
        name=name[:200],
        publisher=(row.get("dataset_publisher", "").strip() or publisher or _("(not given)"))[:200],
        version=row["year"].strip()[:50],
        licence=row.get("dataset_licence", "").strip()[:300],
        source_reference=_("Loaded from the file %(file)s.") % {"file": file_name},
    )
    dataset.save()
    return dataset


COMPARED = [
    "name", "group", "series", "category", "unit", "region", "year", "co2_kg", "ch4_kg",
    "n2o_kg", "co2e_kg", "co2e_gwp_basis",
]  # fmt: skip


def _same(stored: EmissionFactor, loaded: EmissionFactor) -> bool:
    return all(getattr(stored, name) == getattr(loaded, name) for name in COMPARED)
