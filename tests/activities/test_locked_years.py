"""Activity records of a locked reporting year: the admin, the import, its rollback and the
recalculations refuse to change them, and say why."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from emissions.activities import imports
from emissions.activities.models import ActivityRecord, ImportStatus
from emissions.activities.recalculation import (
    recalculate_co2e,
    recalculate_factor_records,
    reselect_factors,
)
from emissions.facilities import periods
from emissions.facilities.models import Organisation
from emissions.factors.models import EmissionFactor, Gas

pytestmark = pytest.mark.django_db

LOCKED = "Reporting year 2023 is locked since"
MARCH_2024 = {"start": dt.date(2024, 3, 1), "end": dt.date(2024, 3, 31)}
CHANGELIST = reverse("admin:activities_activityrecord_changelist")
HEADER = "facility,activity_type,period_start,period_end,quantity,unit,data_quality\n"
ROW_2023 = "XT-01,grid_electricity,2023-03-01,2023-03-31,1000,kWh,metered\n"
ROW_2024 = "XT-01,grid_electricity,2024-03-01,2024-03-31,1000,kWh,metered\n"


@pytest.fixture
def approver(django_user_model):
    return django_user_model.objects.create_user("mei.lin", password="approver-pass-123")


@pytest.fixture
def lock_2023(approver):
    def lock():
        return periods.lock_year(year=2023, user=approver, note="verified")

    return lock


@pytest.fixture
def records(hebei_plant, make_record):
    """A record in 2023 (to be locked) and one in 2024 (open), of the same factor."""
    return (
        make_record(hebei_plant, "grid_electricity", Decimal("10"), "MWh"),
        make_record(hebei_plant, "grid_electricity", Decimal("10"), "MWh", **MARCH_2024),
    )


def post_data(record, **changes) -> dict:
    data = {
        "facility": record.facility_id,
        "activity_type": record.activity_type_id,
        "period_start": record.period_start.isoformat(),
        "period_end": record.period_end.isoformat(),
        "quantity": str(record.quantity),
        "unit": record.unit,
        "data_quality": record.data_quality,
        "source_reference": record.source_reference,
        "notes": record.notes,
    }
    return data | changes


def change_url(record) -> str:
    return reverse("admin:activities_activityrecord_change", args=[record.pk])


# The model's validation (every form, the admin's import-export)


def test_a_new_record_in_a_locked_year_does_not_validate(hebei_plant, make_record, lock_2023):
    lock_2023()
    record = make_record(hebei_plant, "grid_electricity", Decimal("10"), "MWh", save=False)
    with pytest.raises(ValidationError, match=LOCKED):
        record.full_clean()


def test_a_record_cannot_leave_a_locked_year(records, lock_2023):
    locked, _open = records
    lock_2023()
    locked.period_start, locked.period_end = dt.date(2024, 5, 1), dt.date(2024, 5, 31)
    with pytest.raises(ValidationError, match=LOCKED):
        locked.full_clean()


# The admin


def test_the_admin_refuses_a_new_record_in_a_locked_year(admin_client, records, lock_2023):
    locked, _open = records
    lock_2023()
    before = ActivityRecord.objects.count()
    response = admin_client.post(reverse("admin:activities_activityrecord_add"), post_data(locked))
    assert response.status_code == 200  # the form again, with the message
    assert LOCKED in response.content.decode()
    assert ActivityRecord.objects.count() == before


def test_the_admin_refuses_changing_a_record_of_a_locked_year(admin_client, records, lock_2023):
    locked, _open = records
    lock_2023()
    response = admin_client.post(change_url(locked), post_data(locked, quantity="11"))
    assert LOCKED in response.content.decode()
    assert ActivityRecord.objects.get(pk=locked.pk).quantity == Decimal("10")


def test_the_admin_refuses_moving_a_record_into_or_out_of_a_locked_year(
    admin_client, records, lock_2023
):
    locked, open_ = records
    lock_2023()
    into = post_data(open_, period_start="2023-05-01", period_end="2023-05-31")
    assert LOCKED in admin_client.post(change_url(open_), into).content.decode()
    out = post_data(locked, period_start="2024-05-01", period_end="2024-05-31")
    assert LOCKED in admin_client.post(change_url(locked), out).content.decode()
    assert ActivityRecord.objects.get(pk=open_.pk).year == 2024
    assert ActivityRecord.objects.get(pk=locked.pk).year == 2023


def test_the_admin_still_changes_a_record_of_an_open_year(admin_client, records, lock_2023):
    _locked, open_ = records
    lock_2023()
    response = admin_client.post(change_url(open_), post_data(open_, quantity="11"))
    assert response.status_code == 302
    assert ActivityRecord.objects.get(pk=open_.pk).quantity == Decimal("11")


def test_the_admin_refuses_deleting_a_record_of_a_locked_year(admin_client, records, lock_2023):
    locked, _open = records
    lock_2023()
    delete_url = reverse("admin:activities_activityrecord_delete", args=[locked.pk])
    for response in (
        admin_client.get(delete_url, follow=True),
        admin_client.post(delete_url, {"post": "yes"}, follow=True),
    ):
        assert response.redirect_chain[0] == (change_url(locked), 302)
        assert LOCKED in response.content.decode()
    assert ActivityRecord.objects.filter(pk=locked.pk).exists()
    assert not LogEntry.objects.exists()


def test_the_bulk_delete_refuses_a_selection_with_a_locked_year(admin_client, records, lock_2023):
    lock_2023()
    data = {
        "action": "delete_selected",
        "_selected_action": [record.pk for record in records],
        "post": "yes",
    }
    response = admin_client.post(CHANGELIST, data, follow=True)
    assert LOCKED in response.content.decode()
    assert ActivityRecord.objects.count() == 2
    assert not LogEntry.objects.exists()


def test_the_bulk_delete_still_deletes_records_of_open_years(admin_client, records, lock_2023):
    _locked, open_ = records
    lock_2023()
    data = {"action": "delete_selected", "_selected_action": [open_.pk], "post": "yes"}
    admin_client.post(CHANGELIST, data, follow=True)
    assert not ActivityRecord.objects.filter(pk=open_.pk).exists()


def test_the_recalculate_action_refuses_a_selection_with_a_locked_year(
    admin_client, records, lock_2023
):
    lock_2023()
    data = {"action": "recalculate_selected", "_selected_action": [r.pk for r in records]}
    response = admin_client.post(CHANGELIST, data, follow=True)
    assert LOCKED in response.content.decode()
    assert "Recalculated" not in response.content.decode()


# The import and its rollback


@pytest.fixture
def importer(django_user_model):
    return django_user_model.objects.create_user("importer", password="importer-pass-123")


def test_an_import_row_in_a_locked_year_is_an_error_naming_the_row_and_year(
    organisation, hebei_plant, lock_2023
):
    lock_2023()
    check = imports.check_file("records.csv", (HEADER + ROW_2024 + ROW_2023).encode())
    assert check.error_count == 1
    problem = check.errors[0]
    assert (problem.row, problem.column) == (3, "period_start")
    assert problem.message.startswith("Reporting year 2023 is locked since")


def test_the_import_loads_the_locked_years_once_per_file(organisation, hebei_plant, lock_2023):
    lock_2023()
    with CaptureQueriesContext(connection) as queries:
        imports.check_file("records.csv", (HEADER + ROW_2023 * 50 + ROW_2024 * 50).encode())
    lock_queries = [q for q in queries if "facilities_reportingyearlock" in q["sql"]]
    assert len(lock_queries) == 1


def test_committing_an_import_with_a_locked_year_writes_nothing(
    organisation, hebei_plant, importer, approver
):
    batch = imports.start_import(
        user=importer, file_name="r.csv", content=(HEADER + ROW_2024 + ROW_2023).encode()
    )
    periods.lock_year(year=2023, user=approver)  # locked between preview and commit
    check = imports.commit_import(batch=batch, user=importer, sha=batch.sha256)
    assert not check.ok
    assert ActivityRecord.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED


def test_an_import_with_a_record_in_a_locked_year_cannot_be_rolled_back(
    organisation, hebei_plant, importer, approver
):
    batch = imports.start_import(
        user=importer, file_name="r.csv", content=(HEADER + ROW_2024 + ROW_2023).encode()
    )
    imports.commit_import(batch=batch, user=importer, sha=batch.sha256)
    lock = periods.lock_year(year=2023, user=approver)
    with pytest.raises(imports.ImportRefused) as refusal:
        imports.rollback_import(batch=batch, user=importer)
    assert str(refusal.value).startswith(
        "This import cannot be rolled back: its period is locked. Reporting year 2023 is "
        "locked since"
    )
    assert ActivityRecord.objects.count() == 2
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    # Once the year is unlocked, the import is rolled back as a whole.
    periods.unlock_year(year=lock.year, user=approver, reason="restated")
    assert imports.rollback_import(batch=batch, user=importer) == 2


def test_the_import_page_shows_the_rollback_refusal(
    client, organisation, hebei_plant, importer, approver
):
    from django.contrib.auth.models import Permission

    importer.user_permissions.set(
        Permission.objects.filter(
            codename__in=["add_activityrecord", "delete_activityrecord", "view_activityrecord"]
        )
    )
    batch = imports.start_import(
        user=importer, file_name="r.csv", content=(HEADER + ROW_2023).encode()
    )
    imports.commit_import(batch=batch, user=importer, sha=batch.sha256)
    periods.lock_year(year=2023, user=approver)
    client.force_login(importer)
    response = client.post(reverse("dashboard:import_rollback", args=[batch.pk]), follow=True)
    assert "This import cannot be rolled back: its period is locked." in response.content.decode()
    assert ActivityRecord.objects.count() == 1


# Recalculations pass locked years by


def _co2e(record) -> Decimal:
    return ActivityRecord.objects.get(pk=record.pk).co2e_kg


def test_a_changed_factor_leaves_a_locked_year_alone_and_rewrites_an_open_one(records, lock_2023):
    locked, open_ = records
    assert locked.factor_id == open_.factor_id
    lock_2023()
    factor = EmissionFactor.objects.get(pk=locked.factor_id)
    factor.co2_kg = Decimal("0.7123")
    factor.save()  # the signal's set-based recalculation
    assert _co2e(locked) == Decimal("6516.000000")
    assert _co2e(open_) == Decimal("7123.000000")
    assert recalculate_factor_records([factor.pk]) == 1


def test_a_changed_gwp_leaves_a_locked_year_alone(hebei_plant, make_record, lock_2023):
    locked = make_record(hebei_plant, "diesel_stationary", Decimal("1000"), "L")
    open_ = make_record(hebei_plant, "diesel_stationary", Decimal("1000"), "L", **MARCH_2024)
    before = _co2e(locked)
    lock_2023()
    methane = Gas.objects.get(code="CH4")
    methane.gwp_ar5 = methane.gwp_ar5 * 10
    methane.save()
    assert _co2e(locked) == before
    assert _co2e(open_) > before
    assert recalculate_co2e() == 1


def test_a_changed_gwp_basis_leaves_a_locked_year_on_its_basis(hebei_plant, make_record, lock_2023):
    locked = make_record(hebei_plant, "diesel_stationary", Decimal("1000"), "L")
    open_ = make_record(hebei_plant, "diesel_stationary", Decimal("1000"), "L", **MARCH_2024)
    lock_2023()
    organisation = Organisation.current()
    organisation.gwp_basis = "AR6"
    organisation.save()
    assert ActivityRecord.objects.get(pk=locked.pk).gwp_basis == "AR5"
    assert ActivityRecord.objects.get(pk=open_.pk).gwp_basis == "AR6"


def test_reselecting_factors_skips_a_locked_year(records, lock_2023):
    locked, open_ = records
    lock_2023()
    ActivityRecord.objects.update(co2e_kg=0)  # stale on purpose
    reselect_factors()
    assert _co2e(locked) == 0
    assert _co2e(open_) == Decimal("6516.000000")
