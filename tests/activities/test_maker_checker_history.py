"""Maker-checker by history: who entered or changed a record's inputs since its last approval
neither approves nor rejects it (workflow.input_editor_of; the database's trigger, 0011)."""

import importlib
import re
import types
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from emissions.activities import workflow
from emissions.activities.models import REVIEWED_INPUT_FIELDS, ActivityRecord, ReviewStatus
from emissions.roles.definitions import APPROVER, DATA_EDITOR
from tests.factories import user_in_roles

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module(
    "emissions.activities.migrations.0015_purchases_name_their_supplier_product"
)
ENTERED_IT = "someone else must review"


@pytest.fixture
def alice(django_user_model):
    """A Data editor who is also an Approver: the issue's maker who tried to check herself."""
    return user_in_roles(django_user_model, "alice", DATA_EDITOR, APPROVER)


@pytest.fixture
def bob(django_user_model):
    return user_in_roles(django_user_model, "bob", DATA_EDITOR)


@pytest.fixture
def carol(django_user_model):
    return user_in_roles(django_user_model, "carol", APPROVER)


@pytest.fixture
def dan(django_user_model):
    """Another Data editor and Approver."""
    return user_in_roles(django_user_model, "dan", DATA_EDITOR, APPROVER)


@pytest.fixture
def enter(make_record, hebei_plant):
    """Enter a record as `user` (the history names them, as a request would)."""

    def enter(user, quantity="1000"):
        record = make_record(hebei_plant, "grid_electricity", quantity, "kWh", save=False)
        record._history_user = user
        record.full_clean()
        record.save()
        return record

    return enter


def edit(record, user, **inputs):
    """Save the record as `user` with these inputs changed (none: saved unchanged)."""
    record = ActivityRecord.objects.get(pk=record.pk)
    for name, value in inputs.items():
        setattr(record, name, value)
    record._history_user = user
    record.save()
    return record


def only(*records):
    return ActivityRecord.objects.filter(pk__in=[record.pk for record in records])


def status(record) -> str:
    return ActivityRecord.objects.get(pk=record.pk).status


def test_who_entered_a_record_cannot_approve_it_when_a_colleague_submitted_it(
    enter, alice, bob, carol
):
    record = enter(alice)
    workflow.submit(only(record), user=bob)
    with pytest.raises(workflow.ReviewRefused) as refusal:
        workflow.approve(only(record), user=alice)
    assert str(refusal.value) == (
        f"You entered or changed 1 of these records since its last approval "
        f"(record {record.pk}): someone else must review it."
    )
    assert status(record) == ReviewStatus.SUBMITTED
    assert workflow.approve(only(record), user=carol) == 1
    assert status(record) == ReviewStatus.APPROVED


def test_who_changed_the_inputs_cannot_approve_or_reject(enter, alice, bob, carol, dan):
    record = enter(alice)
    edit(record, dan, quantity=Decimal("1200"))
    workflow.submit(only(record), user=bob)
    with pytest.raises(workflow.ReviewRefused, match=ENTERED_IT):
        workflow.approve(only(record), user=dan)
    with pytest.raises(workflow.ReviewRefused, match=ENTERED_IT):
        workflow.reject(only(record), user=dan, reason="Wrong meter")
    with pytest.raises(workflow.ReviewRefused, match=ENTERED_IT):
        workflow.reject(only(record), user=alice, reason="Wrong meter")
    assert status(record) == ReviewStatus.SUBMITTED
    assert workflow.reject(only(record), user=carol, reason="Wrong meter") == 1


def test_after_an_approval_only_who_edited_since_is_barred(enter, alice, bob, carol, dan):
    record = enter(alice)
    workflow.submit(only(record), user=bob)
    workflow.approve(only(record), user=carol)
    edit(record, dan, notes="Corrected from the March invoice")  # reopens it
    assert status(record) == ReviewStatus.DRAFT
    workflow.submit(only(record), user=bob)
    with pytest.raises(workflow.ReviewRefused, match=ENTERED_IT):
        workflow.approve(only(record), user=dan)
    # Alice entered it before its last approval and has not touched it since.
    assert workflow.approve(only(record), user=alice) == 1


