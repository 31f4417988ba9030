"""The annual GHG inventory report (ISO 14064-1 / GHG Protocol), assembled for one year.

Every figure comes from the inventory read model (neutrality/inventory.py): the neutrality
balance on approved data, then its breakdowns of the year (gases, categories by data quality,
records per factor). The page renders the report's tables (REPORT_TABLES) and the XLSX download
writes the same Table objects, one sheet each, so they show the same numbers in the same
columns; the overview's verdict on approved data is the same balance.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from emissions.activities.models import DataQuality
from emissions.facilities.models import Facility, Organisation
from emissions.facilities.selectors import production_by_year
from emissions.factors.calculation import round_kg
from emissions.factors.models import EmissionFactor, FactorDataset
from emissions.factors.selectors import METHANE_CODE, NITROUS_OXIDE_CODE, gwp_values
from emissions.factors.taxonomy import Category, scope_of
from emissions.neutrality.claims import ClaimCheck, check_year
from emissions.neutrality.inventory import (
    EvidenceCoverage,
    Pending,
    Scope3Quality,
    YearBalance,
    both_bases,
    category_quality_sums,
    evidence_coverage,
    kg_to_t,
    pending_between,
    pending_records,
    percent,
    percent_change,
    records_by_factor,
    scope1_gas_sums,
    scope3_quality,
    year_coverage,
    yearly_balances_on_both_bases,
)
from emissions.neutrality.models import Scope2Method
from emissions.neutrality.restatements import restated_years
from emissions.neutrality.scope2 import FacilityScope2, ResidualBasis
from emissions.offsets.models import EnergyCertificate
from emissions.planning.completeness import Completeness, completeness

from ..spreadsheet import Table
from ..tables import TableSpec, build_tables, ledger_link
from .completeness import completeness_sentence
from .energy import report_energy_tables

ZERO = Decimal(0)


@dataclass(frozen=True)
class GasRow:
    """One gas of Scope 1: kg of the gas, its GWP and its kg CO2e."""

    gas: str
    gas_kg: Decimal | None  # None: a CO2e total the factor's source published unsplit
    gwp: Decimal | None
    co2e_kg: Decimal


@dataclass(frozen=True)
class CategoryRow:
    category: str
    label: str
    co2e_kg: Decimal
    records: int


@dataclass(frozen=True)
class QualityRow:
    quality: str
    label: str
    co2e_kg: Decimal
    co2e_share_pct: Decimal | None
    records: int
    records_share_pct: Decimal | None


@dataclass(frozen=True)
class Scope2FacilityRow:
    facility: Facility
    row: FacilityScope2


@dataclass(frozen=True)
class BaseYearChange:
    label: str
    base_kg: Decimal | None
    year_kg: Decimal
    change_pct: Decimal | None


@dataclass(frozen=True)
class BasisLine:
    """One line of the first page's "on what basis": what is counted, and how."""

    label: str
    text: str


@dataclass(frozen=True)
class Report:
    year: int
    organisation: Organisation
    facilities: list[Facility]
    balance: YearBalance
    gwp_basis: str
    methane_gwp: Decimal | None
    scope1_gases: list[GasRow]
    scope1_categories: list[CategoryRow]
    scope2_categories: list[CategoryRow]
    scope3_categories: list[CategoryRow]
    scope2_facilities: list[Scope2FacilityRow]
    certificates: list[EnergyCertificate]
    biogenic_co2_kg: Decimal
    all_scopes_market_kg: Decimal
    all_scopes_location_kg: Decimal
    production: tuple[Decimal, str] | None
    intensity_kg_per_unit: Decimal | None
    claims: list[ClaimCheck]
    quality: list[QualityRow]
    records: int
    datasets: list[FactorDataset]
    changes: list[BaseYearChange]
    # Records of the year still in review: not in this report (approved records only). What
    # they would add to its gross, and the year's balance with them (the dashboard's basis).
    pending: Pending | None
    with_pending: YearBalance | None
    # How much of the year's approved tonnes have evidence files attached.
    evidence: EvidenceCoverage
    # The year's approved Scope 3 by whose data: supplier-specific, average or spend-based.
    scope3_quality: Scope3Quality
    # Restatements applied to this year or the base year (their original figures).
    restatements: list[dict] = field(default_factory=list)
    # Expected data received for the year (planning/completeness.py): a statement, no figure.
    completeness: Completeness | None = None

    @property
    def completeness_sentence(self) -> str:
        return completeness_sentence(self.completeness)

    @property
    def scope1_kg(self) -> Decimal:
        return self.balance.scope1_kg

    @property
    def basis(self) -> list[BasisLine]:
        """What the first page's answer ("neutral or not") rests on, one line per rule."""
        return first_page_basis(self)


