"""Products, production and precursors in the admin: each bad field gets its message, nothing
half-written; a locked year's production is neither added, changed nor deleted."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.db import IntegrityError
from django.urls import reverse

from emissions.facilities import periods
from emissions.products.models import Precursor, Process, Product, Production

pytestmark = pytest.mark.django_db


def errors_of(response) -> dict:
    assert response.status_code == 200, "the form was expected back with its errors"
    form = response.context["adminform"].form
    return {field: list(messages) for field, messages in form.errors.items()}


def product_data(**fields):
    return {"code": "hrc", "name_en": "Hot-rolled coil", "name_zh": "", "cn_code": "72083900",
            "declared_unit": "t", "mass_kg_per_unit": "", **fields}  # fmt: skip


def test_a_product_is_added_with_its_cn_code(admin_client):
    response = admin_client.post(reverse("admin:products_product_add"), product_data())

    assert response.status_code == 302
    assert Product.objects.get().cn_code == "72083900"


@pytest.mark.parametrize("cn_code", ["7208390", "720839001", "7208-390", "72O83900"])
def test_a_cn_code_that_is_not_eight_digits_is_refused_by_name(admin_client, cn_code):
    response = admin_client.post(
        reverse("admin:products_product_add"), product_data(cn_code=cn_code)
    )

    (message,) = errors_of(response)["cn_code"]
    assert message.startswith("A CN code has 8 digits (e.g. 72083900)")
    assert not Product.objects.exists()


def test_the_database_refuses_a_cn_code_of_another_shape():
    with pytest.raises(IntegrityError):
        Product.objects.create(code="x", name_en="X", cn_code="123")


def production_data(coil_and_plate, **fields):
    process, coil, _plate = coil_and_plate
    return {"process": process.pk, "product": coil.pk, "year": "2025", "month": "11",
            "quantity": "12.5", "machine_hours": "", "value_cny": "", **fields}  # fmt: skip


def test_production_is_added_in_the_admin(admin_client, coil_and_plate):
    url = reverse("admin:products_production_add")

    response = admin_client.post(url, production_data(coil_and_plate))

    assert response.status_code == 302
    assert Production.objects.get(month=11).quantity == Decimal("12.5")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"quantity": ""}, "quantity", "This field is required."),
        ({"quantity": "0"}, "quantity", "Production needs a quantity above zero."),
        ({"quantity": "-3"}, "quantity", "Production needs a quantity above zero."),
        ({"month": "13"}, "month", "Ensure this value is less than or equal to 12."),
        ({"machine_hours": "-1"}, "__all__", "Machine hours cannot be negative."),
    ],
)
def test_bad_production_is_refused_with_its_message(
    admin_client, coil_and_plate, fields, field, message
):
    before = Production.objects.count()

    response = admin_client.post(
        reverse("admin:products_production_add"), production_data(coil_and_plate, **fields)
    )

    assert message in errors_of(response)[field]
    assert Production.objects.count() == before


def test_the_same_month_twice_is_refused(admin_client, coil_and_plate):
    response = admin_client.post(
        reverse("admin:products_production_add"), production_data(coil_and_plate, month="3")
    )

    assert errors_of(response)["__all__"] == [
        "This process already has production of this product in this month."
    ]


def test_a_locked_year_takes_no_production_and_keeps_its_own(
    admin_client, admin_user, coil_and_plate
):
    periods.lock_year(year=2025, user=admin_user, note="verified")
    url = reverse("admin:products_production_add")

    response = admin_client.post(url, production_data(coil_and_plate))

    assert errors_of(response)["year"][0].startswith("Reporting year 2025 is locked since")
    row = Production.objects.first()
    delete = reverse("admin:products_production_delete", args=[row.pk])
    response = admin_client.post(delete, {"post": "yes"}, follow=True)
    assert "Reporting year 2025 is locked since" in response.content.decode()
    assert Production.objects.filter(pk=row.pk).exists()
    assert not LogEntry.objects.exists()


def precursor_data(coil_and_plate, **fields):
    process, coil, _plate = coil_and_plate
    return {"facility": process.facility_id, "product": coil.pk, "year": "2025",
            "name": "Billets", "quantity_t": "10", "supplier_product": "",
            "default_kg_per_t": "1900", "default_source": "Mill certificate", **fields}  # fmt: skip


def test_a_precursor_without_a_footprint_is_refused(admin_client, coil_and_plate):
    before = Precursor.objects.count()

    response = admin_client.post(
        reverse("admin:products_precursor_add"),
        precursor_data(coil_and_plate, default_kg_per_t=""),
    )

    assert errors_of(response)["__all__"] == [
        "A precursor needs embedded emissions: a supplier product with an accepted footprint, "
        "or a default value with its source."
    ]
    assert Precursor.objects.count() == before


def test_a_default_without_its_source_is_refused(admin_client, coil_and_plate):
    response = admin_client.post(
        reverse("admin:products_precursor_add"),
        precursor_data(coil_and_plate, default_source=""),
    )

    assert errors_of(response)["default_source"] == ["Say where the default value comes from."]


def test_a_supplier_product_without_an_accepted_footprint_needs_a_default(
    admin_client, coil_and_plate
):
    from emissions.suppliers.models import Supplier, SupplierProduct

    supplier = Supplier.objects.create(name="Hebei Steel", category="raw_materials")
    billets = SupplierProduct.objects.create(
        supplier=supplier, code="billets", name="Billets", declared_unit="t"
    )

    response = admin_client.post(
        reverse("admin:products_precursor_add"),
        precursor_data(coil_and_plate, supplier_product=billets.pk, default_kg_per_t=""),
    )

    assert errors_of(response)["default_kg_per_t"] == [
        f"{billets} has no accepted footprint yet: enter a default value with its source until "
        "the supplier gives one."
    ]


def test_a_process_names_why_its_basis_fits(admin_client, hebei_plant):
    response = admin_client.post(
        reverse("admin:products_process_add"),
        {"facility": hebei_plant.pk, "name": "Rolling", "allocation_basis": "mass",
         "justification": ""},
    )  # fmt: skip

    assert errors_of(response)["justification"] == ["This field is required."]
    assert not Process.objects.exists()


def _import(admin_client, csv: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return admin_client.post(
        reverse("admin:products_production_import"),
        {
            "format": "0",
            "resource": "0",
            "import_file": SimpleUploadedFile("p.csv", csv.encode(), content_type="text/csv"),
        },
    )


HEADER = "facility,product,year,month,quantity,machine_hours,value_cny\n"


def test_production_imports_by_facility_and_product_code(admin_client, coil_and_plate):
    response = _import(admin_client, HEADER + "XT-01,hrc,2025,11,120.5,80,\n")

    assert response.status_code == 200
    assert "120.5" in response.content.decode()  # the confirmation page shows the row
    # The preview writes nothing until confirmed.
    assert not Production.objects.filter(month=11).exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("XT-99,hrc,2025,11,1,,", "No production process with facility code “XT-99”."),
        ("XT-01,nope,2025,11,1,,", "No product with code “nope”."),
        ("XT-01,hrc,2025,11,0,,", "Production needs a quantity above zero."),
        ("XT-01,hrc,2025,13,1,,", "Ensure this value is less than or equal to 12."),
    ],
)
def test_a_bad_production_row_is_named_and_nothing_is_written(
    admin_client, coil_and_plate, row, message
):
    before = Production.objects.count()

    response = _import(admin_client, HEADER + "XT-01,plate,2025,12,5,,\n" + row + "\n")

    assert message in response.content.decode()
    assert Production.objects.count() == before


def _import_to(admin_client, model: str, csv: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return admin_client.post(
        reverse(f"admin:products_{model}_import"),
        {
            "format": "0",
            "resource": "0",
            "import_file": SimpleUploadedFile("p.csv", csv.encode(), content_type="text/csv"),
        },
    )


def test_a_product_file_with_a_bad_cn_code_writes_nothing_and_names_it(admin_client):
    csv = (
        "code,name_en,name_zh,cn_code,cpc_code,declared_unit,mass_kg_per_unit\n"
        "hrc,Hot-rolled coil,热轧卷,72083900,,t,\n"
        "bad,Bad,,7208,,t,\n"
    )

    html = _import_to(admin_client, "product", csv).content.decode()

    assert "A CN code has 8 digits (e.g. 72083900); “7208” has 4 characters." in html
    assert not Product.objects.exists()


def test_a_precursor_file_names_an_unknown_supplier_product(admin_client, coil_and_plate):
    before = Precursor.objects.count()
    csv = (
        "facility,product,year,name,quantity_t,supplier_product,default_kg_per_t,default_source\n"
        "XT-01,hrc,2025,Scrap,5,,300,Mill data\n"
        "XT-01,hrc,2025,Bar,5,nope,,\n"
    )

    html = _import_to(admin_client, "precursor", csv).content.decode()

    assert "No supplier product with code “nope”." in html
    assert Precursor.objects.count() == before
