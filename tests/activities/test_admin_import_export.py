"""Admin import/export of activity records: every row validated and calculated like the form."""

import datetime as dt
from decimal import Decimal

import pytest
import tablib
from django.urls import reverse

from emissions.activities.models import ActivityRecord
from emissions.activities.resources import ActivityRecordResource

pytestmark = pytest.mark.django_db

HEADERS = [
    "facility",
    "activity_type",
    "period_start",
    "period_end",
    "quantity",
    "unit",
    "data_quality",
    "source_reference",
    "notes",
]
MARCH = ["2023-03-01", "2023-03-31"]


def dataset(*rows, headers=HEADERS):
    return tablib.Dataset(*rows, headers=headers)


def row_errors(result):
    """{row number: {field: [messages]}} for every invalid row."""
    return {row.number: row.error_dict for row in result.invalid_rows}


def import_rows(*rows, **kwargs):
    return ActivityRecordResource().import_data(
        dataset(*rows, **kwargs), dry_run=False, raise_errors=False
    )


def test_valid_rows_are_imported_with_their_calculation(organisation, hebei_plant):
    result = import_rows(
        ["XT-01", "grid_electricity", *MARCH, "10", "MWh", "invoice", "State Grid 2023-03", ""],
        ["XT-01", "grid_electricity", "2023-04-01", "2023-04-30", "5", "MWh", "metered", "", ""],
    )

    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 2
    record = ActivityRecord.objects.get(period_start=dt.date(2023, 3, 1))
    assert record.factor is not None
    assert record.co2e_kg > 0
    assert record.gwp_basis == "AR5"
    # Exactly what the form's calculation gives for the same input.
    check = ActivityRecord(
        facility=hebei_plant,
        activity_type=record.activity_type,
        period_start=record.period_start,
        period_end=record.period_end,
        quantity=Decimal("10"),
        unit="MWh",
        data_quality="invoice",
    )
    check.full_clean()
    assert (check.co2e_kg, check.factor) == (record.co2e_kg, record.factor)


@pytest.mark.parametrize(
    ("bad_row", "field", "message"),
    [
        (
            ["XX-99", "grid_electricity", *MARCH, "10", "MWh", "invoice", "", ""],
            "facility",
            "No facility with code “XX-99”.",
        ),
        (
            ["XT-01", "grid_electricity", *MARCH, "10", "kg", "invoice", "", ""],
            "unit",
            "does not convert",
        ),
        (
            ["XT-01", "grid_electricity", *MARCH, "-10", "MWh", "invoice", "", ""],
            "quantity",
            "Quantity cannot be negative.",
        ),
        (
            [
                "XT-01",
                "grid_electricity",
                "2023-03-01",
                "2024-02-28",
                "1",
                "MWh",
                "invoice",
                "",
                "",
            ],
            "period_end",
            "crosses a year boundary",
        ),
    ],
)
def test_a_bad_row_is_reported_with_its_number_and_nothing_is_written(
    organisation, hebei_plant, bad_row, field, message
):
    good = ["XT-01", "grid_electricity", *MARCH, "10", "MWh", "invoice", "", ""]
    result = import_rows(good, bad_row)

    errors = row_errors(result)
    assert list(errors) == [2]
    messages = [str(text) for text in errors[2].get(field, [])]
    assert messages, errors[2]
    assert any(message in text for text in messages), messages
    assert not ActivityRecord.objects.exists()


def test_a_negative_quantity_is_reported_once_in_the_forms_words(organisation, hebei_plant):
    result = import_rows(["XT-01", "grid_electricity", *MARCH, "-1", "MWh", "invoice", "", ""])
    assert row_errors(result)[1]["quantity"] == ["Quantity cannot be negative."]


def test_a_row_with_the_id_of_an_existing_record_updates_and_recalculates_it(
    organisation, hebei_plant, make_record
):
    record = make_record(hebei_plant, "grid_electricity", Decimal("10"), "MWh")
    before = record.co2e_kg
    result = import_rows(
        [
            record.pk,
            "XT-01",
            "grid_electricity",
            "2023-03-01",
            "2023-03-31",
            "20",
            "MWh",
            "invoice",
            "",
            "",
        ],
        headers=["id", *HEADERS],
    )
    assert result.totals["update"] == 1, row_errors(result)
    record.refresh_from_db()
    assert record.quantity == 20
    assert record.co2e_kg == 2 * before


def test_a_row_with_an_unknown_id_is_refused(organisation, hebei_plant):
    result = import_rows(
        ["999999", "XT-01", "grid_electricity", *MARCH, "20", "MWh", "invoice", "", ""],
        headers=["id", *HEADERS],
    )
    assert "No activity record has id 999999" in str(row_errors(result)[1]["id"])
    assert not ActivityRecord.objects.exists()


def test_the_export_carries_the_computed_columns(organisation, hebei_plant, make_record):
    record = make_record(hebei_plant, "grid_electricity", Decimal("10"), "MWh")
    data = ActivityRecordResource().export()

    row = dict(zip(data.headers, data[0], strict=True))
    assert row["facility"] == "XT-01"
    assert row["activity_type"] == "grid_electricity"
    assert Decimal(row["co2e_kg"]) == record.co2e_kg
    assert row["factor"] == record.factor.key
    assert row["gwp_basis"] == "AR5"


def test_the_computed_columns_are_not_imported(organisation, hebei_plant):
    result = import_rows(
        ["XT-01", "grid_electricity", *MARCH, "10", "MWh", "invoice", "", "", "1", "x", "AR4"],
        headers=[*HEADERS, "co2e_kg", "factor", "gwp_basis"],
    )
    assert not result.has_validation_errors(), row_errors(result)
    record = ActivityRecord.objects.get()
    assert record.co2e_kg != 1 and record.gwp_basis == "AR5"


def test_the_admin_import_preview_shows_the_bad_rows_number_and_message(
    admin_client, organisation, hebei_plant
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = (
        ",".join(HEADERS) + "\n"
        "XT-01,grid_electricity,2023-03-01,2023-03-31,10,MWh,invoice,,\n"
        "XX-99,grid_electricity,2023-03-01,2023-03-31,10,MWh,invoice,,\n"
    ).encode()
    upload = SimpleUploadedFile("records.csv", content, content_type="text/csv")
    response = admin_client.post(
        reverse("admin:activities_activityrecord_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "No facility with code “XX-99”." in html
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert not ActivityRecord.objects.exists()
    assert response.context["result"].invalid_rows[0].number == 2


def test_the_import_and_export_pages_load(admin_client):
    assert admin_client.get(reverse("admin:activities_activityrecord_import")).status_code == 200
    response = admin_client.get(reverse("admin:activities_activityrecord_export"))
    assert response.status_code == 200
    assert "style=" not in response.content.decode()
