"""Review from the record page and the import page: submit, approve, reject (maker-checker)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from emissions.activities import imports, workflow
from emissions.activities.models import ActivityRecord, ReviewStatus

pytestmark = pytest.mark.django_db

GOOD = (
    b"facility,activity_type,period_start,period_end,quantity,unit,data_quality\n"
    b"XT-01,grid_electricity,2023-03-01,2023-03-31,1000,kWh,metered\n"
    b"XT-01,grid_electricity,2023-04-01,2023-04-30,1100,kWh,metered\n"
)


def user_with(django_user_model, name, *codenames):
    user = django_user_model.objects.create_user(name, password=f"{name}-pass-123")
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_activityrecord", *codenames])
    )
    return user


@pytest.fixture
def editor(django_user_model):
    return user_with(django_user_model, "editor", "change_activityrecord", "add_activityrecord")


@pytest.fixture
def approver(django_user_model):
    return user_with(django_user_model, "approver", "approve_activityrecord")


@pytest.fixture
def record(make_record, hebei_plant):
    return make_record(hebei_plant, "grid_electricity", "1000", "kWh")


def page(client, record) -> str:
    return client.get(reverse("dashboard:record_detail", args=[record.pk])).content.decode()


def post(client, name, record, data=None):
    return client.post(reverse(f"dashboard:{name}", args=[record.pk]), data or {}, follow=True)


def test_an_editor_submits_a_draft_from_the_record_page(client, editor, record):
    client.force_login(editor)
    html = page(client, record)
    assert 'id="review"' in html and "Draft" in html
    assert reverse("dashboard:record_submit", args=[record.pk]) in html
    response = post(client, "record_submit", record)
    assert "Submitted for approval." in response.content.decode()
    record.refresh_from_db()
    assert (record.status, record.submitted_by) == (ReviewStatus.SUBMITTED, editor)


def test_an_approver_approves_what_someone_else_submitted(client, editor, approver, record):
    workflow.submit(ActivityRecord.objects.filter(pk=record.pk), user=editor)
    client.force_login(approver)
    html = page(client, record)
    assert "Submitted by editor" in html
    assert reverse("dashboard:record_approve", args=[record.pk]) in html
    response = post(client, "record_approve", record)
    assert "Approved: the record now counts in the inventory report." in response.content.decode()
    record.refresh_from_db()
    assert (record.status, record.reviewed_by) == (ReviewStatus.APPROVED, approver)
    assert "Approved by approver" in page(client, record)


def test_the_submitter_sees_no_approve_button_and_is_refused(
    client, editor, record, django_user_model
):
    editor.user_permissions.add(Permission.objects.get(codename="approve_activityrecord"))
    workflow.submit(ActivityRecord.objects.filter(pk=record.pk), user=editor)
    client.force_login(editor)
    html = page(client, record)
    assert reverse("dashboard:record_approve", args=[record.pk]) not in html
    assert "You submitted this record: someone else must approve or reject it." in html
    response = post(client, "record_approve", record)
    assert "someone else must review it" in response.content.decode()
    record.refresh_from_db()
    assert record.status == ReviewStatus.SUBMITTED


def test_a_rejection_needs_a_reason_and_shows_it(client, editor, approver, record):
    workflow.submit(ActivityRecord.objects.filter(pk=record.pk), user=editor)
    client.force_login(approver)
    response = post(client, "record_reject", record, {"reason": ""})
    assert "Say why: the submitter will read it." in response.content.decode()
    record.refresh_from_db()
    assert record.status == ReviewStatus.SUBMITTED
    post(client, "record_reject", record, {"reason": "Wrong meter <b>2</b>"})
    record.refresh_from_db()
    assert (record.status, record.rejection_reason) == ("rejected", "Wrong meter <b>2</b>")
    html = page(client, record)
    assert "Reason: Wrong meter &lt;b&gt;2&lt;/b&gt;" in html  # escaped


@pytest.mark.parametrize("name", ["record_submit", "record_approve", "record_reject"])
def test_the_review_views_need_their_permission_and_post(client, viewer, record, name):
    url = reverse(f"dashboard:{name}", args=[record.pk])
    assert client.post(url).status_code == 302  # anonymous: to the login page
    client.force_login(viewer)
    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405
    record.refresh_from_db()
    assert record.status == ReviewStatus.DRAFT


@pytest.mark.parametrize("name", ["record_submit", "record_approve", "record_reject"])
def test_a_missing_record_is_404(client, editor, approver, name):
    approver.user_permissions.add(Permission.objects.get(codename="change_activityrecord"))
    client.force_login(approver)
    assert client.post(reverse(f"dashboard:{name}", args=[999999])).status_code == 404


def test_the_viewer_sees_the_status_but_no_buttons(client, django_user_model, record):
    reader = user_with(django_user_model, "reader")
    client.force_login(reader)
    html = page(client, record)
    assert 'class="badge badge-review-draft"' in html
    assert "<form" not in html.split('id="review"')[1].split("</section>")[0]


# The import page: an approver reviews a whole import at once.


@pytest.fixture
def committed(editor, organisation, hebei_plant):
    batch = imports.start_import(user=editor, file_name="a.csv", content=GOOD)
    imports.commit_import(batch=batch, user=editor, sha=batch.sha256)
    return batch


def test_an_approver_approves_a_whole_import(client, approver, committed):
    client.force_login(approver)
    url = reverse("dashboard:import_batch", args=[committed.pk])
    html = client.get(url).content.decode()
    assert "Review: 2 waiting for approval, 0 approved, 0 rejected, 0 draft." in html
    assert "Approve 2 records" in html
    response = client.post(reverse("dashboard:import_approve", args=[committed.pk]), follow=True)
    assert "Approved 2 records of this import." in response.content.decode()
    assert ActivityRecord.objects.approved().count() == 2


def test_the_importer_cannot_approve_their_own_import(client, editor, committed):
    editor.user_permissions.add(Permission.objects.get(codename="approve_activityrecord"))
    client.force_login(editor)
    html = client.get(reverse("dashboard:import_batch", args=[committed.pk])).content.decode()
    assert "Approve 2 records" not in html
    assert "You imported these records: someone else must approve or reject them." in html
    response = client.post(reverse("dashboard:import_approve", args=[committed.pk]), follow=True)
    assert "someone else must review them" in response.content.decode()
    assert ActivityRecord.objects.approved().count() == 0


def test_an_import_is_rejected_with_a_reason(client, approver, committed):
    client.force_login(approver)
    url = reverse("dashboard:import_reject", args=[committed.pk])
    response = client.post(url, {"reason": ""}, follow=True)
    assert "Say why: the submitter will read it." in response.content.decode()
    client.post(url, {"reason": "March is double counted."})
    assert set(ActivityRecord.objects.values_list("status", "rejection_reason")) == {
        ("rejected", "March is double counted.")
    }


def test_import_review_needs_the_approve_permission_and_a_committed_batch(
    client, editor, viewer, committed
):
    url = reverse("dashboard:import_approve", args=[committed.pk])
    client.force_login(viewer)
    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405
    editor.user_permissions.add(Permission.objects.get(codename="approve_activityrecord"))
    previewed = imports.start_import(user=editor, file_name="b.csv", content=GOOD)
    client.force_login(editor)
    assert client.post(reverse("dashboard:import_approve", args=[previewed.pk])).status_code == 404


def test_the_ledger_filters_by_review_status(client, editor, approver, record, hebei_plant):
    client.force_login(approver)
    ledger = reverse("dashboard:ledger")
    assert "1 record" in client.get(ledger).content.decode()
    assert "0 records" in client.get(ledger, {"review": "approved"}).content.decode()
    assert "1 record" in client.get(ledger, {"review": "pending"}).content.decode()
    ActivityRecord.objects.filter(pk=record.pk).update(status="rejected", rejection_reason="x")
    assert "0 records" in client.get(ledger).content.decode()  # rejected records do not count
    assert "1 record" in client.get(ledger, {"review": "rejected"}).content.decode()
    assert "1 record" in client.get(ledger, {"review": "all"}).content.decode()
