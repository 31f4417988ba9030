"""The offsets and certificates page, checked against a worked example.

Xingtai main plant (XT-01, Hebei), AR5, no target (gross = Scope 1 + 2 market-based + 3). 2023:
- grid electricity 1,000,000 kWh; 400 MWh of GECs on the plant and 100 MWh for the whole
  organisation leave 500,000 kWh × 0.6096 (CN 2023 residual) = 304,800 kg market-based;
- 100 t natural gas = 4,800 GJ ÷ 0.038931 GJ/Nm³ × 2.1622 kg CO2/Nm³ (GB/T 32151.34)
  = 266,588.579795 kg; 10 hotel nights = 535 kg: gross 571,923.579795 kg (571.9 t).
Credits:
- CCER afforestation (removal), vintage 2022, 1,000 t: 300 t retired on 2025-01-15 for 2023,
  later than the 2024-12-31 deadline;
- VCS wind (avoidance), vintage 2021, 2,000 t: 200 t for 2023 of which 50 t reversed, 500 t
  for 2024, 100 t surrendered for ETS compliance in 2023; vintage 2022, 500 t, none retired.
So 2021 renewable energy: 750 t retired, 1,250 t left; 2022 afforestation: 300 t, 700 t left;
2022 renewable energy: 0 t, 500 t left. For 2023: 300 t removals + 150 t avoidance = 450 t,
78.7 % of 571.9 t; for 2024: 500 t avoidance, no activity data.
Allowances of XT-01 for 2023: 4,800 allocated + 300 bought − 100 sold − 4,900 surrendered = 100.
Own planting: 10 ha of poplar since 2020, 12.5 tCO2/year, not counted.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from emissions.dashboard.pages.offsets import OFFSETS
from emissions.facilities.models import Facility
from emissions.offsets import services
from emissions.offsets.models import CreditProject, TreePlanting
from tests.factories import gec_codes
from tests.html_tables import page_table

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:offsets")
T = Decimal
YEAR_2023 = {"start": dt.date(2023, 1, 1), "end": dt.date(2023, 12, 31)}


def _user(django_user_model, name, *codenames):
    user = django_user_model.objects.create_user(name, password=f"{name}-pass-123")
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def offsets_client(client, django_user_model):
    """Logged in as a staff member who may read credits but change nothing."""
    client.force_login(_user(django_user_model, "reader", "view_creditbatch"))
    return client


@pytest.fixture
def editor_client(client, django_user_model):
    """Logged in as someone who may also add credits, planting, certificates and allowances."""
    codenames = [
        "view_creditbatch",
        "add_creditbatch",
        "add_treeplanting",
        "add_energycertificate",
        "add_allowancetransaction",
    ]
    client.force_login(_user(django_user_model, "editor", *codenames))
    return client


def _project(registry_id, **fields):
    return CreditProject.objects.create(registry_project_id=registry_id, **fields)


def _batch(project, tonnes, *, first, vintage, purchased_on):
    return services.add_credit_batch(
        project=project,
        vintage_year=vintage,
        quantity_t=T(tonnes),
        serial_first=first,
        serial_last=first + tonnes - 1,
        purchased_on=purchased_on,
        price_per_t=T("60.00"),
    )


def _retire(batch, tonnes, *, retired_on, year, reference, purpose="neutrality"):
    return services.retire_credits(
        batch=batch,
        quantity_t=T(tonnes),
        retired_on=retired_on,
        claimed_year=year,
        registry_reference=reference,
        purpose=purpose,
    )


def _certificates(mwh, *, facility, first, technology="solar", year=2023):
    return services.add_energy_certificates(
        scheme="gec",
        registry="China GEC platform",
        technology=technology,
        **gec_codes(first, mwh, year=year),
        mwh=T(mwh),
        facility=facility,
        reporting_year=year,
    )


def _allowances(facility, kind, tonnes, *, year=2023, on=dt.date(2023, 12, 20)):
    return services.record_allowance_transaction(
        facility=facility,
        compliance_year=year,
        kind=kind,
        quantity_t=T(tonnes),
        transacted_on=on,
    )


@pytest.fixture
def green_power_contract(worked_example, hebei_plant):
    """A green-power contract settled 50 MWh in June 2023: beside the certificates, apart."""
    contract = services.add_green_power_contract(
        reference="BJPX-2023-GP-0007",
        seller="Zhangbei wind farm",
        trading_centre="Beijing Power Exchange Center",
        technology="wind",
        facility=hebei_plant,
        starts_on=dt.date(2023, 1, 1),
        ends_on=dt.date(2023, 12, 31),
    )
    return services.record_settlement(contract=contract, year=2023, month=6, kwh=T("50000"))


@pytest.fixture
def worked_example(organisation, hebei_plant, make_record):
    make_record(hebei_plant, "grid_electricity", T("1000000"), "kWh", **YEAR_2023)
    make_record(hebei_plant, "natural_gas_stationary", T("100"), "t", **YEAR_2023)
    make_record(hebei_plant, "hotel_nights", T("10"), "night", **YEAR_2023)
    _certificates(400, facility=hebei_plant, first=1)
    _certificates(100, facility=None, first=100_001, technology="wind")

    forest = _project(
        "CCER-14-001",
        name="Taihang afforestation",
        standard="ccer",
        project_type="afforestation",
        kind="removal",
    )
    wind = _project(
        "VCS-2417",
        name="Inner Mongolia wind",
        standard="vcs",
        project_type="renewable_energy",
        kind="avoidance",
    )
    forest_2022 = _batch(forest, 1000, first=1, vintage=2022, purchased_on=dt.date(2023, 6, 1))
    wind_2021 = _batch(wind, 2000, first=1, vintage=2021, purchased_on=dt.date(2023, 1, 10))
    _batch(wind, 500, first=2001, vintage=2022, purchased_on=dt.date(2023, 5, 1))
    _retire(forest_2022, 300, retired_on=dt.date(2025, 1, 15), year=2023, reference="CCER-RET-2023")
    wind_2023 = _retire(
        wind_2021, 200, retired_on=dt.date(2024, 4, 1), year=2023, reference="VCS-RET-2023"
    )
    services.reverse_retirement(
        retirement=wind_2023,
        quantity_t=T(50),
        reversed_on=dt.date(2024, 6, 30),
        reason="The registry cancelled part of the retirement.",
    )
    _retire(wind_2021, 500, retired_on=dt.date(2025, 3, 1), year=2024, reference="VCS-RET-2024")
    _retire(
        wind_2021,
        100,
        retired_on=dt.date(2024, 6, 30),
        year=2023,
        reference="VCS-ETS-2023",
        purpose="ets_compliance",
    )

    _allowances(hebei_plant, "allocation", 4800)
    _allowances(hebei_plant, "purchase", 300)
    _allowances(hebei_plant, "sale", 100)
    _allowances(hebei_plant, "surrender", 4900, on=dt.date(2024, 12, 15))
    TreePlanting.objects.create(
        name="Factory shelter belt",
        facility=hebei_plant,
        area_ha=T("10"),
        species="Poplar",
        planting_year=2020,
        sequestration_t_per_year=T("12.5"),
        method="10 ha × 1.25 tCO2/ha/year (young poplar, IPCC Tier 1).",
    )
    return {"forest": forest, "wind_2021": wind_2021}


def _html(response):
    assert response.status_code == 200
    return response.content.decode()


def _table(html, name):
    """The markup of the page's table `name` (data_table's id "table-<name>"), up to its end."""
    start = html.index(f'<table class="data-table compact" id="table-{name}">')
    return html[start : html.index("</table>", start)]


def _head(*labels):
    """A header row as the table partial writes it, from `_col` cells."""
    return "<thead><tr>" + "".join(labels) + "</tr></thead>"


def _col(label, *, num=False):
    """A header cell; a number column's is right-aligned like its values."""
    return f'<th scope="col" class="num">{label}</th>' if num else f'<th scope="col">{label}</th>'


