"""The admin deletes an approved record only for an approver, one at a time, with a reason."""

import pytest
from django.urls import reverse

from emissions.activities import workflow
from emissions.activities.models import ActivityRecord, ReviewStatus
from emissions.roles.definitions import ADMINISTRATOR, APPROVER, DATA_EDITOR
from tests.factories import user_in_roles

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:activities_activityrecord_changelist")


@pytest.fixture
def editor(django_user_model):
    return user_in_roles(django_user_model, "editor", DATA_EDITOR)


@pytest.fixture
def administrator(django_user_model):
    return user_in_roles(django_user_model, "administrator", ADMINISTRATOR)


@pytest.fixture
def approved(hebei_plant, make_record, django_user_model, editor):
    record = make_record(hebei_plant, "grid_electricity", "1000", "kWh")
    records = ActivityRecord.objects.filter(pk=record.pk)
    workflow.submit(records, user=editor)
    workflow.approve(records, user=user_in_roles(django_user_model, "checker", APPROVER))
    record.refresh_from_db()
    assert record.status == ReviewStatus.APPROVED
    return record


@pytest.fixture
def draft(hebei_plant, make_record):
    return make_record(hebei_plant, "grid_electricity", "2000", "kWh")


def delete_url(record) -> str:
    return reverse("admin:activities_activityrecord_delete", args=[record.pk])


def messages_of(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def test_an_editor_is_refused_deleting_an_approved_record_with_a_message(client, editor, approved):
    client.force_login(editor)
    for response in (
        client.get(delete_url(approved), follow=True),
        client.post(delete_url(approved), {"post": "yes", "deletion_reason": "x"}, follow=True),
    ):
        assert "only an approver or an administrator may delete it" in messages_of(response)
    assert ActivityRecord.objects.filter(pk=approved.pk).exists()


def test_the_change_page_offers_an_editor_no_delete_link_for_an_approved_record(
    client, editor, approved
):
    client.force_login(editor)
    page = client.get(reverse("admin:activities_activityrecord_change", args=[approved.pk]))
    assert delete_url(approved) not in page.content.decode()


def test_the_confirmation_asks_an_administrator_for_a_reason(client, administrator, approved):
    client.force_login(administrator)
    page = client.get(delete_url(approved))
    assert page.status_code == 200
    assert 'name="deletion_reason"' in page.content.decode()


def test_a_missing_reason_is_refused_with_a_message(client, administrator, approved):
    client.force_login(administrator)
    response = client.post(
        delete_url(approved), {"post": "yes", "deletion_reason": " "}, follow=True
    )
    assert "Say why you delete this approved record" in messages_of(response)
    assert ActivityRecord.objects.filter(pk=approved.pk).exists()


def test_an_administrator_deletes_it_with_the_reason_kept_in_history(
    client, administrator, approved
):
    client.force_login(administrator)
    data = {"post": "yes", "deletion_reason": "Entered twice"}
    response = client.post(delete_url(approved), data)
    assert response.status_code == 302
    assert not ActivityRecord.objects.filter(pk=approved.pk).exists()
    deleted = ActivityRecord.history.get(id=approved.pk, history_type="-")
    assert deleted.history_change_reason == "Entered twice"
    assert deleted.history_user == administrator


def test_a_draft_record_is_still_deleted_without_a_reason(client, editor, draft):
    client.force_login(editor)
    page = client.get(delete_url(draft))
    assert 'name="deletion_reason"' not in page.content.decode()
    assert client.post(delete_url(draft), {"post": "yes"}).status_code == 302
    assert not ActivityRecord.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize("confirmed", [False, True])
def test_the_bulk_delete_refuses_a_selection_with_an_approved_record(
    client, administrator, approved, draft, confirmed
):
    client.force_login(administrator)
    data = {"action": "delete_selected", "_selected_action": [approved.pk, draft.pk]}
    if confirmed:
        data["post"] = "yes"
    response = client.post(CHANGELIST, data, follow=True)
    assert "Approved records are not deleted in bulk" in messages_of(response)
    assert ActivityRecord.objects.count() == 2


def test_the_bulk_delete_still_deletes_records_not_approved(client, editor, draft):
    client.force_login(editor)
    data = {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"}
    client.post(CHANGELIST, data)
    assert not ActivityRecord.objects.exists()
