"""The targets and initiatives page, checked against a worked example.

Xingtai main plant (XT-01, Hebei), AR5, base year 2019 (tests/neutrality/test_worked_example.py
gives the factors):
- 2019: grid 1,200,000 kWh = 713,040 kg market-based; 120 t natural gas = 319,906.295754 kg;
  10 hotel nights = 535 kg;
- 2023: grid 1,000,000 kWh with 400 MWh of GECs = 365,760 kg market-based; 100 t natural gas
  = 266,588.579795 kg; 10 hotel nights = 535 kg; renewable share 400 / 1,000 MWh = 40.0 %.
  (Natural gas: t × 48.0 GJ/t ÷ 0.038931 GJ/Nm³ × 2.1622 kg CO2/Nm³, GB/T 32151.34.)
Targets:
- carbon neutral by 2030 (Scopes 1, 2 market-based, business travel): 1,033,481.295754 kg in
  2019, 632,883.579795 kg in 2023 against a pathway of 1,033,481.295754 × 7/11
  = 657,669.915480 kg: on track;
- −30 % by 2025 (Scopes 1 and 2 only): 1,032,946.295754 kg in 2019, goal 723,062.407028 kg;
  632,348.579795 kg in 2023 against 1,032,946.295754 × (1 − 0.3 × 4/6) = 826,357.036603 kg;
- 60 % renewable electricity by 2030: 0.0 % in 2019, 40.0 % in 2023 against 60 × 4/11 = 21.8 %.
Initiatives, cost per tonne = (capex ÷ lifetime − annual saving) ÷ abatement:
- LED retrofit: (600,000 ÷ 10 − 260,000) ÷ 180 = −1,111.11; to 180 t;
- Rooftop solar: (4,300,000 ÷ 25 − 820,000) ÷ 950 = −682.11; to 1,130 t;
- Heat pumps: (3,500,000 ÷ 15 − 240,000) ÷ 450 = −14.81; to 1,580 t;
- Boiler fuel switch: (2,800,000 ÷ 20 + 150,000) ÷ 520 = 557.69; to 2,100 t.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from emissions.neutrality.models import ReductionInitiative, Target
from emissions.neutrality.selectors import target_pathway
from emissions.offsets import services
from tests.factories import gec_codes
from tests.html_tables import page_table, texts

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:targets")
T = Decimal


def _user(django_user_model, name, *codenames):
    user = django_user_model.objects.create_user(name, password=f"{name}-pass-123")
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def targets_client(client, django_user_model):
    """Logged in as a staff member who may read targets but change nothing."""
    client.force_login(_user(django_user_model, "reader", "view_target"))
    return client


@pytest.fixture
def editor_client(client, django_user_model):
    codenames = ["view_target", "add_target", "add_reductioninitiative"]
    client.force_login(_user(django_user_model, "editor", *codenames))
    return client


def whole(year: int) -> dict:
    """A record's period covering the whole of `year`."""
    return {"start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31)}


def _target(**fields):
    target = Target(**fields)
    target.full_clean()
    target.save()
    return target


def _initiative(title, abatement, capex, saving, lifetime, **fields):
    return ReductionInitiative.objects.create(
        title=title,
        expected_abatement_t_per_year=T(abatement),
        capex=T(capex),
        annual_saving=T(saving),
        lifetime_years=lifetime,
        **{"kind": "other", "status": "idea", **fields},
    )


@pytest.fixture
def targets():
    return {
        "neutral": _target(
            name="Carbon neutral 2030",
            kind="neutrality",
            base_year=2019,
            target_year=2030,
            scope3_categories=["s3_06"],
        ),
        "interim": _target(
            name="Interim −30 % by 2025",
            kind="absolute",
            base_year=2019,
            target_year=2025,
            reduction_pct=T("30"),
        ),
        "renewable": _target(
            name="60 % renewable electricity",
            kind="renewable_share",
            base_year=2019,
            target_year=2030,
            renewable_share_pct=T("60"),
        ),
    }


@pytest.fixture
def initiatives(hebei_plant):
    plant = {"facility": hebei_plant}
    return [
        _initiative("Boiler fuel switch", "520", "2800000", "-150000", 20, kind="boiler_switch",
                    **plant),
        _initiative("Heat pumps", "450", "3500000", "240000", 15, kind="heat_pump",
                    status="planned", start_date=dt.date(2026, 9, 1), **plant),
        _initiative("LED retrofit", "180", "600000", "260000", 10, kind="led", status="done",
                    start_date=dt.date(2021, 5, 1)),
        _initiative("Rooftop solar", "950", "4300000", "820000", 25, kind="rooftop_solar",
                    status="done", start_date=dt.date(2022, 7, 1), **plant),
    ]  # fmt: skip


@pytest.fixture
def worked_example(organisation, hebei_plant, make_record, targets, initiatives):
    make_record(hebei_plant, "grid_electricity", T("1200000"), "kWh", **whole(2019))
    make_record(hebei_plant, "natural_gas_stationary", T("120"), "t", **whole(2019))
    make_record(hebei_plant, "hotel_nights", T("10"), "night", **whole(2019))
    make_record(hebei_plant, "grid_electricity", T("1000000"), "kWh", **whole(2023))
    make_record(hebei_plant, "natural_gas_stationary", T("100"), "t", **whole(2023))
    make_record(hebei_plant, "hotel_nights", T("10"), "night", **whole(2023))
    services.add_energy_certificates(
        scheme="gec",
        registry="China GEC platform",
        technology="solar",
        **gec_codes(1, 400, year=2023),
        mwh=T(400),
        facility=hebei_plant,
        reporting_year=2023,
    )
    return targets


def _html(response):
    assert response.status_code == 200
    return response.content.decode()


def _target_card(html, name):
    """The HTML of one target's card."""
    start = html.index(f'<figcaption class="card-title">{name}</figcaption>')
    return html[start : html.index("</figure>", start)]


def test_each_target_shows_its_kind_years_and_coverage(targets_client, worked_example):
    html = _html(targets_client.get(URL))
    neutral = _target_card(html, "Carbon neutral 2030")
    assert "<td>Carbon neutrality</td>" in neutral
    assert "<td>2019: 1,033.5 tCO2e</td>" in neutral
    assert "<td>2030: 0.0 tCO2e</td>" in neutral
    assert "<td>Scope 1, Scope 2 (Market-based), 3.6 Business travel</td>" in neutral
    interim = _target_card(html, "Interim −30 % by 2025")
    assert "<td>Absolute reduction vs base year</td>" in interim
    assert "<td>2019: 1,032.9 tCO2e</td>" in interim
    assert "<td>2025: 723.1 tCO2e (−30 % against the base year)</td>" in interim
    assert "<td>Scope 1, Scope 2 (Market-based)</td>" in interim
    renewable = _target_card(html, "60 % renewable electricity")
    assert "<td>Renewable electricity share</td>" in renewable
    assert "<td>2019: 0.0 %</td>" in renewable
    assert "<td>2030: 60.0 %</td>" in renewable
    assert "<td>Electricity consumed (grid and on-site)</td>" in renewable


def test_each_target_compares_the_selected_year_with_its_pathway(targets_client, worked_example):
    html = _html(targets_client.get(URL))
    neutral = _target_card(html, "Carbon neutral 2030")
    net = "net 632.9 t (gross 632.9 t less credits) against a pathway of 657.7 t"
    assert net in neutral
    assert '<span class="badge badge-ok">On track</span>' in neutral
    assert "632.3 t against a pathway of 826.4 t" in _target_card(html, "Interim −30 % by 2025")
    renewable = _target_card(html, "60 % renewable electricity")
    assert "40.0 % against a pathway of 21.8 %" in renewable
    assert '<span class="badge badge-ok">On track</span>' in renewable


def test_a_target_behind_its_pathway_is_off_track(targets_client, worked_example):
    Target.objects.filter(name="Interim −30 % by 2025").update(reduction_pct=T("90"))
    interim = _target_card(_html(targets_client.get(URL)), "Interim −30 % by 2025")
    # 1,032,946.295754 × (1 − 0.9 × 4/6) = 413,178.518302 kg
    assert "632.3 t against a pathway of 413.2 t" in interim
    assert '<span class="badge badge-fail">Off track</span>' in interim


def test_the_pathway_table_lists_every_year_from_base_to_target(targets_client, worked_example):
    neutral = _target_card(_html(targets_client.get(URL)), "Carbon neutral 2030")
    assert (
        f'<table class="data-table compact" id="table-pathway-{worked_example["neutral"].pk}">\n'
        '  <thead><tr><th scope="col">Year</th><th scope="col" class="num">Gross (t CO2e)</th>'
        '<th scope="col" class="num">Net (t CO2e)</th>'
        '<th scope="col" class="num">Pathway (t CO2e)</th></tr></thead>'
    ) in neutral
    assert (
        '<tr><th scope="row">2019</th><td class="num">1,033.5</td><td class="num">1,033.5</td>'
        '<td class="num">1,033.5</td>'
    ) in neutral
    # A neutrality target shows gross, net (no credits here) and its pathway.
    assert (
        '<tr><th scope="row">2023</th><td class="num">632.9</td><td class="num">632.9</td>'
        '<td class="num">657.7</td></tr>'
    ) in neutral
    # 1,033,481.295754 × 6/11 = 563,717.070411 kg
    assert (
        '<tr><th scope="row">2024</th><td class="num">—</td><td class="num">—</td>'
        '<td class="num">563.7</td></tr>'
    ) in neutral
    assert (
        '<tr><th scope="row">2030</th><td class="num">—</td><td class="num">—</td>'
        '<td class="num">0.0</td></tr>'
    ) in neutral
    table = neutral.split("<details>")[1]
    assert table.count('<tr><th scope="row">') == 12  # 2019 to 2030


def test_the_pathway_charts_draw_actuals_as_bars_and_the_pathway_as_a_line(
    targets_client, worked_example
):
    response = targets_client.get(URL)
    html = _html(response)
    neutral = worked_example["neutral"]
    assert f'<canvas data-chart="chart-target-{neutral.pk}"' in html
    assert f'<script id="chart-target-{neutral.pk}" type="application/json">' in html
    rows = {row.target.name: row for row in response.context["page"].targets}
    pathway, actual = rows["Carbon neutral 2030"].chart["data"]["datasets"]
    assert pathway["type"] == "line"
    assert pathway["data"][4] == 657.67  # 657,669.915480 kg
    assert actual["data"][:5] == [1033.481, None, None, None, 632.884]
    share_pathway, share = rows["60 % renewable electricity"].chart["data"]["datasets"]
    assert (share["label"], share["data"][:5]) == ("Renewable share", [0.0, None, None, None, 40.0])
    assert share_pathway["data"][4] == 21.8
    assert share_pathway["data"][-1] == 60.0


def test_the_pathways_are_those_of_the_neutrality_selectors(targets_client, worked_example):
    response = targets_client.get(URL)
    for row in response.context["page"].targets:
        if row.is_share:
            continue
        drawn = [(p.year, p.pathway) for p in row.points if p.pathway is not None]
        assert drawn == target_pathway(row.target)


def test_the_selected_year_can_be_chosen(targets_client, worked_example):
    neutral = _target_card(_html(targets_client.get(URL, {"year": "2019"})), "Carbon neutral 2030")
    assert "net 1,033.5 t (gross 1,033.5 t less credits) against a pathway of 1,033.5 t" in neutral


def test_a_target_without_base_year_emissions_says_what_to_enter(targets_client, targets):
    html = _html(targets_client.get(URL))
    assert (
        "No base-year emissions: enter the 2019 activity data, or the base-year gross "
        "emissions in the target, and the pathway appears."
    ) in _target_card(html, "Carbon neutral 2030")


def test_the_renewable_share_pathway_table_shows_percentages(targets_client, worked_example):
    renewable = _target_card(_html(targets_client.get(URL)), "60 % renewable electricity")
    assert (
        '<thead><tr><th scope="col">Year</th><th scope="col" class="num">Renewable share (%)</th>'
        '<th scope="col" class="num">Pathway (%)</th></tr></thead>'
    ) in renewable
    # 60 × 4/11 = 21.8 %
    assert (
        '<tr><th scope="row">2023</th><td class="num">40.0 %</td><td class="num">21.8 %</td></tr>'
    ) in renewable


def test_initiatives_are_listed_cheapest_per_tonne_first_with_money_in_whole_units(
    targets_client, worked_example
):
    html = _html(targets_client.get(URL))
    assert (
        '<thead><tr><th scope="col">Title</th><th scope="col">Facility</th>'
        '<th scope="col">Kind</th><th scope="col">Status</th>'
        '<th scope="col" class="date">Start</th>'
        '<th scope="col" class="num">Abatement (t CO2e per year)</th>'
        '<th scope="col" class="num">Cumulative (t CO2e per year)</th>'
        '<th scope="col" class="num">Capital cost</th>'
        '<th scope="col" class="num">Annual saving</th>'
        '<th scope="col">Currency</th><th scope="col" class="num">Lifetime (years)</th>'
        '<th scope="col" class="num">Cost per t CO2e</th></tr></thead>'
    ) in html
    # The currency has its own column, so the amounts stay numbers in the download.
    assert (
        '<tr><th scope="row">LED retrofit</th><td>All sites</td><td>LED lighting</td>'
        '<td>Done</td><td class="date">2021-05-01</td><td class="num">180</td>'
        '<td class="num">180</td><td class="num">600,000</td>'
        '<td class="num">260,000</td><td>CNY</td><td class="num">10</td>'
        '<td class="num">-1,111</td></tr>'
    ) in html
    assert (
        '<tr><th scope="row">Boiler fuel switch</th><td>XT-01</td><td>Boiler fuel switch</td>'
        '<td>Idea</td><td class="date">—</td><td class="num">520</td>'
        '<td class="num">2,100</td><td class="num">2,800,000</td>'
        '<td class="num">-150,000</td><td>CNY</td><td class="num">20</td>'
        '<td class="num">558</td></tr>'
    ) in html
    order = [html.index(f'<th scope="row">{title}</th>') for title in (
        "LED retrofit", "Rooftop solar", "Heat pumps", "Boiler fuel switch"
    )]  # fmt: skip
    assert order == sorted(order)
    assert (
        '<tfoot><tr><th scope="row">Total</th><td></td><td></td><td></td>'
        '<td class="date"></td><td class="num">2,100</td>'
    ) in html


def test_the_initiatives_table_keeps_its_rule_as_caption_and_its_downloads(
    targets_client, worked_example
):
    html = _html(targets_client.get(URL))
    assert (
        '<table class="data-table compact" id="table-initiatives"><caption class="muted">'
        "Cheapest per tonne first. Cost per tonne = (capital cost ÷ lifetime − annual saving) ÷ "
        "yearly abatement.</caption>"
    ) in html
    assert 'href="/targets/export/initiatives.csv?year=2023" download>' in html


def test_the_initiatives_download_writes_amounts_as_numbers_and_the_currency_apart(
    targets_client, worked_example
):
    rows = _download(targets_client, "initiatives")
    assert rows[1][:11] == [
        "LED retrofit", "All sites", "LED lighting", "Done", "2021-05-01", "180", "180",
        "600000", "260000", "CNY", "10",
    ]  # fmt: skip
    # (600,000 ÷ 10 − 260,000) ÷ 180
    assert round(Decimal(rows[1][11]), 2) == T("-1111.11")
    assert rows[-1] == ["Total", "", "", "", "", "2100", "", "", "", "", "", ""]


def _page_table(html: str, name: str) -> list[list[str]]:
    """The header row, then the body and footer rows, of the page's table `name`."""
    return texts(page_table(html, name).all_rows)


def _download(client, name: str, **params) -> list[list[str]]:
    response = client.get(reverse("dashboard:targets_export", args=[name, "csv"]), params)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_each_table_on_the_page_has_the_columns_and_rows_of_its_download(
    targets_client, worked_example
):
    html = _html(targets_client.get(URL, {"year": "2023"}))
    pathways = [f"pathway-{target.pk}" for target in worked_example.values()]
    for name in ["initiatives", *pathways]:
        shown, download = _page_table(html, name), _download(targets_client, name, year="2023")
        assert shown[0] == download[0], name
        assert len(shown) == len(download), name
        # Row by row the same: years from 2019, initiatives cheapest first, then the total.
        assert [row[0] for row in shown] == [row[0] for row in download], name
    assert len(_page_table(html, "initiatives")) == 1 + 4 + 1  # header, 4 initiatives, total


def test_the_pathway_and_initiatives_tables_come_with_an_htmx_swap(targets_client, worked_example):
    html = _html(targets_client.get(URL, headers={"hx-request": "true"}))
    assert 'id="table-initiatives"' in html
    for target in worked_example.values():
        assert f'id="table-pathway-{target.pk}"' in html


def test_the_abatement_cost_curve_has_one_bar_per_initiative_in_ascending_cost(
    targets_client, worked_example
):
    response = targets_client.get(URL)
    html = _html(response)
    assert '<canvas data-chart="chart-mac"' in html
    assert "its width is the abatement a year (tCO2e), its height the cost per tonne" in html
    chart = response.context["page"].mac_chart
    # Each bar as wide as its abatement, cheapest first (tests/dashboard/test_mac_curve.py).
    assert [bar["label"] for bar in chart["data"]["datasets"]] == [
        "1. LED retrofit",
        "2. Rooftop solar",
        "3. Heat pumps",
        "4. Boiler fuel switch",
    ]
    assert [bar["data"][2]["y"] for bar in chart["data"]["datasets"]] == [
        -1111.11, -682.11, -14.81, 557.69,
    ]  # fmt: skip
    assert chart["options"]["scales"]["y"]["title"]["text"] == "CNY per tCO2e"


def test_an_empty_database_shows_what_to_enter_without_admin_links_for_viewers(targets_client):
    html = _html(targets_client.get(URL))
    assert "No targets yet." in html
    assert "No reduction initiatives yet." in html
    assert "/admin/" not in html.split('<main class="page">')[1]


def test_an_empty_database_offers_admin_links_to_those_who_may_add(editor_client):
    html = _html(editor_client.get(URL))
    assert 'href="/admin/neutrality/target/add/"' in html
    assert 'href="/admin/neutrality/reductioninitiative/add/"' in html


def test_a_bad_year_is_ignored_with_a_message(targets_client, worked_example):
    html = _html(targets_client.get(URL, {"year": "abc"}))
    assert "Ignored Year “abc”" in html
    assert "net 632.9 t (gross 632.9 t less credits) against a pathway of 657.7 t" in html


def test_htmx_requests_get_only_the_page_body(targets_client, worked_example):
    html = _html(targets_client.get(URL, headers={"hx-request": "true"}))
    assert html.lstrip().startswith('<div id="page-body">')
    assert "<html" not in html


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_a_user_without_permission_gets_403(client, outsider):
    client.force_login(outsider)
    assert client.get(URL).status_code == 403


def test_post_is_not_allowed(targets_client):
    assert targets_client.post(URL).status_code == 405


# session, user, user permissions, group permissions; years with records; the balance (12:
# organisation, target, records, market-based Scope 2 ×5, credits ×2, planting, surrenders);
# targets; initiatives with their facilities; the applied restatements (restated years); the
# green-power share: the organisation profile (its target share), the chosen year's
# facility-years and their facilities (3 more since issue 18).
QUERIES = 23


def test_the_query_count_does_not_grow_with_targets_and_initiatives(
    targets_client, worked_example, hebei_plant, django_assert_num_queries
):
    with django_assert_num_queries(QUERIES):
        targets_client.get(URL)
    for index in range(5):
        _initiative(f"Extra {index}", "10", "1000", "0", 5, facility=hebei_plant)
    _target(name="Net zero 2050", kind="net_zero", base_year=2019, target_year=2050,
            reduction_pct=T("90"))  # fmt: skip
    with django_assert_num_queries(QUERIES):
        targets_client.get(URL)


def test_the_demo_shows_its_targets_and_initiatives(targets_client, django_assert_num_queries):
    call_command("load_demo", stdout=io.StringIO())
    with django_assert_num_queries(QUERIES):
        html = _html(targets_client.get(URL))
    assert "Carbon neutral by 2030 (Scopes 1 and 2, business travel and waste)" in html
    assert "Interim: −30 % gross emissions by 2025" in html
    assert "60 % renewable electricity by 2030" in html
    assert "3.5 Waste generated in operations" in html
    assert "Green-power contract for the casting workshop" in html
    assert "LED retrofit, all sites" in html