def _row(*cells):
    """A table row as the template writes it."""
    return "<tr>" + "".join(cells) + "</tr>"


TONNES_CO2E = [_col(f"{label} (t CO2e)", num=True) for label in ("Bought", "Retired", "Remaining")]


def test_it_shows_credits_by_vintage_and_project_type(offsets_client, worked_example):
    html = _html(offsets_client.get(URL))
    table = _table(html, "vintages")
    assert (
        _head(_col("Vintage"), _col("Project type"), _col("Removal or avoidance"), *TONNES_CO2E)
        in table
    )
    assert (
        _row(
            '<th scope="row">2021</th><td>Renewable energy</td><td>Avoidance / reduction</td>',
            '<td class="num">2,000.0</td><td class="num">750.0</td><td class="num">1,250.0</td>',
        )
        in table
    )
    assert (
        _row(
            '<th scope="row">2022</th><td>Afforestation / reforestation</td><td>Removal</td>',
            '<td class="num">1,000.0</td><td class="num">300.0</td><td class="num">700.0</td>',
        )
        in table
    )
    assert (
        _row(
            '<th scope="row">2022</th><td>Renewable energy</td><td>Avoidance / reduction</td>',
            '<td class="num">500.0</td><td class="num">0.0</td><td class="num">500.0</td>',
        )
        in table
    )
    # The total is the table's footer, here and as the download's last row; it totals
    # neither text column.
    assert (
        "<tfoot>"
        + _row(
            '<th scope="row">Total</th><td></td><td></td>',
            '<td class="num">3,500.0</td><td class="num">1,050.0</td><td class="num">2,450.0</td>',
        )
        + "</tfoot>"
    ) in table
    assert '<canvas data-chart="chart-vintages"' in html
    assert '<script id="chart-vintages" type="application/json">' in html


