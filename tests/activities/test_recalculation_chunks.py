"""Recalculations run their statements on slices of ids, reporting progress after each slice:
at a million records a job says how far it got at least every few seconds."""

from decimal import Decimal

import pytest

from emissions.activities import recalculation
from emissions.activities.models import ActivityRecord
from tests.factories import metered

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_records(make_record, hebei_plant):
    return [
        make_record(hebei_plant, "grid_electricity", Decimal(kwh), "kWh", **metered(2023))
        for kwh in ("1000", "2000", "3000")
    ]


@pytest.fixture
def reports(monkeypatch):
    seen = []
    # One id per slice (the default size is bound when id_chunks is defined).
    monkeypatch.setattr(recalculation.id_chunks, "__defaults__", (1,))
    monkeypatch.setattr(
        recalculation.progress, "report", lambda done, total: seen.append((done, total))
    )
    return seen


def test_a_factor_change_reports_after_each_slice(three_records, reports):
    factor = three_records[0].factor
    factor.co2_kg = Decimal("0.5")
    type(factor).objects.filter(pk=factor.pk).update(co2_kg=Decimal("0.5"))
    assert recalculation.recalculate_factor_records([factor.pk]) == 3
    assert reports == [(1, 3), (2, 3), (3, 3), (3, 3)]
    kg = sorted(ActivityRecord.objects.values_list("co2e_kg", flat=True))
    assert kg == [Decimal("500.000000"), Decimal("1000.000000"), Decimal("1500.000000")]
    # Each record's history has its one "changed" row, whatever the slicing.
    for record in three_records:
        assert record.history.filter(history_type="~").count() == 1


def test_a_gwp_switch_reports_after_each_slice(three_records, reports, organisation):
    assert recalculation.recalculate_co2e(reason="test") == 3
    assert reports == [(1, 3), (2, 3), (3, 3), (3, 3)]


def test_slices_cover_every_record_once_across_gaps_in_the_ids(three_records):
    ActivityRecord.objects.filter(pk=three_records[1].pk).delete()
    slices = list(recalculation.id_chunks(ActivityRecord.objects.all(), size=1))
    assert [list(chunk.values_list("pk", flat=True)) for chunk in slices] == [
        [three_records[0].pk], [], [three_records[2].pk]
    ]  # fmt: skip