def test_who_only_reviewed_may_review_the_corrected_record(enter, alice, bob, carol):
    record = enter(bob)
    workflow.submit(only(record), user=bob)
    workflow.reject(only(record), user=carol, reason="That is February's reading")
    edit(record, alice, quantity=Decimal("900"))
    workflow.submit(only(record), user=bob)
    assert workflow.approve(only(record), user=carol) == 1


def test_a_save_that_changes_no_input_is_not_an_edit(enter, alice, bob, dan):
    record = enter(alice)
    workflow.submit(only(record), user=bob)
    edit(record, dan)  # the admin's form saved as it was
    assert status(record) == ReviewStatus.SUBMITTED
    assert workflow.approve(only(record), user=dan) == 1


def test_a_changed_source_reference_counts_as_an_input_change(enter, alice, bob, dan):
    record = enter(alice)
    edit(record, dan, source_reference="Invoice 2023-03 #42")
    workflow.submit(only(record), user=bob)
    with pytest.raises(workflow.ReviewRefused, match=ENTERED_IT):
        workflow.approve(only(record), user=dan)


def test_the_whole_selection_is_refused_with_a_count_and_an_example(enter, alice, bob, carol):
    first, second = enter(alice), enter(alice, "2000")
    other = enter(carol, "3000")
    workflow.submit(only(first, second, other), user=bob)
    with pytest.raises(workflow.ReviewRefused) as refusal:
        workflow.approve(only(first, second, other), user=alice)
    assert str(refusal.value) == (
        f"You entered or changed 2 of these records since their last approval "
        f"(e.g. record {first.pk}): someone else must review them."
    )
    assert {status(r) for r in (first, second, other)} == {ReviewStatus.SUBMITTED}


@pytest.mark.parametrize("count", [1, 5])
def test_approving_takes_the_same_queries_however_many_records(
    count, enter, alice, bob, carol, django_assert_num_queries
):
    records = [enter(alice, str(1000 + n)) for n in range(count)]
    workflow.submit(only(*records), user=bob)
    # Savepoint, row locks, year locks (PostgreSQL first takes their advisory lock), state,
    # submitter, editors (one query over the history for the whole selection), UPDATE,
    # history snapshot, release.
    queries = 10 if connection.vendor == "postgresql" else 9
    with django_assert_num_queries(queries):
        assert workflow.approve(only(*records), user=carol) == count


# --- Where reviewers click: the admin's action and the dashboard's record page --------------


