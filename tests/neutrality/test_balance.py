"""The yearly balance's coverage rules, pathways, the MAC curve and the query budget."""

import datetime as dt
from decimal import Decimal

import pytest

from emissions.neutrality import selectors
from emissions.neutrality.models import ReductionInitiative, Target
from emissions.neutrality.selectors import initiatives_mac, target_pathway, yearly_balance

pytestmark = pytest.mark.django_db

# 2023 at the Hebei plant (see test_worked_example for the factors):
GAS_KG = Decimal("26658.857980")  # 10 t natural gas = 12,329.506049163905 Nm³ × 2.1622
GRID_LOCATION_KG = Decimal("65160")  # 100,000 kWh × 0.6516
GRID_MARKET_KG = Decimal("60960")  # 100,000 kWh × 0.6096 residual
HOTEL_KG = Decimal("535")  # s3_06
WASTE_KG = Decimal("5205.327")  # s3_05


@pytest.fixture
def inventory(organisation, hebei_plant, make_record):
    make_record(hebei_plant, "natural_gas_stationary", "10", "t")
    make_record(hebei_plant, "grid_electricity", "100000", "kWh")
    make_record(hebei_plant, "hotel_nights", "10", "night")
    make_record(hebei_plant, "waste_landfill", "10", "t")


def only_balance():
    (balance,) = yearly_balance()
    return balance


def test_without_a_target_everything_counts_with_scope_2_market_based(inventory):
    balance = only_balance()
    assert balance.target is None
    assert balance.gross_kg == GAS_KG + GRID_MARKET_KG + HOTEL_KG + WASTE_KG
    assert balance.base_year == 2019  # the organisation's
    assert balance.base_gross_kg is None
    assert balance.change_vs_base_pct is None
    assert balance.pathway_kg is None


def test_a_neutrality_target_counts_only_what_it_covers(inventory, neutrality_target):
    assert only_balance().gross_kg == GAS_KG + GRID_MARKET_KG + HOTEL_KG


def test_a_location_based_target_counts_scope_2_location_based(inventory, neutrality_target):
    neutrality_target.scope2_method = "location"
    neutrality_target.covers_scope1 = False
    neutrality_target.scope3_categories = []
    neutrality_target.save()
    assert only_balance().gross_kg == GRID_LOCATION_KG


def test_a_target_without_scope_2_leaves_it_out(inventory, neutrality_target):
    neutrality_target.covers_scope2 = False
    neutrality_target.save()
    assert only_balance().gross_kg == GAS_KG + HOTEL_KG


def test_a_net_zero_target_is_used_when_there_is_no_neutrality_target(inventory):
    Target.objects.create(
        name="Renewables 2030", kind="renewable_share", base_year=2019, target_year=2030,
        renewable_share_pct=Decimal("60"),
    )  # fmt: skip
    net_zero = Target.objects.create(
        name="Net zero 2050", kind="net_zero", base_year=2023, target_year=2050,
        reduction_pct=Decimal("90"), covers_scope1=True, covers_scope2=False,
    )  # fmt: skip
    assert selectors.neutrality_target() == net_zero
    balance = only_balance()
    assert balance.gross_kg == GAS_KG
    assert balance.base_year == 2023
    assert balance.base_gross_kg == GAS_KG
    assert balance.pathway_kg == GAS_KG  # the base year itself


def test_the_neutrality_target_wins_over_a_net_zero_target(neutrality_target):
    Target.objects.create(
        name="Net zero 2025", kind="net_zero", base_year=2019, target_year=2025,
        reduction_pct=Decimal("90"),
    )  # fmt: skip
    assert selectors.neutrality_target() == neutrality_target


def test_a_stated_base_year_total_is_used_instead_of_the_inventory(inventory, neutrality_target):
    neutrality_target.base_year_gross_t = Decimal("110")
    neutrality_target.save()
    balance = only_balance()
    assert balance.base_gross_kg == Decimal("110000.000000")
    # (88,153.85798 − 110,000) / 110,000 = −19.86 %
    assert balance.change_vs_base_pct == Decimal("-19.9")
    assert balance.pathway_kg == Decimal("70000.000000")  # 110 t × 7/11


def test_the_neutrality_pathway_runs_straight_to_zero_in_the_target_year(neutrality_target):
    neutrality_target.base_year_gross_t = Decimal("1100")
    neutrality_target.save()
    points = target_pathway(neutrality_target)
    assert points[0] == (2019, Decimal("1100000.000000"))
    assert points[4] == (2023, Decimal("700000.000000"))
    assert points[-1] == (2030, Decimal("0.000000"))
    assert [year for year, _kg in points] == list(range(2019, 2031))


def test_an_absolute_target_pathway_ends_at_the_reduced_base(organisation, hebei_plant,
                                                              make_record):
    make_record(hebei_plant, "natural_gas_stationary", "10", "t", year=2020)
    target = Target.objects.create(
        name="−50 % by 2025", kind="absolute", base_year=2020, target_year=2025,
        reduction_pct=Decimal("50"), covers_scope2=False,
    )  # fmt: skip
    points = target_pathway(target)
    assert points[0] == (2020, GAS_KG)
    assert points[1] == (2021, Decimal("23992.972182"))  # 26,658.85798 × (1 − 0.5 × 1/5)
    assert points[-1] == (2025, Decimal("13329.428990"))


