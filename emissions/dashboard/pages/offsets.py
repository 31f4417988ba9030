"""What the offsets and certificates page shows, assembled from the domain selectors.

Credits and allowances are tonnes and certificates MWh (Decimals, as the offsets selectors
return them); gross emissions are kg from the neutrality balance. Each list costs a fixed
number of queries, however many batches, retirements, certificates or transactions there are.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from emissions.facilities.models import Facility, Organisation
from emissions.facilities.names import in_page_language
from emissions.neutrality.claims import ClaimCheck, check_year
from emissions.neutrality.gap import NeutralityGap, neutrality_gap
from emissions.neutrality.inventory import YearBalance, balances_on_both_bases, kg_to_t
from emissions.offsets.models import (
    CreditKind,
    CreditStandard,
    ProjectType,
    Technology,
    TreePlanting,
)
from emissions.offsets.selectors import (
    KWH_PER_MWH,
    allowance_balance_by_facility_year,
    certificates_mwh_by_facility_year,
    contract_years,
    credits_retired_by_year,
    ets_surrenders_by_year,
    with_holdings,
)

from .. import charts
from ..spreadsheet import Table
from ..tables import TableSpec

ZERO = Decimal(0)
KG_PER_TONNE = Decimal(1000)


@dataclass(frozen=True)
class VintageRow:
    """Credits of one vintage and project type: bought, retired (any purpose, net of
    reversals) and still held, in tCO2e."""

    vintage_year: int
    project_type: str
    kind: str
    quantity_t: Decimal
    retired_t: Decimal
    remaining_t: Decimal


@dataclass(frozen=True)
class ProjectRow:
    """Credits of one project, all vintages, in tCO2e."""

    name: str
    standard: str
    registry_project_id: str
    project_type: str
    kind: str
    quantity_t: Decimal
    retired_t: Decimal
    remaining_t: Decimal


@dataclass(frozen=True)
class CreditYearRow:
    """Credits retired toward neutrality for one reporting year, against its gross emissions."""

    year: int
    removal_t: Decimal
    avoidance_t: Decimal
    # None when the year has no activity data (no balance to compare with).
    gross_kg: Decimal | None

    @property
    def total_t(self) -> Decimal:
        return self.removal_t + self.avoidance_t

    @property
    def coverage_pct(self) -> Decimal | None:
        """Credits as a share of gross emissions."""
        if not self.gross_kg:
            return None
        share = self.total_t * KG_PER_TONNE * 100 / self.gross_kg
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CertificateRow:
    year: int
    facility: Facility | None  # None: applied to the whole organisation
    mwh: Decimal
    renewable_mwh: Decimal
    kg_co2e_per_kwh: Decimal
    # Of mwh, green-power contracts' settled volumes; the rest is unbundled certificates.
    contract_mwh: Decimal = ZERO

    @property
    def certificate_mwh(self) -> Decimal:
        return self.mwh - self.contract_mwh


@dataclass(frozen=True)
class ContractRow:
    year: int
    reference: str
    seller: str
    technology: str
    facility: Facility
    months_settled: int
    mwh: Decimal


@dataclass(frozen=True)
class AllowanceRow:
    year: int
    facility: Facility
    allocated_t: Decimal
    purchased_t: Decimal
    sold_t: Decimal
    surrendered_t: Decimal
    held_t: Decimal


@dataclass
class OffsetsPage:
    year: int | None
    has_organisation: bool
    vintages: list[VintageRow]
    projects: list[ProjectRow]
    credit_years: list[CreditYearRow]
    plantings: list[TreePlanting]
    internal_removals_counted: bool
    certificates: list[CertificateRow]
    contracts: list[ContractRow]
    allowances: list[AllowanceRow]
    # (compliance year, tCO2e of credits retired for ETS compliance), where there were any.
    ets_credits: list[tuple[int, Decimal]]
    balance: YearBalance | None
    checks: list[ClaimCheck]
    # The selected year's gap to neutrality and the credits that could close it.
    gap: NeutralityGap | None
    charts: dict = field(default_factory=dict)

    @property
    def held_t(self) -> Decimal:
        return sum((row.remaining_t for row in self.vintages), ZERO)

    @property
    def bought_t(self) -> Decimal:
        return sum((row.quantity_t for row in self.vintages), ZERO)

    @property
    def retired_t(self) -> Decimal:
        return sum((row.retired_t for row in self.vintages), ZERO)

    @property
    def retired_years(self) -> list[CreditYearRow]:
        """The years credits were retired for."""
        return [row for row in self.credit_years if row.total_t]

    @property
    def selected(self) -> CreditYearRow | None:
        return next((row for row in self.credit_years if row.year == self.year), None)


def build_offsets_page(*, year: int | None) -> OffsetsPage:
    organisation = Organisation.current()
    # Every year's balance with pending data, and the gap card's year on approved data too,
    # in one basis's queries.
    read = balances_on_both_bases(approved_years=[] if year is None else [year])
    balances = read.with_pending
    balance = next((b for b in balances if b.year == year), None)
    certificates = certificates_mwh_by_facility_year()
    contracts = contract_years()
    allowances = allowance_balance_by_facility_year()
    # One query for the facilities of the three tables.
    facility_ids = (
        {pk for pk, _year in certificates if pk is not None}
        | {pk for pk, _year in allowances}
        | {row.facility_id for row in contracts}
    )
    facilities = Facility.objects.in_bulk(list(facility_ids)) if facility_ids else {}

    vintages, projects = _holdings()
    page = OffsetsPage(
        year=year,
        has_organisation=organisation is not None,
        vintages=vintages,
        projects=projects,
        credit_years=_credit_years(balances),
        plantings=list(TreePlanting.objects.select_related("facility")),
        internal_removals_counted=bool(organisation and organisation.count_internal_removals),
        certificates=_certificates(certificates, facilities),
        contracts=[
            ContractRow(
                year=row.year,
                reference=row.reference,
                seller=row.seller,
                technology=Technology(row.technology).label,
                facility=facilities[row.facility_id],
                months_settled=row.months_settled,
                mwh=row.kwh / KWH_PER_MWH,
            )
            for row in contracts
        ],
        allowances=_allowances(allowances, facilities),
        ets_credits=[
            (surrender_year, row.credits_t)
            for surrender_year, row in ets_surrenders_by_year().items()
            if row.credits_t
        ],
        balance=balance,
        checks=check_year(balance) if balance is not None else [],
        gap=neutrality_gap(year, both=read.both(year)) if year is not None else None,
    )
    page.charts = _charts(page)
    return page


def _holdings() -> tuple[list[VintageRow], list[ProjectRow]]:
    """Credits by vintage and project type, and by project."""
    # One row per batch from the database (a few hundred at most), summed here: summing the
    # holdings' subquery columns in SQL is not portable.
    batches = (
        with_holdings()
        .order_by()
        .values_list(
            "vintage_year",
            "project",
            "project__name",
            "project__name_zh",
            "project__standard",
            "project__registry_project_id",
            "project__project_type",
            "project__kind",
            "quantity_t",
            "net_retired_t",
            "remaining_t",
        )
    )
    by_vintage = defaultdict(lambda: [ZERO, ZERO, ZERO])
    by_project = defaultdict(lambda: [ZERO, ZERO, ZERO])
    projects = {}
    for vintage, project, name, name_zh, *details in batches:
        _standard, _registry_id, project_type, kind, *amounts = details
        projects[project] = (in_page_language(name, name_zh), *details[:4])
        for totals in (by_vintage[vintage, project_type, kind], by_project[project]):
            for index, amount in enumerate(amounts):
                totals[index] += amount

    types, kinds = dict(ProjectType.choices), dict(CreditKind.choices)
    standards = dict(CreditStandard.choices)
    vintages = [
        VintageRow(
            vintage_year=vintage,
            project_type=types.get(project_type, project_type),
            kind=kinds.get(kind, kind),
            quantity_t=quantity,
            retired_t=retired,
            remaining_t=remaining,
        )
        for (vintage, project_type, kind), (quantity, retired, remaining) in by_vintage.items()
    ]
    project_rows = [
        ProjectRow(
            name=name,
            standard=standards.get(standard, standard),
            registry_project_id=registry_id,
            project_type=types.get(project_type, project_type),
            kind=kinds.get(kind, kind),
            quantity_t=by_project[project][0],
            retired_t=by_project[project][1],
            remaining_t=by_project[project][2],
        )
        for project, (name, standard, registry_id, project_type, kind) in projects.items()
    ]
    return (
        sorted(vintages, key=lambda row: (row.vintage_year, str(row.project_type))),
        sorted(project_rows, key=lambda row: (str(row.standard), row.registry_project_id)),
    )


def _credit_years(balances: list[YearBalance]) -> list[CreditYearRow]:
    """Every year with credits retired toward neutrality or with activity data."""
    gross = {b.year: b.gross_kg for b in balances}
    retired = credits_retired_by_year()
    return [
        CreditYearRow(
            year=year,
            removal_t=retired[year].removal_t if year in retired else ZERO,
            avoidance_t=retired[year].avoidance_t if year in retired else ZERO,
            gross_kg=gross.get(year),
        )
        for year in sorted(set(gross) | set(retired))
    ]


def _certificates(covers, facilities) -> list[CertificateRow]:
    rows = [
        CertificateRow(
            year=year,
            facility=facilities.get(facility_id) if facility_id is not None else None,
            mwh=cover.mwh,
            renewable_mwh=cover.renewable_mwh,
            kg_co2e_per_kwh=cover.kg_co2e_per_kwh,
            contract_mwh=cover.contract_mwh,
        )
        for (facility_id, year), cover in covers.items()
    ]
    # Newest year first; in a year, facilities by code and the whole organisation last.
    return sorted(
        rows,
        key=lambda row: (
            -row.year,
            row.facility is None,
            row.facility.code if row.facility else "",
        ),
    )


def _allowances(balances, facilities) -> list[AllowanceRow]:
    rows = [
        AllowanceRow(
            year=year,
            facility=facilities[facility_id],
            allocated_t=balance.allocated_t,
            purchased_t=balance.purchased_t,
            sold_t=balance.sold_t,
            surrendered_t=balance.surrendered_t,
            held_t=balance.held_t,
        )
        for (facility_id, year), balance in balances.items()
    ]
    return sorted(rows, key=lambda row: (-row.year, row.facility.code))


def _chart_t(tonnes: Decimal | None) -> float | None:
    """Tonnes for a chart (the tables show the exact figures)."""
    return None if tonnes is None else round(float(tonnes), 3)


def _charts(page: OffsetsPage) -> dict:
    by_vintage = defaultdict(lambda: [ZERO, ZERO])
    for row in page.vintages:
        by_vintage[row.vintage_year][0] += row.retired_t
        by_vintage[row.vintage_year][1] += row.remaining_t
    vintages = sorted(by_vintage)
    vintage_chart = charts.bar_chart(
        vintages,
        [
            charts.dataset(
                _("Retired"),
                [_chart_t(by_vintage[v][0]) for v in vintages],
                charts.COLOURS["credits"],
            ),
            charts.dataset(
                _("Remaining"),
                [_chart_t(by_vintage[v][1]) for v in vintages],
                charts.COLOURS["last_year"],
            ),
        ],
        stacked=True,
    )

    retired = page.retired_years
    kinds_chart = charts.bar_chart(
        [row.year for row in retired],
        [
            charts.dataset(
                _("Removals"),
                [_chart_t(row.removal_t) for row in retired],
                charts.COLOURS["removals"],
            ),
            charts.dataset(
                _("Avoidance / reduction"),
                [_chart_t(row.avoidance_t) for row in retired],
                charts.COLOURS["avoidance"],
            ),
        ],
        stacked=True,
    )

    coverage_chart = charts.bar_chart(
        [row.year for row in page.credit_years],
        [
            charts.dataset(
                _("Gross emissions"),
                [
                    charts.tonnes(row.gross_kg) if row.gross_kg is not None else None
                    for row in page.credit_years
                ],
                charts.COLOURS["net"],
                type="line",
                fill=False,
                tension=0,
                order=0,
            ),
            charts.dataset(
                _("Credits retired"),
                [_chart_t(row.total_t) for row in page.credit_years],
                charts.COLOURS["credits"],
                order=1,
            ),
        ],
    )
    return {"vintages": vintage_chart, "kinds": kinds_chart, "coverage": coverage_chart}


# Its tables: the page renders each Table and its CSV and XLSX downloads write the same one.
# They show every year whatever the year filter. Years are text (a year is not grouped as
# 2,023); tonnes and MWh arrive exact and the page rounds them.


def _vintages_table(p: OffsetsPage) -> Table:
    header = [
        gettext("Vintage"),
        gettext("Project type"),
        gettext("Removal or avoidance"),
        gettext("Bought (t CO2e)"),
        gettext("Retired (t CO2e)"),
        gettext("Remaining (t CO2e)"),
    ]
    rows = [
        [r.vintage_year, str(r.project_type), str(r.kind), r.quantity_t, r.retired_t, r.remaining_t]
        for r in p.vintages
    ]
    return Table(
        gettext("Credits by vintage"),
        header,
        rows,
        formats=["text", "text", "text", "t", "t", "t"],
        footer=[gettext("Total"), None, None, p.bought_t, p.retired_t, p.held_t],
    )


def _projects_table(p: OffsetsPage) -> Table:
    header = [
        gettext("Project"),
        gettext("Standard / registry"),
        gettext("Registry project id"),
        gettext("Project type"),
        gettext("Removal or avoidance"),
        gettext("Bought (t CO2e)"),
        gettext("Retired (t CO2e)"),
        gettext("Remaining (t CO2e)"),
    ]
    rows = [
        [
            r.name,
            str(r.standard),
            r.registry_project_id,
            str(r.project_type),
            str(r.kind),
            r.quantity_t,
            r.retired_t,
            r.remaining_t,
        ]
        for r in p.projects
    ]
    formats = ["text"] * 5 + ["t"] * 3
    return Table(gettext("Credit projects"), header, rows, formats=formats)


def _retired_table(p: OffsetsPage) -> Table:
    header = [
        gettext("Reporting year"),
        gettext("Removals (t CO2e)"),
        gettext("Avoidance / reduction (t CO2e)"),
        gettext("Total (t CO2e)"),
    ]
    rows = [[r.year, r.removal_t, r.avoidance_t, r.total_t] for r in p.retired_years]
    return Table(gettext("Removals and avoidance"), header, rows, formats=["text", "t", "t", "t"])


def _coverage_table(p: OffsetsPage) -> Table:
    header = [
        gettext("Reporting year"),
        gettext("Gross emissions (t CO2e)"),
        gettext("Credits retired (t CO2e)"),
        gettext("Coverage (%)"),
    ]
    rows = [[r.year, kg_to_t(r.gross_kg), r.total_t, r.coverage_pct] for r in p.credit_years]
    formats = ["text", "t", "t", "pct"]
    return Table(gettext("Credits against emissions"), header, rows, formats=formats)


def _planting_table(p: OffsetsPage) -> Table:
    header = [
        gettext("Name"),
        gettext("Area (ha)"),
        gettext("Species"),
        gettext("Planting year"),
        gettext("Estimated (t CO2 per year)"),
    ]
    rows = [
        [t.local_name, t.area_ha, t.species, t.planting_year, t.sequestration_t_per_year]
        for t in p.plantings
    ]
    formats = ["text", "n2", "text", "text", "t"]
    return Table(gettext("Own tree planting"), header, rows, formats=formats)


def _certificates_table(p: OffsetsPage) -> Table:
    header = [
        gettext("Reporting year"),
        gettext("Facility code"),
        gettext("Applied to"),
        gettext("Unbundled certificates (MWh)"),
        gettext("Green-power contracts (MWh)"),
        gettext("Total applied (MWh)"),
        gettext("Of which renewable (MWh)"),
        gettext("Factor (kg CO2e/kWh)"),
    ]
    rows = [
        [
            r.year,
            r.facility.code if r.facility else None,
            r.facility.local_name if r.facility else gettext("Whole organisation"),
            r.certificate_mwh,
            r.contract_mwh,
            r.mwh,
            r.renewable_mwh,
            r.kg_co2e_per_kwh,
        ]
        for r in p.certificates
    ]
    # The factor to four decimals, as grid factors are published.
    formats = ["text", "text", "text", "mwh", "mwh", "mwh", "mwh", "n4"]
    return Table(gettext("Energy certificates"), header, rows, formats=formats)


def _contracts_table(p: OffsetsPage) -> Table:
    header = [
        gettext("Year"),
        gettext("Contract"),
        gettext("Seller"),
        gettext("Technology"),
        gettext("Facility code"),
        gettext("Facility"),
        gettext("Months settled"),
        gettext("Settled (MWh)"),
    ]
    rows = [
        [
            r.year,
            r.reference,
            r.seller,
            r.technology,
            r.facility.code,
            r.facility.local_name,
            r.months_settled,
            r.mwh,
        ]
        for r in p.contracts
    ]
    formats = ["text", "text", "text", "text", "text", "text", "int", "mwh"]
    return Table(gettext("Green-power contracts"), header, rows, formats=formats)


def _allowances_table(p: OffsetsPage) -> Table:
    header = [
        gettext("Compliance year"),
        gettext("Facility code"),
        gettext("Facility"),
        gettext("Allocated (t CO2)"),
        gettext("Purchased (t CO2)"),
        gettext("Sold (t CO2)"),
        gettext("Surrendered (t CO2)"),
        gettext("Balance (t CO2)"),
    ]
    rows = [
        [
            r.year,
            r.facility.code,
            r.facility.local_name,
            r.allocated_t,
            r.purchased_t,
            r.sold_t,
            r.surrendered_t,
            r.held_t,
        ]
        for r in p.allowances
    ]
    formats = ["text"] * 3 + ["t"] * 5
    return Table(gettext("ETS allowances"), header, rows, formats=formats)


def _ets_credits_table(p: OffsetsPage) -> Table:
    header = [gettext("Compliance year"), gettext("Credits retired for ETS compliance (t CO2e)")]
    rows = [[year, t] for year, t in p.ets_credits]
    return Table(gettext("Credits for ETS"), header, rows, formats=["text", "t"])


OFFSETS = {
    "vintages": TableSpec(_vintages_table),
    "projects": TableSpec(_projects_table),
    "retired": TableSpec(_retired_table),
    "coverage": TableSpec(_coverage_table),
    "planting": TableSpec(_planting_table),
    "certificates": TableSpec(_certificates_table),
    "contracts": TableSpec(_contracts_table),
    "allowances": TableSpec(_allowances_table),
    "ets-credits": TableSpec(_ets_credits_table),
}
