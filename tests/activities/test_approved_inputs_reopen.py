"""A record whose inputs change is reviewed again, however the change is written.

The inputs are models.REVIEWED_INPUT_FIELDS: everything a person enters, notes and source
reference included. ActivityRecord.save() reopens the record (the admin's form and import, a
history revert); a database trigger (migration 0010) does it for every other UPDATE.
"""

import datetime as dt
import importlib
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from emissions.activities import rollups, workflow
from emissions.activities.models import (
    REVIEWED_INPUT_FIELDS,
    ActivityRecord,
    ActivityType,
    ReviewStatus,
)
from emissions.factors.models import EmissionFactor

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module(
    "emissions.activities.migrations.0015_purchases_name_their_supplier_product"
)
IMPORT_HEADERS = "id,facility,activity_type,period_start,period_end,quantity,unit,data_quality"


@pytest.fixture
def maker(django_user_model):
    return django_user_model.objects.create_user("maker", password="maker-pass-123")


@pytest.fixture
def checker(django_user_model):
    return django_user_model.objects.create_user("checker", password="checker-pass-123")


@pytest.fixture
def approved(hebei_plant, make_record, maker, checker):
    """23 t of landfilled waste, submitted by the maker and approved by the checker."""
    record = make_record(hebei_plant, "waste_landfill", Decimal("23"), "t")
    workflow.submit(only(record), user=maker)
    workflow.approve(only(record), user=checker)
    record.refresh_from_db()
    assert record.status == ReviewStatus.APPROVED
    return record


@pytest.fixture
def editor_client(client, django_user_model):
    """A Data editor in the admin: may change records, may not approve them."""
    from django.contrib.auth.models import Group

    editor = django_user_model.objects.create_user("editor", password="pw-123", is_staff=True)
    editor.groups.add(Group.objects.get(name="Data editor"))
    client.force_login(editor)
    return client


def only(record):
    return ActivityRecord.objects.filter(pk=record.pk)


def assert_reopened(record):
    record.refresh_from_db()
    review = (record.status, record.submitted_by, record.submitted_at)
    assert review == (ReviewStatus.DRAFT, None, None)
    assert (record.reviewed_by, record.reviewed_at, record.rejection_reason) == (None, None, "")


def assert_rollups_match_the_records():
    assert rollups.mismatches() == []


# The admin's import and history revert: writes through save().


