"""The completeness page and the owners' view ("What I owe"): every expected stream's months,
what is owed, the share received; downloads; permissions; bad input."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from emissions.activities.models import ActivityType
from emissions.facilities.models import Facility
from emissions.planning.models import ExpectedStream
from tests.html_tables import page_tables

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:completeness")
MINE = reverse("dashboard:completeness_mine")


def export_url(table: str, fmt: str, *, mine=False) -> str:
    name = "dashboard:completeness_mine_export" if mine else "dashboard:completeness_export"
    return reverse(name, args=[table, fmt])


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def texts(table) -> list[list[str]]:
    return [[cell.text for cell in row] for row in table.body]


@pytest.fixture
def reader_user(django_user_model):
    user = django_user_model.objects.create_user("reader", first_name="Wang", last_name="Fang")
    user.user_permissions.add(
        Permission.objects.get(codename="view_expectedstream"),
        Permission.objects.get(codename="view_activityrecord"),
    )
    return user


@pytest.fixture
def reader(client, reader_user):
    client.force_login(reader_user)
    return client


@pytest.fixture
def streams(organisation, hebei_plant, make_record, reader_user, django_user_model):
    """2024: grid electricity received January–May (loaded approved), nothing after; June
    estimated from June 2023's 1,000 kWh (651.6 kg). Natural gas owed by someone else."""
    ExpectedStream.objects.create(
        facility=hebei_plant,
        activity_type=ActivityType.objects.get(code="grid_electricity"),
        owner=reader_user,
        due_day=10,
        starts_on=dt.date(2023, 1, 1),
    )
    ExpectedStream.objects.create(
        facility=hebei_plant,
        activity_type=ActivityType.objects.get(code="natural_gas_stationary"),
        owner=django_user_model.objects.create_user("gas-clerk"),
        due_day=15,
        starts_on=dt.date(2024, 1, 1),
    )
    make_record(hebei_plant, "grid_electricity", "1000", "kWh", start=dt.date(2023, 6, 1),
                end=dt.date(2023, 6, 30), status="approved")  # fmt: skip
    for month in range(1, 6):
        make_record(hebei_plant, "grid_electricity", "1000", "kWh", start=dt.date(2024, month, 1),
                    end=dt.date(2024, month, 28), status="approved")  # fmt: skip


def test_the_grid_month_by_month(reader, streams):
    html = html_of(reader.get(URL, {"year": "2024"}))
    tables = page_tables(html)

    grid = tables["table-grid"]
    assert grid.header[:5] == ["Facility", "Activity", "Owner", "Frequency", "Jan"]
    grid_row, gas_row = texts(grid)
    assert grid_row[:4] == ["XT-01", "Grid electricity", "Wang Fang", "Monthly"]
    assert grid_row[4:9] == ["Received"] * 5
    assert grid_row[9:16] == ["Missing"] * 7
    assert grid_row[16:] == ["—", "0.7"]  # no yearly column; June's 0.6516 t estimated
    assert gas_row[4:16] == ["Missing"] * 12 and gas_row[17] == "—"  # nothing to estimate from
    assert 'class="state state-received"' in html and 'class="state state-missing"' in html
    # 5 of 24 periods due have data.
    assert "20.8 %" in html and "5 of 24 periods due so far have data" in html


def test_what_each_owner_owes(reader, streams):
    tables = page_tables(html_of(reader.get(URL, {"year": "2024"})))

    owners = texts(tables["table-owners"])
    assert owners == [
        ["gas-clerk", "1", "12", "0", "12", "0", "0.0 %"],
        ["Wang Fang", "1", "12", "5", "7", "0", "41.7 %"],
    ]
    owed = texts(tables["table-owed"])
    # 12 gas months and 7 electricity months, by due date.
    assert len(owed) == 19
    assert owed[0] == ["XT-01", "Natural gas (boilers, furnaces)", "gas-clerk", "2024-01",
                       "2024-02-15", "Missing", "—"]  # fmt: skip
    assert ["XT-01", "Grid electricity", "Wang Fang", "2024-06", "2024-07-10", "Missing",
            "0.7"] in owed  # fmt: skip
    assert [row[4] for row in owed] == sorted(row[4] for row in owed)


def test_my_view_lists_only_my_streams(reader, streams):
    html = html_of(reader.get(MINE, {"year": "2024"}))
    tables = page_tables(html)

    assert "What I owe" in html
    assert [row[1] for row in texts(tables["table-grid"])] == ["Grid electricity"]
    assert len(texts(tables["table-owed"])) == 7
    assert "table-owners" not in tables


def test_someone_owning_nothing_is_told_so(client, streams, django_user_model):
    user = django_user_model.objects.create_user("nobody")
    user.user_permissions.add(Permission.objects.get(codename="view_expectedstream"))
    client.force_login(user)

    assert "You own no expected data streams" in html_of(client.get(MINE, {"year": "2024"}))


def test_without_streams_the_page_says_how_to_set_them(reader, organisation):
    assert "No expected data streams yet" in html_of(reader.get(URL))


def test_the_grid_downloads_as_csv_with_exact_tonnes(reader, streams):
    response = reader.get(export_url("grid", "csv"), {"year": "2024"})

    assert response.status_code == 200
    assert 'filename="kehui-completeness-grid-2024.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][4:9] == ["Received"] * 5
    assert rows[1][-1] == "0.6516"


def test_a_facility_filter_narrows_the_grid(reader, streams, hebei_plant):
    other = Facility.objects.create(
        code="XT-02", name_en="Second plant", kind="factory", province="CN-HE",
        grid_region="CN-North", opened_on=dt.date(2010, 1, 1),
    )  # fmt: skip
    ExpectedStream.objects.create(
        facility=other,
        activity_type=ActivityType.objects.get(code="grid_electricity"),
        owner=ExpectedStream.objects.first().owner,
        starts_on=dt.date(2024, 1, 1),
    )
    tables = page_tables(html_of(reader.get(URL, {"year": "2024", "facility": "XT-02"})))

    assert [row[0] for row in texts(tables["table-grid"])] == ["XT-02"]


def test_a_bad_year_or_facility_is_ignored_with_a_message(reader, streams):
    html = html_of(reader.get(URL, {"year": "1999", "facility": "NOPE"}))

    assert "Ignored Year “1999”" in html
    assert "Ignored Facility “NOPE”" in html


def test_the_page_takes_the_same_queries_however_many_streams(
    reader, streams, django_assert_num_queries
):
    with django_assert_num_queries(QUERIES):
        reader.get(URL, {"year": "2024"})


# session, user, permissions (2), years, facilities (filter), streams, records by period
QUERIES = 8


def test_htmx_requests_get_only_the_page_body(reader, streams):
    html = html_of(reader.get(URL, {"year": "2024"}, headers={"hx-request": "true"}))

    assert html.lstrip().startswith('<div id="page-body">')


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_a_user_without_permission_gets_403(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("outsider-2"))

    for url in (URL, MINE, export_url("grid", "csv"), export_url("owed", "xlsx", mine=True)):
        assert client.get(url).status_code == 403


def test_post_is_not_allowed(reader):
    for url in (URL, MINE, export_url("grid", "csv")):
        assert reader.post(url).status_code == 405


def test_an_unknown_table_or_format_is_not_found(reader, streams):
    assert reader.get(export_url("nonsense", "csv")).status_code == 404
    assert reader.get(export_url("grid", "pdf")).status_code == 404


def test_the_nav_links_to_the_page(reader, streams):
    assert f'href="{URL}"' in html_of(reader.get(URL))