@dataclass(frozen=True)
class MissingReport:
    """A year the report cannot be made for yet: it has no approved records."""

    year: int
    # Its records still in draft or submitted (0: the year has no records at all).
    pending_records: int


def build_report(year: int) -> Report | None:
    """The inventory report of one year; None when the year has no approved records."""
    organisation = Organisation.current()
    if organisation is None:
        return None
    # An inventory reports reviewed data: approved records only (the dashboard adds pending);
    # both bases read in one pass, so the report and the overview agree to the milligram.
    with_pending_list, approved_list = yearly_balances_on_both_bases([year, organisation.base_year])
    balances = {b.year: b for b in approved_list}
    balance = balances.get(year)
    if balance is None:
        return None
    base = balances.get(balance.base_year) if balance.base_year != year else balance
    gwp = gwp_values(organisation.gwp_basis)
    both = both_bases(year, balances=(with_pending_list, approved_list))
    in_review, with_pending = (
        both.records_in_review,
        both.with_pending if both.records_in_review else None,
    )

    categories, quality, biogenic, count = _categories_and_quality(year)
    all_market = balance.scope1_kg + balance.scope2_market_kg + balance.scope3_kg
    production = production_by_year().get(year)
    facilities = list(Facility.objects.order_by("code"))
    by_id = {facility.pk: facility for facility in facilities}
    return Report(
        year=year,
        organisation=organisation,
        facilities=facilities,
        balance=balance,
        gwp_basis=organisation.gwp_basis,
        methane_gwp=gwp.get(METHANE_CODE),
        scope1_gases=_scope1_gases(year, gwp),
        scope1_categories=[row for row in categories if scope_of(row.category) == 1],
        scope2_categories=[row for row in categories if scope_of(row.category) == 2],
        scope3_categories=[row for row in categories if scope_of(row.category) == 3],
        scope2_facilities=[
            Scope2FacilityRow(by_id[row.facility_id], row) for row in balance.scope2_facilities
        ],
        certificates=list(
            EnergyCertificate.objects.filter(reporting_year=year)
            .select_related("facility")
            .order_by("scheme", "facility__code", "serial_first")
        ),
        biogenic_co2_kg=biogenic,
        all_scopes_market_kg=all_market,
        all_scopes_location_kg=all_market - balance.scope2_market_kg + balance.scope2_location_kg,
        production=production,
        # As the overview computes it: gross within the target's boundary per unit produced.
        intensity_kg_per_unit=(balance.gross_kg / production[0]).quantize(Decimal("0.001"))
        if production and production[0]
        else None,
        claims=check_year(balance),
        quality=quality,
        records=count,
        datasets=_datasets(year, [r.residual_factor for r in balance.scope2_facilities]),
        changes=_changes(balance, base),
        restatements=_restatements(year, organisation),
        pending=pending_between(with_pending, balance, in_review),
        with_pending=with_pending,
        evidence=evidence_coverage(year, approved_only=True),
        scope3_quality=scope3_quality(year, approved_only=True),
        completeness=completeness(year),
    )


def missing_report(year: int) -> MissingReport:
    """What stands between a year and its report: its records in review, if it has any."""
    return MissingReport(year=year, pending_records=pending_records(years=[year]).get(year, 0))


def has_records(year: int) -> bool:
    return year in year_coverage()


