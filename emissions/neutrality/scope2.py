"""Market-based Scope 2 per facility and year (GHG Protocol Scope 2 Guidance, 2015).

A facility-year's grid electricity is the kWh of its grid_electricity records. Energy attribute
certificates cover part of it at their own factor (0 for renewables): first the facility's own
certificates for that year, then the organisation-wide ones (no facility), spread over the
facilities in the certificates' market (facility country = market_country; GHG Protocol Scope 2
Quality Criteria) in proportion to the grid kWh still uncovered that year. Certificates are
applied lowest factor first and never beyond the kWh consumed; what is left over (all of it when
nothing was consumed in their market) is reported as unused, never carried to another facility,
market or year. The rest is at a residual-mix factor, chosen as a
record's factor is (region: province → grid → country → GLOBAL; year: exact → lagged → proxy)
from the group of the organisation's residual-mix proxy (grid_electricity_residual, or
grid_electricity_fossil_only for the conservative one) within the organisation's series. Where
no residual factor exists for the facility's regions, the rest is at the facility-year's own
location-based rate (location kg / grid kWh), and the row says so.

Rounding: every kg is rounded half-up to 6 decimals (1 mg), like a record's stored values; a
residual factor is applied the way a record applies its factor (per gas, then CO2e). The kWh
shares of organisation-wide certificates are rounded half-up to 6 decimals and the last facility
(by id) takes the remainder, so the shares add up to the certificates exactly.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db import models
from django.db.models import Q, Sum, Value
from django.utils.translation import gettext_lazy as _

from emissions.activities.models import ReviewStatus
from emissions.activities.rollups import rollup_for
from emissions.facilities.models import Facility, Organisation, ResidualMix
from emissions.factors.calculation import (
    GwpSet,
    amounts_from_factor,
    co2e_kg,
    round_kg,
    round_quantity,
)
from emissions.factors.choice import FactorChoice, YearMatch, choose, region_levels, unit_converts
from emissions.factors.models import EmissionFactor
from emissions.factors.selectors import (
    METHANE_CODE,
    NITROUS_OXIDE_CODE,
    factors_in_group,
    gwp_values,
)
from emissions.factors.units import to_factor_unit
from emissions.offsets.models import ContractSettlement, EnergyCertificate

from .snapshot import Remembered

GRID_ELECTRICITY = "grid_electricity"
RESIDUAL_GROUP = "grid_electricity_residual"
# The factor group of each residual-mix proxy the organisation profile offers.
RESIDUAL_GROUPS = {
    ResidualMix.EXCLUDING_MARKET_NON_FOSSIL: RESIDUAL_GROUP,
    ResidualMix.NATIONAL_FOSSIL: "grid_electricity_fossil_only",
}
KWH_PER_MWH = Decimal(1000)
KWH_PLACES = Decimal("0.000001")
ZERO = Decimal(0)


class ResidualBasis(models.TextChoices):
    RESIDUAL_MIX = "residual_mix", _("Residual-mix factor")
    LOCATION_FALLBACK = (
        "location_fallback",
        _("Location-based rate: no residual-mix factor exists for this facility's regions"),
    )


class FacilityScope2(NamedTuple):
    """Market-based Scope 2 electricity of one facility in one year.

    A named tuple rather than a frozen dataclass: as immutable, and made for every
    facility-year of a page five times faster (a frozen dataclass sets each field through
    object.__setattr__)."""

    facility_id: int
    year: int
    grid_kwh: Decimal
    # Certificates applied to this facility-year (its own, then its share of the
    # organisation-wide ones) and what they emit at their own factors.
    certificate_kwh: Decimal
    certificate_kg: Decimal
    # Of certificate_kwh, the kWh at a factor of 0 (they count toward the renewable share).
    zero_emission_certificate_kwh: Decimal
    # The facility's own certificates beyond its grid kWh: not counted anywhere.
    unused_certificate_kwh: Decimal
    residual_kwh: Decimal
    residual_factor: EmissionFactor | None
    residual_basis: str
    # How the residual factor was found, as a record says it (blank for the location fallback).
    factor_region_match: str
    factor_year_match: str
    residual_kg: Decimal
    location_kg: Decimal
    market_kg: Decimal

    @property
    def is_lagged(self) -> bool:
        return self.factor_year_match == YearMatch.LAGGED

    @property
    def is_proxy(self) -> bool:
        return YearMatch.PROXY in (self.factor_year_match, self.factor_region_match)

    @property
    def uses_location_fallback(self) -> bool:
        return self.residual_basis == ResidualBasis.LOCATION_FALLBACK


@dataclass(frozen=True)
class MarketScope2:
    """Every facility-year, plus the organisation-wide certificates no consumption in their
    market took up (kWh per year, all markets together)."""

    rows: list[FacilityScope2]
    unused_organisation_kwh_by_year: dict[int, Decimal] = field(default_factory=dict)


def market_based_scope2(years=None, *, organisation=None) -> list[FacilityScope2]:
    """Market-based Scope 2 electricity per facility and year, ordered by year and facility."""
    return calculate_market_scope2(years, organisation=organisation).rows


def calculate_market_scope2(years=None, *, organisation=None, approved_only=False) -> MarketScope2:
    """Market-based Scope 2 electricity per facility-year, with unused organisation certificates.

    Five queries whatever the number of records (six without an organisation passed in): grid
    kWh and kg per facility-year, certificates per facility-year and factor, the facilities'
    regions, the candidate residual factors, the GWPs.
    """
    organisation = organisation or Organisation.current()
    if organisation is None:
        return MarketScope2(rows=[])
    grid = {
        (row["facility_id"], row["year"]): (row["kwh"] or ZERO, row["kg"] or ZERO)
        for row in _grid_electricity(years, approved_only=approved_only)
    }
    (result,) = _calculate_for(years, organisation, [(grid, None)])
    return result


def calculate_market_scope2_both(
    years=None, *, organisation, approved_years=None
) -> tuple[MarketScope2, MarketScope2]:
    """(approved and pending, approved only): the same five queries as one basis, the grid's
    kWh read once with the review status beside them.

    With `approved_years`, the approved-only result covers those years only (a page that
    shows every year with pending data and one of them on approved data too). Each year is
    calculated on its own, so a year's rows do not depend on which other years are read."""
    records = rollup_for().filter(activity_type__code=GRID_ELECTRICITY)
    if years is not None:
        records = records.filter(year__in=years)
    approved = Q(status=ReviewStatus.APPROVED)
    if approved_years is not None:
        approved &= Q(year__in=sorted(approved_years))
    # Ordered, so that the same data gives the same inputs to remember the result by.
    rows = (
        records.order_by("facility_id", "year")
        .values_list("facility_id", "year")
        .annotate(
            kwh=Sum("electricity_kwh"),
            kg=Sum("co2e_kg"),
            approved_kwh=Sum("electricity_kwh", filter=approved),
            approved_kg=Sum("co2e_kg", filter=approved),
        )
    )
    grids = ({}, {})
    for facility_id, year, kwh, kg, approved_kwh, approved_kg in rows:
        grids[0][facility_id, year] = (kwh or ZERO, kg or ZERO)
        if approved_kwh is not None:
            grids[1][facility_id, year] = (approved_kwh, approved_kg or ZERO)
    # Facility certificates of other years than `approved_years` would make rows without grid
    # kWh on the approved side: those years are not asked for.
    pending_result, approved_result = _calculate_for(
        years, organisation, [(grids[0], None), (grids[1], approved_years)]
    )
    return pending_result, approved_result


