"""Unified social credit codes (统一社会信用代码), checked by GB 32100-2015 on every path."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from emissions.suppliers.credit_code import check_character, validate_credit_code
from emissions.suppliers.models import Supplier

# Published on business licences (company registration pages): each passes the check.
REAL_CODES = ["91110000600037341L", "91440300708461136T", "913300007125582210"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_published_codes_pass(code):
    validate_credit_code(code)


def test_the_check_character_follows_gb_32100():
    # Σ index × 3^i mod 31 over the first 17, then 31 − (Σ mod 31): worked for the first code.
    assert check_character("91110000600037341") == "L"
    assert check_character("91440300708461136") == "T"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("9111000060003734", "18 characters; 9111000060003734 has 16"),
        ("91110000600037341M", "should be L"),
        ("9111000060003734IL", "contains I"),
        ("91A10000600037341L", "characters 3 to 8"),
    ],
)
def test_each_mistake_is_named(code, message):
    with pytest.raises(ValidationError) as refused:
        validate_credit_code(code)
    assert message in refused.value.messages[0]


def test_spaces_hyphens_and_lower_case_are_how_people_type_it():
    validate_credit_code(" 9111-0000-6000-3734-1l ")


@pytest.mark.django_db
def test_the_admin_form_names_the_field(admin_client):
    response = admin_client.post(
        "/admin/suppliers/supplier/add/",
        {
            "name": "Test",
            "credit_code": "91110000600037341M",
            "category": "raw_materials",
            "language": "zh-hans",
            "products-TOTAL_FORMS": "0",
            "products-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "should be L" in response.content.decode()
    assert not Supplier.objects.exists()


@pytest.mark.django_db
def test_the_database_refuses_a_malformed_code_and_a_second_supplier_with_the_same():
    Supplier.objects.create(name="A", credit_code=REAL_CODES[0], category="services")
    with pytest.raises(IntegrityError), transaction.atomic():
        Supplier.objects.create(name="B", credit_code=REAL_CODES[0], category="services")
    with pytest.raises(IntegrityError), transaction.atomic():
        Supplier.objects.create(name="C", credit_code="not-a-code", category="services")
    # Many suppliers may have no code (foreign ones, individuals).
    Supplier.objects.create(name="D", category="services")
    Supplier.objects.create(name="E", category="services")


@pytest.mark.django_db
def test_an_admin_import_of_suppliers_is_all_or_nothing_and_names_the_bad_code(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = (
        "id,name,name_zh,credit_code,category,contact_name,email,language,notes\n"
        f",Good,好,{REAL_CODES[0]},services,,a@b.example,zh-hans,\n"
        ",Bad,坏,91110000600037341M,services,,c@d.example,zh-hans,\n"
    )
    response = admin_client.post(
        "/admin/suppliers/supplier/import/",
        {
            "format": "0",
            "resource": "0",
            "import_file": SimpleUploadedFile("s.csv", csv.encode(), content_type="text/csv"),
        },
    )
    html = response.content.decode()
    assert "should be L" in html
    assert not Supplier.objects.exists()