def test_it_lists_each_credit_project_with_its_holdings(offsets_client, worked_example):
    table = _table(_html(offsets_client.get(URL)), "projects")
    assert '<caption class="muted">Credit projects (tCO2e, all vintages)</caption>' in table
    assert (
        _head(
            _col("Project"),
            _col("Standard / registry"),
            _col("Registry project id"),
            _col("Project type"),
            _col("Removal or avoidance"),
            *TONNES_CO2E,
        )
        in table
    )
    assert (
        _row(
            '<th scope="row">Taihang afforestation</th>',
            "<td>CCER (China Certified Emission Reduction)</td><td>CCER-14-001</td>",
            "<td>Afforestation / reforestation</td>",
            '<td>Removal</td><td class="num">1,000.0</td><td class="num">300.0</td>',
            '<td class="num">700.0</td>',
        )
        in table
    )
    assert (
        _row(
            '<th scope="row">Inner Mongolia wind</th><td>Verra VCS</td><td>VCS-2417</td>',
            "<td>Renewable energy</td><td>Avoidance / reduction</td>",
            '<td class="num">2,500.0</td><td class="num">750.0</td><td class="num">1,750.0</td>',
        )
        in table
    )
    assert "<tfoot>" not in table


def test_the_vintage_chart_stacks_retired_and_remaining_per_vintage(offsets_client, worked_example):
    chart = offsets_client.get(URL).context["page"].charts["vintages"]
    assert chart["data"]["labels"] == ["2021", "2022"]
    retired, remaining = chart["data"]["datasets"]
    assert (retired["label"], retired["data"]) == ("Retired", [750.0, 300.0])
    assert (remaining["label"], remaining["data"]) == ("Remaining", [1250.0, 1200.0])
    assert chart["options"]["scales"]["y"]["stacked"] is True


def test_it_shows_removals_and_avoidance_per_reporting_year(offsets_client, worked_example):
    table = _table(_html(offsets_client.get(URL)), "retired")
    assert (
        _head(
            _col("Reporting year"),
            _col("Removals (t CO2e)", num=True),
            _col("Avoidance / reduction (t CO2e)", num=True),
            _col("Total (t CO2e)", num=True),
        )
        in table
    )
    assert (
        _row(
            '<th scope="row">2023</th><td class="num">300.0</td><td class="num">150.0</td>',
            '<td class="num">450.0</td>',
        )
        in table
    )
    assert (
        _row(
            '<th scope="row">2024</th><td class="num">0.0</td><td class="num">500.0</td>',
            '<td class="num">500.0</td>',
        )
        in table
    )


