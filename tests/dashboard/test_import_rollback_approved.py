"""The import page's rollback: approved records need an approver and a reason, kept in history."""

import pytest
from django.urls import reverse

from emissions.activities import imports, workflow
from emissions.activities.models import ActivityRecord, ImportStatus
from emissions.roles.definitions import APPROVER, DATA_EDITOR
from tests.factories import user_in_roles

pytestmark = pytest.mark.django_db

HEADER = "facility,activity_type,period_start,period_end,quantity,unit,data_quality\n"
ROWS = (
    "XT-01,grid_electricity,2023-03-01,2023-03-31,1000,kWh,metered\n"
    "XT-01,grid_electricity,2023-04-01,2023-04-30,1200,kWh,metered\n"
)


@pytest.fixture
def editor(django_user_model, organisation, hebei_plant):
    return user_in_roles(django_user_model, "editor", DATA_EDITOR)


@pytest.fixture
def approver(django_user_model):
    return user_in_roles(django_user_model, "approver", DATA_EDITOR, APPROVER)


@pytest.fixture
def batch(editor, approver):
    """editor's import of two records, one of them approved by approver."""
    batch = imports.start_import(
        user=editor, file_name="records.csv", content=(HEADER + ROWS).encode()
    )
    imports.commit_import(batch=batch, user=editor, sha=batch.sha256)
    first = ActivityRecord.objects.filter(import_batch=batch).order_by("pk")[:1]
    workflow.approve(ActivityRecord.objects.filter(pk__in=first), user=approver)
    return batch


def rollback(client, batch, reason=None):
    data = {} if reason is None else {"reason": reason}
    return client.post(reverse("dashboard:import_rollback", args=[batch.pk]), data, follow=True)


def test_the_batch_page_warns_and_asks_for_a_reason(client, editor, batch):
    client.force_login(editor)
    page = client.get(reverse("dashboard:import_batch", args=[batch.pk])).content.decode()
    assert "only an approver or an administrator may roll it back" in page
    assert 'name="reason"' in page


def test_an_editor_is_refused_with_a_message(client, editor, batch):
    client.force_login(editor)
    response = rollback(client, batch, reason="Mine to undo")
    assert "only an approver or an administrator may roll it back." in response.content.decode()
    assert ActivityRecord.objects.filter(import_batch=batch).count() == 2


def test_an_approver_without_a_reason_is_asked_for_one(client, approver, batch):
    client.force_login(approver)
    response = rollback(client, batch)
    assert "say why you roll it back" in response.content.decode()
    assert ActivityRecord.objects.filter(import_batch=batch).count() == 2


def test_an_approver_with_a_reason_rolls_it_back_and_history_keeps_the_reason(
    client, approver, batch
):
    client.force_login(approver)
    response = rollback(client, batch, reason="Sent twice by the plant")
    page = response.content.decode()
    assert "2 records deleted by rolling back the import. Reason: Sent twice by the plant" in page
    assert not ActivityRecord.objects.filter(import_batch=batch).exists()
    reasons = ActivityRecord.history.filter(history_type="-").values_list(
        "history_change_reason", "history_user"
    )
    assert set(reasons) == {("Sent twice by the plant", approver.pk)}
    batch.refresh_from_db()
    assert batch.status == ImportStatus.ROLLED_BACK


def test_a_reason_too_long_is_refused_with_the_field_message(client, approver, batch):
    client.force_login(approver)
    response = rollback(client, batch, reason="x" * 501)
    assert "Ensure this value has at most 500 characters" in response.content.decode()
    assert ActivityRecord.objects.filter(import_batch=batch).count() == 2
