"""Totals of credits, planting, certificates and allowances, aggregated in the database.

Credits and planting are tonnes CO2e, allowances tonnes CO2, certificates MWh; all Decimals.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from emissions.activities.rollups import rollup_for

from .models import (
    AllowanceTransaction,
    AllowanceTransactionKind,
    ContractSettlement,
    CreditBatch,
    CreditKind,
    EnergyCertificate,
    Retirement,
    RetirementPurpose,
    RetirementReversal,
    Technology,
    TreePlanting,
)

ZERO = Decimal(0)
KWH_PER_MWH = Decimal(1000)
# Sums keep the stored decimal places: on SQLite a decimal column is a float, and these
# output fields round each total back to what was stored.
TONNES_SUM = DecimalField(max_digits=20, decimal_places=3)
MWH_SUM = DecimalField(max_digits=20, decimal_places=3)
KG_SUM = DecimalField(max_digits=30, decimal_places=6)
KWH_SUM = DecimalField(max_digits=30, decimal_places=6)
COST_SUM = DecimalField(max_digits=30, decimal_places=5)  # tonnes (3 places) × price (2)
RENEWABLE_TECHNOLOGIES = [
    Technology.WIND,
    Technology.SOLAR,
    Technology.HYDRO,
    Technology.BIOMASS,
]
GRID_ELECTRICITY = "grid_electricity"


def _total(expression, *, output_field=TONNES_SUM, condition=None):
    """Sum of `expression` (rows matching `condition`), 0 rather than None when nothing matches."""
    return Coalesce(
        Sum(expression, filter=condition, output_field=output_field),
        Value(ZERO),
        output_field=output_field,
    )


def _subquery_total(rows: QuerySet, group_by: str):
    """The summed quantity_t of `rows` (filtered on an OuterRef), as a column of the outer query."""
    totals = rows.order_by().values(group_by).annotate(total=Sum("quantity_t")).values("total")
    return Coalesce(Subquery(totals, output_field=TONNES_SUM), Value(ZERO), output_field=TONNES_SUM)


# Credit batches


def with_holdings(batches: QuerySet[CreditBatch] | None = None) -> QuerySet[CreditBatch]:
    """Batches annotated, in the same query, with retired_t (any purpose), reversed_t (put
    back), net_retired_t (retired − reversed) and remaining_t (quantity − net retired)."""
    batches = CreditBatch.objects.all() if batches is None else batches
    retired = _subquery_total(Retirement.objects.filter(batch=OuterRef("pk")), "batch")
    reversed_ = _subquery_total(
        RetirementReversal.objects.filter(retirement__batch=OuterRef("pk")), "retirement__batch"
    )
    return batches.annotate(retired_t=retired, reversed_t=reversed_).annotate(
        net_retired_t=ExpressionWrapper(F("retired_t") - F("reversed_t"), output_field=TONNES_SUM),
        remaining_t=ExpressionWrapper(
            F("quantity_t") - F("retired_t") + F("reversed_t"), output_field=TONNES_SUM
        ),
    )


def batch_remaining_t(batch_id: int) -> Decimal:
    """tCO2e a batch still holds: bought − retired + reversed."""
    return (
        with_holdings(CreditBatch.objects.filter(pk=batch_id))
        .values_list("remaining_t", flat=True)
        .get()
    )


# Retirements


def with_reversed(retirements: QuerySet[Retirement]) -> QuerySet[Retirement]:
    """Retirements annotated with reversed_t (tCO2e of each reversed so far), in one query."""
    reversed_ = _subquery_total(
        RetirementReversal.objects.filter(retirement=OuterRef("pk")), "retirement"
    )
    return retirements.annotate(reversed_t=reversed_)


def retirement_reversed_t(retirement_id: int) -> Decimal:
    """tCO2e of a retirement already reversed."""
    reversals = RetirementReversal.objects.filter(retirement_id=retirement_id)
    return reversals.aggregate(total=_total("quantity_t"))["total"]


@dataclass(frozen=True)
class CreditsRetired:
    """Credits retired for one reporting year, net of reversals, by kind (tCO2e)."""

    removal_t: Decimal
    avoidance_t: Decimal

    @property
    def total_t(self) -> Decimal:
        return self.removal_t + self.avoidance_t


def _net_retired_by_year_and_kind(purpose: str, years) -> dict[tuple[int, str], Decimal]:
    """{(claimed year, project kind): tCO2e retired for `purpose` minus what was reversed}."""
    retirements = Retirement.objects.filter(purpose=purpose)
    reversals = RetirementReversal.objects.filter(retirement__purpose=purpose)
    if years is not None:
        retirements = retirements.filter(claimed_year__in=years)
        reversals = reversals.filter(retirement__claimed_year__in=years)
    # Two grouped queries (a handful of rows each): a join of both would repeat retirements.
    retired = (
        retirements.order_by()
        .values_list("claimed_year", "batch__project__kind")
        .annotate(total=_total("quantity_t"))
    )
    reversed_ = (
        reversals.order_by()
        .values_list("retirement__claimed_year", "retirement__batch__project__kind")
        .annotate(total=_total("quantity_t"))
    )
    net = defaultdict(lambda: ZERO)
    for year, kind, total in retired:
        net[year, kind] += total
    for year, kind, total in reversed_:
        net[year, kind] -= total
    return net


def credits_retired_by_year(years: Iterable[int] | None = None) -> dict[int, CreditsRetired]:
    """{claimed year: credits retired toward the neutrality claim, net of reversals}.

    Only purpose=neutrality counts: credits surrendered for ETS compliance never offset the
    footprint. Given `years`, each of them is present (zeros where nothing was retired).
    """
    years = None if years is None else list(years)
    net = _net_retired_by_year_and_kind(RetirementPurpose.NEUTRALITY, years)
    claimed = sorted({year for year, _kind in net} | set(years or []))
    return {
        year: CreditsRetired(
            removal_t=net.get((year, CreditKind.REMOVAL), ZERO),
            avoidance_t=net.get((year, CreditKind.AVOIDANCE), ZERO),
        )
        for year in claimed
    }


@dataclass(frozen=True)
class EtsSurrendered:
    """Surrendered for ETS compliance in one year: allowances (tCO2) and credits (tCO2e, net of
    reversals). Compliance only: neither reduces the footprint."""

    allowances_t: Decimal
    credits_t: Decimal


def allowances_surrendered_by_year(years: Iterable[int] | None = None) -> dict[int, Decimal]:
    """{compliance year: tCO2 of allowances surrendered, all facilities}; years without any
    surrender are absent. One query."""
    surrenders = AllowanceTransaction.objects.filter(kind=AllowanceTransactionKind.SURRENDER)
    if years is not None:
        surrenders = surrenders.filter(compliance_year__in=list(years))
    return dict(
        surrenders.order_by()
        .values_list("compliance_year")
        .annotate(total=_total("quantity_t"))
        .values_list("compliance_year", "total")
    )


def ets_surrenders_by_year(years: Iterable[int] | None = None) -> dict[int, EtsSurrendered]:
    """{compliance year: allowances surrendered (all facilities) and credits retired for it}."""
    years = None if years is None else list(years)
    allowances = allowances_surrendered_by_year(years)
    credits = defaultdict(lambda: ZERO)
    for (year, _kind), total in _net_retired_by_year_and_kind(
        RetirementPurpose.ETS_COMPLIANCE, years
    ).items():
        credits[year] += total
    all_years = sorted(set(allowances) | set(credits) | set(years or []))
    return {
        year: EtsSurrendered(
            allowances_t=allowances.get(year, ZERO), credits_t=credits.get(year, ZERO)
        )
        for year in all_years
    }


# Own tree planting


def internal_removals_by_year(years: Iterable[int]) -> dict[int, Decimal]:
    """{year: tCO2 the organisation's own planting is estimated to remove that year}.

    Each planting counts its yearly sequestration in every year from its planting year on.
    Not registry-verified: shown apart, subtracted only when the organisation says so.
    """
    years = list(years)
    # One query: a conditional sum per year.
    totals = TreePlanting.objects.aggregate(
        **{
            f"y{year}": _total("sequestration_t_per_year", condition=Q(planting_year__lte=year))
            for year in years
        }
    )
    return {year: totals[f"y{year}"] for year in years}


# Energy attribute certificates


@dataclass(frozen=True)
class CertificateCover:
    """Electricity covered by certificates for one facility (or the whole organisation) in one
    reporting year: MWh, the kg CO2e of that electricity at the certificates' own factors
    (0 for renewables), and the MWh from renewable sources."""

    mwh: Decimal
    kg_co2e: Decimal
    renewable_mwh: Decimal
    # Of mwh, what green-power contracts settled (renewable, at 0); the rest is unbundled
    # certificates.
    contract_mwh: Decimal = ZERO

    @property
    def certificate_mwh(self) -> Decimal:
        return self.mwh - self.contract_mwh

    @property
    def kg_co2e_per_kwh(self) -> Decimal:
        """The MWh-weighted factor of the certificates."""
        return self.kg_co2e / (self.mwh * KWH_PER_MWH) if self.mwh else ZERO


def certificates_mwh_by_facility_year(
    years: Iterable[int] | None = None,
) -> dict[tuple[int | None, int], CertificateCover]:
    """{(facility id, or None for the whole organisation, reporting year): what is covered}.

    Unbundled certificates and green-power contracts' settled volumes together (one query, a
    UNION), the contracts' share said apart. For market-based Scope 2: the covered kWh emit
    kg_co2e; the rest of the electricity is counted at the residual-mix (or grid) factor.
    """
    certificates = EnergyCertificate.objects.all()
    settlements = ContractSettlement.objects.all()
    if years is not None:
        years = list(years)
        certificates = certificates.filter(reporting_year__in=years)
        settlements = settlements.filter(year__in=years)
    certificate_rows = (
        certificates.order_by()
        .values_list("facility", "reporting_year")
        .annotate(
            total_mwh=_total("mwh", output_field=MWH_SUM),
            total_kg=_total(
                F("mwh") * F("kg_co2e_per_kwh") * Value(KWH_PER_MWH), output_field=KG_SUM
            ),
            total_renewable=_total(
                "mwh",
                output_field=MWH_SUM,
                condition=Q(technology__in=RENEWABLE_TECHNOLOGIES),
            ),
            is_contract=Value(False),
        )
        .values_list(
            "facility", "reporting_year", "total_mwh", "total_kg", "total_renewable", "is_contract"
        )
    )
    # Contracts' volumes are kWh (rounded to MWh in Python, not by the database's division).
    contract_rows = (
        settlements.order_by()
        .values_list("contract__facility", "year")
        .annotate(
            total_kwh=_total("kwh", output_field=MWH_SUM),
            no_kg=Value(ZERO, output_field=KG_SUM),
            renewable_kwh=_total("kwh", output_field=MWH_SUM),
            is_contract=Value(True),
        )
        .values_list(
            "contract__facility", "year", "total_kwh", "no_kg", "renewable_kwh", "is_contract"
        )
    )
    covers: dict[tuple[int | None, int], CertificateCover] = {}
    rows = certificate_rows.union(contract_rows, all=True).order_by()
    for facility_id, year, amount, kg, renewable, is_contract in rows:
        contract_mwh = amount / KWH_PER_MWH if is_contract else ZERO
        mwh = contract_mwh if is_contract else amount
        renewable_mwh = renewable / KWH_PER_MWH if is_contract else renewable
        before = covers.get((facility_id, year), CertificateCover(ZERO, ZERO, ZERO))
        covers[facility_id, year] = CertificateCover(
            mwh=before.mwh + mwh,
            kg_co2e=before.kg_co2e + kg,
            renewable_mwh=before.renewable_mwh + renewable_mwh,
            contract_mwh=before.contract_mwh + contract_mwh,
        )
    return covers


def certificates_mwh_in_market(*, year: int, country: str) -> Decimal:
    """MWh of certificates and green-power contracts applied in `year` to electricity of the
    market `country`.

    Organisation-wide certificates of that market, and the certificates and contracts of the
    facilities in that country (a facility's instruments are of its own market).
    """
    certificates = EnergyCertificate.objects.filter(reporting_year=year).filter(
        Q(facility__isnull=True, market_country=country) | Q(facility__country=country)
    )
    settled_kwh = ContractSettlement.objects.filter(
        year=year, contract__facility__country=country
    ).aggregate(kwh=_total("kwh", output_field=KWH_SUM))["kwh"]
    mwh = certificates.aggregate(mwh=_total("mwh", output_field=MWH_SUM))["mwh"]
    return mwh + settled_kwh / KWH_PER_MWH


@dataclass(frozen=True)
class ContractYear:
    """A green-power contract's settlements in one year."""

    contract_id: int
    reference: str
    seller: str
    technology: str
    facility_id: int
    year: int
    months_settled: int
    kwh: Decimal


def contract_years() -> list[ContractYear]:
    """Every contract's settled kWh per year, newest year first (one query)."""
    rows = (
        ContractSettlement.objects.order_by()
        .values(
            "contract_id",
            "contract__reference",
            "contract__seller",
            "contract__technology",
            "contract__facility_id",
            "year",
        )
        .annotate(months=Count("id"), kwh=_total("kwh", output_field=MWH_SUM))
        .order_by("-year", "contract__reference")
    )
    return [
        ContractYear(
            contract_id=row["contract_id"],
            reference=row["contract__reference"],
            seller=row["contract__seller"],
            technology=row["contract__technology"],
            facility_id=row["contract__facility_id"],
            year=row["year"],
            months_settled=row["months"],
            kwh=row["kwh"],
        )
        for row in rows
    ]


def grid_electricity_mwh(
    *, year: int, facility_id: int | None = None, country: str | None = None
) -> Decimal:
    """MWh of grid electricity consumed in `year` by one facility (None: all facilities), or
    by the facilities in one country (a certificate market).

    Certificates cover purchased grid power only: on-site solar is not counted.
    """
    # Rejected records are not consumption; pending ones count, as on the dashboard. Read from
    # the records' rollup (kept in the same transaction by its triggers): summing the records
    # themselves took seconds per certificate at 10M records (issue 22).
    rows = rollup_for(
        years=[year], facility_ids=None if facility_id is None else [facility_id]
    ).filter(activity_type__code=GRID_ELECTRICITY)
    if country is not None:
        rows = rows.filter(facility__country=country)
    kwh = rows.aggregate(kwh=_total("electricity_kwh", output_field=KWH_SUM))["kwh"]
    return kwh / KWH_PER_MWH


# ETS allowances


@dataclass(frozen=True)
class AllowanceBalance:
    """ETS allowances of one facility for one compliance year (tCO2); never an offset."""

    allocated_t: Decimal
    purchased_t: Decimal
    sold_t: Decimal
    surrendered_t: Decimal
    # The purchases entered with a price: their tonnes and what they cost (price × tonnes, in the
    # organisation's reporting currency).
    priced_purchase_t: Decimal = ZERO
    purchase_cost: Decimal = ZERO

    @property
    def held_t(self) -> Decimal:
        """Still held: allocated + purchased − sold − surrendered."""
        return self.allocated_t + self.purchased_t - self.sold_t - self.surrendered_t

    @property
    def average_purchase_price(self) -> Decimal | None:
        """What a tonne bought cost on average; None when no purchase has a price."""
        if not self.priced_purchase_t:
            return None
        return (self.purchase_cost / self.priced_purchase_t).quantize(Decimal("0.01"))


def allowance_balance_by_facility_year(
    *, facility_ids: Iterable[int] | None = None, years: Iterable[int] | None = None
) -> dict[tuple[int, int], AllowanceBalance]:
    """{(facility id, compliance year): allowances by kind of transaction}."""
    transactions = AllowanceTransaction.objects.all()
    if facility_ids is not None:
        transactions = transactions.filter(facility_id__in=list(facility_ids))
    if years is not None:
        transactions = transactions.filter(compliance_year__in=list(years))
    kinds = AllowanceTransactionKind
    columns = {
        "allocated": kinds.ALLOCATION,
        "purchased": kinds.PURCHASE,
        "sold": kinds.SALE,
        "surrendered": kinds.SURRENDER,
    }
    priced = Q(kind=kinds.PURCHASE, price_per_t__isnull=False)
    rows = (
        transactions.order_by()
        .values_list("facility", "compliance_year")
        .annotate(
            **{
                name: _total("quantity_t", condition=Q(kind=kind)) for name, kind in columns.items()
            },
            priced_t=_total("quantity_t", condition=priced),
            cost=_total(
                F("quantity_t") * F("price_per_t"), output_field=COST_SUM, condition=priced
            ),
        )
        .values_list("facility", "compliance_year", *columns, "priced_t", "cost")
    )
    return {
        (facility_id, year): AllowanceBalance(
            allocated_t=allocated,
            purchased_t=purchased,
            sold_t=sold,
            surrendered_t=surrendered,
            priced_purchase_t=priced_t,
            purchase_cost=cost,
        )  # fmt: skip
        for facility_id, year, allocated, purchased, sold, surrendered, priced_t, cost in rows
    }


def allowances_held_t(*, facility_id: int, year: int) -> Decimal:
    """tCO2 of allowances a facility still holds for a compliance year."""
    balance = allowance_balance_by_facility_year(facility_ids=[facility_id], years=[year])
    key = (facility_id, year)
    return balance[key].held_t if key in balance else ZERO
