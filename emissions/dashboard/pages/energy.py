"""What the energy page shows, shaped from the inventory read model (no sums of its own).

Comprehensive energy consumption (综合能耗) per facility and carrier in tonnes of standard coal
equivalent (GB/T 2589-2020), approved records only as the report counts them, and its intensity
per unit of production and per 10,000 CNY of revenue (万元产值) from the facilities' outputs.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext, ngettext

from emissions.facilities.models import Facility, FacilityOutput, OutputMetric
from emissions.factors.energy_coefficients import CARRIERS
from emissions.neutrality.energy import EnergyYear
from emissions.neutrality.inventory import energy_year, pending_records, percent

from ..spreadsheet import Table
from ..tables import TableSpec
from .ledger import type_name

ZERO = Decimal(0)
INTENSITY_PLACES = Decimal("0.000001")
TEN_THOUSAND = Decimal(10_000)
# Revenue units taken as yuan (CNY), and as 10,000 yuan (万元), compared without case or spaces.
YUAN_PER_REVENUE_UNIT = {
    "cny": Decimal(1),
    "rmb": Decimal(1),
    "yuan": Decimal(1),
    "元": Decimal(1),
    "人民币": Decimal(1),
    "万元": TEN_THOUSAND,
}


def intensity(tce: Decimal, per: Decimal | None) -> Decimal | None:
    """tce per unit of `per`, half-up to 6 decimals; None without a denominator."""
    if not per:
        return None
    return (tce / per).quantize(INTENSITY_PLACES, rounding=ROUND_HALF_UP)


def revenue_in_wan_yuan(value: Decimal, unit: str) -> Decimal | None:
    """Revenue in 10,000 CNY (万元); None when its unit is no CNY unit."""
    yuan_per_unit = YUAN_PER_REVENUE_UNIT.get("".join(unit.split()).lower())
    if yuan_per_unit is None:
        return None
    return value * yuan_per_unit / TEN_THOUSAND


@dataclass(frozen=True)
class Output:
    """A facility-year's production (with its unit) and revenue in 万元, each None if unknown."""

    production: Decimal | None = None
    production_unit: str = ""
    revenue_wan_yuan: Decimal | None = None
    # The revenue's unit when it is no CNY unit (so it cannot be put in 万元).
    other_revenue_unit: str = ""


@dataclass(frozen=True)
class IntensityRow:
    """Energy and its intensity for one facility, or the organisation (facility None)."""

    facility: Facility | None
    tce: Decimal
    output: Output

    @property
    def tce_per_production(self) -> Decimal | None:
        return intensity(self.tce, self.output.production)

    @property
    def tce_per_wan_yuan(self) -> Decimal | None:
        return intensity(self.tce, self.output.revenue_wan_yuan)


@dataclass
class EnergyPage:
    year: int | None
    # The facility the filter asked for; None: every facility.
    facility: Facility | None
    energy: EnergyYear | None
    facilities: dict[int, Facility] = field(default_factory=dict)
    intensity: list[IntensityRow] = field(default_factory=list)
    total: IntensityRow | None = None
    # Records of the year still in review (draft or submitted): not in the figures.
    records_in_review: int = 0
    # Why some energy records are not in the figures, one sentence each.
    not_converted: list[str] = field(default_factory=list)

    @property
    def has_energy(self) -> bool:
        return bool(self.energy and self.energy.uses)

    def facility_label(self, facility_id: int) -> tuple[str, str]:
        facility = self.facilities[facility_id]
        return facility.code, facility.local_name


