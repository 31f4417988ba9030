"""The ledger's CSV and XLSX exports: the filtered records, exact to the Decimal."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from emissions.facilities.models import Facility

pytestmark = pytest.mark.django_db

CSV_URL = reverse("dashboard:ledger_export", args=["csv"])
XLSX_URL = reverse("dashboard:ledger_export", args=["xlsx"])
HEADER = [
    "id", "facility code", "facility name", "activity type", "scope", "category",
    "period start", "period end", "quantity", "unit", "data quality", "factor key",
    "factor name", "factor dataset", "region match", "year match", "kg CO2", "kg CH4", "kg N2O",
    "kg other gas", "other gas", "GWP of other gas", "kg CO2e", "t CO2e", "GWP basis",
    "published CO2e basis", "source reference", "review status", "evidence files",
]
DATASET = "MEE-NBS Electricity CO2 Emission Factors 2023 (Announcement 2025 No.47)"
FACTOR = "China provincial average electricity CO2 factor 2023 - Hebei 河北"


@pytest.fixture
def electricity(make_record, hebei_plant):
    """The worked example: 10 MWh in Hebei in 2023 → 6,516 kg CO2e."""
    return make_record(hebei_plant, "grid_electricity", "10", "MWh", source_reference="INV-7")


@pytest.fixture
def leak(make_record):
    office = Facility.objects.create(
        code="SH-OF", name_en="Shanghai sales office", name_zh="上海销售办公室", kind="office",
        province="CN-SH", grid_region="CN-East", opened_on=dt.date(2019, 4, 1),
    )
    return make_record(
        office, "refrigerant_r410a", "5", "kg",
        start=dt.date(2022, 8, 1), end=dt.date(2022, 8, 31),
    )


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the UTF-8 byte-order mark Excel looks for
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def worked_row(record) -> list[str]:
    return [
        str(record.pk), "XT-01", "Xingtai main plant", "grid_electricity", "2", "s2_electricity",
        "2023-03-01", "2023-03-31", "10.000000", "MWh", "invoice",
        "grid_electricity_cn_he_2023", FACTOR, DATASET, "province", "exact",
        "6516.000000", "0.000000", "0.000000", "0.000000", "", "",
        "6516.000000", "6.516", "AR5", "", "INV-7", "draft", "0",
    ]


def test_the_csv_has_the_header_and_the_worked_record_exactly(staff_client, electricity):
    response = staff_client.get(CSV_URL, {"year": "2023"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="kehui-ledger-2023.csv"'
    assert read_csv(response) == [HEADER, worked_row(electricity)]


def test_the_csv_exports_only_the_filtered_records(staff_client, electricity, leak):
    rows = read_csv(staff_client.get(CSV_URL))
    assert [row[0] for row in rows[1:]] == [str(electricity.pk), str(leak.pk)]
    rows = read_csv(staff_client.get(CSV_URL, {"facility": "SH-OF", "scope": "1"}))
    assert rows[1:] == [[
        str(leak.pk), "SH-OF", "Shanghai sales office", "refrigerant_r410a", "1", "s1_fugitive",
        "2022-08-01", "2022-08-31", "5.000000", "kg", "invoice", "", "", "", "", "",
        "0.000000", "0.000000", "0.000000", "5.000000", "R-410A", "1923.5",
        "9617.500000", "9.6175", "AR5", "", "", "draft", "0",
    ]]


def test_the_csv_follows_the_ledgers_sort(staff_client, electricity, leak):
    rows = read_csv(staff_client.get(CSV_URL, {"sort": "co2e_kg"}))
    assert [row[0] for row in rows[1:]] == [str(electricity.pk), str(leak.pk)]
    rows = read_csv(staff_client.get(CSV_URL, {"sort": "-co2e_kg"}))
    assert [row[0] for row in rows[1:]] == [str(leak.pk), str(electricity.pk)]


def test_the_csv_names_the_year_and_facility_in_the_filename(staff_client, electricity):
    response = staff_client.get(CSV_URL)
    assert response["Content-Disposition"] == 'attachment; filename="kehui-ledger.csv"'
    response = staff_client.get(CSV_URL, {"year": "2023", "facility": "XT-01"})
    assert 'filename="kehui-ledger-2023-XT-01.csv"' in response["Content-Disposition"]


def test_bad_filter_values_are_ignored_in_the_export(staff_client, electricity, leak):
    response = staff_client.get(CSV_URL, {"year": "abc", "scope": "9", "sort": "password"})
    assert response.status_code == 200
    assert len(read_csv(response)) == 3


def test_the_csv_in_chinese_has_chinese_names_and_headers_that_excel_reads(
    staff_client, leak
):
    response = staff_client.get(CSV_URL, headers={"accept-language": "zh-hans"})
    rows = read_csv(response)
    assert len(rows[0]) == len(HEADER)
    assert rows[1][2] == "上海销售办公室"


def test_text_that_looks_like_a_formula_is_not_run_by_a_spreadsheet(
    staff_client, make_record, hebei_plant
):
    make_record(
        hebei_plant, "grid_electricity", "1", "MWh", source_reference='=HYPERLINK("http://x")'
    )
    rows = read_csv(staff_client.get(CSV_URL))
    source = HEADER.index("source reference")
    assert rows[1][source] == "'=HYPERLINK(\"http://x\")"
    sheet = load_workbook(io.BytesIO(staff_client.get(XLSX_URL).getvalue())).active
    cell = sheet.cell(row=2, column=source + 1)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x")'


def test_the_csv_is_read_in_one_query_whatever_the_number_of_records(
    staff_client, electricity, leak, django_assert_num_queries
):
    # session, user, user permissions, group permissions, years, facilities, activity types;
    # whether there are more than EXPORT_JOB_ROWS (one bounded query, test_export_jobs.py);
    # then the records, as values, in chunks of one cursor
    with django_assert_num_queries(9):
        read_csv(staff_client.get(CSV_URL))


def test_the_xlsx_opens_with_the_same_header_and_values_as_numbers(staff_client, electricity):
    response = staff_client.get(XLSX_URL, {"year": "2023"})
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="kehui-ledger-2023.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    assert sheet.title == "Ledger"
    header, row = sheet.iter_rows(values_only=True)
    assert list(header) == HEADER
    values = dict(zip(HEADER, row, strict=True))
    assert values["id"] == electricity.pk
    assert values["facility code"] == "XT-01"
    assert values["period start"] == dt.datetime(2023, 3, 1)
    assert values["scope"] == 2
    assert Decimal(str(values["quantity"])) == Decimal("10")
    assert Decimal(str(values["kg CO2"])) == Decimal("6516")
    assert Decimal(str(values["kg CO2e"])) == Decimal("6516")
    assert Decimal(str(values["t CO2e"])) == Decimal("6.516")
    assert values["factor key"] == "grid_electricity_cn_he_2023"
    assert values["factor dataset"] == DATASET
    assert values["other gas"] is None
    assert values["GWP basis"] == "AR5"
    assert values["source reference"] == "INV-7"
    # Every cell matches the CSV's, read as numbers where the CSV has a number.
    csv_row = worked_row(electricity)
    for value, text in zip(row, csv_row, strict=True):
        if isinstance(value, int | float):
            assert Decimal(str(value)) == Decimal(text)
        elif isinstance(value, dt.datetime):
            assert value.date().isoformat() == text
        else:
            assert (value or "") == text


def test_an_unknown_export_format_is_404(staff_client, electricity):
    assert staff_client.get("/ledger/export.pdf").status_code == 404
    assert staff_client.get("/ledger/export.").status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(CSV_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_user_without_the_record_permission_gets_403(viewer_client):
    assert viewer_client.get(CSV_URL).status_code == 403
    assert viewer_client.get(XLSX_URL).status_code == 403


def test_post_is_not_allowed(staff_client):
    assert staff_client.post(CSV_URL).status_code == 405
    assert staff_client.post(XLSX_URL).status_code == 405
