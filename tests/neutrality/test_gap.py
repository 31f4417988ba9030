"""The gap to neutrality of one year, checked against a worked example.

Xingtai main plant (XT-01), AR5, no target (gross = Scope 1 + 2 market-based + 3). 2023:
- 100 t natural gas, approved: 266,588.579795 kg; 10 t natural gas, pending: 26,658.85798 kg
  (GB/T 32151.34's 2.1622 kg CO2/Nm³; t → GJ at 48.0 GJ/t, GJ → Nm³ at 0.038931 GJ/Nm³).
  Approved only: gross 266,588.579795 kg; approved + pending: 293,247.437775 kg.
Credits retired for 2023's neutrality: 200 t from the afforestation batch (removal), and
100 t from the wind batch (avoidance) of which 20 t reversed: 280 t = 280,000 kg.
- approved only: net 266,588.579795 − 280,000 = −13,411.420205 kg: 13.411420205 t surplus;
- approved + pending: net 293,247.437775 − 280,000 = 13,247.437775 kg: 13.247437775 t short.
Still held: afforestation vintage 2022, 1,000 − 200 = 800 t; afforestation vintage 2024, 50 t
(later than 2023: does not count for it); wind vintage 2021, 500 − 100 + 20 − 20 (ETS) = 400 t;
a wind batch of vintage 2023 fully retired for 2024 holds nothing and is not listed.
Retirements for 2023 count until 2024-12-31.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from emissions.activities.models import ActivityRecord
from emissions.neutrality import claims
from emissions.neutrality.gap import neutrality_gap
from emissions.neutrality.inventory import yearly_balances_on_both_bases
from emissions.offsets import services
from emissions.offsets.models import CreditProject

pytestmark = pytest.mark.django_db

T = Decimal
BEFORE_DEADLINE = dt.date(2024, 12, 31)
AFTER_DEADLINE = dt.date(2025, 1, 1)


def _project(registry_id, name, kind, project_type):
    return CreditProject.objects.create(
        registry_project_id=registry_id,
        name=name,
        standard="ccer",
        kind=kind,
        project_type=project_type,
    )


def _batch(project, tonnes, *, first, vintage):
    return services.add_credit_batch(
        project=project,
        vintage_year=vintage,
        quantity_t=T(tonnes),
        serial_first=first,
        serial_last=first + tonnes - 1,
        purchased_on=dt.date(2024, 1, 15),
    )


def _retire(batch, tonnes, *, year=2023, purpose="neutrality"):
    return services.retire_credits(
        batch=batch,
        quantity_t=T(tonnes),
        retired_on=dt.date(2024, 3, 1),
        claimed_year=year,
        registry_reference=f"RET-{batch.pk}-{tonnes}-{purpose}",
        purpose=purpose,
    )


@pytest.fixture
def emissions_2023(organisation, hebei_plant, make_record):
    approved = make_record(hebei_plant, "natural_gas_stationary", "100", "t")
    make_record(hebei_plant, "natural_gas_stationary", "10", "t")  # draft: pending
    ActivityRecord.objects.filter(pk=approved.pk).update(status="approved")


@pytest.fixture
def credits():
    forest = _project("CCER-14-001", "Taihang afforestation", "removal", "afforestation")
    wind = _project("CCER-01-002", "Zhangjiakou wind", "avoidance", "renewable_energy")
    forest_2022 = _batch(forest, 1000, first=1, vintage=2022)
    forest_2024 = _batch(forest, 50, first=1001, vintage=2024)
    wind_2021 = _batch(wind, 500, first=5001, vintage=2021)
    wind_2023 = _batch(wind, 100, first=6001, vintage=2023)
    _retire(forest_2022, 200)
    wind_retirement = _retire(wind_2021, 100)
    services.reverse_retirement(
        retirement=wind_retirement,
        quantity_t=T(20),
        reversed_on=dt.date(2024, 6, 30),
        reason="The registry cancelled part of the retirement.",
    )
    _retire(wind_2021, 20, purpose="ets_compliance")
    _retire(wind_2023, 100, year=2024)
    return {"forest_2022": forest_2022, "forest_2024": forest_2024, "wind_2021": wind_2021}


@pytest.fixture
def gap(emissions_2023, credits):
    return neutrality_gap(2023, today=BEFORE_DEADLINE)


def test_approved_records_only_leave_a_surplus(gap):
    basis = gap.approved
    assert basis.approved_only is True
    assert basis.gross_kg == T("266588.579795")
    assert basis.credits_kg == T("280000")
    assert basis.net_kg == T("-13411.420205")
    assert basis.is_neutral is True
    assert (basis.short_t, basis.surplus_t) == (T(0), T("13.411420205"))


def test_pending_records_too_leave_the_year_short(gap):
    basis = gap.with_pending
    assert basis.approved_only is False
    assert basis.gross_kg == T("293247.437775")
    assert basis.credits_kg == T("280000")
    assert basis.net_kg == T("13247.437775")
    assert basis.is_neutral is False
    assert (basis.short_t, basis.surplus_t) == (T("13.247437775"), T(0))


def test_whole_credits_overshoot_a_small_remainder_into_a_surplus(
    organisation, hebei_plant, make_record
):
    make_record(hebei_plant, "natural_gas_stationary", "10", "t")
    forest = _project("CCER-14-001", "Taihang afforestation", "removal", "afforestation")
    batch = _batch(forest, 100, first=1, vintage=2022)
    # 26,658.85798 kg against 27 whole credits.
    _retire(batch, 27)
    basis = neutrality_gap(2023, today=BEFORE_DEADLINE).with_pending
    assert basis.net_kg == T("-341.14202")
    assert (basis.short_t, basis.surplus_t) == (T(0), T("0.34114202"))


def test_removals_are_listed_before_avoidance_with_what_each_batch_still_holds(gap, credits):
    removal, avoidance = gap.credits
    assert (removal.kind, str(removal.label)) == ("removal", "Removal")
    assert (avoidance.kind, str(avoidance.label)) == ("avoidance", "Avoidance / reduction")
    rows = [(b.batch_id, b.project_name, b.vintage_year, b.remaining_t) for b in removal.batches]
    assert rows == [
        (credits["forest_2022"].pk, "Taihang afforestation", 2022, T(800)),
        (credits["forest_2024"].pk, "Taihang afforestation", 2024, T(50)),
    ]
    assert [(b.batch_id, b.vintage_year, b.remaining_t) for b in avoidance.batches] == [
        (credits["wind_2021"].pk, 2021, T(400)),
    ]


def test_a_vintage_later_than_the_year_is_not_offered_nor_counted_as_available(gap, credits):
    removal, avoidance = gap.credits
    assert (removal.available_t, removal.excluded_t) == (T(800), T(50))
    assert (avoidance.available_t, avoidance.excluded_t) == (T(400), T(0))
    assert gap.available_t == T(1200)
    assert [b.batch_id for b in gap.offered] == [credits["forest_2022"].pk, credits["wind_2021"].pk]
    assert [b.batch_id for b in gap.excluded] == [credits["forest_2024"].pk]


def test_the_same_batch_counts_for_the_year_of_its_vintage(
    emissions_2023, credits, hebei_plant, make_record
):
    assert neutrality_gap(2024, today=dt.date(2025, 2, 1)) is None  # no 2024 data yet
    make_record(hebei_plant, "natural_gas_stationary", "10", "t", year=2024)
    gap_2024 = neutrality_gap(2024, today=dt.date(2025, 2, 1))
    assert gap_2024.excluded == []
    assert gap_2024.available_t == T(1250)


def test_the_deadline_is_the_end_of_the_following_year(gap):
    assert gap.deadline == dt.date(2024, 12, 31) == claims.retirement_deadline(2023)
    assert gap.deadline_passed is False


def test_the_deadline_has_passed_the_day_after(emissions_2023, credits):
    assert neutrality_gap(2023, today=AFTER_DEADLINE).deadline_passed is True


def test_the_claim_check_uses_the_same_deadline(make_retirement, organisation):
    on_deadline = make_retirement("1", kind="removal", retired_on=claims.retirement_deadline(2023))
    check = claims.check_retired_in_time(2023, [on_deadline])
    assert check.passed
    assert "2024-12-31" in check.message


def test_the_vintage_rule_is_the_claim_checks():
    assert claims.vintage_too_new(2024, claimed_year=2023, retired_on=dt.date(2024, 6, 1))
    assert claims.vintage_too_new(2024, claimed_year=2024, retired_on=dt.date(2023, 6, 1))
    assert not claims.vintage_too_new(2023, claimed_year=2023, retired_on=dt.date(2024, 6, 1))


def test_a_year_with_only_pending_records_has_no_approved_basis(
    organisation, hebei_plant, make_record
):
    make_record(hebei_plant, "natural_gas_stationary", "10", "t")
    gap = neutrality_gap(2023, today=BEFORE_DEADLINE)
    assert gap.approved is None
    assert gap.with_pending.gross_kg == T("26658.85798")
    assert gap.with_pending.short_t == T("26.65885798")
    assert [kind.batches for kind in gap.credits] == [(), ()]


def test_there_is_no_gap_without_an_organisation_or_activity_data(db):
    assert neutrality_gap(2023) is None


def test_it_costs_the_two_balances_and_one_query_for_every_batch(
    emissions_2023, credits, forest_project_batches
):
    def count(call):
        with CaptureQueriesContext(connection) as queries:
            call()
        return len(queries)

    # Both bases are read in one pass (inventory.yearly_balances_on_both_bases).
    balances = count(lambda: yearly_balances_on_both_bases([2023], with_base_year=False))
    before = count(lambda: neutrality_gap(2023, today=BEFORE_DEADLINE))
    forest_project_batches(5)
    # The two balances (their pass counts the year's records in review too) and the batches (1).
    assert count(lambda: neutrality_gap(2023, today=BEFORE_DEADLINE)) == before == balances + 1


@pytest.fixture
def forest_project_batches(credits):
    """Add `count` more batches of the afforestation project, each partly retired."""

    def add(count):
        project = credits["forest_2022"].project
        for index in range(count):
            batch = _batch(project, 10, first=100_001 + index * 10, vintage=2020 + index)
            _retire(batch, 3)

    return add
