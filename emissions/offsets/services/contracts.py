"""Green-power contracts (绿电交易) and their monthly settlements."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from emissions.facilities import periods
from emissions.facilities.models import Facility

from .. import selectors
from ..models import ContractSettlement, CreditProject, GreenPowerContract
from ._rules import _invalid, _number, _require_positive, _take_turns


def add_green_power_contract(
    *,
    reference: str,
    seller: str,
    trading_centre: str,
    technology: str,
    facility: Facility,
    starts_on: dt.date,
    ends_on: dt.date,
    gec_project_code: str = "",
    market_country: str = "CN",
) -> GreenPowerContract:
    """A contract delivering renewable electricity (its GECs bundled) to one facility."""
    contract = GreenPowerContract(
        reference=(reference or "").strip(),
        seller=(seller or "").strip(),
        trading_centre=(trading_centre or "").strip(),
        technology=technology,
        facility=facility,
        starts_on=starts_on,
        ends_on=ends_on,
        gec_project_code=(gec_project_code or "").strip().upper(),
        market_country=market_country,
    )
    with transaction.atomic():
        if starts_on and ends_on and ends_on < starts_on:
            raise _invalid(
                "ends_on",
                _("The delivery period cannot end before it starts."),
                "period_reversed",
            )
        contract.full_clean()
        if technology not in selectors.RENEWABLE_TECHNOLOGIES:
            raise _invalid(
                "technology",
                _(
                    "A green-power contract delivers wind, solar, hydro or biomass electricity, "
                    "not %(technology)s."
                ),
                "not_renewable",
                technology=contract.get_technology_display(),
            )
        if market_country != facility.country:
            raise _invalid(
                "market_country",
                _(
                    "A contract of the %(market)s market cannot supply %(facility)s, which is in "
                    "the %(country)s market."
                ),
                "wrong_market",
                market=market_country,
                facility=facility,
                country=facility.country,
            )
        check_not_a_credit_project(contract.gec_project_code, field="gec_project_code")
        contract.save()
    return contract


def check_not_a_credit_project(plant: str, *, field: str) -> None:
    # A plant's electricity earns CCERs or GECs, never both: claiming both counts it twice.
    if not plant:
        return
    project = CreditProject.objects.filter(gec_project_code=plant).first()
    if project is not None:
        raise _invalid(
            field,
            _(
                "GECs of plant %(plant)s cannot be claimed: the plant is credit project "
                "%(project)s, whose credits already count its electricity."
            ),
            "gec_of_credit_project",
            plant=plant,
            project=project,
        )


def record_settlement(
    *, contract: GreenPowerContract, year: int, month: int, kwh: Decimal
) -> ContractSettlement:
    """One month's settled kWh: inside the delivery period, in an open year, settled once,
    and never more than the facility's grid electricity with its certificates that year."""
    settlement = ContractSettlement(contract=contract, year=year, month=month, kwh=kwh)
    with transaction.atomic():
        _require_positive("kwh", kwh, "kWh")
        settlement.full_clean()
        first_day = dt.date(year, month, 1)
        if not (contract.starts_on.replace(day=1) <= first_day <= contract.ends_on.replace(day=1)):
            raise _invalid(
                "month",
                _("%(month)s is outside the contract's delivery period (%(start)s to %(end)s)."),
                "outside_contract",
                month=first_day.strftime("%Y-%m"),
                start=contract.starts_on.isoformat(),
                end=contract.ends_on.isoformat(),
            )
        periods.assert_open(year, field="year")
        # The same lock as certificates: both cover the same grid electricity.
        _take_turns("offsets.energy_certificates")
        _check_coverage(contract, year, kwh)
        settlement.save()
    return settlement


def _check_coverage(contract: GreenPowerContract, year: int, kwh: Decimal) -> None:
    facility = contract.facility
    consumed = selectors.grid_electricity_mwh(year=year, facility_id=facility.pk)
    cover = selectors.certificates_mwh_by_facility_year(years=[year]).get((facility.pk, year))
    applied = cover.mwh if cover else selectors.ZERO
    requested = kwh / selectors.KWH_PER_MWH
    if applied + requested > consumed:
        raise _invalid(
            "kwh",
            _(
                "Green-power contracts and certificates applied to %(facility)s in %(year)s "
                "would exceed its grid electricity: %(consumed)s MWh consumed, %(applied)s MWh "
                "already covered, %(requested)s MWh settled."
            ),
            "over_allocation",
            facility=facility,
            year=year,
            consumed=_number(consumed),
            applied=_number(applied),
            requested=_number(requested),
        )
    market = facility.country
    consumed = selectors.grid_electricity_mwh(year=year, country=market)
    applied = selectors.certificates_mwh_in_market(year=year, country=market)
    if applied + requested > consumed:
        raise _invalid(
            "kwh",
            _(
                "Green-power contracts and certificates applied to the %(market)s market in "
                "%(year)s would exceed the grid electricity of the organisation's facilities "
                "there: %(consumed)s MWh consumed, %(applied)s MWh already covered, "
                "%(requested)s MWh settled."
            ),
            "over_allocation",
            market=market,
            year=year,
            consumed=_number(consumed),
            applied=_number(applied),
            requested=_number(requested),
        )
