"""Admin import/export of credit batches: each new batch is added by add_credit_batch."""

from decimal import Decimal

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from emissions.offsets.models import CreditBatch
from emissions.offsets.resources import CreditBatchResource

pytestmark = pytest.mark.django_db

HEADERS = [
    "project",
    "vintage_year",
    "quantity_t",
    "serial_first",
    "serial_last",
    "purchased_on",
    "price_per_t",
    "currency",
]


def import_rows(*rows, headers=HEADERS):
    data = tablib.Dataset(*rows, headers=headers)
    return CreditBatchResource().import_data(data, dry_run=False, raise_errors=False)


def row_errors(result):
    return {row.number: row.error_dict for row in result.invalid_rows}


def test_batches_are_added_by_standard_and_id_or_by_id_alone(ccer_forest, vcs_wind):
    result = import_rows(
        ["ccer/CCER-14-001", "2023", "100", "1", "100", "2024-01-15", "80.00", "CNY"],
        ["VCS-2417", "2022", "50", "1001", "1050", "2024-02-01", "", "USD"],
    )

    assert not result.has_errors() and not result.has_validation_errors(), row_errors(result)
    assert result.totals["new"] == 2
    forest = CreditBatch.objects.get(project=ccer_forest)
    assert (forest.quantity_t, forest.serial_last, forest.price_per_t) == (
        Decimal("100"),
        100,
        Decimal("80.00"),
    )
    assert CreditBatch.objects.get(project=vcs_wind).currency == "USD"


def test_a_batch_overlapping_a_registrys_serials_is_rejected_with_the_services_message(
    ccer_forest, ccer_wind, make_batch, nothing_written
):
    make_batch(ccer_forest, 100, first=1)
    with nothing_written():
        result = import_rows(
            ["ccer/CCER-01-002", "2023", "10", "200", "209", "2024-01-15", "", "CNY"],
            ["ccer/CCER-01-002", "2023", "10", "95", "104", "2024-01-15", "", "CNY"],
        )

    errors = row_errors(result)
    assert list(errors) == [2]
    message = " ".join(errors[2]["__all__"])
    assert "Serial numbers 95–104 overlap batch" in message
    assert "same registry" in message


def test_the_services_quantity_rule_applies(ccer_forest, nothing_written):
    with nothing_written():
        result = import_rows(
            ["ccer/CCER-14-001", "2023", "99", "1", "100", "2024-01-15", "", "CNY"]
        )
    assert "are 100 credits, not 99" in " ".join(row_errors(result)[1]["quantity_t"])


def test_an_existing_batch_is_not_changed_by_an_import(ccer_forest, make_batch):
    batch = make_batch(ccer_forest, 100, first=1)
    result = import_rows(
        [batch.pk, "ccer/CCER-14-001", "2023", "200", "1", "200", "2024-01-15", "", "CNY"],
        headers=["id", *HEADERS],
    )

    assert "an import only adds batches" in " ".join(row_errors(result)[1]["id"])
    batch.refresh_from_db()
    assert batch.quantity_t == 100


def test_an_unknown_or_ambiguous_project_is_a_row_error(ccer_forest, vcs_wind):
    from emissions.offsets.models import CreditProject

    CreditProject.objects.create(
        name="Same id elsewhere",
        standard="gold_standard",
        registry_project_id="CCER-14-001",
        project_type=ccer_forest.project_type,
        kind=ccer_forest.kind,
    )
    result = import_rows(
        ["NOPE-1", "2023", "10", "1", "10", "2024-01-15", "", "CNY"],
        ["CCER-14-001", "2023", "10", "1", "10", "2024-01-15", "", "CNY"],
    )
    errors = row_errors(result)
    assert "No credit project “NOPE-1”." in errors[1]["project"]
    assert "write it as standard/id" in " ".join(errors[2]["project"])
    assert not CreditBatch.objects.exists()


def test_the_export_names_the_project_by_standard_and_id(ccer_forest, make_batch):
    make_batch(ccer_forest, 100, first=1)
    data = CreditBatchResource().export()
    row = dict(zip(data.headers, data[0], strict=True))
    assert row["project"] == "ccer/CCER-14-001"
    assert row["serial_first"] in {"1", 1}


def test_a_file_is_previewed_then_imported_through_the_admin(admin_client, ccer_forest):
    content = (
        ",".join(HEADERS) + "\nccer/CCER-14-001,2023,100,1,100,2024-01-15,80.00,CNY\n"
    ).encode()
    upload = SimpleUploadedFile("batches.csv", content, content_type="text/csv")
    response = admin_client.post(
        reverse("admin:offsets_creditbatch_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )
    assert response.status_code == 200
    confirm = response.context["confirm_form"]
    assert not CreditBatch.objects.exists()

    response = admin_client.post(
        reverse("admin:offsets_creditbatch_process_import"),
        {name: confirm[name].value() for name in confirm.fields},
    )
    assert response.status_code == 302
    assert CreditBatch.objects.get().serial_last == 100


def test_the_import_and_export_pages_load(admin_client):
    assert admin_client.get(reverse("admin:offsets_creditbatch_import")).status_code == 200
    response = admin_client.get(reverse("admin:offsets_creditbatch_export"))
    assert response.status_code == 200
    assert "style=" not in response.content.decode()