def _calculate_for(years, organisation, grids: list[tuple[dict, set | None]]) -> list[MarketScope2]:
    """Each grid's market-based Scope 2 (in the years given beside it; None: every year), the
    other inputs read once for all of them."""
    certificates = list(_certificates(years))
    facility_ids = {facility_id for grid, _years in grids for facility_id, _year in grid}
    facility_ids |= {row[0] for row in certificates if row[0] is not None}
    facilities = _facility_regions(facility_ids)
    residual_choice = _ResidualChooser(organisation, facilities.values())
    gwp = gwp_values(organisation.gwp_basis)
    # Records need CH4 and N2O GWPs to be calculated at all, so they exist when records do.
    gwp_set = GwpSet(ch4=gwp.get(METHANE_CODE, ZERO), n2o=gwp.get(NITROUS_OXIDE_CODE, ZERO))

    # The queries above are cheap (they read the rollup); what follows is Python over every
    # facility-year, 1,600 of them for 200 plants over 8 years. Years are independent of each
    # other (certificates count in their own year only), so each year's result is remembered
    # by that year's inputs: a change to this year's data leaves the other years' results
    # standing, and pages reading different spans of years share them. The key holds every
    # input of the result (the facilities' regions of all the years read, a superset of the
    # year's own), so the same key always means the same rows.
    certificates_by_year = defaultdict(list)
    for row in certificates:
        certificates_by_year[row[2]].append(row)
    shared = (
        tuple((pk, tuple(row.items())) for pk, row in sorted(facilities.items())),
        residual_choice.fingerprint(),
        gwp_set,
    )
    results = []
    for grid, only_years in grids:
        grid_by_year = defaultdict(dict)
        for key, value in grid.items():
            grid_by_year[key[1]][key] = value
        rows, unused = [], {}
        for year in sorted(grid_by_year.keys() | certificates_by_year.keys()):
            if only_years is not None and year not in only_years:
                continue
            year_grid, year_certificates = grid_by_year.get(year, {}), certificates_by_year[year]
            key = (year, tuple(year_grid.items()), tuple(year_certificates), *shared)
            result = _REMEMBERED.get(key) or _REMEMBERED.keep(
                key,
                _calculate(year_grid, year_certificates, facilities, residual_choice, gwp_set),
            )
            rows.extend(result.rows)
            unused.update(result.unused_organisation_kwh_by_year)
        results.append(MarketScope2(rows=rows, unused_organisation_kwh_by_year=unused))
    return results