def test_an_admin_import_of_an_approved_records_id_changes_it_and_reopens_it(
    approved, editor_client
):
    content = (
        f"{IMPORT_HEADERS}\n{approved.pk},XT-01,grid_electricity,2023-03-01,2023-03-31,1,kWh,"
        "invoice\n"
    ).encode()
    upload = SimpleUploadedFile("records.csv", content, content_type="text/csv")
    response = editor_client.post(
        reverse("admin:activities_activityrecord_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )
    assert response.status_code == 200
    confirm = response.context["confirm_form"]
    assert confirm is not None, response.context["result"].invalid_rows
    response = editor_client.post(
        reverse("admin:activities_activityrecord_process_import"),
        {**confirm.initial, "resource": "0"},
    )
    assert response.status_code == 302

    approved.refresh_from_db()
    assert (approved.activity_type.code, approved.quantity) == ("grid_electricity", 1)
    assert_reopened(approved)
    # The history shows the record it became, as it was stored.
    assert approved.history.latest().status == ReviewStatus.DRAFT
    assert_rollups_match_the_records()


def test_reverting_an_approved_records_history_reopens_it(approved, editor_client, maker, checker):
    url = reverse("admin:activities_activityrecord_change", args=[approved.pk])
    form = {
        "facility": approved.facility_id, "activity_type": approved.activity_type_id,
        "period_start": "2023-03-01", "period_end": "2023-03-31", "quantity": "30",
        "unit": "t", "data_quality": "invoice", "source_reference": "", "notes": "",
    }  # fmt: skip
    assert editor_client.post(url, form).status_code == 302
    approved.refresh_from_db()
    assert approved.status == ReviewStatus.DRAFT
    # Back to the approved version: its inputs (23 t) and, as it was, its approval.
    version = approved.history.get(status=ReviewStatus.APPROVED)
    url = reverse(
        "admin:activities_activityrecord_simple_history", args=[approved.pk, version.history_id]
    )
    assert editor_client.post(url, {**form, "quantity": "23"}).status_code == 302

    approved.refresh_from_db()
    assert approved.quantity == 23
    assert_reopened(approved)
    assert approved.history.latest().status == ReviewStatus.DRAFT


def test_a_revert_with_the_same_inputs_does_not_bring_back_an_approval(
    approved, editor_client, maker, checker
):
    # A draft again, with the inputs it was approved with, edited behind the admin.
    only(approved).update(**workflow.reopened_fields())
    version = approved.history.get(status=ReviewStatus.APPROVED)
    url = reverse(
        "admin:activities_activityrecord_simple_history", args=[approved.pk, version.history_id]
    )
    form = {
        "facility": approved.facility_id, "activity_type": approved.activity_type_id,
        "period_start": "2023-03-01", "period_end": "2023-03-31", "quantity": "23",
        "unit": "t", "data_quality": "invoice", "source_reference": "", "notes": "",
    }  # fmt: skip
    assert editor_client.post(url, form).status_code == 302
    assert_reopened(approved)


# save() itself.


def test_a_save_that_changes_no_input_keeps_the_approval(approved, checker):
    approved.save()  # as the admin's "recalculate selected records" does
    approved.refresh_from_db()
    assert (approved.status, approved.reviewed_by) == (ReviewStatus.APPROVED, checker)


def test_a_saved_change_of_the_notes_reopens_the_record(approved):
    # The notes are an input: often the reason an estimate was accepted.
    approved.notes = "Weighbridge tickets lost; estimated from trips."
    approved.save()
    assert_reopened(approved)


def test_a_save_with_update_fields_reopens_the_record_too(approved):
    approved.quantity = Decimal("24")
    approved.save(update_fields=["quantity"])
    assert_reopened(approved)


def test_a_submitted_record_whose_inputs_change_is_a_draft_again(hebei_plant, make_record, maker):
    record = make_record(hebei_plant, "waste_landfill", Decimal("23"), "t")
    workflow.submit(only(record), user=maker)
    only(record).update(quantity=Decimal("2"))
    assert_reopened(record)


# The database: writes that bypass save().


def test_a_queryset_update_of_an_approved_records_quantity_reopens_it(approved):
    only(approved).update(quantity=Decimal("1"))
    approved.refresh_from_db()
    assert approved.quantity == 1
    assert_reopened(approved)
    # SQLite reopens with a second UPDATE: the rollups count it once, as a draft.
    assert_rollups_match_the_records()


@pytest.mark.parametrize("name", REVIEWED_INPUT_FIELDS)
def test_the_database_reopens_an_approved_record_when_any_input_changes(
    approved, name, django_user_model
):
    from emissions.facilities.models import Facility

    changed = {
        "facility": Facility.objects.create(
            code="XT-02", name_en="Second plant", kind="factory", province="CN-HE",
            grid_region="CN-North", opened_on=dt.date(2008, 1, 1),
        ),
        "activity_type": ActivityType.objects.get(code="grid_electricity"),
        "period_start": dt.date(2023, 3, 2),
        "period_end": dt.date(2023, 3, 30),
        "quantity": Decimal("23.5"),
        "unit": "kg",
        "data_quality": "estimated",
        "source_reference": "Weighbridge 2023-03",
        "notes": "Estimated.",
        "purchased_product": _product() if name == "purchased_product" else None,
    }  # fmt: skip
    only(approved).update(**{name: changed[name]})
    assert_reopened(approved)


def _product():
    from emissions.suppliers.models import Supplier, SupplierProduct

    supplier = Supplier.objects.create(name="Hebei waste services", category="services")
    return SupplierProduct.objects.create(
        supplier=supplier, code="landfill", name="Landfill", declared_unit="t"
    )


def test_an_approval_changes_no_input_and_stays_approved(hebei_plant, make_record, maker, checker):
    record = make_record(hebei_plant, "waste_landfill", Decimal("23"), "t")
    workflow.submit(only(record), user=maker)
    only(record).update(status=ReviewStatus.APPROVED, reviewed_by=checker)
    record.refresh_from_db()
    assert (record.status, record.reviewed_by, record.submitted_by) == ("approved", checker, maker)


def test_an_update_that_writes_the_same_inputs_keeps_the_approval(approved, checker):
    only(approved).update(quantity=Decimal("23.000000"), notes="")
    approved.refresh_from_db()
    assert (approved.status, approved.reviewed_by) == (ReviewStatus.APPROVED, checker)


def test_a_recalculation_is_not_an_input_change(approved, checker):
    # A corrected factor rewrites the emissions of approved records, which stay approved:
    # the factor's change is audited on its own (the factor's history, RecalculationRun).
    factor = EmissionFactor.objects.get(pk=approved.factor_id)
    factor.co2e_kg = (factor.co2e_kg or 0) + Decimal("1")
    factor.save()
    approved.refresh_from_db()
    assert (approved.status, approved.reviewed_by) == (ReviewStatus.APPROVED, checker)
    only(approved).update(co2e_kg=Decimal("1"))
    approved.refresh_from_db()
    assert approved.status == ReviewStatus.APPROVED


# The trigger compares exactly the model's inputs.


def _installed_trigger() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                ["activities_record_reopen"],
            )
        else:
            cursor.execute(
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = %s",
                ["activities_record_reopen"],
            )
        return cursor.fetchone()[0]


def test_the_trigger_compares_exactly_the_models_input_columns():
    columns = {ActivityRecord._meta.get_field(name).column for name in REVIEWED_INPUT_FIELDS}
    assert set(MIGRATION.INPUT_COLUMNS) == columns
    sql = _installed_trigger()
    assert set(re.findall(r"\bold\.(\w+)", sql, re.IGNORECASE)) == columns
    # NEW: the same inputs, the status and (SQLite's second UPDATE) the id.
    assert set(re.findall(r"\bnew\.(\w+)", sql, re.IGNORECASE)) - {"status", "id"} == columns
    watched = re.search(r"UPDATE OF (.*?) ON ", sql).group(1)
    assert {column.strip() for column in watched.split(",")} == columns