def _scope1_gases(year: int, gwp: dict[str, Decimal]) -> list[GasRow]:
    rows = scope1_gas_sums(year, approved_only=True)
    co2 = ch4 = n2o = published = ZERO
    others = []
    for row in rows:
        co2 += row["co2"] or ZERO
        ch4 += row["ch4"] or ZERO
        n2o += row["n2o"] or ZERO
        published += row["published"] or ZERO
        code = row["other_gas__code"]
        if code is not None:
            others.append((code, row["other"] or ZERO))
    gases = [
        GasRow("CO2", co2, Decimal(1), co2),
        GasRow(METHANE_CODE, ch4, gwp.get(METHANE_CODE), round_kg(ch4 * gwp.get(METHANE_CODE, 0))),
        GasRow(
            NITROUS_OXIDE_CODE,
            n2o,
            gwp.get(NITROUS_OXIDE_CODE),
            round_kg(n2o * gwp.get(NITROUS_OXIDE_CODE, 0)),
        ),
    ]
    gases += [
        GasRow(code, kg, gwp.get(code), round_kg(kg * gwp.get(code, 0))) for code, kg in others
    ]
    if published:
        gases.append(GasRow(_("CO2e published unsplit by gas"), None, None, published))
    return gases


def _categories_and_quality(year: int):
    """Category rows, data-quality rows, biogenic CO2 and the record count."""
    rows = category_quality_sums(year, approved_only=True)
    kg_by_category, n_by_category = defaultdict(lambda: ZERO), defaultdict(int)
    kg_by_quality, n_by_quality = defaultdict(lambda: ZERO), defaultdict(int)
    biogenic = ZERO
    for row in rows:
        kg = row["kg"] or ZERO
        kg_by_category[row["category"]] += kg
        n_by_category[row["category"]] += row["n"]
        kg_by_quality[row["data_quality"]] += kg
        n_by_quality[row["data_quality"]] += row["n"]
        biogenic += row["biogenic"] or ZERO
    labels = dict(Category.choices)
    categories = [
        CategoryRow(code, str(labels[code]), round_kg(kg_by_category[code]), n_by_category[code])
        for code in Category.values
        if code in kg_by_category
    ]
    total_kg, total_n = sum(kg_by_quality.values(), ZERO), sum(n_by_quality.values())
    quality = [
        QualityRow(
            quality.value,
            str(quality.label),
            round_kg(kg_by_quality[quality]),
            percent(kg_by_quality[quality], total_kg),
            n_by_quality[quality],
            percent(Decimal(n_by_quality[quality]), Decimal(total_n)),
        )
        for quality in DataQuality
    ]
    return categories, quality, round_kg(biogenic), total_n


def _datasets(year: int, residual_factors) -> list[FactorDataset]:
    """Every factor dataset behind the year's approved records and residual-mix factors.

    Each carries `records` (how many of the year's approved records used it) and
    `factor_sources` (the distinct source references of the factors used): two queries, the
    rollup's records per factor, then the factors with their datasets.
    """
    used = records_by_factor(year, approved_only=True)
    factor_ids = used.keys() | _ids(residual_factors)
    datasets, records, sources = {}, defaultdict(int), defaultdict(set)
    for factor in EmissionFactor.objects.filter(pk__in=factor_ids).select_related("dataset"):
        datasets[factor.dataset_id] = factor.dataset
        records[factor.dataset_id] += used.get(factor.pk, 0)
        if factor.source_reference:
            sources[factor.dataset_id].add(factor.source_reference)
    for pk, dataset in datasets.items():
        dataset.records = records[pk]
        dataset.factor_sources = sorted(sources[pk])
    return sorted(datasets.values(), key=lambda dataset: dataset.name)


