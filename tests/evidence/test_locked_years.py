"""Evidence of a record in a locked reporting year is neither attached nor deleted."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from emissions.evidence import services
from emissions.evidence.models import EvidenceFile
from emissions.facilities import periods

from .conftest import stored_files, upload

pytestmark = pytest.mark.django_db

LOCKED_2024 = "Reporting year 2024 is locked since"


@pytest.fixture
def lock_2024(django_user_model):
    approver = django_user_model.objects.create_user("mei.lin", password="approver-pass-123")

    def lock():
        return periods.lock_year(year=2024, user=approver)

    return lock


def record_url(record) -> str:
    return reverse("dashboard:record_detail", args=[record.pk]) + "#evidence"


def test_the_service_refuses_attaching_to_a_record_of_a_locked_year(
    record, uploader, lock_2024, media_root
):
    lock_2024()
    with pytest.raises(ValidationError, match=LOCKED_2024):
        services.attach_evidence(
            record=record, upload=upload("bill.pdf"), description="", user=uploader
        )
    assert not EvidenceFile.objects.exists()
    assert stored_files(media_root) == []


def test_the_upload_page_shows_the_refusal_and_keeps_nothing(
    client, record, uploader, lock_2024, media_root
):
    lock_2024()
    client.force_login(uploader)
    response = client.post(
        reverse("dashboard:evidence_upload", args=[record.pk]),
        {"file": upload("bill.pdf"), "description": "March"},
        follow=True,
    )
    assert response.redirect_chain[0] == (record_url(record), 302)
    assert LOCKED_2024 in response.content.decode()
    assert not EvidenceFile.objects.exists()
    assert stored_files(media_root) == []


def test_the_delete_button_refuses_evidence_of_a_locked_year(
    client, remover, make_evidence, lock_2024, media_root
):
    evidence = make_evidence("bill.pdf")
    lock_2024()
    client.force_login(remover)
    response = client.post(reverse("dashboard:evidence_delete", args=[evidence.pk]), follow=True)
    assert LOCKED_2024 in response.content.decode()
    assert EvidenceFile.objects.filter(pk=evidence.pk).exists()
    assert len(stored_files(media_root)) == 1


def test_the_admin_refuses_deleting_evidence_of_a_locked_year(
    admin_client, make_evidence, lock_2024
):
    evidence = make_evidence("bill.pdf")
    lock_2024()
    delete_url = reverse("admin:evidence_evidencefile_delete", args=[evidence.pk])
    response = admin_client.post(delete_url, {"post": "yes"}, follow=True)
    assert LOCKED_2024 in response.content.decode()
    changelist = reverse("admin:evidence_evidencefile_changelist")
    data = {"action": "delete_selected", "_selected_action": [evidence.pk], "post": "yes"}
    response = admin_client.post(changelist, data, follow=True)
    assert LOCKED_2024 in response.content.decode()
    assert EvidenceFile.objects.filter(pk=evidence.pk).exists()


def test_evidence_of_an_open_year_is_still_deleted(
    client, remover, make_evidence, django_capture_on_commit_callbacks
):
    evidence = make_evidence("bill.pdf")
    periods.lock_year(year=2023, user=remover)  # another year
    client.force_login(remover)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dashboard:evidence_delete", args=[evidence.pk]))
    assert not EvidenceFile.objects.exists()
