"""Deleting evidence: the row at once, the stored file once the deletion is committed."""

from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.urls import reverse

from emissions.evidence.models import EvidenceFile

from .conftest import stored_files

pytestmark = pytest.mark.django_db


def url(evidence) -> str:
    return reverse("dashboard:evidence_delete", args=[evidence.pk])


def path_of(evidence) -> Path:
    return Path(evidence.file.path)


def test_it_deletes_the_row_and_then_the_stored_file(
    client, remover, make_evidence, django_capture_on_commit_callbacks
):
    evidence = make_evidence("March bill.pdf")
    stored = path_of(evidence)
    assert stored.exists()
    client.force_login(remover)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(evidence))
    assert response.status_code == 302
    assert response.url == reverse("dashboard:record_detail", args=[evidence.record_id]) + (
        "#evidence"
    )
    assert not EvidenceFile.objects.exists()
    assert not stored.exists()
    # The history keeps what was attached, by whom, and who deleted it.
    deleted = EvidenceFile.history.get(history_type="-")
    assert deleted.original_name == "March bill.pdf"
    assert deleted.history_user == remover
    html = client.get(response.url).content.decode()
    assert "Deleted “March bill.pdf”." in html
    assert "No evidence files attached." in html


def test_the_file_stays_until_the_transaction_commits(
    client, remover, make_evidence, django_capture_on_commit_callbacks
):
    evidence = make_evidence()
    client.force_login(remover)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(url(evidence))
        assert not EvidenceFile.objects.exists()
        assert path_of(evidence).exists()
    assert len(callbacks) == 1
    callbacks[0]()
    assert not path_of(evidence).exists()


def test_a_rolled_back_deletion_keeps_the_file(make_evidence, django_capture_on_commit_callbacks):
    evidence = make_evidence()
    pk, stored = evidence.pk, path_of(evidence)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        evidence.delete()
        raise RuntimeError("changed my mind")
    assert callbacks == []
    assert EvidenceFile.objects.filter(pk=pk).exists()
    assert stored.exists()


def test_deleting_a_record_deletes_its_evidence_and_files(
    record, make_evidence, media_root, django_capture_on_commit_callbacks
):
    make_evidence("a.pdf")
    make_evidence("b.pdf")
    assert len(stored_files(media_root)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        record.delete()
    assert not EvidenceFile.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_that_cannot_be_removed_is_logged_not_raised(
    make_evidence, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    evidence = make_evidence()

    def refuse(storage, name):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(FileSystemStorage, "delete", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        evidence.delete()
    assert "Could not remove the evidence file" in caplog.text
    assert not EvidenceFile.objects.exists()


def test_the_delete_button_shows_only_to_users_who_may_delete(
    client, reader, remover, make_evidence
):
    evidence = make_evidence()
    page = reverse("dashboard:record_detail", args=[evidence.record_id])
    client.force_login(reader)
    assert url(evidence) not in client.get(page).content.decode()
    client.force_login(remover)
    html = client.get(page).content.decode()
    assert f'<form method="post" action="{url(evidence)}">' in html
    assert 'aria-label="Delete March bill.pdf">Delete</button>' in html


def test_anonymous_visitors_are_sent_to_the_login_page(client, make_evidence):
    evidence = make_evidence()
    response = client.post(url(evidence))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert EvidenceFile.objects.exists()


@pytest.mark.parametrize("user", ["reader", "uploader", "viewer", "outsider"])
def test_a_user_without_the_delete_permission_gets_403(client, request, make_evidence, user):
    evidence = make_evidence()
    client.force_login(request.getfixturevalue(user))
    assert client.post(url(evidence)).status_code == 403
    assert EvidenceFile.objects.exists()
    assert path_of(evidence).exists()


def test_missing_evidence_is_404(client, remover):
    client.force_login(remover)
    assert client.post("/evidence/999999/delete/").status_code == 404


def test_get_is_not_allowed(client, remover, make_evidence):
    evidence = make_evidence()
    client.force_login(remover)
    assert client.get(url(evidence)).status_code == 405
    assert EvidenceFile.objects.exists()