def first_page_basis(report: Report) -> list[BasisLine]:
    """The rules behind the report's answer: data, boundary, Scope 2 method, GWP, evidence."""
    b = report.balance
    data = ngettext(
        "Approved records only: %(count)s record of %(year)s.",
        "Approved records only: %(count)s records of %(year)s.",
        report.records,
    ) % {"count": report.records, "year": report.year}
    if report.pending is not None:
        in_review = report.pending.records
        data += " " + ngettext(
            "%(count)s record still in review is not counted.",
            "%(count)s records still in review are not counted.",
            in_review,
        ) % {"count": in_review}
    coverage = report.evidence
    if coverage.share_pct is None:
        evidence = _("No tonnes to cover this year.")
    else:
        evidence = _(
            "%(share)s %% of the tonnes have evidence files attached "
            "(%(with)s of %(count)s records)."
        ) % {
            "share": coverage.share_pct,
            "with": coverage.records_with_evidence,
            "count": coverage.records,
        }
    return [
        BasisLine(_("Data"), data),
        BasisLine(_("Boundary"), _boundary_text(b)),
        BasisLine(_("Scope 2 method"), _scope2_method_text(b)),
        BasisLine(_("GWP basis"), str(report.organisation.get_gwp_basis_display())),
        BasisLine(_("Evidence"), evidence),
    ]


def _boundary_text(balance: YearBalance) -> str:
    boundary = balance.boundary
    scopes = []
    if boundary.scope1:
        scopes.append(_("Scope 1"))
    if boundary.scope2_method is not None:
        scopes.append(_("Scope 2"))
    if boundary.scope3_categories is None:
        scopes.append(_("all of Scope 3"))
    elif boundary.scope3_categories:
        labels, chosen = dict(Category.choices), boundary.scope3_categories
        names = ", ".join(str(labels[c]) for c in Category.values if c in chosen)
        scopes.append(_("Scope 3: %(categories)s") % {"categories": names})
    covered = "; ".join(str(scope) for scope in scopes)
    if balance.target is None:
        return _("No neutrality target is set: all scopes (%(scopes)s).") % {"scopes": covered}
    return _("The neutrality target “%(target)s” covers %(scopes)s.") % {
        "target": balance.target.local_name,
        "scopes": covered,
    }


def _scope2_method_text(balance: YearBalance) -> str:
    method = balance.boundary.scope2_method
    if method is None:
        return _("Scope 2 is outside the target's boundary.")
    if method == Scope2Method.LOCATION:
        return _("Location-based: grid-average factors.")
    text = _("Market-based: certificates first, then a residual-mix factor.")
    if balance.scope2_uses_location_fallback:
        text += " " + _(
            "Where no residual-mix factor exists, the grid-average factor is used (section 4)."
        )
    return text


def _ids(objects) -> set[int]:
    return {item.pk for item in objects if item is not None}


def _changes(balance: YearBalance, base: YearBalance | None) -> list[BaseYearChange]:
    rows = []
    if base is not None:
        rows += [
            BaseYearChange(_("Scope 1"), base.scope1_kg, balance.scope1_kg, None),
            BaseYearChange(
                _("Scope 2 (location-based)"),
                base.scope2_location_kg,
                balance.scope2_location_kg,
                None,
            ),
            BaseYearChange(
                _("Scope 2 (market-based)"), base.scope2_market_kg, balance.scope2_market_kg, None
            ),
            BaseYearChange(_("Scope 3"), base.scope3_kg, balance.scope3_kg, None),
        ]
        rows = [
            BaseYearChange(
                row.label, row.base_kg, row.year_kg, percent_change(row.year_kg, row.base_kg)
            )
            for row in rows
        ]
    rows.append(
        BaseYearChange(
            _("Gross (target boundary)"),
            balance.base_gross_kg,
            balance.gross_kg,
            balance.change_vs_base_pct,
        )
    )
    return rows


# The report's tables, in the page's order. The page renders each one (data_table) and the XLSX
# download writes each as a sheet, so a sheet and the page's table cannot differ. Tonnes are
# exact (kg_to_t) and the page shows them to three decimals, as an inventory is verified.


def _organisation_table(report: Report) -> Table:
    """Sections 1 and 2's facts (the page lists them); a sheet of their own in the download."""
    org = report.organisation
    rows = [
        [_("Organisation"), org.name_en],
        [_("Organisation (Chinese)"), org.name_zh],
        [_("Reporting year"), report.year],
        [_("Consolidation approach"), str(org.get_consolidation_approach_display())],
        [_("GWP basis"), str(org.get_gwp_basis_display())],
        [_("Methane GWP (one value per report)"), report.methane_gwp],
        [_("Base year"), report.balance.base_year],
    ]
    return Table(_("Organisation"), [_("Item"), _("Value")], rows)


