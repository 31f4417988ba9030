"""Maker-checker review: draft → submitted → approved or rejected, never by the submitter."""

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.urls import reverse

from emissions.activities import workflow
from emissions.activities.models import ActivityRecord, ReviewStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def maker(django_user_model):
    return django_user_model.objects.create_user("maker", password="maker-pass-123")


@pytest.fixture
def checker(django_user_model):
    return django_user_model.objects.create_user("checker", password="checker-pass-123")


@pytest.fixture
def draft(organisation, hebei_plant, make_record):
    return make_record(hebei_plant, "grid_electricity", "1000", "kWh")


def only(record) -> object:
    return ActivityRecord.objects.filter(pk=record.pk)


def test_a_new_record_is_a_draft(draft):
    assert draft.status == ReviewStatus.DRAFT
    assert ActivityRecord.objects.counted().count() == 1
    assert ActivityRecord.objects.pending().count() == 1
    assert ActivityRecord.objects.approved().count() == 0


def test_submit_then_approve_by_someone_else(draft, maker, checker):
    assert workflow.submit(only(draft), user=maker) == 1
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_by, draft.reviewed_by) == ("submitted", maker, None)
    assert workflow.approve(only(draft), user=checker) == 1
    draft.refresh_from_db()
    assert (draft.status, draft.reviewed_by) == ("approved", checker)
    assert draft.reviewed_at is not None
    # Each step is in the record's history, with who took it.
    steps = draft.history.order_by("history_date", "history_id")
    assert [(h.status, h.history_user) for h in steps] == [
        ("draft", None), ("submitted", maker), ("approved", checker),
    ]  # fmt: skip


def test_the_submitter_cannot_approve_or_reject_their_own_records(draft, maker):
    workflow.submit(only(draft), user=maker)
    with pytest.raises(workflow.ReviewRefused, match="someone else must review it"):
        workflow.approve(only(draft), user=maker)
    with pytest.raises(workflow.ReviewRefused, match="someone else must review it"):
        workflow.reject(only(draft), user=maker, reason="typo")
    draft.refresh_from_db()
    assert draft.status == ReviewStatus.SUBMITTED


def test_the_database_refuses_an_approval_by_the_submitter(draft, maker):
    # Even a write that bypasses the workflow cannot record a self-approval.
    with pytest.raises(IntegrityError), transaction.atomic():
        only(draft).update(status="approved", submitted_by=maker, reviewed_by=maker)


def test_a_rejection_needs_a_reason_and_can_be_submitted_again(draft, maker, checker):
    workflow.submit(only(draft), user=maker)
    with pytest.raises(workflow.ReviewRefused, match="Say why"):
        workflow.reject(only(draft), user=checker, reason="  ")
    workflow.reject(only(draft), user=checker, reason="The meter read 100, not 1000.")
    draft.refresh_from_db()
    assert (draft.status, draft.rejection_reason) == ("rejected", "The meter read 100, not 1000.")
    assert ActivityRecord.objects.counted().count() == 0  # rejected records never count
    workflow.submit(only(draft), user=maker)
    draft.refresh_from_db()
    assert (draft.status, draft.rejection_reason, draft.reviewed_by) == ("submitted", "", None)


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("approve", "only submitted records can be approved"),
        ("reject", "only submitted records can be rejected"),
    ],
)
def test_only_submitted_records_are_reviewed(draft, checker, step, message):
    kwargs = {"reason": "no"} if step == "reject" else {}
    with pytest.raises(workflow.ReviewRefused, match=message):
        getattr(workflow, step)(only(draft), user=checker, **kwargs)


def test_a_step_refuses_the_whole_selection_when_one_record_is_not_ready(
    draft, hebei_plant, make_record, maker, checker
):
    other = make_record(hebei_plant, "grid_electricity", "2000", "kWh")
    workflow.submit(only(draft), user=maker)
    both = ActivityRecord.objects.filter(pk__in=[draft.pk, other.pk])
    with pytest.raises(
        workflow.ReviewRefused, match=rf"record is draft \(e.g. record {other.pk}\)"
    ):
        workflow.approve(both, user=checker)
    assert ActivityRecord.objects.approved().count() == 0