# A year's result per approval basis: ten years on both bases, twice over (a facility's
# certificates or a residual factor changing keeps the old keys until they age out).
_REMEMBERED = Remembered(size=40)


def _calculate(grid, certificates, facilities, residual_choice, gwp_set) -> MarketScope2:
    own_certificates = defaultdict(list)  # (facility, year) -> [(factor, kWh)]
    shared_certificates = defaultdict(list)  # (year, market country) -> [(factor, kWh)]
    for facility_id, market_country, year, kg_co2e_per_kwh, mwh in certificates:
        if facility_id is None:
            shared_certificates[year, market_country].append((kg_co2e_per_kwh, mwh * KWH_PER_MWH))
        else:
            own_certificates[facility_id, year].append((kg_co2e_per_kwh, mwh * KWH_PER_MWH))

    keys = sorted(set(grid) | set(own_certificates), key=lambda key: (key[1], key[0]))

    # Step 1: each facility's own certificates, up to its grid kWh.
    applied: dict[tuple, _Applied] = {}
    for key in keys:
        grid_kwh = grid.get(key, (ZERO, ZERO))[0]
        applied[key] = _Applied(grid_kwh).take(own_certificates.get(key, []), own=True)

    # Step 2: organisation-wide certificates, shared by uncovered kWh among the facility-years
    # of their market only (markets are countries, so no facility-year is in two of them).
    unused_shared: dict[int, Decimal] = defaultdict(lambda: ZERO)
    keys_by_market = defaultdict(list)  # (year, country) -> facility-years, in `keys` order
    if shared_certificates:
        for key in keys:
            keys_by_market[key[1], facilities[key[0]]["country"]].append(key)
    for year, market in sorted(shared_certificates):
        certificates = shared_certificates[year, market]
        market_keys = keys_by_market[year, market]
        shares = _share_out(certificates, {key: applied[key].uncovered for key in market_keys})
        for key, shared in shares.items():
            applied[key].take(shared, own=False)
        taken = sum((kwh for certs in shares.values() for _f, kwh in certs), ZERO)
        unused_shared[year] += sum((kwh for _f, kwh in certificates), ZERO) - taken

    rows = []
    for facility_id, year in keys:
        _grid_kwh, location_kg = grid.get((facility_id, year), (ZERO, ZERO))
        rows.append(
            _row(
                facility_id,
                year,
                applied[(facility_id, year)],
                location_kg,
                residual_choice.choose(facilities[facility_id], year),
                gwp_set,
            )
        )
    return MarketScope2(rows=rows, unused_organisation_kwh_by_year=dict(unused_shared))