def _facilities_table(report: Report) -> Table:
    header = [
        _("Code"),
        _("Name"),
        _("Name (Chinese)"),
        _("Ownership share (%)"),
        _("Status"),
        _("Closed on"),
    ]
    rows = [
        [
            f.code,
            f.name_en,
            f.name_zh,
            f.ownership_share,
            _("Active") if f.is_active else _("Closed"),
            f.closed_on,
        ]
        for f in report.facilities
    ]
    formats = ["text", "text", "text", "pct", "text", "date"]
    return Table(_("Facilities"), header, rows, formats)


def _gases_table(report: Report) -> Table:
    rows = [[g.gas, g.gas_kg, g.gwp, kg_to_t(g.co2e_kg)] for g in report.scope1_gases]
    total = ledger_link(kg_to_t(report.scope1_kg), year=report.year, scope=1)
    # kg of gas to three decimals (grams), a GWP to one.
    formats = ["text", "n3", "n1", "n3"]
    return Table(
        _("Scope 1 by gas"),
        [_("Gas"), _("kg of gas"), _("GWP"), _("t CO2e")],
        rows,
        formats,
        footer=[_("Total Scope 1"), None, None, total],
    )


def _categories_table(title: str, year: int, categories: list[CategoryRow]) -> Table:
    rows = [
        [
            ledger_link(row.label, year=year, category=row.category),
            row.records,
            kg_to_t(row.co2e_kg),
        ]
        for row in categories
    ]
    return Table(title, [_("Category"), _("Records"), _("t CO2e")], rows, ["text", "int", "n3"])


def _scope1_categories_table(report: Report) -> Table:
    return _categories_table(_("Scope 1 by category"), report.year, report.scope1_categories)


def _scope2_categories_table(report: Report) -> Table:
    return _categories_table(_("Scope 2 by category"), report.year, report.scope2_categories)


def _scope3_categories_table(report: Report) -> Table:
    return _categories_table(_("Scope 3 by category"), report.year, report.scope3_categories)


def _scope2_methods_table(report: Report) -> Table:
    b = report.balance
    rows = [
        # The ledger lists each record's location-based figure; market-based is per facility.
        [
            _("Location-based"),
            ledger_link(kg_to_t(b.scope2_location_kg), year=report.year, scope=2),
        ],
        [_("Market-based"), kg_to_t(b.scope2_market_kg)],
    ]
    return Table(_("Scope 2 by method"), [_("Method"), _("t CO2e")], rows, ["text", "n3"])


def _residual_basis(row: FacilityScope2) -> str:
    """How a facility's residual electricity was rated, with the factor's caveats."""
    notes = [str(ResidualBasis(row.residual_basis).label)]
    if row.is_lagged:
        notes.append(_("lagged year"))
    if row.is_proxy:
        notes.append(_("proxy"))
    return ", ".join(notes)


def _scope2_facilities_table(report: Report) -> Table:
    header = [
        _("Facility"),
        _("Grid (MWh)"),
        _("Certificates (MWh)"),
        _("Residual (MWh)"),
        _("Residual factor"),
        _("Residual basis"),
        _("Location-based (t CO2e)"),
        _("Market-based (t CO2e)"),
    ]
    rows = []
    for item in report.scope2_facilities:
        r, factor = item.row, item.row.residual_factor
        rows.append(
            [
                item.facility.code,
                kg_to_t(r.grid_kwh),  # kWh → MWh, as kg → t
                kg_to_t(r.certificate_kwh),
                kg_to_t(r.residual_kwh),
                f"{factor.name} ({factor.region} {factor.year})" if factor else None,
                _residual_basis(r),
                kg_to_t(r.location_kg),
                kg_to_t(r.market_kg),
            ]
        )
    # MWh to three decimals (kWh), like the tonnes.
    formats = ["text", "n3", "n3", "n3", "text", "text", "n3", "n3"]
    return Table(_("Scope 2 by facility"), header, rows, formats)


