import datetime as dt
from decimal import Decimal

import pytest

from emissions.offsets import selectors, services
from emissions.offsets.models import (
    AllowanceTransactionKind,
    CertificateScheme,
    RetirementPurpose,
    Technology,
    TreePlanting,
)
from emissions.offsets.selectors import (
    AllowanceBalance,
    CertificateCover,
    CreditsRetired,
    EtsSurrendered,
)
from tests.factories import gec_codes

from .conftest import MARCH_2024

pytestmark = pytest.mark.django_db

T = Decimal


def reverse(retirement, tonnes):
    services.reverse_retirement(
        retirement=retirement,
        quantity_t=T(tonnes),
        reversed_on=dt.date(2025, 5, 1),
        reason="Registry correction.",
    )


@pytest.fixture
def worked_example(ccer_forest, ccer_wind, make_batch, retire):
    """For 2024: 120 t of removals and 80 t of avoidance retired, 20 t of the avoidance
    reversed, and 50 t of avoidance CCERs surrendered for ETS compliance (10 t reversed).
    For 2023: 30 t of removals retired and all of it reversed."""
    forest = make_batch(ccer_forest, 200, first=1)
    wind = make_batch(ccer_wind, 150, first=1001)
    retire(forest, 120)
    reverse(retire(wind, 80), 20)
    reverse(retire(wind, 50, purpose=RetirementPurpose.ETS_COMPLIANCE), 10)
    reverse(retire(forest, 30, claimed_year=2023), 30)
    return forest, wind


def test_credits_retired_for_neutrality_are_counted_by_kind_net_of_reversals(worked_example):
    assert selectors.credits_retired_by_year() == {
        2023: CreditsRetired(removal_t=T("0"), avoidance_t=T("0")),
        2024: CreditsRetired(removal_t=T("120"), avoidance_t=T("60")),
    }


def test_credits_retired_by_year_lists_each_year_asked_for_even_without_retirements(
    worked_example,
):
    retired = selectors.credits_retired_by_year(years=[2022, 2024])

    assert retired == {
        2022: CreditsRetired(removal_t=T("0"), avoidance_t=T("0")),
        2024: CreditsRetired(removal_t=T("120"), avoidance_t=T("60")),
    }
    assert retired[2024].total_t == T("180")


def test_credits_retired_by_year_takes_two_queries_however_many_retirements(
    worked_example, django_assert_num_queries
):
    with django_assert_num_queries(2):
        selectors.credits_retired_by_year()


def test_with_holdings_shows_bought_retired_reversed_and_remaining(worked_example):
    forest, wind = worked_example

    holdings = selectors.with_holdings().values_list(
        "pk", "quantity_t", "retired_t", "reversed_t", "remaining_t"
    )

    assert set(holdings) == {
        (forest.pk, T("200"), T("150"), T("30"), T("80")),
        (wind.pk, T("150"), T("130"), T("30"), T("50")),
    }


def test_ets_surrenders_count_allowances_and_compliance_credits_apart_from_neutrality(
    worked_example, casting_workshop, hebei_plant
):
    for facility, year, tonnes in [
        (casting_workshop, 2024, 2000),
        (hebei_plant, 2024, 100),
        (casting_workshop, 2023, 1800),
    ]:
        for kind in (AllowanceTransactionKind.ALLOCATION, AllowanceTransactionKind.SURRENDER):
            services.record_allowance_transaction(
                facility=facility,
                compliance_year=year,
                kind=kind,
                quantity_t=T(tonnes),
                transacted_on=dt.date(year + 1, 6, 30),
            )

    assert selectors.ets_surrenders_by_year() == {
        2023: EtsSurrendered(allowances_t=T("1800"), credits_t=T("0")),
        2024: EtsSurrendered(allowances_t=T("2100"), credits_t=T("40")),
    }


def test_own_planting_removes_its_yearly_estimate_in_every_year_from_its_planting(
    casting_workshop, django_assert_num_queries
):
    for name, year, tonnes in [("Poplar belt", 2020, "12.5"), ("Pine slope", 2023, "7.25")]:
        TreePlanting.objects.create(
            name=name,
            facility=casting_workshop,
            area_ha=T("2.00"),
            species="Poplar",
            planting_year=year,
            sequestration_t_per_year=T(tonnes),
            method="Yield-class estimate.",
        )

    with django_assert_num_queries(1):
        removals = selectors.internal_removals_by_year([2019, 2020, 2023, 2025])

    assert removals == {2019: T("0"), 2020: T("12.5"), 2023: T("19.75"), 2025: T("19.75")}


def test_certificates_are_summed_per_facility_and_year_with_their_emissions(
    hebei_plant, make_record, django_assert_num_queries
):
    make_record(hebei_plant, "grid_electricity", T("100"), "MWh", **MARCH_2024)

    def certificate_numbers(scheme, first, mwh):
        if scheme == "gec":
            return gec_codes(first, mwh)
        return {
            "serial_first": first,
            "serial_last": first + mwh - 1,
            "generation_start": dt.date(2024, 1, 1),
            "generation_end": dt.date(2024, 12, 31),
        }

    def add(mwh, technology, *, first, facility=hebei_plant, factor="0", scheme="gec"):
        services.add_energy_certificates(
            scheme=scheme,
            registry="China GEC",
            technology=technology,
            **certificate_numbers(scheme, first, mwh),
            mwh=T(mwh),
            facility=facility,
            reporting_year=2024,
            kg_co2e_per_kwh=T(factor),
        )

    add(40, Technology.WIND, first=1)
    add(10, Technology.MIXED, first=41, factor="0.3", scheme=CertificateScheme.SUPPLIER_SPECIFIC)
    add(20, Technology.SOLAR, first=101, facility=None)

    with django_assert_num_queries(1):
        covers = selectors.certificates_mwh_by_facility_year()

    assert covers == {
        # 10 MWh × 1000 kWh × 0.3 kg/kWh = 3,000 kg
        (hebei_plant.pk, 2024): CertificateCover(
            mwh=T("50"), kg_co2e=T("3000"), renewable_mwh=T("40")
        ),
        (None, 2024): CertificateCover(mwh=T("20"), kg_co2e=T("0"), renewable_mwh=T("20")),
    }
    # 3,000 kg over 50,000 kWh
    assert covers[hebei_plant.pk, 2024].kg_co2e_per_kwh == T("0.06")
    assert covers[None, 2024].kg_co2e_per_kwh == T("0")
    assert selectors.certificates_mwh_by_facility_year(years=[2023]) == {}


def test_allowance_balances_are_kept_per_facility_and_compliance_year(
    casting_workshop, django_assert_num_queries
):
    kinds = AllowanceTransactionKind
    for kind, tonnes in [
        (kinds.ALLOCATION, "2100"),
        (kinds.PURCHASE, "150"),
        (kinds.SALE, "50"),
        (kinds.SURRENDER, "2000"),
    ]:
        services.record_allowance_transaction(
            facility=casting_workshop,
            compliance_year=2024,
            kind=kind,
            quantity_t=T(tonnes),
            transacted_on=dt.date(2025, 6, 30),
        )

    with django_assert_num_queries(1):
        balances = selectors.allowance_balance_by_facility_year()

    assert balances == {
        (casting_workshop.pk, 2024): AllowanceBalance(
            allocated_t=T("2100"), purchased_t=T("150"), sold_t=T("50"), surrendered_t=T("2000")
        )
    }
    assert balances[casting_workshop.pk, 2024].held_t == T("200")
