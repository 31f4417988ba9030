"""What the restatement pages show: a preview's or an applied restatement's figures in tonnes.

The figures are the restatement's own (neutrality/restatements.py works them out, from the
inventory's recorded emissions and the records that switch); here they are only read back
from their stored form (exact decimal strings, kg) and turned into tonnes.
"""

from dataclasses import dataclass
from decimal import Decimal

from emissions.neutrality.inventory import kg_to_t
from emissions.neutrality.models import Restatement


def _t(kg: str | None) -> Decimal | None:
    return None if kg is None else kg_to_t(Decimal(kg))


def _pct(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


@dataclass
class YearRow:
    year: int
    records: int
    before_t: Decimal | None
    change_t: Decimal
    after_t: Decimal | None
    change_pct: Decimal | None


def preview_tables(restatement: Restatement) -> dict:
    preview = restatement.preview or {}
    years = [
        YearRow(
            row["year"],
            row["records"],
            _t(row["before_kg"]),
            _t(row["change_kg"]),
            _t(row["after_kg"]),
            _pct(row["change_pct"]),
        )
        for row in preview.get("years", [])
    ]
    base = preview.get("base_year")
    return {
        "years": years,
        "facilities": [
            {**row, "change_t": _t(row["change_kg"])} for row in preview.get("facilities", [])
        ],
        "scopes": [{**row, "change_t": _t(row["change_kg"])} for row in preview.get("scopes", [])],
        "factors": preview.get("factors", []),
        "locked": [{**row, "change_t": _t(row["change_kg"])} for row in preview.get("locked", [])],
        "base_year": None
        if base is None
        else {
            **base,
            "before_t": _t(base["before_kg"]),
            "change_t": _t(base["change_kg"]),
            "after_t": _t(base["after_kg"]),
            "change_pct": _pct(base["change_pct"]),
            "threshold_pct": Decimal(base["threshold_pct"]),
        },
        "records": preview.get("records", 0),
    }


def applied_rows(restatement: Restatement) -> list[dict]:
    rows = []
    for year, (before, after, count) in sorted(restatement.applied.items()):
        before_t, after_t = _t(before), _t(after)
        rows.append(
            {
                "year": int(year),
                "records": count,
                "before_t": before_t,
                "after_t": after_t,
                "change_t": after_t - before_t,
            }
        )
    return rows
