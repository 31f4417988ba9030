"""Records keep the history of what they were calculated with, set-based recalculations too."""

from decimal import Decimal

import pytest

from emissions.activities.models import RecalculationRun
from emissions.factors.models import EmissionFactor

pytestmark = pytest.mark.django_db


def test_a_factor_change_leaves_the_old_and_new_calculation_in_the_history(
    hebei_plant, make_record
):
    record = make_record(hebei_plant, "grid_electricity", Decimal("10"), "MWh")
    factor = EmissionFactor.objects.get(key="grid_electricity_cn_he_2023")
    factor.co2_kg = Decimal("0.7")
    factor.save()

    record.refresh_from_db()
    assert record.co2_kg == Decimal("7000.000000")
    history = list(record.history.order_by("history_date"))
    assert [(h.history_type, h.co2_kg) for h in history] == [
        ("+", Decimal("6516.000000")),
        ("~", Decimal("7000.000000")),
    ]
    assert history[-1].history_change_reason == "Factor grid_electricity_cn_he_2023 changed"
    assert history[-1].factor_id == factor.pk


def test_each_recalculation_is_logged_with_its_reason_and_count(
    hebei_plant, make_record, organisation
):
    make_record(hebei_plant, "grid_electricity", Decimal("10"), "MWh")
    make_record(hebei_plant, "refrigerant_r410a", Decimal("5"), "kg")
    organisation.gwp_basis = "AR6"
    organisation.save()

    run = RecalculationRun.objects.get()
    assert run.reason == "GWP values or basis changed"
    assert run.records_updated == 2
    assert run.gwp_basis == "AR6"


def test_the_factor_change_of_a_factor_nobody_uses_logs_nothing(organisation):
    factor = EmissionFactor.objects.get(key="grid_electricity_cn_he_2023")
    factor.save()
    assert not RecalculationRun.objects.exists()


def test_a_changed_fuel_density_recalculates_that_types_records(hebei_plant, make_record):
    from emissions.activities.models import ActivityType

    record = make_record(hebei_plant, "diesel_stationary", Decimal("1000"), "L")
    assert record.co2_kg == Decimal("2676.492000")  # 0.84 t × 3186.3
    diesel = ActivityType.objects.get(code="diesel_stationary")
    diesel.density_kg_per_l = Decimal("0.83")
    diesel.save()

    record.refresh_from_db()
    assert record.co2_kg == Decimal("2644.629000")  # 0.83 t × 3186.3
    assert record.history.latest().history_change_reason == "Factors re-selected"