def test_it_compares_credits_with_gross_emissions_and_shows_the_coverage(
    offsets_client, worked_example
):
    response = offsets_client.get(URL)
    table = _table(_html(response), "coverage")
    assert (
        _head(
            _col("Reporting year"),
            _col("Gross emissions (t CO2e)", num=True),
            _col("Credits retired (t CO2e)", num=True),
            _col("Coverage (%)", num=True),
        )
        in table
    )
    # 450 t of 571,923.579795 kg = 78.68 %
    assert (
        _row(
            '<th scope="row">2023</th><td class="num">571.9</td><td class="num">450.0</td>',
            '<td class="num">78.7 %</td>',
        )
        in table
    )
    # Credits for a year without activity data: no gross to compare with.
    assert (
        _row(
            '<th scope="row">2024</th><td class="num">—</td><td class="num">500.0</td>',
            '<td class="num">—</td>',
        )
        in table
    )
    chart = response.context["page"].charts["coverage"]
    gross, credits = chart["data"]["datasets"]
    assert (gross["type"], gross["data"]) == ("line", [571.924, None])
    assert credits["data"] == [450.0, 500.0]
    assert "type" not in credits  # bars


def test_the_key_figures_are_those_of_the_selected_year(offsets_client, worked_example):
    html = _html(offsets_client.get(URL))
    assert '<span class="kpi-value">2,450.0 <small>tCO2e</small></span>' in html
    assert "3,500.0 t bought, 1,050.0 t retired" in html
    assert "Retired for 2023" in html
    assert '<span class="kpi-value">450.0 <small>tCO2e</small></span>' in html
    assert '<span class="kpi-value">78.7 %</span>' in html


def test_the_claim_checks_of_the_year_show_pass_and_fail_with_their_messages(
    offsets_client, worked_example
):
    html = _html(offsets_client.get(URL))
    assert "Claim checks for 2023" in html
    assert '<span class="badge badge-fail">Fail</span>' in html
    assert (
        "Credits for 2023 must be retired by 2024-12-31, within 12 months after the period "
        "ends; these were retired later: CCER-RET-2023 (retired 2025-01-15)."
    ) in html
    assert "Every credit claimed for 2023 has a vintage no later than its retirement" in html
    assert "Removals are 66.7 % of the credits for 2023 (300.000 t of 450.000 t)." in html
    assert '<span class="badge badge-muted">Informational</span>' in html
    assert "the 4900.000 t surrendered for 2023" in html
    assert "No neutrality claim is made for 2023: net emissions are above zero." in html
    assert html.count('<span class="badge badge-ok">Pass</span>') == 4


def test_own_planting_is_listed_and_said_not_to_count(offsets_client, worked_example):
    html = _html(offsets_client.get(URL))
    table = _table(html, "planting")
    assert (
        _head(
            _col("Name"),
            _col("Area (ha)", num=True),
            _col("Species"),
            _col("Planting year"),
            _col("Estimated (t CO2 per year)", num=True),
        )
        in table
    )
    # 10 ha, to the one decimal the page gives hectares; the download holds 10.00.
    assert (
        _row(
            '<th scope="row">Factory shelter belt</th><td class="num">10.00</td><td>Poplar</td>',
            '<td>2020</td><td class="num">12.5</td>',
        )
        in table
    )
    assert "Not counted: own planting is not verified by a registry" in html
    assert "Estimated for 2023: 12.5 tCO2." in html


def test_own_planting_is_said_to_count_when_the_organisation_says_so(
    offsets_client, worked_example, organisation
):
    organisation.count_internal_removals = True
    organisation.save()
    html = _html(offsets_client.get(URL))
    assert "Counted: the organisation profile says own planting is subtracted" in html
    assert "Not counted" not in html