def _grid_electricity(years, *, approved_only=False):
    records = rollup_for(approved_only=approved_only).filter(activity_type__code=GRID_ELECTRICITY)
    if years is not None:
        records = records.filter(year__in=years)
    # Ordered, so that the same data gives the same inputs to remember the result by.
    return (
        records.order_by("facility_id", "year")
        .values("facility_id", "year")
        .annotate(kwh=Sum("electricity_kwh"), kg=Sum("co2e_kg"))
    )


def _certificates(years):
    certificates = EnergyCertificate.objects.all()
    if years is not None:
        certificates = certificates.filter(reporting_year__in=years)
    # One row per facility (or market, for the organisation-wide ones), year and factor:
    # certificates at one factor are interchangeable within their market.
    columns = ("facility_id", "market_country", "reporting_year", "kg_co2e_per_kwh")
    certificate_rows = (
        certificates.order_by()
        .values(*columns)
        .annotate(mwh=Sum("mwh"), is_contract=Value(False))
        .values_list(*columns, "mwh", "is_contract")
    )
    # Green-power contracts cover their facility's electricity at 0, as renewable certificates
    # do: their settled kWh join in the same query (a UNION), converted to MWh here.
    settlements = ContractSettlement.objects.all()
    if years is not None:
        settlements = settlements.filter(year__in=years)
    contract_rows = (
        settlements.order_by()
        .values("contract__facility_id", "contract__market_country", "year")
        .annotate(
            factor=Value(ZERO, output_field=models.DecimalField(max_digits=10, decimal_places=6)),
            kwh=Sum("kwh"),
            is_contract=Value(True),
        )
        .values_list(
            "contract__facility_id",
            "contract__market_country",
            "year",
            "factor",
            "kwh",
            "is_contract",
        )
    )
    rows = certificate_rows.union(contract_rows, all=True).order_by(*columns, "is_contract")
    return [
        (facility_id, market, year, factor, amount / KWH_PER_MWH if is_contract else amount)
        for facility_id, market, year, factor, amount, is_contract in rows
    ]


def _facility_regions(ids) -> dict[int, dict]:
    # Every facility read and the wanted ones kept here: an IN list of hundreds of ids costs
    # Django more to build than the organisation's few hundred short rows cost to read.
    ids = set(ids)
    if not ids:
        return {}
    return {
        row["id"]: row
        for row in Facility.objects.order_by("id").values(
            "id", "province", "grid_region", "country"
        )
        if row["id"] in ids
    }


class _Applied:
    """Certificates applied to one facility-year so far, lowest factor first."""

    __slots__ = ("grid_kwh", "kwh", "exact_kg", "zero_emission_kwh", "unused_kwh")

    def __init__(self, grid_kwh: Decimal):
        self.grid_kwh = grid_kwh
        self.kwh = ZERO
        self.exact_kg = ZERO
        self.zero_emission_kwh = ZERO
        self.unused_kwh = ZERO

    @property
    def uncovered(self) -> Decimal:
        return self.grid_kwh - self.kwh

    def take(self, certificates, *, own: bool) -> "_Applied":
        if not certificates:  # most facility-years have no certificates of their own
            return self
        for factor, kwh in sorted(certificates, key=lambda certificate: certificate[0]):
            used = min(kwh, self.uncovered)
            self.kwh += used
            self.exact_kg += used * factor
            if factor == 0:
                self.zero_emission_kwh += used
            if own:
                self.unused_kwh += kwh - used
        return self


