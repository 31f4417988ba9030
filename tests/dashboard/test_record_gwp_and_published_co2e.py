"""A record says the GWP its refrigerant was converted with, or that its CO2e is as published.

Worked examples: 2 kg of HFC-134a leaked, × GWP 1,300 (AR5) = 2,600 kg CO2e, or × 1,430 (AR4)
= 2,860 kg; 10 hotel nights in China × 53.5 kg CO2e per room-night (DESNZ 2025, published on
AR5 only) = 535 kg CO2e on either basis.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CSV_URL = reverse("dashboard:ledger_export", args=["csv"])


@pytest.fixture
def leak(make_record, hebei_plant):
    return make_record(hebei_plant, "refrigerant_r134a", "2", "kg")


@pytest.fixture
def hotel(make_record, hebei_plant):
    return make_record(hebei_plant, "hotel_nights", "10", "night")


def page(client, record) -> str:
    response = client.get(reverse("dashboard:record_detail", args=[record.pk]))
    assert response.status_code == 200
    return response.content.decode()


def csv_rows(client) -> dict[str, dict[str, str]]:
    body = b"".join(client.get(CSV_URL).streaming_content).decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(body))
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def test_a_refrigerant_record_shows_the_gwp_it_was_converted_with(staff_client, leak):
    assert leak.co2e_kg == Decimal("2600")
    html = page(staff_client, leak)
    assert (
        '<tr class="gwp-used"><th scope="row">GWP used</th>'
        '<td class="num">1,300 (IPCC AR5 (2014))</td></tr>'
    ) in html


def test_the_gwp_follows_the_inventorys_basis(staff_client, organisation, leak):
    organisation.gwp_basis = "AR4"
    organisation.save()  # recalculates every record's CO2e
    leak.refresh_from_db()
    assert leak.co2e_kg == Decimal("2860")
    assert '<td class="num">1,430 (IPCC AR4 (2007))</td>' in page(staff_client, leak)
    assert csv_rows(staff_client)[str(leak.pk)]["GWP of other gas"] == "1430"


def test_the_export_has_the_gwp_of_the_refrigerant_and_none_for_other_records(
    staff_client, leak, hotel
):
    rows = csv_rows(staff_client)
    assert rows[str(leak.pk)]["GWP of other gas"] == "1300"
    assert rows[str(leak.pk)]["other gas"] == "HFC-134a"
    assert rows[str(hotel.pk)]["GWP of other gas"] == ""


def test_a_record_from_a_published_co2e_total_says_so(staff_client, hotel):
    assert hotel.co2e_kg == Decimal("535")
    html = page(staff_client, hotel)
    assert (
        '<tr class="published-co2e"><th scope="row">CO2e basis</th>'
        "<td>CO2e as published by the source, AR5</td></tr>"
    ) in html


def test_a_published_total_keeps_its_basis_when_the_inventorys_differs(
    staff_client, organisation, hotel, leak
):
    organisation.gwp_basis = "AR4"
    organisation.save()
    hotel.refresh_from_db()
    assert hotel.co2e_kg == Decimal("535")  # published on AR5: not converted
    html = page(staff_client, hotel)
    assert "CO2e as published by the source, AR5<br>" in html
    assert "it stays on its own basis while the inventory uses AR4." in html
    rows = csv_rows(staff_client)
    assert rows[str(hotel.pk)]["published CO2e basis"] == "CO2e as published by the source, AR5"
    assert rows[str(hotel.pk)]["GWP basis"] == "AR4"
    assert rows[str(leak.pk)]["published CO2e basis"] == ""


def test_a_factor_record_without_a_published_total_has_no_such_line(
    staff_client, make_record, hebei_plant
):
    record = make_record(hebei_plant, "grid_electricity", "10", "MWh")
    html = page(staff_client, record)
    assert "published-co2e" not in html
    assert "gwp-used" not in html