def _certificates_table(report: Report) -> Table:
    header = [
        _("Scheme"),
        _("Registry"),
        _("Technology"),
        _("MWh"),
        _("Facility"),
        _("Factor (kg CO2e/kWh)"),
    ]
    rows = [
        [
            str(c.get_scheme_display()),
            c.registry,
            str(c.get_technology_display()),
            c.mwh,
            c.facility.code if c.facility else _("Organisation-wide"),
            c.kg_co2e_per_kwh,
        ]
        for c in report.certificates
    ]
    # The factor to three decimals (g CO2e/kWh), as the offsets page shows it.
    formats = ["text", "text", "text", "n3", "text", "n6"]
    return Table(_("Certificates"), header, rows, formats)


def _totals_table(report: Report) -> Table:
    """Section 6; the intensity is per unit produced, so each row carries its unit."""
    b, t_co2e = report.balance, _("t CO2e")
    gross = _("Gross emissions within the target boundary")
    if b.target is not None:
        gross = f"{gross} ({b.target.local_name})"
    intensity_unit = (
        _("kg CO2e per %(unit)s produced") % {"unit": report.production[1]}
        if report.intensity_kg_per_unit is not None
        else None
    )
    rows = [
        [gross, kg_to_t(b.gross_kg), t_co2e],
        [_("All scopes (Scope 2 market-based)"), kg_to_t(report.all_scopes_market_kg), t_co2e],
        [_("All scopes (Scope 2 location-based)"), kg_to_t(report.all_scopes_location_kg), t_co2e],
        [
            _("Biogenic CO2, reported apart from the scopes"),
            kg_to_t(report.biogenic_co2_kg),
            t_co2e,
        ],
        [_("Intensity"), report.intensity_kg_per_unit, intensity_unit],
    ]
    return Table(_("Totals"), [_("Item"), _("Value"), _("Unit")], rows, ["text", "n3", "text"])


def _less(t: Decimal) -> Decimal:
    """An amount subtracted from gross, as a negative number (0 stays 0, never "-0")."""
    return ZERO - t


def _offsets_table(report: Report) -> Table:
    """Section 7: what is subtracted from gross is negative, so the column adds up to net."""
    b = report.balance
    internal = kg_to_t(b.internal_removals_kg)
    if b.internal_removals_counted:
        internal_row = [_("Internal removals (own planting)"), _less(internal)]
    else:
        label = f"{_('Internal removals (own planting)')} — {_('shown, not subtracted')}"
        internal_row = [label, internal]
    rows = [
        [_("Gross emissions within the target boundary"), kg_to_t(b.gross_kg)],
        [_("Credits retired: removals"), _less(kg_to_t(b.credits_removal_kg))],
        [_("Credits retired: avoidance"), _less(kg_to_t(b.credits_avoidance_kg))],
        internal_row,
        # Outside the balance (the prose below says so); kept so the download has it.
        [_("ETS allowances surrendered (excluded)"), b.ets_surrendered_t],
    ]
    return Table(
        _("Offsets and net emissions"),
        [_("Item"), _("t CO2e")],
        rows,
        ["text", "n3"],
        footer=[_("Net emissions"), kg_to_t(b.net_kg)],
    )


def _quality_table(report: Report) -> Table:
    header = [
        _("Data quality"),
        _("t CO2e"),
        _("Share of tCO2e (%)"),
        _("Records"),
        _("Share of records (%)"),
    ]
    rows = [
        [q.label, kg_to_t(q.co2e_kg), q.co2e_share_pct, q.records, q.records_share_pct]
        for q in report.quality
    ]
    return Table(_("Data quality"), header, rows, ["text", "n3", "pct", "int", "pct"])


