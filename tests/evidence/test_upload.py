"""Uploading evidence on a record's page: what is stored, who may, and each refusal."""

import hashlib
import re

import pytest
from django.db import IntegrityError
from django.urls import reverse

from emissions.evidence import files, services
from emissions.evidence.models import EvidenceFile

from .conftest import JPEG, PDF, PNG, stored_files, upload

pytestmark = pytest.mark.django_db


def url(record) -> str:
    return reverse("dashboard:evidence_upload", args=[record.pk])


def page(record) -> str:
    return reverse("dashboard:record_detail", args=[record.pk])


def test_it_stores_the_file_and_lists_it_on_the_record_page(client, uploader, record):
    client.force_login(uploader)
    response = client.post(
        url(record), {"file": upload("March bill.pdf"), "description": "State Grid, March"}
    )
    assert response.status_code == 302
    assert response.url == page(record) + "#evidence"

    evidence = EvidenceFile.objects.get()
    assert evidence.record == record
    assert evidence.original_name == "March bill.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.size == len(PDF)
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.uploaded_by == uploader
    assert evidence.description == "State Grid, March"
    with evidence.file.open("rb") as stored:
        assert stored.read() == PDF

    html = client.get(response.url).content.decode()
    assert "Attached “March bill.pdf”." in html
    download = reverse("dashboard:evidence_download", args=[evidence.pk])
    assert f'<a href="{download}" download>March bill.pdf</a>' in html
    assert "State Grid, March" in html
    assert f'<td class="num">{len(PDF)}\xa0bytes</td>' in html
    assert "<td>uploader</td>" in html


def test_the_stored_path_is_random_and_does_not_contain_the_uploaded_name(
    client, uploader, record, media_root
):
    client.force_login(uploader)
    client.post(url(record), {"file": upload("secret-invoice-0042.pdf")})
    client.post(url(record), {"file": upload("secret-invoice-0042.pdf")})

    first, second = EvidenceFile.objects.order_by("pk")
    for evidence in (first, second):
        assert "secret" not in evidence.file.name
        assert re.fullmatch(r"evidence/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", evidence.file.name)
        assert evidence.original_name == "secret-invoice-0042.pdf"
    assert first.file.name != second.file.name
    assert [path.name for path in stored_files(media_root)] == sorted(
        name.rsplit("/", 1)[1] for name in (first.file.name, second.file.name)
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type", "extension"),
    [
        ("meter.PNG", PNG, "image/png", ".png"),
        ("scan.jpeg", JPEG, "image/jpeg", ".jpg"),
        ("scan.JPG", JPEG, "image/jpeg", ".jpg"),
    ],
)
def test_it_accepts_png_and_jpeg_whatever_the_case_of_the_extension(
    client, uploader, record, name, content, content_type, extension
):
    client.force_login(uploader)
    response = client.post(url(record), {"file": upload(name, content, "text/plain")})
    assert response.status_code == 302
    evidence = EvidenceFile.objects.get()
    # The type comes from the checked content, not from what the browser said.
    assert evidence.content_type == content_type
    assert evidence.file.name.endswith(extension)
    assert evidence.original_name == name


def test_a_file_of_exactly_the_limit_is_accepted(client, uploader, record):
    client.force_login(uploader)
    content = PDF + b"0" * (files.MAX_BYTES - len(PDF))
    response = client.post(url(record), {"file": upload("big.pdf", content)})
    assert response.status_code == 302
    assert EvidenceFile.objects.get().size == files.MAX_BYTES


def refused(client, record, data) -> str:
    response = client.post(url(record), data)
    assert response.status_code == 400
    return response.content.decode()


def assert_nothing_written(media_root):
    assert not EvidenceFile.objects.exists()
    assert not EvidenceFile.history.exists()
    assert stored_files(media_root) == []


def test_a_missing_file_is_asked_for(client, uploader, record, media_root):
    client.force_login(uploader)
    html = refused(client, record, {"description": "no file"})
    assert '<p class="field-error" role="alert">Choose a file to upload.</p>' in html
    # The form comes back as it was filled in.
    assert 'value="no file"' in html
    assert_nothing_written(media_root)


def test_an_empty_file_is_refused(client, uploader, record, media_root):
    client.force_login(uploader)
    html = refused(client, record, {"file": upload("empty.pdf", b"")})
    assert '<p class="field-error" role="alert">The file is empty.</p>' in html
    assert_nothing_written(media_root)


@pytest.mark.parametrize("name", ["invoice.docx", "invoice.pdf.exe", "invoice", "bill.svg"])
def test_a_type_other_than_pdf_png_or_jpeg_is_refused(client, uploader, record, media_root, name):
    client.force_login(uploader)
    html = refused(client, record, {"file": upload(name, PDF)})
    assert f"“{name}” is not a PDF, PNG or JPEG file. Upload one of those types." in html
    assert_nothing_written(media_root)