def test_it_lists_certificates_per_year_and_facility(offsets_client, green_power_contract):
    table = _table(_html(offsets_client.get(URL)), "certificates")
    assert (
        _head(
            _col("Reporting year"),
            _col("Facility code"),
            _col("Applied to"),
            _col("Unbundled certificates (MWh)", num=True),
            _col("Green-power contracts (MWh)", num=True),
            _col("Total applied (MWh)", num=True),
            _col("Of which renewable (MWh)", num=True),
            _col("Factor (kg CO2e/kWh)", num=True),
        )
        in table
    )
    # The plant's 400 MWh of GECs and its contract's 50 MWh, apart and together.
    assert (
        _row(
            '<th scope="row">2023</th><td>XT-01</td><td>Xingtai main plant</td>',
            '<td class="num">400.0</td><td class="num">50.0</td><td class="num">450.0</td>',
            '<td class="num">450.0</td><td class="num">0.0000</td>',
        )
        in table
    )
    # Certificates for the whole organisation have no facility code.
    assert (
        _row(
            '<th scope="row">2023</th><td>—</td><td>Whole organisation</td>',
            '<td class="num">100.0</td><td class="num">0.0</td><td class="num">100.0</td>',
            '<td class="num">100.0</td><td class="num">0.0000</td>',
        )
        in table
    )


def test_it_lists_green_power_contracts_apart_from_certificates(
    offsets_client, green_power_contract
):
    table = _table(_html(offsets_client.get(URL)), "contracts")
    assert (
        _row(
            '<th scope="row">2023</th><td>BJPX-2023-GP-0007</td><td>Zhangbei wind farm</td>',
            "<td>Wind</td><td>XT-01</td><td>Xingtai main plant</td>",
            '<td class="num">1</td><td class="num">50.0</td>',
        )
        in table
    )


def test_allowances_are_shown_apart_as_compliance_only(offsets_client, worked_example):
    html = _html(offsets_client.get(URL))
    assert "ETS allowances: tracked for compliance, never counted as offsets" in html
    table = _table(html, "allowances")
    assert (
        _head(
            _col("Compliance year"),
            _col("Facility code"),
            _col("Facility"),
            *(
                _col(f"{label} (t CO2)", num=True)
                for label in ("Allocated", "Purchased", "Sold", "Surrendered", "Balance")
            ),
        )
        in table
    )
    assert (
        _row(
            '<th scope="row">2023</th><td>XT-01</td><td>Xingtai main plant</td>',
            '<td class="num">4,800.0</td><td class="num">300.0</td><td class="num">100.0</td>',
            '<td class="num">4,900.0</td><td class="num">100.0</td>',
        )
        in table
    )
    table = _table(html, "ets-credits")
    assert (
        '<caption class="muted">'
        "Credits retired for ETS compliance (not counted toward neutrality)</caption>"
    ) in table
    assert (
        _head(
            _col("Compliance year"),
            _col("Credits retired for ETS compliance (t CO2e)", num=True),
        )
        in table
    )
    assert _row('<th scope="row">2023</th><td class="num">100.0</td>') in table