def test_nothing_selected_is_refused(organisation, checker):
    with pytest.raises(workflow.ReviewRefused, match="No records selected"):
        workflow.approve(ActivityRecord.objects.none(), user=checker)


def test_a_locked_year_is_not_reviewed(draft, maker, checker, django_user_model):
    from emissions.facilities import periods

    workflow.submit(only(draft), user=maker)
    periods.lock_year(year=2023, user=checker, note="verified")
    with pytest.raises(workflow.ReviewRefused, match="2023 is locked"):
        workflow.approve(only(draft), user=checker)


def test_an_import_submits_its_records_for_the_importer(organisation, hebei_plant, maker):
    from emissions.activities import imports

    content = (
        b"facility,activity_type,period_start,period_end,quantity,unit,data_quality\n"
        b"XT-01,grid_electricity,2023-03-01,2023-03-31,1000,kWh,metered\n"
    )
    batch = imports.start_import(user=maker, file_name="a.csv", content=content)
    imports.commit_import(batch=batch, user=maker, sha=batch.sha256)
    record = ActivityRecord.objects.get()
    assert (record.status, record.submitted_by) == ("submitted", maker)
    assert record.submitted_at is not None


# The admin: a changed record is reviewed again; actions submit and approve.


@pytest.fixture
def editor_client(client, maker):
    maker.is_staff = True
    maker.save()
    maker.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_activityrecord", "change_activityrecord", "add_activityrecord"]
        )
    )
    client.force_login(maker)
    return client


def test_editing_an_approved_record_in_the_admin_makes_it_a_draft_again(
    draft, editor_client, maker, checker
):
    workflow.submit(only(draft), user=maker)
    workflow.approve(only(draft), user=checker)
    url = reverse("admin:activities_activityrecord_change", args=[draft.pk])
    data = {
        "facility": draft.facility_id, "activity_type": draft.activity_type_id,
        "period_start": "2023-03-01", "period_end": "2023-03-31", "quantity": "1200",
        "unit": "kWh", "data_quality": "invoice", "source_reference": "", "notes": "",
    }  # fmt: skip
    assert editor_client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_by, draft.reviewed_by) == ("draft", None, None)


def test_the_admin_actions_submit_and_approve(draft, editor_client, maker, checker, client):
    changelist = reverse("admin:activities_activityrecord_changelist")
    action = {"action": "submit_selected", "_selected_action": [draft.pk]}
    response = editor_client.post(changelist, action, follow=True)
    assert "1 record submitted for approval." in response.content.decode()
    # The maker has no approve permission: the action is not offered to them.
    response = editor_client.post(
        changelist, {"action": "approve_selected", "_selected_action": [draft.pk]}, follow=True
    )
    assert "No action selected." in response.content.decode()

    checker.is_staff = True
    checker.save()
    checker.user_permissions.set(
        Permission.objects.filter(codename__in=["view_activityrecord", "approve_activityrecord"])
    )
    client.force_login(checker)
    response = client.post(
        changelist, {"action": "approve_selected", "_selected_action": [draft.pk]}, follow=True
    )
    assert "1 record approved." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ReviewStatus.APPROVED


def test_an_admin_action_by_the_submitter_is_refused_with_the_reason(draft, editor_client, maker):
    maker.user_permissions.add(Permission.objects.get(codename="approve_activityrecord"))
    workflow.submit(only(draft), user=maker)
    changelist = reverse("admin:activities_activityrecord_changelist")
    response = editor_client.post(
        changelist, {"action": "approve_selected", "_selected_action": [draft.pk]}, follow=True
    )
    assert "someone else must review it" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ReviewStatus.SUBMITTED
