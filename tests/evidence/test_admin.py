"""The admin lists, describes and deletes evidence; files are added on the record page only."""

from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_changelist_shows_each_file_in_a_fixed_number_of_queries(
    admin_client, make_evidence, django_assert_max_num_queries
):
    for number in range(5):
        make_evidence(f"bill-{number}.pdf")
    url = reverse("admin:evidence_evidencefile_changelist")
    with django_assert_max_num_queries(8):
        response = admin_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "bill-4.pdf" in html
    assert "XT-01 Grid electricity 2024-03-01–2024-03-31" in html


def test_evidence_cannot_be_added_in_the_admin(admin_client):
    url = reverse("admin:evidence_evidencefile_add")
    assert admin_client.get(url).status_code == 403


def test_the_change_page_edits_only_the_description_and_never_links_the_stored_file(
    admin_client, make_evidence
):
    evidence = make_evidence()
    url = reverse("admin:evidence_evidencefile_change", args=[evidence.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="description"' in html
    assert 'name="original_name"' not in html
    assert 'name="file"' not in html
    assert evidence.file.name in html
    assert f'href="{evidence.file.name}' not in html
    assert f'href="/{evidence.file.name}' not in html

    response = admin_client.post(url, {"description": "Reissued bill"})
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.description == "Reissued bill"


def test_an_old_version_cannot_be_restored(admin_client, make_evidence):
    evidence = make_evidence()
    version = evidence.history.get()
    url = reverse(
        "admin:evidence_evidencefile_simple_history", args=[evidence.pk, version.history_id]
    )
    assert admin_client.post(url, {"description": "x"}).status_code == 403


def test_deleting_in_the_admin_removes_the_stored_file(
    admin_client, make_evidence, django_capture_on_commit_callbacks
):
    evidence = make_evidence()
    stored = evidence.file.path
    url = reverse("admin:evidence_evidencefile_delete", args=[evidence.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Path(stored).exists()
