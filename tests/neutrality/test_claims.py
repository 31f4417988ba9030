"""Claim checks (after ISO 14068-1): each one passes and fails in a constructed case."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from emissions.neutrality.claims import check_claims, check_year, neutrality_retirements
from emissions.neutrality.selectors import yearly_balance

pytestmark = pytest.mark.django_db


@pytest.fixture
def balance(organisation, hebei_plant, make_record, neutrality_target):
    """2023: 10 t of natural gas, 26,658.85798 kg; base year 2019: 20 t, 53,317.715959 kg."""
    make_record(hebei_plant, "natural_gas_stationary", "20", "t", year=2019)
    make_record(hebei_plant, "natural_gas_stationary", "10", "t", year=2023)
    return next(b for b in yearly_balance() if b.year == 2023)


def by_code(checks):
    return {check.code: check for check in checks}


def test_credits_retired_by_the_end_of_the_following_year_are_in_time(balance, make_retirement):
    retirement = make_retirement("1", kind="removal", retired_on=dt.date(2024, 12, 31))
    check = by_code(check_claims(balance, [retirement]))["retired_within_12_months"]
    assert check.passed
    assert "2024-12-31" in check.message


def test_credits_retired_more_than_12_months_after_the_year_fail(balance, make_retirement):
    on_time = make_retirement("1", kind="removal", retired_on=dt.date(2024, 1, 15))
    late = make_retirement("1", kind="removal", retired_on=dt.date(2025, 1, 1), reference="LATE-1")
    check = by_code(check_claims(balance, [on_time, late]))["retired_within_12_months"]
    assert not check.passed
    assert "LATE-1 (retired 2025-01-01)" in check.message
    assert on_time.registry_reference not in check.message


def test_vintages_up_to_the_claimed_year_pass(balance, make_retirement):
    retirement = make_retirement("1", kind="removal", vintage=2023)
    assert by_code(check_claims(balance, [retirement]))["vintage_not_after_claim"].passed


def test_a_vintage_after_the_claimed_year_fails(balance, make_retirement):
    retirement = make_retirement(
        "1", kind="removal", vintage=2024, retired_on=dt.date(2024, 6, 1), reference="V-2024"
    )
    check = by_code(check_claims(balance, [retirement]))["vintage_not_after_claim"]
    assert not check.passed
    assert "V-2024 (vintage 2024, retired 2024-06-01)" in check.message


def test_a_vintage_after_the_retirement_date_fails(balance, make_retirement):
    retirement = make_retirement(
        "1", kind="removal", vintage=2023, retired_on=dt.date(2022, 12, 1), reference="EARLY"
    )
    check = by_code(check_claims(balance, [retirement]))["vintage_not_after_claim"]
    assert not check.passed
    assert "EARLY" in check.message


def test_the_removal_share_is_reported_and_passes_when_there_are_removals(balance):
    with_credits = dataclasses.replace(
        balance,
        credits_removal_kg=Decimal("300000"),
        credits_avoidance_kg=Decimal("150000"),
    )
    check = by_code(check_claims(with_credits, []))["removal_share"]
    assert check.passed
    assert check.informational
    assert "66.7 %" in check.message
    assert "informational" in check.message


def test_the_removal_share_fails_when_all_credits_are_avoidance(balance):
    avoidance_only = dataclasses.replace(balance, credits_avoidance_kg=Decimal("1000"))
    check = by_code(check_claims(avoidance_only, []))["removal_share"]
    assert not check.passed
    assert "0.0 %" in check.message


def test_the_removal_share_fails_when_there_are_no_credits(balance):
    check = by_code(check_claims(balance, []))["removal_share"]
    assert not check.passed
    assert "No credits were retired for 2023" in check.message


def test_allowances_are_always_excluded_and_the_check_says_so(balance):
    surrendered = dataclasses.replace(balance, ets_surrendered_t=Decimal("5000"))
    check = by_code(check_claims(surrendered, []))["allowances_excluded"]
    assert check.passed
    assert "never counted toward neutrality" in check.message
    assert "5000.000 t" in check.message


def offset_to(balance, net_kg):
    """The balance with enough avoidance credits retired to bring its net to `net_kg`."""
    avoidance = balance.gross_kg - balance.credits_removal_kg - net_kg
    return dataclasses.replace(balance, credits_avoidance_kg=avoidance)


def test_a_neutral_year_with_less_than_the_base_year_passes_the_reduction_check(balance):
    neutral = offset_to(balance, Decimal("0"))
    assert neutral.is_neutral
    check = by_code(check_claims(neutral, []))["reductions_not_offsets_only"]
    assert check.passed
    # 26,658.85798 kg and 53,317.715959 kg in tonnes, half-up to 3 places
    assert "26.659 t" in check.message
    assert "53.318 t" in check.message


def test_a_neutral_year_without_reductions_relies_on_offsets_only_and_fails(balance):
    no_reduction = offset_to(
        dataclasses.replace(balance, base_gross_kg=balance.gross_kg), Decimal("-1")
    )
    check = by_code(check_claims(no_reduction, []))["reductions_not_offsets_only"]
    assert not check.passed
    assert "offsets alone" in check.message


def test_a_year_that_is_not_neutral_makes_no_claim_to_check(balance):
    check = by_code(check_claims(balance, []))["reductions_not_offsets_only"]
    assert check.passed
    assert "No neutrality claim" in check.message


def test_without_base_year_data_the_reduction_cannot_be_checked(balance):
    unknown = offset_to(dataclasses.replace(balance, base_gross_kg=None), Decimal("0"))
    check = by_code(check_claims(unknown, []))["reductions_not_offsets_only"]
    assert check.passed
    assert "could not be checked" in check.message


def test_every_check_is_reported_in_a_fixed_order(balance):
    assert [check.code for check in check_claims(balance, [])] == [
        "retired_within_12_months",
        "vintage_not_after_claim",
        "removal_share",
        "allowances_excluded",
        "reductions_not_offsets_only",
    ]


def test_ets_compliance_and_fully_reversed_retirements_are_left_out_of_the_checks(
    balance, make_retirement, reverse_retirement
):
    counted = make_retirement("2", kind="removal", reference="OK")
    partly = make_retirement("2", kind="removal", reference="PARTLY")
    reverse_retirement(partly, "1")
    undone = make_retirement("2", kind="removal", retired_on=dt.date(2026, 1, 1), reference="X")
    reverse_retirement(undone, "2")
    make_retirement("2", kind="avoidance", purpose="ets_compliance",
                    retired_on=dt.date(2026, 1, 1))  # fmt: skip
    make_retirement("2", kind="removal", claimed_year=2022)
    assert list(neutrality_retirements(2023)) == [counted, partly]
    assert all(check.passed for check in check_year(balance) if not check.informational)


def test_ets_compliance_retirements_passed_in_are_ignored(balance, make_retirement):
    late_ets = make_retirement(
        "2", kind="avoidance", purpose="ets_compliance", retired_on=dt.date(2026, 1, 1)
    )
    assert by_code(check_claims(balance, [late_ets]))["retired_within_12_months"].passed