def _share_out(certificates, uncovered: dict[tuple, Decimal]) -> dict[tuple, list]:
    """Split organisation-wide certificates over facility-years by their uncovered kWh."""
    receivers = sorted((key for key, kwh in uncovered.items() if kwh > 0), key=lambda k: k[0])
    total_uncovered = sum((uncovered[key] for key in receivers), ZERO)
    shares: dict[tuple, list] = {key: [] for key in receivers}
    if not receivers:
        return shares
    left = total_uncovered
    for factor, kwh in sorted(certificates, key=lambda certificate: certificate[0]):
        used = min(kwh, left)
        left -= used
        given = ZERO
        for key in receivers[:-1]:
            share = (used * uncovered[key] / total_uncovered).quantize(
                KWH_PLACES, rounding=ROUND_HALF_UP
            )
            shares[key].append((factor, share))
            given += share
        shares[receivers[-1]].append((factor, used - given))
    return shares


class _ResidualChooser:
    """The residual-mix factor of a facility-year, by the records' factor rule, from the
    factor group of the organisation's residual-mix proxy."""

    def __init__(self, organisation: Organisation, facilities):
        regions = {code for facility in facilities for _level, code in _region_levels(facility)}
        self.group = RESIDUAL_GROUPS[organisation.residual_mix]
        self.factors = [
            factor
            for factor in factors_in_group(
                self.group, series=organisation.factor_series, regions=sorted(regions)
            )
            if unit_converts("kWh", factor)
        ]
        # Hundreds of facilities share a few regions: each (regions, year) is chosen once.
        self.chosen = {}
        self.levels = {}  # facility id -> its region levels, asked for once per facility-year

    def fingerprint(self) -> tuple:
        """The group, every stored value of the candidate factors and their datasets' kind."""
        fields = EmissionFactor._meta.concrete_fields
        return (self.group,) + tuple(
            (tuple(getattr(factor, field.attname) for field in fields), factor.dataset.is_shipped)
            for factor in self.factors
        )

    def choose(self, facility: dict, year: int) -> FactorChoice | None:
        levels = self.levels.get(facility["id"])
        if levels is None:
            levels = self.levels[facility["id"]] = tuple(_region_levels(facility))
        if (levels, year) not in self.chosen:
            # Every candidate is per unit of energy, so the rule's fewest-conversions step
            # ties and it comes down to own datasets over shipped ones, then the newest entry.
            self.chosen[levels, year] = choose(self.factors, levels, year, "kWh")
        return self.chosen[levels, year]


def _region_levels(facility: dict) -> list[tuple[str, str]]:
    # A residual mix has no proxy region: a site without one uses its location-based rate.
    return region_levels(
        province=facility["province"],
        grid_region=facility["grid_region"],
        country=facility["country"],
    )


def _row(facility_id, year, applied: _Applied, location_kg, choice, gwp_set) -> FacilityScope2:
    residual_kwh = applied.grid_kwh - applied.kwh
    if choice is not None:
        unit = choice.factor.unit
        # Per kWh almost always (the chooser kept only factors it can convert kWh to).
        quantity = round_quantity(
            residual_kwh if unit == "kWh" else to_factor_unit(residual_kwh, "kWh", unit)
        )
        residual_kg = co2e_kg(amounts_from_factor(quantity, choice.factor), gwp_set)
        basis, factor = ResidualBasis.RESIDUAL_MIX, choice.factor
        region_match, year_match = choice.region_match, choice.year_match
    else:
        # No residual mix here: the facility-year's own location-based rate.
        residual_kg = (
            round_kg(residual_kwh * location_kg / applied.grid_kwh) if applied.grid_kwh else ZERO
        )
        basis, factor, region_match, year_match = ResidualBasis.LOCATION_FALLBACK, None, "", ""
    certificate_kg = round_kg(applied.exact_kg)
    return FacilityScope2(
        facility_id=facility_id,
        year=year,
        grid_kwh=applied.grid_kwh,
        certificate_kwh=applied.kwh,
        certificate_kg=certificate_kg,
        zero_emission_certificate_kwh=applied.zero_emission_kwh,
        unused_certificate_kwh=applied.unused_kwh,
        residual_kwh=residual_kwh,
        residual_factor=factor,
        residual_basis=basis,
        factor_region_match=region_match,
        factor_year_match=year_match,
        residual_kg=residual_kg,
        location_kg=round_kg(location_kg),
        market_kg=certificate_kg + residual_kg,
    )
