"""The ledger's factor and dataset names, its evidence column and its "missing evidence" filter."""

import csv
import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from emissions.evidence.services import attach_evidence

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:ledger")
CSV_URL = reverse("dashboard:ledger_export", args=["csv"])
XLSX_URL = reverse("dashboard:ledger_export", args=["xlsx"])
ROW_LINK = re.compile(r'href="/ledger/(\d+)/"')
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HEBEI_2023 = "China provincial average electricity CO2 factor 2023 - Hebei 河北"
MEE_NBS_2023 = "MEE-NBS Electricity CO2 Emission Factors 2023 (Announcement 2025 No.47)"


def attach(record, name: str, django_user_model):
    """A bill attached through the evidence service, checked as an upload is."""
    user, _created = django_user_model.objects.get_or_create(username="uploader")
    upload = SimpleUploadedFile(name, PDF, content_type="application/pdf")
    return attach_evidence(record=record, upload=upload, description="", user=user)


@pytest.fixture
def records(make_record, hebei_plant, django_user_model):
    """The worked example: 10 MWh with two bills, 4.5 MWh with none (Hebei 2023, 0.6516 kg/kWh)."""
    billed = make_record(hebei_plant, "grid_electricity", "10", "MWh")  # 6,516 kg
    unbilled = make_record(  # 4.5 MWh × 651.6 kg/MWh = 2,932.2 kg
        hebei_plant,
        "grid_electricity",
        "4.5",
        "MWh",
        start=dt.date(2023, 4, 1),
        end=dt.date(2023, 4, 30),
    )
    attach(billed, "bill-march.pdf", django_user_model)
    attach(billed, "meter-march.pdf", django_user_model)
    return {"billed": billed, "unbilled": unbilled}


def shown(response) -> set[int]:
    return {int(pk) for pk in ROW_LINK.findall(response.content.decode())}


def test_each_row_names_its_factor_and_dataset_not_an_id(staff_client, records):
    html = staff_client.get(URL).content.decode()
    assert f'<span title="grid_electricity_cn_he_2023">{HEBEI_2023}</span>' in html
    assert f'<span class="muted">{MEE_NBS_2023}</span>' in html


def test_the_evidence_column_counts_the_files_and_links_to_them(staff_client, records):
    html = staff_client.get(URL).content.decode()
    billed = records["billed"].pk
    assert f'<a href="/ledger/{billed}/#evidence">2 files</a>' in html
    assert '<span class="badge badge-muted">missing</span>' in html
    assert '<th scope="col" class="num">Evidence</th>' in html


def test_the_missing_evidence_filter_lists_and_totals_only_records_without_files(
    staff_client, records
):
    response = staff_client.get(URL, {"evidence": "missing"})
    assert shown(response) == {records["unbilled"].pk}
    assert "1 record, 2.932 tCO2e" in response.content.decode()

    response = staff_client.get(URL, {"evidence": "attached"})
    assert shown(response) == {records["billed"].pk}
    assert "1 record, 6.516 tCO2e" in response.content.decode()

    response = staff_client.get(URL)
    assert shown(response) == {records["billed"].pk, records["unbilled"].pk}
    assert "2 records, 9.448 tCO2e" in response.content.decode()


def test_the_filter_is_a_not_exists_and_its_totals_come_from_the_records(staff_client, records):
    with CaptureQueriesContext(connection) as queries:
        staff_client.get(URL, {"evidence": "missing", "year": "2023"})
    totals = [q["sql"] for q in queries.captured_queries if "SUM(" in q["sql"].upper()]
    # Evidence is no rollup key: the records are totalled, with the same NOT EXISTS.
    assert len(totals) == 1
    assert 'FROM "activities_activityrecord"' in totals[0]
    assert 'NOT EXISTS(SELECT 1 AS "a" FROM "evidence_evidencefile"' in totals[0]


def test_the_filter_stays_on_the_download_links_and_the_form(staff_client, records):
    html = staff_client.get(URL, {"evidence": "missing"}).content.decode()
    assert f'href="{CSV_URL}?evidence=missing"' in html
    assert '<option value="missing" selected>Missing evidence</option>' in html


def test_a_bad_evidence_value_is_ignored_with_a_message_naming_it(staff_client, records):
    response = staff_client.get(URL, {"evidence": "lost"})
    assert shown(response) == {records["billed"].pk, records["unbilled"].pk}
    html = response.content.decode()
    assert "Ignored Evidence “lost”: Select a valid choice." in html


def test_the_query_count_stays_the_same_with_the_evidence_column_and_filter(
    staff_client, make_record, hebei_plant, django_user_model, django_assert_num_queries
):
    def month(number):
        return make_record(
            hebei_plant,
            "grid_electricity",
            "1",
            "MWh",
            start=dt.date(2023, number, 1),
            end=dt.date(2023, number, 28),
        )

    attach(month(1), "january.pdf", django_user_model)
    # session, user, user permissions, group permissions, years, facilities, activity types,
    # the page of records (with facility, type, factor, dataset and evidence count), the totals
    with django_assert_num_queries(9):
        staff_client.get(URL)
    with django_assert_num_queries(9):
        staff_client.get(URL, {"evidence": "missing"})
    for number in range(2, 13):
        attach(month(number), f"month-{number}.pdf", django_user_model)
    with django_assert_num_queries(9):
        response = staff_client.get(URL)
    assert response.content.decode().count("1 file</a>") == 12
    with django_assert_num_queries(9):
        staff_client.get(URL, {"evidence": "attached"}, headers={"HX-Request": "true"})


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_csv_has_the_factor_name_and_evidence_count_and_takes_the_filter(staff_client, records):
    header, *rows = read_csv(staff_client.get(CSV_URL))
    factor, dataset = header.index("factor name"), header.index("factor dataset")
    evidence = header.index("evidence files")
    by_id = {row[0]: row for row in rows}
    billed, unbilled = by_id[str(records["billed"].pk)], by_id[str(records["unbilled"].pk)]
    assert (billed[factor], billed[dataset], billed[evidence]) == (HEBEI_2023, MEE_NBS_2023, "2")
    assert unbilled[evidence] == "0"

    _header, *rows = read_csv(staff_client.get(CSV_URL, {"evidence": "missing"}))
    assert [row[0] for row in rows] == [str(records["unbilled"].pk)]


def test_the_xlsx_has_the_same_evidence_column(staff_client, records):
    response = staff_client.get(XLSX_URL, {"evidence": "attached"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, *rows = sheet.iter_rows(values_only=True)
    values = dict(zip(header, rows[0], strict=True))
    assert len(rows) == 1
    assert values["evidence files"] == 2
    assert values["factor name"] == HEBEI_2023