def _evidence_table(report: Report) -> Table:
    """Approved tonnes and records with and without evidence files; the missing ones linked."""
    e = report.evidence
    with_t, without_kg = kg_to_t(e.kg_with_evidence), e.kg - e.kg_with_evidence
    without_n = e.records - e.records_with_evidence
    missing = ledger_link(
        _("Without evidence files"), year=report.year, review="approved", evidence="missing"
    )
    rows = [
        [_("With evidence files"), e.records_with_evidence, with_t, e.share_pct],
        [missing, without_n, kg_to_t(without_kg), percent(without_kg, e.kg)],
    ]
    header = [_("Evidence"), _("Records"), _("t CO2e"), _("Share of tCO2e (%)")]
    return Table(
        _("Evidence coverage"),
        header,
        rows,
        ["text", "int", "n3", "pct"],
        footer=[_("All approved records"), e.records, kg_to_t(e.kg), None],
    )


def _scope3_quality_table(report: Report) -> Table:
    """Approved Scope 3 tonnes by the kind of factor behind them, in the rule's order."""
    quality = report.scope3_quality
    rows = [[label, kg_to_t(kg), share] for label, kg, share in quality.rows()]
    return Table(
        _("Scope 3 by kind of data"),
        [_("Kind of data"), _("t CO2e"), _("Share of Scope 3 tCO2e (%)")],
        rows,
        ["text", "n3", "pct"],
        footer=[_("All approved Scope 3"), kg_to_t(quality.kg), None],
    )


def _changes_table(report: Report) -> Table:
    header = [_("Item"), _("Base year (t CO2e)"), _("Reporting year (t CO2e)"), _("Change (%)")]
    rows = [[c.label, kg_to_t(c.base_kg), kg_to_t(c.year_kg), c.change_pct] for c in report.changes]
    return Table(_("Change vs base year"), header, rows, ["text", "n3", "n3", "pct+"])


def _datasets_table(report: Report) -> Table:
    header = [
        _("Dataset"),
        _("Publisher"),
        _("Version"),
        _("Licence"),
        _("Source"),
        _("Factor sources"),
        _("Records"),
    ]
    rows = [
        [
            d.name,
            d.publisher,
            d.version,
            d.licence,
            d.source_reference,
            # One line each: a source may itself hold "; " and commas.
            "\n".join(d.factor_sources),
            d.records,
        ]
        for d in report.datasets
    ]
    formats = ["text"] * 4 + ["source", "source", "int"]
    return Table(_("Factor datasets"), header, rows, formats)


# The page's tables by the name its template renders them under, in the page's order, which is
# also the XLSX's order of sheets.
REPORT_TABLES: dict[str, TableSpec] = {
    "organisation": TableSpec(_organisation_table),
    "facilities": TableSpec(_facilities_table),
    "scope1-gases": TableSpec(_gases_table),
    "scope1-categories": TableSpec(_scope1_categories_table),
    "scope2-methods": TableSpec(_scope2_methods_table),
    "scope2-categories": TableSpec(_scope2_categories_table),
    "scope2-facilities": TableSpec(_scope2_facilities_table),
    "certificates": TableSpec(_certificates_table),
    "scope3-categories": TableSpec(_scope3_categories_table),
    "totals": TableSpec(_totals_table),
    "offsets": TableSpec(_offsets_table),
    "quality": TableSpec(_quality_table),
    "evidence": TableSpec(_evidence_table),
    "scope3-quality": TableSpec(_scope3_quality_table),
    "changes": TableSpec(_changes_table),
    "datasets": TableSpec(_datasets_table),
}


def workbook_sheets(report: Report) -> dict[str, Table]:
    """Every table of the report by name: the page renders them, the XLSX has one sheet each.

    The energy tables (tce) come from the energy page's own builder, for the whole organisation.
    """
    tables, energy = build_tables(REPORT_TABLES, report), report_energy_tables(report.year)
    # In the page's order: the energy tables continue section 6, after the totals.
    ordered = {}
    for name, table in tables.items():
        ordered[name] = table
        if name == "totals":
            ordered |= energy
    return ordered


def _restatements(year: int, organisation: Organisation) -> list[dict]:
    """Applied restatements of the report's year and base year, oldest first (one query)."""
    restated = restated_years()
    wanted = sorted({year, organisation.base_year})
    return [
        {"year": wanted_year, **entry}
        for wanted_year in wanted
        for entry in restated.get(wanted_year, [])
    ]
