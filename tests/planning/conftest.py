"""The forecast's worked example (docs/methodology.md, "Forecast"), shared by the forecast's
tests and its pages' tests."""

import datetime as dt
from decimal import Decimal

import pytest

from emissions.facilities.models import FacilityOutput
from emissions.neutrality.models import ReductionInitiative, Target
from emissions.planning.models import Scenario, ScenarioMeasure


@pytest.fixture
def worked_example(organisation, hebei_plant, make_record):
    make_record(hebei_plant, "grid_electricity", "900000", "kWh", start=dt.date(2024, 1, 1),
                end=dt.date(2024, 11, 30), status="approved")  # fmt: skip
    make_record(hebei_plant, "grid_electricity", "100000", "kWh", start=dt.date(2024, 12, 1),
                end=dt.date(2024, 12, 31))  # fmt: skip
    make_record(hebei_plant, "natural_gas_stationary", "100000", "m**3",
                start=dt.date(2024, 12, 1), end=dt.date(2024, 12, 31),
                status="approved")  # fmt: skip
    for year, tonnes in ((2024, 10000), (2025, 11000), (2027, 12000)):
        FacilityOutput.objects.create(
            facility=hebei_plant, year=year, metric="production", value=tonnes, unit="t"
        )
    Target.objects.create(
        name="Neutral by 2027", kind="neutrality", base_year=2024, target_year=2027,
        covers_scope1=True, covers_scope2=True, scope2_method="location", scope3_categories=[],
    )  # fmt: skip
    ReductionInitiative.objects.create(
        title="Heat pump", kind="heat_pump", status="planned", start_date=dt.date(2025, 7, 1),
        expected_abatement_t_per_year=100, capex=1000000, annual_saving=20000, lifetime_years=10,
    )  # fmt: skip
    ReductionInitiative.objects.create(
        title="LED retrofit", kind="led", status="done", start_date=dt.date(2023, 3, 1),
        expected_abatement_t_per_year=20,
    )  # fmt: skip
    ReductionInitiative.objects.create(
        title="Green-power contract", kind="green_power", status="idea",
        start_date=dt.date(2026, 1, 1), expected_abatement_t_per_year=300,
    )  # fmt: skip
    return hebei_plant


@pytest.fixture
def faster(worked_example):
    scenario = Scenario.objects.create(
        name="Faster", grid_change_pct=Decimal("-2"), include_ideas=True,
        avoidance_price=50, removal_price=200, price_change_pct=10,
        removals_share_start_pct=20, removals_share_end_pct=100,
    )  # fmt: skip
    ScenarioMeasure.objects.create(
        scenario=scenario, title="Solar 0.5 MW", kind="rooftop_solar", facility=worked_example,
        start_year=2026, amount=Decimal("0.5"), full_load_hours=1000, capex=2000000,
        annual_cost=-300000, lifetime_years=20,
    )  # fmt: skip
    return scenario
