"""Evidence files go out only through the download view, to users who may read records."""

import pytest
from django.urls import reverse

from .conftest import PDF, PNG

pytestmark = pytest.mark.django_db


def url(evidence) -> str:
    return reverse("dashboard:evidence_download", args=[evidence.pk])


def test_it_streams_the_file_as_an_attachment_with_safe_headers(client, reader, make_evidence):
    evidence = make_evidence("March bill.pdf")
    client.force_login(reader)
    response = client.get(url(evidence))
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(PDF))
    assert response["Content-Disposition"] == 'attachment; filename="March bill.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


def test_an_image_goes_out_with_its_own_type(client, reader, make_evidence):
    evidence = make_evidence("meter.png", PNG)
    client.force_login(reader)
    response = client.get(url(evidence))
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG


def test_a_chinese_file_name_is_offered_in_the_utf8_form(client, reader, make_evidence):
    evidence = make_evidence("三月电费.pdf")
    client.force_login(reader)
    response = client.get(url(evidence))
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E4%B8%89%E6%9C%88%E7%94%B5%E8%B4%B9.pdf"
    )


def test_the_name_offered_is_the_cleaned_one(client, reader, make_evidence):
    evidence = make_evidence('bill"\r\nX-Evil: 1.pdf')
    client.force_login(reader)
    response = client.get(url(evidence))
    assert evidence.original_name == "bill X-Evil 1.pdf"
    assert response["Content-Disposition"] == 'attachment; filename="bill X-Evil 1.pdf"'
    assert "X-Evil" not in response.headers


def test_head_is_allowed(client, reader, make_evidence):
    evidence = make_evidence()
    client.force_login(reader)
    response = client.head(url(evidence))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_anonymous_visitors_are_sent_to_the_login_page(client, make_evidence):
    evidence = make_evidence()
    response = client.get(url(evidence))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url(evidence)}"


@pytest.mark.parametrize("user", ["viewer", "outsider"])
def test_a_user_who_may_not_read_records_gets_403(client, request, make_evidence, user):
    evidence = make_evidence()
    client.force_login(request.getfixturevalue(user))
    response = client.get(url(evidence))
    assert response.status_code == 403
    assert not response.streaming


def test_missing_evidence_is_404(client, reader):
    client.force_login(reader)
    assert client.get("/evidence/999999/").status_code == 404


def test_evidence_whose_stored_file_is_gone_is_404(client, reader, make_evidence):
    evidence = make_evidence()
    evidence.file.storage.delete(evidence.file.name)
    client.force_login(reader)
    assert client.get(url(evidence)).status_code == 404


def test_post_is_not_allowed(client, reader, make_evidence):
    evidence = make_evidence()
    client.force_login(reader)
    assert client.post(url(evidence)).status_code == 405


def test_media_files_are_not_served_at_any_other_address(client, reader, make_evidence):
    evidence = make_evidence()
    client.force_login(reader)
    for address in (f"/{evidence.file.name}", f"/media/{evidence.file.name}"):
        assert client.get(address).status_code == 404