def test_a_pathway_needs_base_year_data_and_a_quantity(organisation):
    neutral = Target.objects.create(
        name="Neutral", kind="neutrality", base_year=2019, target_year=2030
    )
    share = Target.objects.create(
        name="Renewables", kind="renewable_share", base_year=2019, target_year=2030,
        renewable_share_pct=Decimal("60"),
    )  # fmt: skip
    assert target_pathway(neutral) == []
    assert target_pathway(share) == []


def test_outside_the_pathway_years_there_is_no_pathway_value(
    organisation, hebei_plant, make_record, neutrality_target
):
    neutrality_target.base_year_gross_t = Decimal("100")
    neutrality_target.target_year = 2022
    neutrality_target.save()
    make_record(hebei_plant, "natural_gas_stationary", "10", "t", year=2018)
    make_record(hebei_plant, "natural_gas_stationary", "10", "t", year=2023)
    assert [(b.year, b.pathway_kg) for b in yearly_balance()] == [(2018, None), (2023, None)]


def test_asking_for_some_years_still_compares_with_the_base_year(
    organisation, hebei_plant, make_record, neutrality_target
):
    make_record(hebei_plant, "natural_gas_stationary", "20", "t", year=2019)
    make_record(hebei_plant, "natural_gas_stationary", "10", "t", year=2022)
    make_record(hebei_plant, "natural_gas_stationary", "15", "t", year=2023)
    (balance,) = yearly_balance(years=[2023])
    assert balance.year == 2023
    # 20 t = 24,659.012098327811 Nm³ × 2.1622: each record's Nm³ and kg are rounded on their own,
    # so twice 10 t's 26,658.85798 kg less 1 mg
    assert balance.base_gross_kg == Decimal("53317.715959")
    assert balance.change_vs_base_pct == Decimal("-25.0")


def test_there_is_no_balance_before_the_organisation_is_set_up(db):
    assert yearly_balance() == []


def test_retirements_and_reversals_count_for_their_claimed_year_only(
    inventory, make_retirement, reverse_retirement
):
    make_retirement("10", kind="removal", claimed_year=2022)
    retired = make_retirement("20", kind="removal", claimed_year=2023)
    reverse_retirement(retired, "20")  # fully reversed
    make_retirement("5", kind="avoidance", standard="vcs", claimed_year=2023)
    balance = only_balance()
    assert balance.credits_removal_kg == Decimal("0")
    assert balance.credits_avoidance_kg == Decimal("5000.000000")


@pytest.fixture
def bigger_inventory(inventory, hebei_plant, second_hebei_plant, us_plant, make_record,
                     make_certificate, make_retirement, reverse_retirement):
    """Many more records, facilities, years, certificates and credits than `inventory`."""
    for facility in (hebei_plant, second_hebei_plant, us_plant):
        for year in (2019, 2022, 2023):
            for month in (1, 2, 3, 4):
                period = {"start": dt.date(year, month, 1), "end": dt.date(year, month, 28)}
                make_record(facility, "grid_electricity", "1000", "kWh", **period)
                make_record(facility, "onsite_solar_consumed", "100", "kWh", **period)
                make_record(facility, "hotel_nights", "2", "night", **period)
            make_certificate("1", facility=facility, year=year)
    make_certificate("2", year=2023)
    retired = make_retirement("5", kind="avoidance", standard="vcs")
    reverse_retirement(retired, "1")
    make_retirement("3", kind="removal", claimed_year=2019)


def test_the_balance_runs_a_fixed_number_of_queries(
    inventory, neutrality_target, make_retirement, django_assert_num_queries
):
    make_retirement("1", kind="removal")
    # Organisation, targets, records by year and category, grid electricity, certificates,
    # facilities, residual factors, GWPs, retirements, reversals, planting, allowances.
    with django_assert_num_queries(12):
        yearly_balance()


def test_the_query_count_does_not_grow_with_records_years_or_facilities(
    bigger_inventory, neutrality_target, django_assert_num_queries
):
    with django_assert_num_queries(12):
        balances = yearly_balance()
    assert [balance.year for balance in balances] == [2019, 2022, 2023]
    assert len(balances[-1].scope2_facilities) == 3


def initiative(title, *, abatement, capex, saving, lifetime=10, status="planned"):
    return ReductionInitiative.objects.create(
        title=title, kind="other", status=status,
        expected_abatement_t_per_year=Decimal(abatement), capex=Decimal(capex),
        annual_saving=Decimal(saving), lifetime_years=lifetime,
    )  # fmt: skip


def test_the_mac_curve_lists_initiatives_cheapest_per_tonne_first(db):
    solar = initiative("Rooftop solar", abatement="400", capex="2000000", saving="250000")
    led = initiative("LED", abatement="50", capex="100000", saving="40000", status="done")
    boiler = initiative("Boiler switch", abatement="1000", capex="5000000", saving="0")
    rows = initiatives_mac()
    assert [row.initiative for row in rows] == [led, solar, boiler]
    # LED: (100,000/10 − 40,000)/50 = −600; solar: (200,000 − 250,000)/400 = −125;
    # boiler: 500,000/1,000 = 500
    assert [row.cost_per_t for row in rows] == [Decimal("-600.00"), Decimal("-125.00"),
                                                Decimal("500.00")]  # fmt: skip
    assert [row.abatement_t for row in rows] == [Decimal("50"), Decimal("400"), Decimal("1000")]
    assert [row.cumulative_start_t for row in rows] == [Decimal("0"), Decimal("50"),
                                                        Decimal("450")]  # fmt: skip
    assert [row.initiative for row in initiatives_mac(statuses=["planned"])] == [solar, boiler]