def _csv(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_every_table_on_the_page_is_the_one_its_download_writes(
    offsets_client, green_power_contract
):
    html = _html(offsets_client.get(URL))
    for name in OFFSETS:
        shown = page_table(html, name)
        header, *rows = _csv(
            offsets_client.get(reverse("dashboard:offsets_export", args=[name, "csv"]))
        )
        assert shown.header == header, name
        # Body and footer on the page, body then footer in the file: the same rows, in order
        # (their first cells are years and names, which neither rounds).
        page_rows = shown.body + shown.foot
        assert [row[0][0] for row in page_rows] == [row[0] for row in rows], name
        # None of these tables links anywhere (the page never did).
        assert not any(link for row in page_rows for _text, link in row), name


def test_an_empty_database_shows_what_to_enter_without_admin_links_for_viewers(offsets_client):
    html = _html(offsets_client.get(URL))
    assert "No carbon credits yet." in html
    assert "No own tree planting recorded." in html
    assert "No certificates applied." in html
    assert "No ETS allowances recorded." in html
    assert "There is no organisation profile yet" in html
    assert "/admin/" not in html.split('<main class="page">')[1]


def test_an_empty_database_offers_admin_links_to_those_who_may_add(editor_client):
    html = _html(editor_client.get(URL))
    assert 'href="/admin/offsets/creditbatch/add/"' in html
    assert 'href="/admin/offsets/treeplanting/add/"' in html
    assert 'href="/admin/offsets/energycertificate/add/"' in html
    assert 'href="/admin/offsets/allowancetransaction/add/"' in html


def test_a_year_without_activity_data_says_the_claim_checks_need_it(offsets_client, organisation):
    html = _html(offsets_client.get(URL))
    assert "No emissions recorded for this year: the claim checks need the year" in html


def test_a_bad_year_is_ignored_with_a_message(offsets_client, worked_example):
    html = _html(offsets_client.get(URL, {"year": "abc"}))
    assert "Ignored Year “abc”" in html
    assert "Claim checks for 2023" in html


def test_htmx_requests_get_only_the_page_body(offsets_client, worked_example):
    html = _html(offsets_client.get(URL, {"year": "2023"}, headers={"hx-request": "true"}))
    assert html.lstrip().startswith('<div id="page-body">')
    assert "<html" not in html
    assert "Claim checks for 2023" in html


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_a_user_without_permission_gets_403(client, outsider):
    client.force_login(outsider)
    assert client.get(URL).status_code == 403


def test_post_is_not_allowed(offsets_client):
    assert offsets_client.post(URL).status_code == 405


# session, user, user permissions, group permissions; years with records; organisation;
# the balance on both approval bases with the records in review, in one pass (12:
# organisation, target, the rollup by category and status, market-based Scope 2 ×5, credits
# ×2, planting, surrenders); certificates; allowances; their facilities; batches; credits by
# year ×2; planting; ETS surrenders ×3; the year's neutrality retirements; the gap card: the
# batches holding credits.
# + the green-power contracts' settlements per year.
QUERIES = 31
DEMO_QUERIES = QUERIES


def test_the_query_count_does_not_grow_with_batches_retirements_and_transactions(
    offsets_client, worked_example, hebei_plant, django_assert_num_queries
):
    with django_assert_num_queries(QUERIES):
        offsets_client.get(URL)
    forest = worked_example["forest"]
    for index in range(5):
        batch = _batch(
            forest,
            100,
            first=10_001 + index * 100,
            vintage=2015 + index,
            purchased_on=dt.date(2023, 2, 1),
        )
        _retire(batch, 10, retired_on=dt.date(2024, 3, 1), year=2023, reference=f"R{index}")
        _retire(batch, 5, retired_on=dt.date(2024, 3, 1), year=2020 + index, reference=f"S{index}")
    _retire(
        worked_example["wind_2021"], 1, retired_on=dt.date(2024, 3, 1), year=2023, reference="W1"
    )
    second = Facility.objects.create(
        code="XT-02",
        name_en="Casting workshop",
        kind="factory",
        province="CN-HE",
        grid_region="CN-North",
        opened_on=dt.date(2012, 1, 1),
    )
    for year in (2021, 2022):
        _allowances(second, "allocation", 1000, year=year)
        _allowances(hebei_plant, "allocation", 1000, year=year)
    TreePlanting.objects.create(
        name="Second belt",
        area_ha=T("2"),
        species="Willow",
        planting_year=2022,
        sequestration_t_per_year=T("3"),
        method="Estimate.",
    )
    with django_assert_num_queries(QUERIES):
        offsets_client.get(URL)


def test_the_demo_shows_its_projects_certificates_and_allowances(
    offsets_client, django_assert_max_num_queries
):
    call_command("load_demo", stdout=io.StringIO())
    with django_assert_max_num_queries(DEMO_QUERIES):
        html = _html(offsets_client.get(URL))
    assert "Claim checks for 2025" in html
    assert "Taihang Mountains afforestation (demo)" in html
    assert "Inner Mongolia wind farm (demo)" in html
    assert "Afforestation / reforestation" in html
    assert "Renewable energy" in html
    assert "Xingtai riverside poplar belt (demo)" in html
    assert "Whole organisation" in html
    assert "XT-02" in html
