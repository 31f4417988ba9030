"""The import template: the header, two example rows and the codes of this installation."""

import csv
import io

from emissions.facilities.models import Facility

from ..models import ActivityType
from .reading import COLUMNS


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