def build_energy_page(*, year: int | None, facility: Facility | None = None) -> EnergyPage:
    """The energy page for `year` (None before any record), all facilities or one."""
    if year is None:
        return EnergyPage(year=None, facility=facility, energy=None)
    facility_ids = None if facility is None else [facility.pk]
    energy = energy_year(year, facility_ids=facility_ids)
    facilities = Facility.objects.in_bulk(
        set(energy.facility_ids) | {row.facility_id for row in energy.not_converted}
    )
    outputs = _outputs(year, energy.facility_ids)
    rows = [
        IntensityRow(
            facilities[facility_id], energy.tce_by_facility[facility_id], outputs[facility_id]
        )
        for facility_id in energy.facility_ids
    ]
    page = EnergyPage(
        year=year,
        facility=facility,
        energy=energy,
        facilities=facilities,
        intensity=rows,
        total=IntensityRow(None, energy.tce, _organisation_output(rows)) if rows else None,
        records_in_review=pending_records(years=[year], facility_ids=facility_ids).get(year, 0),
    )
    page.not_converted = _not_converted_messages(page)
    return page


def _outputs(year: int, facility_ids: list[int]) -> dict[int, Output]:
    """Each facility's production and revenue of the year: one query, no sum."""
    if not facility_ids:
        return {}
    rows = FacilityOutput.objects.filter(
        year=year,
        facility_id__in=facility_ids,
        metric__in=[OutputMetric.PRODUCTION, OutputMetric.REVENUE],
    ).values_list("facility_id", "metric", "value", "unit")
    found: dict[int, dict] = {facility_id: {} for facility_id in facility_ids}
    for facility_id, metric, value, unit in rows:
        if metric == OutputMetric.PRODUCTION:
            found[facility_id].update(production=value, production_unit=unit)
        else:
            wan_yuan = revenue_in_wan_yuan(value, unit)
            if wan_yuan is None:
                found[facility_id]["other_revenue_unit"] = unit
            else:
                found[facility_id]["revenue_wan_yuan"] = wan_yuan
    return {facility_id: Output(**values) for facility_id, values in found.items()}


def _organisation_output(rows: list[IntensityRow]) -> Output:
    """The facilities' outputs together: production only when every facility has it in one
    unit, revenue only when every facility has it in CNY (else the intensity would divide the
    energy of all by the output of some)."""
    productions = [row.output.production for row in rows]
    units = {row.output.production_unit for row in rows}
    revenues = [row.output.revenue_wan_yuan for row in rows]
    same_production = None not in productions and len(units) == 1
    return Output(
        production=sum(productions, ZERO) if same_production else None,
        production_unit=units.pop() if same_production else "",
        revenue_wan_yuan=sum(revenues, ZERO) if None not in revenues else None,
    )


def _not_converted_messages(page: EnergyPage) -> list[str]:
    messages = []
    for row in page.energy.not_converted:
        values = {
            "type": type_name(row.activity_type),
            "facility": page.facilities[row.facility_id].code,
            "records": row.records,
            "unit": row.unit,
        }
        if row.reason == "coefficient":
            text = ngettext(
                "Not counted: %(type)s at %(facility)s (%(records)s record): it has no "
                "GB/T 2589-2020 coefficient here.",
                "Not counted: %(type)s at %(facility)s (%(records)s records): it has no "
                "GB/T 2589-2020 coefficient here.",
                row.records,
            )
        else:
            text = ngettext(
                "Not counted: %(type)s at %(facility)s (%(records)s record): its unit "
                "“%(unit)s” cannot be converted to the energy table's unit.",
                "Not counted: %(type)s at %(facility)s (%(records)s records): its unit "
                "“%(unit)s” cannot be converted to the energy table's unit.",
                row.records,
            )
        messages.append(text % values)
    return messages


# Its tables: the page renders each (dashboard/_table.html) and its CSV and XLSX downloads
# write the same Table. Quantities and tce are exact in a download; the page rounds them.


