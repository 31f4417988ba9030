"""The ledger's XLSX export stops at its row cap with a message pointing to the CSV."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from emissions.dashboard import exports

pytestmark = pytest.mark.django_db

XLSX_URL = reverse("dashboard:ledger_export", args=["xlsx"])
CSV_URL = reverse("dashboard:ledger_export", args=["csv"])
LEDGER_URL = reverse("dashboard:ledger")


@pytest.fixture
def three_records(make_record, hebei_plant):
    return [make_record(hebei_plant, "grid_electricity", str(n), "MWh") for n in (10, 20, 30)]


def test_above_the_cap_the_ledger_says_to_download_the_csv(
    admin_client, three_records, monkeypatch
):
    monkeypatch.setattr(exports, "XLSX_ROW_LIMIT", 2)
    response = admin_client.get(XLSX_URL, {"year": "2023"})
    assert response.status_code == 302
    assert response["Location"] == f"{LEDGER_URL}?year=2023"
    assert "Content-Disposition" not in response
    page = admin_client.get(response["Location"])
    assert "The XLSX export holds at most 2 records and this selection has more" in (
        page.content.decode()
    )
    assert "download it as CSV" in page.content.decode()


def test_at_the_cap_the_workbook_has_every_record(admin_client, three_records, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_ROW_LIMIT", 3)
    response = admin_client.get(XLSX_URL)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 1 + 3


def test_the_csv_has_no_cap(admin_client, three_records, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_ROW_LIMIT", 1)
    response = admin_client.get(CSV_URL)
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 3


def test_the_ledger_names_the_cap_next_to_the_xlsx_link(admin_client, three_records):
    page = admin_client.get(LEDGER_URL).content.decode()
    assert f"(XLSX up to {exports.XLSX_ROW_LIMIT:,} records)" in page