def test_the_admin_approve_action_shows_the_refusal(client, enter, alice, bob):
    record = enter(alice)
    workflow.submit(only(record), user=bob)
    client.force_login(alice)
    response = client.post(
        reverse("admin:activities_activityrecord_changelist"),
        {"action": "approve_selected", "_selected_action": [record.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert f"since its last approval (record {record.pk}): someone else must review it." in (
        response.content.decode()
    )
    assert status(record) == ReviewStatus.SUBMITTED


@pytest.mark.parametrize("step, data", [("approve", {}), ("reject", {"reason": "Wrong"})])
def test_the_record_page_shows_the_refusal(client, enter, alice, bob, step, data):
    record = enter(alice)
    workflow.submit(only(record), user=bob)
    client.force_login(alice)
    response = client.post(reverse(f"dashboard:record_{step}", args=[record.pk]), data, follow=True)
    assert response.status_code == 200
    assert f"(record {record.pk}): someone else must review it." in response.content.decode()
    assert status(record) == ReviewStatus.SUBMITTED


def test_the_record_page_offers_no_review_to_who_entered_it(client, enter, alice, bob, carol):
    record = enter(alice)
    workflow.submit(only(record), user=bob)
    approve_url = reverse("dashboard:record_approve", args=[record.pk])
    client.force_login(alice)
    html = client.get(reverse("dashboard:record_detail", args=[record.pk])).content.decode()
    assert approve_url not in html
    assert (
        "You entered or changed this record since its last approval: someone else must approve "
        "or reject it." in html
    )
    client.force_login(carol)
    html = client.get(reverse("dashboard:record_detail", args=[record.pk])).content.decode()
    assert approve_url in html
    assert "You entered or changed this record" not in html


# --- The database's rule ----------------------------------------------------------------------


def approve_bypassing_the_workflow(record, reviewer):
    now = timezone.now()
    only(record).update(status=ReviewStatus.APPROVED, reviewed_by=reviewer, reviewed_at=now)


def test_the_database_refuses_an_approval_by_who_entered_the_record(enter, alice, bob, carol):
    record = enter(alice)
    workflow.submit(only(record), user=bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        approve_bypassing_the_workflow(record, alice)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE activities_activityrecord SET status = 'approved', reviewed_by_id = %s "
            "WHERE id = %s",
            [alice.pk, record.pk],
        )
    assert status(record) == ReviewStatus.SUBMITTED
    approve_bypassing_the_workflow(record, carol)
    assert status(record) == ReviewStatus.APPROVED


def test_the_database_refuses_an_approval_by_who_changed_the_inputs(enter, alice, bob, carol, dan):
    record = enter(alice)
    workflow.submit(only(record), user=bob)
    workflow.approve(only(record), user=carol)
    edit(record, dan, quantity=Decimal("1100"))
    workflow.submit(only(record), user=bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        approve_bypassing_the_workflow(record, dan)
    approve_bypassing_the_workflow(record, alice)  # entered it before its last approval
    assert status(record) == ReviewStatus.APPROVED


def test_the_database_refuses_handing_an_approval_to_an_editor(enter, alice, bob, carol):
    record = enter(alice)
    workflow.submit(only(record), user=bob)
    workflow.approve(only(record), user=carol)
    with pytest.raises(IntegrityError), transaction.atomic():
        only(record).update(reviewed_by=alice)
    assert ActivityRecord.objects.get(pk=record.pk).reviewed_by == carol


def test_a_recalculation_of_approved_records_is_not_checked_again(enter, alice, bob, carol):
    record = enter(alice)
    workflow.submit(only(record), user=bob)
    workflow.approve(only(record), user=carol)
    only(record).update(co2e_kg=Decimal("1"), status=ReviewStatus.APPROVED)
    assert status(record) == ReviewStatus.APPROVED


def test_the_trigger_goes_and_comes_back_with_its_migration(enter, alice, bob):
    record = enter(alice)
    workflow.submit(only(record), user=bob)
    editor = types.SimpleNamespace(connection=connection)
    with transaction.atomic():
        MIGRATION.uninstall_trigger(None, editor)
        with transaction.atomic():
            approve_bypassing_the_workflow(record, alice)  # nothing stops it now
            transaction.set_rollback(True)
        MIGRATION.install_trigger(None, editor)
    with pytest.raises(IntegrityError), transaction.atomic():
        approve_bypassing_the_workflow(record, alice)


def _installed_trigger() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                ["activities_record_reviewer_not_editor"],
            )
        else:
            cursor.execute(
                "SELECT prosrc FROM pg_proc WHERE proname = %s",
                ["activities_record_reviewer_not_editor"],
            )
        return cursor.fetchone()[0]


def test_the_trigger_compares_exactly_the_models_input_columns():
    columns = {ActivityRecord._meta.get_field(name).column for name in REVIEWED_INPUT_FIELDS}
    assert set(MIGRATION.INPUT_COLUMNS) == columns
    sql = _installed_trigger()
    assert set(re.findall(r"LAG\(h\.(\w+)\) OVER \(.*?\) IS DISTINCT FROM h\.\1\b", sql)) == columns


def test_the_trigger_applies_the_workflows_rule():
    # The migration's copy is frozen; until the rule changes, it is the workflow's SQL.
    chosen = {"reviewer": "%s", "join": "JOIN x ON x.id = h.id", "where": "h.id = 1"}
    assert MIGRATION.input_versions(**chosen) == workflow.input_versions_sql(**chosen)
    assert MIGRATION.INPUT_EDIT_SINCE_APPROVAL == workflow.INPUT_EDIT_SINCE_APPROVAL