def energy_table(page: EnergyPage) -> Table:
    """Each facility's energy by carrier, then its total: comprehensive energy consumption."""
    header = [
        gettext("Facility code"),
        gettext("Facility"),
        gettext("Energy carrier"),
        gettext("Quantity"),
        gettext("Unit"),
        gettext("Coefficient (GB/T 2589-2020)"),
        gettext("Energy (tce)"),
    ]
    rows = []
    energy = page.energy
    for facility_id in energy.facility_ids if energy else []:
        code, name = page.facility_label(facility_id)
        for use in (use for use in energy.uses if use.facility_id == facility_id):
            carrier = use.carrier
            rows.append(
                [
                    code,
                    name,
                    str(carrier.name),
                    use.quantity,
                    carrier.unit_label,
                    carrier.coefficient_label,
                    use.tce,
                ]
            )
        total = gettext("Facility total")
        rows.append([code, name, total, None, "", "", energy.tce_by_facility[facility_id]])
    footer = None
    if rows:
        footer = [gettext("Total"), "", "", None, "", "", energy.tce]
    formats = ["text", "text", "text", "as_entered", "text", "text", "n3"]
    return Table(gettext("Energy by facility and carrier"), header, rows, formats, footer)


def carriers_table(page: EnergyPage) -> Table:
    """The organisation's (or the filtered facility's) energy by carrier, with shares."""
    header = [
        gettext("Energy carrier"),
        gettext("Quantity"),
        gettext("Unit"),
        gettext("Coefficient (GB/T 2589-2020)"),
        gettext("Energy (tce)"),
        gettext("Share (%)"),
    ]
    energy = page.energy
    rows = [
        [
            str(total.carrier.name),
            total.quantity,
            total.carrier.unit_label,
            total.carrier.coefficient_label,
            total.tce,
            percent(total.tce, energy.tce),
        ]
        for total in (energy.by_carrier if energy else [])
    ]
    footer = None
    if rows:
        label = gettext("Comprehensive energy consumption")
        footer = [label, None, "", "", energy.tce, percent(energy.tce, energy.tce)]
    formats = ["text", "as_entered", "text", "text", "n3", "pct"]
    return Table(gettext("Energy by carrier"), header, rows, formats, footer)


def intensity_table(page: EnergyPage) -> Table:
    """Energy per unit of production and per 10,000 CNY of revenue, per facility and in all."""
    header = [
        gettext("Facility code"),
        gettext("Facility"),
        gettext("Energy (tce)"),
        gettext("Production"),
        gettext("Production unit"),
        gettext("tce per unit of production"),
        gettext("Revenue (10,000 CNY)"),
        gettext("tce per 10,000 CNY"),
    ]

    def cells(row: IntensityRow) -> list:
        return [
            row.tce,
            row.output.production,
            row.output.production_unit,
            row.tce_per_production,
            row.output.revenue_wan_yuan,
            row.tce_per_wan_yuan,
        ]

    rows = [[row.facility.code, row.facility.local_name, *cells(row)] for row in page.intensity]
    footer = [gettext("Total"), "", *cells(page.total)] if page.total else None
    formats = ["text", "text", "n3", "as_entered", "text", "n4", "n2", "n4"]
    return Table(gettext("Energy intensity"), header, rows, formats, footer)


def coefficients_table(page: EnergyPage) -> Table:
    """The coefficients every figure uses, with the clause they come from."""
    header = [
        gettext("Energy carrier"),
        gettext("Unit"),
        gettext("Coefficient (GB/T 2589-2020)"),
        gettext("tce per unit"),
        gettext("Source"),
    ]
    rows = [
        [str(c.name), c.unit_label, c.coefficient_label, c.tce_per_unit, c.source] for c in CARRIERS
    ]
    formats = ["text", "text", "text", "as_entered", "source"]
    return Table(gettext("Standard coal coefficients"), header, rows, formats)


ENERGY = {
    "energy": TableSpec(energy_table, per_year=True),
    "carriers": TableSpec(carriers_table, per_year=True),
    "intensity": TableSpec(intensity_table, per_year=True),
    "coefficients": TableSpec(coefficients_table),
}


def report_energy_tables(year: int) -> dict[str, Table]:
    """The report's energy tables for `year` (the whole organisation, approved data): by
    carrier and the intensity, under the names the report's template includes them by."""
    page = build_energy_page(year=year)
    return {"energy-carriers": carriers_table(page), "energy-intensity": intensity_table(page)}
