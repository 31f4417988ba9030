"""The rollups equal the sums of the records after every way records are written.

Run on SQLite (row-level triggers) by `make test` locally and on PostgreSQL (statement-level
triggers with transition tables) by CI; both must agree with the raw sums to the exact Decimal.
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Sum

from emissions.activities import imports, rollups, workflow
from emissions.activities.models import ActivityRecord, MonthRollup, RecordRollup
from emissions.activities.recalculation import recalculate_co2e, recalculate_factor_records
from emissions.factors.models import Gas

pytestmark = pytest.mark.django_db

HEADER = "facility,activity_type,period_start,period_end,quantity,unit,data_quality\n"


@pytest.fixture
def people(django_user_model):
    maker = django_user_model.objects.create_user("maker", password="maker-pass-123")
    checker = django_user_model.objects.create_user("checker", password="checker-pass-123")
    return maker, checker


@pytest.fixture
def records(hebei_plant, make_record):
    """Grid electricity (with kWh), diesel (a factor), a refrigerant leak (other gas), 2 years."""
    return [
        make_record(hebei_plant, "grid_electricity", "1000.5", "kWh"),
        make_record(hebei_plant, "grid_electricity", "250", "MWh", start=dt.date(2024, 2, 1),
                    end=dt.date(2024, 2, 29)),
        make_record(hebei_plant, "diesel_stationary", "120", "L"),
        make_record(hebei_plant, "refrigerant_r410a", "3.2", "kg", start=dt.date(2023, 7, 1),
                    end=dt.date(2023, 7, 31)),
    ]  # fmt: skip


def assert_rollups_equal_records():
    assert rollups.mismatches() == []


def test_new_records_are_summed(records):
    assert_rollups_equal_records()
    assert RecordRollup.objects.aggregate(n=Sum("record_count"))["n"] == 4
    assert MonthRollup.objects.aggregate(n=Sum("record_count"))["n"] == 4
    # The grid rows carry their kWh: 1000.5 kWh in 2023, 250 MWh in 2024.
    kwh = dict(
        RecordRollup.objects.filter(activity_type__code="grid_electricity").values_list(
            "year", "electricity_kwh"
        )
    )
    assert kwh == {2023: Decimal("1000.5"), 2024: Decimal("250000")}


def test_a_leak_keeps_its_gas_in_the_key(records):
    leak = RecordRollup.objects.get(activity_type__code="refrigerant_r410a")
    assert leak.other_gas == Gas.objects.get(code="R-410A")
    assert leak.other_gas_kg == Decimal("3.2")
    assert leak.factor_id is None


def test_an_edit_moves_the_sums(records):
    record = records[0]
    record.quantity = Decimal("2000")
    record.save()
    assert_rollups_equal_records()
    # Moving a record to another month and year moves it between rollup keys.
    record.period_start, record.period_end = dt.date(2022, 12, 1), dt.date(2022, 12, 31)
    record.save()
    assert_rollups_equal_records()
    assert MonthRollup.objects.filter(year=2022, month=12).get().record_count == 1


def test_a_deleted_record_leaves_no_empty_rollup_row(records):
    for record in records:
        record.delete()
    assert RecordRollup.objects.count() == 0
    assert MonthRollup.objects.count() == 0


def test_queryset_delete_and_bulk_create(records):
    ActivityRecord.objects.filter(year=2023).delete()
    assert_rollups_equal_records()
    copies = []
    for record in records:
        record.pk = None
        copies.append(record)
    ActivityRecord.objects.bulk_create(copies)
    assert_rollups_equal_records()
    assert RecordRollup.objects.aggregate(n=Sum("record_count"))["n"] == 5


def test_review_moves_kg_between_statuses(records, people):
    maker, checker = people
    everything = ActivityRecord.objects.all()
    workflow.submit(everything, user=maker)
    assert_rollups_equal_records()
    assert set(RecordRollup.objects.values_list("status", flat=True)) == {"submitted"}
    workflow.approve(ActivityRecord.objects.filter(year=2023), user=checker)
    workflow.reject(ActivityRecord.objects.filter(year=2024), user=checker, reason="meter")
    assert_rollups_equal_records()
    assert RecordRollup.objects.counted().aggregate(n=Sum("record_count"))["n"] == 3
    assert RecordRollup.objects.approved().aggregate(n=Sum("record_count"))["n"] == 3


def test_recalculations(records):
    factor = records[0].factor
    factor.co2_kg = Decimal("0.7123")
    factor.save()  # the signal recalculates its records, set-based
    assert_rollups_equal_records()
    recalculate_factor_records([records[2].factor_id])
    recalculate_co2e(reason="GWP check")
    assert_rollups_equal_records()


def test_an_import_and_its_rollback(organisation, hebei_plant, people):
    maker, _checker = people
    rows = "".join(
        f"XT-01,grid_electricity,2023-{month:02d}-01,2023-{month:02d}-28,{month}00.25,kWh,metered\n"
        for month in range(1, 13)
    )
    batch = imports.start_import(user=maker, file_name="r.csv", content=(HEADER + rows).encode())
    result = imports.commit_import(batch=batch, user=maker, sha=batch.sha256)
    assert result.errors == []
    assert_rollups_equal_records()
    assert MonthRollup.objects.count() == 12
    assert RecordRollup.objects.get().record_count == 12
    imports.rollback_import(batch=batch, user=maker)
    assert_rollups_equal_records()
    assert RecordRollup.objects.count() == 0


def test_a_failed_transaction_leaves_the_rollups_as_they_were(records):
    before = list(RecordRollup.objects.order_by("pk").values())
    with pytest.raises(RuntimeError), transaction.atomic():
        ActivityRecord.objects.all().delete()
        raise RuntimeError("abandoned")
    assert list(RecordRollup.objects.order_by("pk").values()) == before


def test_rebuild_repairs_a_rollup_changed_behind_the_triggers(records):
    RecordRollup.objects.update(co2e_kg=0)
    MonthRollup.objects.all().delete()
    assert len(rollups.mismatches()) > 0
    rollups.rebuild()
    assert_rollups_equal_records()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncating_the_records_empties_the_rollups(records):
    with connection.cursor() as cursor:
        # The test's transaction has deferred foreign-key checks pending; TRUNCATE wants none.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE activities_activityrecord CASCADE")
    assert RecordRollup.objects.count() == 0
    assert MonthRollup.objects.count() == 0


def test_the_command_checks_and_rebuilds(records):
    out = io.StringIO()
    call_command("rollups", stdout=out)
    assert "The rollups equal the sums of the activity records." in out.getvalue()
    RecordRollup.objects.filter(year=2024).update(co2e_kg=Decimal("1"))
    with pytest.raises(CommandError, match="1 rollup rows differ from the records"):
        call_command("rollups", stdout=io.StringIO())
    out = io.StringIO()
    call_command("rollups", "--rebuild", stdout=out)
    assert "Rebuilt" in out.getvalue()
    assert_rollups_equal_records()


def test_a_corrected_category_of_a_type_moves_its_records_and_their_sums(records):
    from emissions.activities.models import ActivityType

    diesel_type = ActivityType.objects.get(code="diesel_stationary")
    diesel_type.category = "s1_mobile"
    diesel_type.save()  # its records are calculated again (signals.py)
    diesel = ActivityRecord.objects.get(activity_type=diesel_type)
    assert (diesel.scope, diesel.category) == (1, "s1_mobile")
    assert RecordRollup.objects.get(activity_type=diesel_type).category == "s1_mobile"
    assert_rollups_equal_records()
