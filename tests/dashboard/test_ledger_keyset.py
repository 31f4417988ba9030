"""The ledger's next and previous links carry the position of the row beside them (keyset
paging, dashboard/keyset.py): every sort walks the same rows as offsets would, ties included;
a deep page is read from its position, not through an OFFSET; a bad position is refused with a
message."""

import datetime as dt
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from emissions.dashboard.keyset import position
from emissions.dashboard.pages import ledger

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:ledger")
PAGE = 4


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(ledger, "PAGE_SIZE", PAGE)


@pytest.fixture
def tied_records(make_record, hebei_plant, organisation):
    """Fourteen records with ties in every sort column: two per month, equal quantities; and
    three of another activity type (the sort by type spans both)."""
    from emissions.facilities.models import Facility

    second = Facility.objects.create(
        code="XT-02", name_en="Second plant", kind="factory", province="CN-HE",
        grid_region="CN-North", opened_on=dt.date(2010, 1, 1),
    )  # fmt: skip
    records = []
    for month in range(1, 8):
        for plant in (hebei_plant, second):
            records.append(
                make_record(plant, "grid_electricity", str(1000 * (month % 3 + 1)), "kWh",
                            start=dt.date(2024, month, 1), end=dt.date(2024, month, 28))
            )  # fmt: skip
    for month in (2, 5, 9):
        records.append(
            make_record(hebei_plant, "natural_gas_stationary", "100", "m**3",
                        start=dt.date(2024, month, 1), end=dt.date(2024, month, 28))
        )  # fmt: skip
    return records


def test_the_sort_by_activity_type_reads_type_by_type_not_the_whole_table(
    staff_client, small_pages, tied_records
):
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(URL, {"sort": "activity_type"})
    page_sql = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "activities_activityrecord"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    # The types with records (the rollup), then grid electricity ("Grid…" before "Natural…"):
    # its newest four, one query.
    assert len(page_sql) == 1
    assert "activities_activitytype" not in page_sql[0].split("ORDER BY")[1]
    rows = response.context["page"].rows
    assert [row.record.activity_type.code for row in rows] == ["grid_electricity"] * PAGE


def ids(response) -> list[int]:
    return [row.record.pk for row in response.context["page"].rows]


def link(response, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    return unescape(found.group(1)) if found else None


@pytest.mark.parametrize("sort", list(ledger.SORTS))
def test_next_links_walk_the_same_rows_as_offsets_in_every_sort(
    staff_client, small_pages, tied_records, sort
):
    by_offset = []
    for number in range(1, 6):  # 17 records, 4 a page
        by_offset += ids(staff_client.get(URL, {"sort": sort, "page": number}))
    walked, url = [], f"{URL}?sort={sort}"
    while url:
        response = staff_client.get(url)
        walked += ids(response)
        url = link(response, "next")
    assert walked == by_offset
    assert sorted(walked) == sorted(record.pk for record in tied_records)


@pytest.mark.parametrize("sort", ["-period_start", "co2e_kg", "facility", "activity_type"])
def test_previous_links_walk_back_the_same_pages(staff_client, small_pages, tied_records, sort):
    pages, url = [], f"{URL}?sort={sort}"
    while url:
        response = staff_client.get(url)
        pages.append(ids(response))
        url = link(response, "next")
    back = []
    url = link(response, "prev")
    while url:
        response = staff_client.get(url)
        back.append(ids(response))
        url = link(response, "prev")
    assert back == pages[-2::-1]


def test_a_deep_page_is_read_from_its_position_not_an_offset(
    staff_client, small_pages, tied_records
):
    response = staff_client.get(URL)
    third = staff_client.get(link(staff_client.get(link(response, "next")), "next"))
    query = parse_qs(urlsplit(link(third, "next")).query)
    assert query["page"] == ["4"] and query["after"]

    with CaptureQueriesContext(connection) as queries:
        fourth = staff_client.get(link(third, "next"))
    page_sql = [q["sql"] for q in queries.captured_queries if "LIMIT 5" in q["sql"]]
    assert len(page_sql) == 1
    assert "OFFSET" not in page_sql[0]
    assert "Page 4" in fourth.content.decode()
    assert ids(fourth) == ids(staff_client.get(URL, {"page": "4"}))


# Made in the test: a signed position carries a timestamp, and xdist's workers must collect the
# same test ids.
BAD_POSITIONS = {
    "nonsense": lambda: "nonsense",
    "another sort's": lambda: position("co2e_kg", ["1.0", 1]),
    "too short": lambda: position("-period_start", ["2024-01-01"]),
}


@pytest.mark.parametrize("kind", list(BAD_POSITIONS))
def test_a_bad_position_is_refused_with_a_message(staff_client, small_pages, tied_records, kind):
    value = BAD_POSITIONS[kind]()
    response = staff_client.get(URL, {"page": "2", "after": value})
    html = response.content.decode()

    assert response.status_code == 200
    assert "Ignored the page position" in html
    assert "not one this ledger gave for this sort." in html
    # The page number alone is then used.
    assert ids(response) == ids(staff_client.get(URL, {"page": "2"}))


def test_a_position_past_the_end_shows_an_empty_page_without_error(
    staff_client, small_pages, tied_records
):
    after = position("-period_start", ["1999-01-01", 1])
    response = staff_client.get(URL, {"page": "2", "after": after})

    assert response.status_code == 200
    assert ids(response) == []
