"""The ledger page: every record behind the totals, filtered, sorted and paged."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from emissions.activities.models import ActivityRecord
from emissions.facilities.models import Facility

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:ledger")
ROW_LINK = re.compile(r'href="/ledger/(\d+)/"')


@pytest.fixture
def shanghai_office(db):
    return Facility.objects.create(
        code="SH-OF",
        name_en="Shanghai sales office",
        name_zh="上海销售办公室",
        kind="office",
        province="CN-SH",
        grid_region="CN-East",
        opened_on=dt.date(2019, 4, 1),
    )


@pytest.fixture
def records(make_record, hebei_plant, shanghai_office):
    """Five records that differ in facility, scope, category, type, year, month and quality."""
    return {
        # 10 MWh × 0.6516 kg/kWh (CN-HE 2023) = 6,516 kg
        "electricity": make_record(hebei_plant, "grid_electricity", "10", "MWh"),
        # 2 t × 3,186.3 kg CO2/t (IPCC 2006, a lagged year) = 6,372.6 kg CO2
        "diesel": make_record(
            hebei_plant,
            "diesel_stationary",
            "2",
            "t",
            start=dt.date(2023, 5, 1),
            end=dt.date(2023, 5, 31),
            data_quality="metered",
        ),
        "freight": make_record(hebei_plant, "freight_road", "1000", "t*km"),
        "office": make_record(
            shanghai_office,
            "grid_electricity",
            "4.5",
            "MWh",
            start=dt.date(2022, 7, 1),
            end=dt.date(2022, 7, 31),
            data_quality="estimated",
        ),
        "old": make_record(
            hebei_plant,
            "grid_electricity",
            "1",
            "MWh",
            start=dt.date(2019, 6, 1),
            end=dt.date(2019, 6, 30),
        ),
    }


def shown(response) -> set[int]:
    """The ids of the records the page lists (each row links to its record page)."""
    return {int(pk) for pk in ROW_LINK.findall(response.content.decode())}


def ids(records, *names) -> set[int]:
    return {records[name].pk for name in names}


def test_it_lists_each_record_with_its_tonnes_factor_and_flags(staff_client, records):
    response = staff_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Activity ledger" in html
    assert shown(response) == ids(records, "electricity", "diesel", "freight", "office", "old")
    assert "<code>XT-01</code> Xingtai main plant" in html
    assert "Grid electricity" in html
    assert "10 MWh" in html
    assert '<td class="num">6.516</td>' in html
    # The factor and its dataset by name; the key only as the name's tooltip.
    hebei = "China provincial average electricity CO2 factor 2023 - Hebei 河北"
    assert f'<span title="grid_electricity_cn_he_2023">{hebei}</span>' in html
    assert "MEE-NBS Electricity CO2 Emission Factors 2023 (Announcement 2025 No.47)" in html
    assert "<code>grid_electricity_cn_he_2023</code>" not in html
    lagged = '<span class="badge badge-muted">lagged</span>'
    assert f"per tonne</span> {lagged}" in html
    assert '<span class="badge badge-muted">proxy region</span>' in html
    assert '<span class="badge badge-muted">proxy year</span>' in html
    assert "Metered" in html and "Estimated" in html


def test_each_row_links_to_its_record_page(staff_client, records):
    html = staff_client.get(URL).content.decode()
    electricity = records["electricity"]
    assert f'<a href="/ledger/{electricity.pk}/">2023-03-01 – 2023-03-31</a>' in html


@pytest.mark.parametrize(
    ("params", "source"),
    [
        ({}, "activities_recordrollup"),
        ({"facility": "XT-01", "year": "2023", "quality": "invoice"}, "activities_recordrollup"),
        ({"type": "freight_road", "review": "approved"}, "activities_recordrollup"),
        ({"month": "5", "year": "2023"}, "activities_monthrollup"),
        ({"month": "3", "scope": "2"}, "activities_activityrecord"),
    ],
)
def test_the_totals_read_a_rollup_when_it_has_every_filter_and_agree_with_the_rows(
    staff_client, records, params, source
):
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(URL, params)
    totals_sql = [q["sql"] for q in queries.captured_queries if "SUM(" in q["sql"].upper()]
    assert len(totals_sql) == 1
    assert f'FROM "{source}"' in totals_sql[0]
    page = response.context["page"]
    rows = [row.record for row in page.rows]
    assert page.count == len(rows)
    assert page.co2e_kg == sum((record.co2e_kg for record in rows), Decimal(0))


def test_the_totals_count_the_filtered_records_and_their_tonnes(staff_client, records):
    html = staff_client.get(URL, {"year": "2023", "scope": "2"}).content.decode()
    assert "1 record, 6.516 tCO2e" in html
    html = staff_client.get(URL, {"facility": "XT-01", "year": "2023"}).content.decode()
    total_kg = sum(
        (records[name].co2e_kg for name in ("electricity", "diesel", "freight")), Decimal(0)
    )
    tonnes = f"{(total_kg / 1000).quantize(Decimal('0.001')):,}"
    assert f"3 records, {tonnes} tCO2e" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"facility": "SH-OF"}, ["office"]),
        ({"scope": "1"}, ["diesel"]),
        ({"scope": "3"}, ["freight"]),
        ({"category": "s2_electricity"}, ["electricity", "office", "old"]),
        ({"type": "freight_road"}, ["freight"]),
        ({"year": "2022"}, ["office"]),
        ({"month": "5"}, ["diesel"]),
        ({"quality": "estimated"}, ["office"]),
        ({"year": "2023", "quality": "invoice"}, ["electricity", "freight"]),
    ],
)
def test_each_filter_narrows_the_rows(staff_client, records, params, expected):
    response = staff_client.get(URL, params)
    assert response.status_code == 200
    assert shown(response) == ids(records, *expected)
    assert "Ignored" not in response.content.decode()


def test_the_link_from_the_overview_shows_that_facilitys_scope_1_in_that_year(
    staff_client, records
):
    response = staff_client.get(f"{URL}?year=2023&scope=1&facility=XT-01")
    assert response.status_code == 200
    assert shown(response) == ids(records, "diesel")
    html = response.content.decode()
    assert '<option value="XT-01" selected>' in html
    assert '<option value="2023" selected>' in html
    # The exports carry the same filter.
    assert 'href="/ledger/export.csv?facility=XT-01&amp;scope=1&amp;year=2023"' in html
    assert 'href="/ledger/export.xlsx?facility=XT-01&amp;scope=1&amp;year=2023"' in html


def test_the_rows_are_sorted_by_the_chosen_whitelisted_sort(staff_client, records):
    html = staff_client.get(URL, {"sort": "-co2e_kg"}).content.decode()
    order = [int(pk) for pk in ROW_LINK.findall(html)]
    expected = sorted(records.values(), key=lambda r: (r.co2e_kg, r.pk), reverse=True)
    assert order == [r.pk for r in expected]
    html = staff_client.get(URL, {"sort": "period_start"}).content.decode()
    assert [int(pk) for pk in ROW_LINK.findall(html)][0] == records["old"].pk


def test_by_default_the_newest_period_comes_first(staff_client, records):
    html = staff_client.get(URL).content.decode()
    assert [int(pk) for pk in ROW_LINK.findall(html)][0] == records["diesel"].pk


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "abc"}, "Ignored Year “abc”"),
        ({"year": "2031"}, "Ignored Year “2031”"),
        ({"scope": "9"}, "Ignored Scope “9”"),
        ({"facility": "NOPE"}, "Ignored Facility “NOPE”"),
        ({"category": "s9_nothing"}, "Ignored Category “s9_nothing”"),
        ({"type": "unicorns"}, "Ignored Activity type “unicorns”"),
        ({"month": "13"}, "Ignored Month “13”"),
        ({"quality": "guessed"}, "Ignored Data quality “guessed”"),
        ({"sort": "password"}, "Ignored Sort “password”"),
        ({"page": "-1"}, "Ignored Page “-1”"),
        ({"page": "x"}, "Ignored Page “x”"),
    ],
)
def test_a_bad_value_is_ignored_with_a_message_naming_it(staff_client, records, params, message):
    response = staff_client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<p class="message message-warning" role="status">' in html
    assert message in html
    # The rest of the page works as if the value had not been given.
    assert len(shown(response)) == 5


def test_a_bad_value_is_ignored_while_the_good_ones_still_filter(staff_client, records):
    response = staff_client.get(URL, {"year": "2023", "scope": "9", "facility": "XT-01"})
    assert shown(response) == ids(records, "electricity", "diesel", "freight")
    html = response.content.decode()
    assert "Ignored Scope “9”" in html
    # Links leave the ignored value out.
    assert 'href="/ledger/export.csv?facility=XT-01&amp;year=2023"' in html


def test_a_value_with_markup_is_escaped_in_the_message(staff_client, records):
    html = staff_client.get(URL, {"facility": "<b>x</b>"}).content.decode()
    assert "Ignored Facility “&lt;b&gt;x&lt;/b&gt;”" in html


def test_an_htmx_request_gets_only_the_rows(staff_client, records):
    response = staff_client.get(URL, {"scope": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert '<form class="filters' not in html
    assert html.lstrip().startswith('<div id="ledger-rows">')
    assert shown(response) == ids(records, "diesel")
    assert "HX-Request" in response["Vary"]


def test_an_htmx_history_restore_gets_the_whole_page(staff_client, records):
    response = staff_client.get(
        URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_the_filter_form_swaps_the_rows_and_pushes_the_url(staff_client, records):
    html = staff_client.get(URL).content.decode()
    assert 'method="get" action="/ledger/"' in html
    assert 'hx-get="/ledger/" hx-target="#ledger-rows"' in html
    assert 'hx-push-url="true"' in html


def test_the_empty_state_says_no_records_match(staff_client, records):
    html = staff_client.get(URL, {"year": "2022", "scope": "1"}).content.decode()
    assert "No records match these filters." in html
    assert "0 records, 0.000 tCO2e" in html


@pytest.fixture
def sixty_records(make_record, hebei_plant):
    return [
        make_record(
            hebei_plant,
            "grid_electricity",
            str(month),
            "MWh",
            start=dt.date(year, month, 1),
            end=dt.date(year, month, 28),
        )
        for year in range(2019, 2024)
        for month in range(1, 13)
    ]


def test_a_long_ledger_is_paged_with_next_and_previous_only(staff_client, sixty_records):
    first = staff_client.get(URL, {"year": "", "scope": "2"})
    html = first.content.decode()
    assert len(shown(first)) == 50
    assert "60 records" in html
    # The next page starts after this page's last row (keyset paging: test_ledger_keyset.py).
    assert 'rel="next" href="/ledger/?scope=2&amp;page=2&amp;after=' in html
    assert 'hx-get="/ledger/?scope=2&amp;page=2&amp;after=' in html
    assert 'rel="prev"' not in html
    assert "Page 1 of" not in html

    second = staff_client.get(URL, {"scope": "2", "page": "2"})
    html = second.content.decode()
    assert len(shown(second)) == 10
    assert shown(first).isdisjoint(shown(second))
    assert 'rel="prev" href="/ledger/?scope=2"' in html
    assert 'rel="next"' not in html
    # The totals stay those of the whole filtered set.
    assert "60 records" in html


def test_a_page_past_the_end_shows_the_last_page_and_says_so(staff_client, sixty_records):
    response = staff_client.get(URL, {"page": "9"})
    last = staff_client.get(URL, {"page": "2"})
    assert shown(response) == shown(last)
    html = response.content.decode()
    assert "Page 9 is past the end: showing the last page, 2." in html
    assert 'rel="prev" href="/ledger/"' in html
    assert 'rel="next"' not in html


def test_paging_never_counts_the_table_the_totals_come_from_the_rollup(staff_client, sixty_records):
    with CaptureQueriesContext(connection) as queries:
        staff_client.get(URL, {"page": "2"})

    def table_counts(sql: str) -> int:
        # Each row's evidence files are counted in a subquery of the page's query: not the table.
        return sql.upper().count("COUNT(") - sql.count('FROM "evidence_evidencefile"')

    counts = [q["sql"] for q in queries.captured_queries if table_counts(q["sql"])]
    assert counts == []
    totals = [q["sql"] for q in queries.captured_queries if "SUM(" in q["sql"].upper()]
    assert len(totals) == 1
    assert "activities_recordrollup" in totals[0]
    # The page itself is read with LIMIT 51: one row more tells whether there is a next page.
    assert any("LIMIT 51 OFFSET 50" in q["sql"] for q in queries.captured_queries)


def test_the_query_count_does_not_grow_with_records(
    staff_client, make_record, hebei_plant, django_assert_num_queries
):
    def month_of_electricity(year, month):
        make_record(
            hebei_plant,
            "grid_electricity",
            "1",
            "MWh",
            start=dt.date(year, month, 1),
            end=dt.date(year, month, 28),
        )

    for month in (1, 2, 3):
        month_of_electricity(2023, month)
    # session, user, user permissions, group permissions, years, facilities, activity types,
    # the page of records (with facility, type and factor), the totals
    with django_assert_num_queries(9):
        response = staff_client.get(URL)
    assert len(shown(response)) == 3

    for year in range(2019, 2024):
        for month in range(1, 13):
            if (year, month) not in {(2023, 1), (2023, 2), (2023, 3)}:
                month_of_electricity(year, month)
    assert ActivityRecord.objects.count() == 60
    with django_assert_num_queries(9):
        response = staff_client.get(URL)
    assert len(shown(response)) == 50
    with django_assert_num_queries(9):
        staff_client.get(URL, {"year": "2023", "facility": "XT-01", "sort": "-co2e_kg"})
    with django_assert_num_queries(9):
        staff_client.get(URL, {"scope": "2"}, headers={"HX-Request": "true"})


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_a_user_without_the_record_permission_gets_403(viewer_client):
    assert viewer_client.get(URL).status_code == 403


def test_post_is_not_allowed(staff_client):
    assert staff_client.post(URL).status_code == 405


def test_it_reads_in_chinese(staff_client, records):
    html = staff_client.get(URL, headers={"accept-language": "zh-hans"}).content.decode()
    assert "上海销售办公室" in html
    assert "电网电力" in html