def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit(
    client, uploader, record, media_root
):
    client.force_login(uploader)
    content = PDF + b"0" * (files.MAX_BYTES + 1 - len(PDF))
    html = refused(client, record, {"file": upload("huge.pdf", content)})
    # Cut off by the upload handler at the limit, before the rest reached the disk.
    assert "The file is larger than 10 MB." in html
    assert_nothing_written(media_root)


def test_the_upload_still_checks_the_csrf_token(uploader, record, media_root):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(uploader)
    response = client.post(url(record), {"file": upload("bill.pdf", PDF)})
    assert response.status_code == 403
    assert_nothing_written(media_root)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "bill.pdf",
            b"<html><script>alert(1)</script></html>",
            "ends in .pdf but its content is not a PDF",
        ),
        ("bill.pdf", PNG, "ends in .pdf but its content is not a PDF"),
        ("photo.png", JPEG, "ends in .png but its content is not a PNG"),
        ("photo.JPG", PDF, "ends in .JPG but its content is not a JPEG"),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(
    client, uploader, record, media_root, name, content, message
):
    client.force_login(uploader)
    html = refused(client, record, {"file": upload(name, content)})
    assert f"The file&#x27;s name {message}." in html
    assert_nothing_written(media_root)


def test_a_description_over_200_characters_is_refused(client, uploader, record, media_root):
    client.force_login(uploader)
    html = refused(client, record, {"file": upload("bill.pdf"), "description": "x" * 201})
    assert "Ensure this value has at most 200 characters (it has 201)." in html
    assert_nothing_written(media_root)


def test_a_row_that_cannot_be_saved_leaves_no_file_behind(
    uploader, record, media_root, monkeypatch
):
    def fail(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(EvidenceFile, "save", fail)
    with pytest.raises(IntegrityError):
        services.attach_evidence(
            record=record, upload=upload("bill.pdf"), description="", user=uploader
        )
    assert_nothing_written(media_root)


def test_the_service_checks_the_file_too(uploader, record, media_root):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.attach_evidence(
            record=record, upload=upload("bill.pdf", PNG), description="", user=uploader
        )
    assert caught.value.messages == ["The file's name ends in .pdf but its content is not a PDF."]
    assert_nothing_written(media_root)


def test_anonymous_visitors_are_sent_to_the_login_page(client, record, media_root):
    response = client.post(url(record), {"file": upload("bill.pdf")})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert_nothing_written(media_root)


@pytest.mark.parametrize("user", ["reader", "viewer", "outsider"])
def test_a_user_without_the_permissions_gets_403(client, request, record, media_root, user):
    client.force_login(request.getfixturevalue(user))
    assert client.post(url(record), {"file": upload("bill.pdf")}).status_code == 403
    assert_nothing_written(media_root)


def test_a_missing_record_is_404(client, uploader, media_root):
    client.force_login(uploader)
    response = client.post("/ledger/999999/evidence/", {"file": upload("bill.pdf")})
    assert response.status_code == 404
    assert_nothing_written(media_root)


def test_get_is_not_allowed(client, uploader, record):
    client.force_login(uploader)
    assert client.get(url(record)).status_code == 405


def test_the_upload_form_and_its_limits_show_only_to_users_who_may_upload(
    client, reader, uploader, record
):
    client.force_login(reader)
    html = client.get(page(record)).content.decode()
    assert url(record) not in html
    assert "No evidence files attached." in html

    client.force_login(uploader)
    html = client.get(page(record)).content.decode()
    assert f'action="{url(record)}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "PDF, PNG or JPEG files up to 10 MB." in html
    assert 'accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"' in html


def test_the_evidence_section_has_no_inline_styles_or_scripts(client, uploader, make_evidence):
    evidence = make_evidence()
    client.force_login(uploader)
    html = client.get(page(evidence.record)).content.decode()
    assert "style=" not in html
    assert "<script>" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []


def test_the_record_page_query_count_does_not_grow_with_evidence(
    client, uploader, record, make_evidence, django_assert_num_queries
):
    client.force_login(uploader)
    make_evidence("a.pdf")
    # session, user, user permissions, group permissions, the record, its history, its
    # evidence files with their uploaders, the lock of the record's year
    with django_assert_num_queries(8):
        client.get(page(record))
    for number in range(5):
        make_evidence(f"more-{number}.pdf")
    with django_assert_num_queries(8):
        html = client.get(page(record)).content.decode()
    assert html.count("download>") == 6
