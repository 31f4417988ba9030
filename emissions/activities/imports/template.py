"""The import template, as CSV or XLSX: the header, two example rows and this installation's codes.

Both formats carry the same content from `_Template`; the XLSX keeps the codes on sheets of their
own (the import reads the first sheet only), the CSV as "#" comment lines after the examples.
"""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from emissions.facilities.models import Facility

from ..models import ActivityType
from .reading import CHINESE_HEADERS, COLUMNS

EXAMPLE_TYPES = [("grid_electricity", "120000"), ("natural_gas_stationary", "2,345.6")]


@dataclass
class _Template:
    facilities: list[tuple[str, str, str]]  # code, English name, Chinese name
    types: list[tuple[str, str, str, int]]  # code, name, default unit, scope

    @classmethod
    def load(cls) -> "_Template":
        return cls(
            facilities=list(
                Facility.objects.order_by("code").values_list("code", "name_en", "name_zh")
            ),
            types=list(
                ActivityType.objects.order_by("code").values_list(
                    "code", "name", "default_unit", "scope"
                )
            ),
        )

    def examples(self) -> list[list[str]]:
        """Two rows that import as they are on this installation: January and February 2024."""
        facility = self.facilities[0][0] if self.facilities else "XT-01"
        units = {code: unit for code, _name, unit, _scope in self.types}
        rows = []
        for month, (type_code, quantity) in enumerate(EXAMPLE_TYPES, start=1):
            if type_code not in units and self.types:
                type_code = self.types[min(month, len(self.types)) - 1][0]
            rows.append(
                [
                    facility,
                    type_code,
                    f"2024-{month:02d}-01",
                    f"2024/{month}/{29 if month == 2 else 31}",
                    quantity,
                    units.get(type_code, ""),
                    "metered" if month == 1 else "invoice",
                    f"Example {month}",
                    "",
                ]
            )
        return rows


def template_csv() -> str:
    template = _Template.load()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(template.examples())
    writer.writerow(["# Lines starting with # are ignored. Delete the example rows above."])
    writer.writerow(["# Facility codes:"])
    for code, name_en, _name_zh in template.facilities:
        writer.writerow([f"#   {code}", name_en])
    writer.writerow(["# Activity type codes and default units:"])
    for code, name, unit, _scope in template.types:
        writer.writerow([f"#   {code}", name, unit])
    return out.getvalue()


def template_xlsx() -> bytes:
    """The records sheet first (the one the import reads), then the codes to choose from."""
    template = _Template.load()
    workbook = Workbook()
    bold = Font(bold=True)
    records = workbook.active
    records.title = _("Records")[:31]
    records.append(COLUMNS)
    for row in template.examples():
        # A number typed as text ("2,345.6") is what people paste; the import reads both.
        records.append(row)
    chinese = {column: zh for zh, column in CHINESE_HEADERS.items()}
    records.append([])
    records.append(["# " + _("Chinese headers are accepted too:")])
    records.append(["# " + chinese[column] for column in COLUMNS])
    _sheet(workbook, _("Facilities"), [_("code"), _("name"), _("Chinese name")],
           template.facilities)  # fmt: skip
    _sheet(workbook, _("Activity types"), [_("code"), _("name"), _("default unit"), _("scope")],
           template.types)  # fmt: skip
    for sheet in workbook.worksheets:
        for cell in sheet[1]:
            cell.font = bold
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet(workbook: Workbook, title: str, header: list[str], rows) -> None:
    sheet = workbook.create_sheet(title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
