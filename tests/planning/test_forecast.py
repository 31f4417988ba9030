"""The forecast to the neutrality year, worked by hand (docs/methodology.md, "Forecast").

One Hebei plant (XT-01) in 2024, the base year: 1,000,000 kWh of grid electricity at Hebei's
0.6516 kg/kWh = 651,600 kg, and 100,000 m³ of natural gas at 2.1622 kg/m³ = 216,220 kg;
867,820 kg in all. Production 10,000 t in 2024, planned 11,000 t in 2025 (2026 keeps it) and
12,000 t in 2027. The MEE–NBS national grid factor went from 0.5568 (2021) to 0.5306 (2023):
(0.5306 / 0.5568)^(1/2) − 1 = −2.4 % a year. A carbon-neutrality target for 2027 covers
Scopes 1 and 2 (location-based). A heat pump abating 100 t a year starts on 1 July 2025.
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from emissions.dashboard.pages.overview import build_overview
from emissions.neutrality.inventory import latest_complete_year
from emissions.planning.budget import offsets_budget
from emissions.planning.forecast import build_forecast, year_share_from
from emissions.planning.grid_trend import published_grid_trend
from emissions.planning.models import Scenario, ScenarioMeasure

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


def by_year(forecast, name):
    return {row.year: getattr(row, name) for row in forecast.years}


def test_the_grid_trend_is_the_published_series_compound_change(organisation):
    trend = published_grid_trend(organisation)
    assert (trend.first_year, trend.first_kg_per_kwh) == (2021, Decimal("0.5568"))
    assert (trend.last_year, trend.last_kg_per_kwh) == (2023, Decimal("0.5306"))
    assert trend.change_pct == Decimal("-2.4")
    assert trend.multiplier(2) == Decimal("0.952576")


def test_the_base_year_is_the_latest_complete_year_and_its_actual_gross(worked_example):
    forecast = build_forecast(today=TODAY)
    assert forecast.base_year == 2024 == latest_complete_year(today=TODAY)
    assert forecast.end_year == 2027
    first = forecast.years[0]
    assert first.is_actual and first.bau_kg == first.residual_kg == Decimal("867820.000")
    (plant,) = forecast.facilities
    assert plant.electricity_kg == Decimal("651600.000")
    assert plant.other_kg == Decimal("216220.000")
    assert plant.grid_kwh == Decimal("1000000")


def test_business_as_usual_grows_with_output_and_the_grid_trend(worked_example):
    forecast = build_forecast(today=TODAY)
    # (216,220 + 651,600 × 0.976^n) × production ÷ 10,000 t; 2026 keeps 2025's 11,000 t.
    assert by_year(forecast, "bau_kg") == {
        2024: Decimal("867820.000"),
        2025: Decimal("937399.760"),
        2026: Decimal("920610.373760"),
        2027: Decimal("986426.108498"),
    }


def test_an_initiative_wedge_counts_the_days_after_its_start(worked_example):
    forecast = build_forecast(today=TODAY)
    # 1 July–31 December 2025 is 184 of 365 days: 100 t × 184 / 365.
    assert year_share_from(dt.date(2025, 7, 1), 2025) == Decimal(184) / 365
    assert by_year(forecast, "wedges_kg") == {
        2024: {},
        2025: {"heat_pump": Decimal("50410.958904")},
        2026: {"heat_pump": Decimal("100000.000")},
        2027: {"heat_pump": Decimal("100000.000")},
    }
    (heat_pump,) = forecast.levers
    # (1,000,000 ÷ 10 − 20,000) a year ÷ 100 t.
    assert heat_pump.yearly_cost == Decimal(80000)
    assert heat_pump.cost_per_t == Decimal("800.00")
    assert heat_pump.cost_in(2025) == Decimal("40328.77")  # 80,000 × 184 / 365


def test_initiatives_not_counted_say_why(worked_example):
    forecast = build_forecast(today=TODAY)
    assert [(s.title, s.reason) for s in forecast.skipped] == [
        ("LED retrofit", "in the base year's actuals"),
        ("Green-power contract", "an idea, not yet committed"),
    ]


def test_the_residual_and_the_pathway(worked_example):
    forecast = build_forecast(today=TODAY)
    assert by_year(forecast, "residual_kg") == {
        2024: Decimal("867820.000"),
        2025: Decimal("886988.801096"),
        2026: Decimal("820610.373760"),
        2027: Decimal("886426.108498"),
    }
    # A straight line from the base year's 867,820 kg to zero net in 2027.
    assert by_year(forecast, "pathway_kg") == {
        2024: Decimal("867820.000"),
        2025: Decimal("578546.666667"),
        2026: Decimal("289273.333333"),
        2027: Decimal("0.000"),
    }
    assert forecast.meets_pathway is False
    assert forecast.reduction_vs_base_pct == Decimal("2.1")  # 886,426 against 867,820 kg


def test_the_offsets_budget_uses_credits_held_then_buys(worked_example):
    forecast = build_forecast(today=TODAY)
    budget = offsets_budget(forecast, held=(Decimal("500"), Decimal("100")))
    rows = [
        (y.year, y.needed_t, y.removals_share_pct, y.removals_t, y.avoidance_t,
         y.held_removals_used_t, y.held_avoidance_used_t, y.cost)
        for y in budget.years
    ]  # fmt: skip
    # Removals 0 % in 2025, 100 % in 2027; held credits used first, earliest year first.
    assert rows == [
        (2025, Decimal("886.989"), Decimal("0.0"), Decimal("0.000"), Decimal("886.989"),
         Decimal("0.000"), Decimal("100"), None),
        (2026, Decimal("820.610"), Decimal("50.0"), Decimal("410.305"), Decimal("410.305"),
         Decimal("410.305"), Decimal("0"), None),
        (2027, Decimal("886.426"), Decimal("100.0"), Decimal("886.426"), Decimal("0.000"),
         Decimal("89.695"), Decimal("0"), None),
    ]  # fmt: skip
    assert budget.needed_t == Decimal("2594.025")
    assert budget.from_held_t == Decimal("600.000")


def test_a_scenario_changes_the_trend_counts_ideas_and_adds_solar(faster):
    forecast = build_forecast(faster, today=TODAY)
    assert forecast.grid.change_pct == Decimal("-2") and not forecast.grid.is_published
    # 500 MWh at XT-01's 0.6516 kg/kWh, × 0.98 a year after 2024.
    solar = next(lever for lever in forecast.levers if lever.title == "Solar 0.5 MW")
    assert solar.abatement_kg == {2026: Decimal("312898.320000"), 2027: Decimal("306640.35360")}
    assert solar.wedge == "rooftop_solar"
    assert solar.yearly_cost == Decimal(-200000)  # 2,000,000 ÷ 20 − 300,000
    # The idea (green power, from 2026) is counted too.
    assert by_year(forecast, "wedges_kg")[2026] == {
        "heat_pump": Decimal("100000.000"),
        "rooftop_solar": Decimal("312898.320000"),
        "green_power": Decimal("300000.000"),
    }
    assert by_year(forecast, "bau_kg")[2026] == Decimal("926218.304")
    assert by_year(forecast, "residual_kg")[2026] == Decimal("213319.984")


def test_a_scenario_prices_the_credits_it_buys(faster):
    budget = offsets_budget(build_forecast(faster, today=TODAY), held=(Decimal(0), Decimal(0)))
    prices = [
        (y.year, y.removals_share_pct, y.removal_price, y.avoidance_price, y.cost)
        for y in budget.years
    ]
    assert prices[0][:4] == (2025, Decimal("20.0"), Decimal("200.00"), Decimal("50.00"))
    assert prices[1][:4] == (2026, Decimal("60.0"), Decimal("220.00"), Decimal("55.00"))
    assert prices[2][:4] == (2027, Decimal("100.0"), Decimal("242.00"), Decimal("60.50"))
    first = budget.years[0]
    assert first.cost == (first.removals_t * 200 + first.avoidance_t * 50).quantize(Decimal("0.01"))


def test_solar_never_covers_more_than_the_grid_electricity_left(worked_example):
    scenario = Scenario.objects.create(name="Too much solar")
    ScenarioMeasure.objects.create(
        scenario=scenario, title="Solar 5 MW", kind="rooftop_solar", facility=worked_example,
        start_year=2025, amount=5, full_load_hours=1200,
    )  # fmt: skip
    forecast = build_forecast(scenario, today=TODAY)
    (solar,) = [lever for lever in forecast.levers if lever.key.startswith("measure")]
    # 6,000 MWh offered, 1,100 MWh bought in 2025 (1,000 MWh × 11,000 / 10,000 t): all of its
    # grid electricity's BAU emissions, 651,600 × 0.976 × 1.1 kg.
    assert solar.abatement_kg[2025] == Decimal("699557.7600")


def test_certificates_abate_nothing_in_a_location_based_boundary(worked_example):
    scenario = Scenario.objects.create(name="Certificates")
    ScenarioMeasure.objects.create(
        scenario=scenario, title="GECs", kind="certificates", start_year=2025, amount=100
    )
    (gecs,) = [lever for lever in build_forecast(scenario, today=TODAY).levers
               if lever.title == "GECs"]  # fmt: skip
    assert gecs.abatement_kg == {}
    assert gecs.note == "certificates change market-based Scope 2 only"


def test_a_facility_closed_is_not_projected_after_its_last_year(worked_example):
    worked_example.closed_on = dt.date(2025, 12, 31)
    worked_example.save()
    forecast = build_forecast(today=TODAY)
    assert by_year(forecast, "bau_kg")[2026] == Decimal("0.000")
    assert by_year(forecast, "residual_kg")[2026] == Decimal("0.000")  # never below zero


def test_no_forecast_without_a_complete_year(organisation, hebei_plant, make_record):
    make_record(hebei_plant, "grid_electricity", "1000", "kWh", start=dt.date(2026, 1, 1),
                end=dt.date(2026, 1, 31))  # fmt: skip
    assert build_forecast(today=TODAY) is None


# --- The demo: the forecast reads the same inventory as the overview ---------------------------


@pytest.fixture
def demo(organisation):
    call_command("load_demo", stdout=io.StringIO())


def test_the_forecasts_first_year_equals_the_overviews_actuals(demo):
    forecast = build_forecast()
    overview = build_overview(year=latest_complete_year(), facility=None)
    assert forecast.base_year == overview.year == 2025
    assert forecast.years[0].bau_kg == overview.current.gross_kg == Decimal("4601079.643339")
    # The facilities' split adds up to the same figure (market-based Scope 2, certificates).
    split = sum((f.electricity_kg + f.other_kg for f in forecast.facilities), Decimal(0))
    assert split == overview.current.gross_kg
    plan = build_forecast(Scenario.objects.get(is_plan=True))
    assert plan.years[0].bau_kg == overview.current.gross_kg


def test_the_budget_reads_the_credits_held_from_unretired_batches(worked_example):
    from emissions.offsets import services
    from emissions.offsets.models import CreditKind, CreditProject

    forest = CreditProject.objects.create(
        name="Taihang afforestation", standard="ccer", registry_project_id="CCER-14-001",
        project_type="afforestation", kind=CreditKind.REMOVAL,
    )  # fmt: skip
    batch = services.add_credit_batch(
        project=forest, vintage_year=2024, quantity_t=Decimal(300), serial_first=1,
        serial_last=300, purchased_on=dt.date(2025, 1, 15), price_per_t=Decimal("90.00"),
    )  # fmt: skip
    services.retire_credits(
        batch=batch, quantity_t=Decimal(120), claimed_year=2024, retired_on=dt.date(2025, 3, 1),
        registry_reference="RET-1",
    )  # fmt: skip
    budget = offsets_budget(build_forecast(today=TODAY))
    assert (budget.held_removals_t, budget.held_avoidance_t) == (Decimal(180), Decimal(0))


def test_solar_at_a_facility_without_base_year_records_abates_nothing_and_says_why(
    worked_example,
):
    from emissions.facilities.models import Facility

    new_plant = Facility.objects.create(
        code="XT-09", name_en="Plant to be built", kind="factory", province="CN-HE",
        grid_region="CN-North", opened_on=dt.date(2026, 1, 1),
    )  # fmt: skip
    scenario = Scenario.objects.create(name="New plant")
    ScenarioMeasure.objects.create(
        scenario=scenario, title="Solar on the new plant", kind="rooftop_solar",
        facility=new_plant, start_year=2026, amount=1, full_load_hours=1000,
    )  # fmt: skip
    (solar,) = [lever for lever in build_forecast(scenario, today=TODAY).levers
                if lever.key.startswith("measure")]  # fmt: skip
    assert solar.abatement_kg == {}
    assert solar.note == "the facility has no records in the base year: no electricity to replace"
