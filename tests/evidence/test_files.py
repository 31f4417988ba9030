"""What a file may be and what its name becomes, without a request."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from emissions.evidence import files

from .conftest import JPEG, PDF, PNG


@pytest.mark.parametrize(
    ("uploaded", "cleaned"),
    [
        ("March bill.pdf", "March bill.pdf"),
        ("三月 电费 发票.PDF", "三月 电费 发票.PDF"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\kehui\\scan.jpg", "scan.jpg"),
        ("bill\x00\r\n.pdf", "bill.pdf"),
        ('a "quoted" <name>?.png', "a quoted name.png"),
        ("  lots   of\tspace .pdf", "lots of space.pdf"),
        (".pdf", "evidence.pdf"),
        ("..pdf", "evidence.pdf"),
        ("///.jpeg", "evidence.jpeg"),
        ("e\u0301te\u0301.pdf", "\u00e9t\u00e9.pdf"),
    ],
)
def test_the_uploaded_name_is_cleaned_for_display_and_download(uploaded, cleaned):
    assert files.clean_name(uploaded) == cleaned


def test_a_long_name_is_shortened_but_keeps_its_extension():
    cleaned = files.clean_name("x" * 300 + ".jpeg")
    assert len(cleaned) == files.NAME_LIMIT
    assert cleaned.endswith("x.jpeg")


@pytest.mark.parametrize(
    ("name", "label"),
    [("a.pdf", "PDF"), ("a.PNG", "PNG"), ("a.jpg", "JPEG"), ("a.JPEG", "JPEG"), ("a.gif", None)],
)
def test_the_kind_a_name_claims_comes_from_its_extension(name, label):
    kind = files.kind_for_name(name)
    assert (kind.label if kind else None) == label


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("a.pdf", PDF, "application/pdf"), ("a.png", PNG, "image/png"), ("a.jpg", JPEG, "image/jpeg")],
)
def test_a_file_whose_name_and_content_agree_is_accepted(name, content, content_type):
    assert files.check(SimpleUploadedFile(name, content)).content_type == content_type


def test_a_pdf_header_later_in_the_file_is_not_enough():
    with pytest.raises(ValidationError) as caught:
        files.check(SimpleUploadedFile("a.pdf", b"junk before %PDF-1.7"))
    assert caught.value.code == "content"


def test_the_check_leaves_the_file_at_its_start():
    upload = SimpleUploadedFile("a.pdf", PDF)
    files.check(upload)
    assert upload.read() == PDF
