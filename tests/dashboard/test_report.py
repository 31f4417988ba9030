"""The annual GHG inventory report: the worked example's numbers, page and XLSX alike."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape
from io import BytesIO
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from emissions.activities.models import ActivityRecord
from emissions.dashboard.pages.overview import build_overview
from emissions.factors.models import EmissionFactor, FactorDataset
from emissions.offsets.models import AllowanceTransaction, EnergyCertificate
from tests.html_tables import page_tables, texts
from tests.neutrality.conftest import (  # noqa: F401 (fixtures)
    make_certificate,
    make_record,
    make_retirement,
    neutrality_target,
    reverse_retirement,
)

pytestmark = pytest.mark.django_db

URL_2023 = reverse("dashboard:report_year", kwargs={"year": 2023})
XLSX_2023 = reverse("dashboard:report_xlsx", kwargs={"year": 2023})
# Incl. the years with records (links), the pending records, the year's lock. The balance is
# read on both approval bases in one pass, so records in review cost no query more. The
# evidence coverage is one query over the year's records, whatever their number. The energy
# tables (tce) are the energy page's own builder: its reads of the rollup, outputs and types.
# The applied restatements of the year and the base year: one.
# 36, and one for Scope 3 by kind of data (inventory.scope3_quality); one for the expected
# data streams (completeness: none here, so no read of their records).
QUERIES = 38


@pytest.fixture
def worked_example(
    organisation,
    hebei_plant,
    make_record,  # noqa: F811
    make_certificate,  # noqa: F811
    make_retirement,  # noqa: F811
    reverse_retirement,  # noqa: F811
    neutrality_target,  # noqa: F811
):
    """docs/methodology.md's worked example (tests/neutrality/test_worked_example.py)."""
    make_record(hebei_plant, "grid_electricity", "400000", "kWh",
                start=dt.date(2023, 1, 1), end=dt.date(2023, 6, 30))  # fmt: skip
    make_record(hebei_plant, "grid_electricity", "600", "MWh",
                start=dt.date(2023, 7, 1), end=dt.date(2023, 12, 31))  # fmt: skip
    make_record(hebei_plant, "purchased_heat", "1000", "GJ")
    gas = make_record(hebei_plant, "natural_gas_stationary", "100", "t")
    make_record(hebei_plant, "hotel_nights", "10", "night")
    make_record(hebei_plant, "waste_landfill", "10", "t")
    make_certificate("400", facility=hebei_plant)
    make_retirement("300", kind="removal", standard="ccer", project_type="afforestation")
    avoidance = make_retirement(
        "200", kind="avoidance", standard="vcs", project_type="renewable_energy"
    )
    reverse_retirement(avoidance, "50")
    make_retirement("1000", kind="avoidance", project_type="methane_capture",
                    purpose="ets_compliance")  # fmt: skip
    AllowanceTransaction.objects.create(
        facility=hebei_plant, compliance_year=2023, kind="surrender",
        quantity_t=Decimal("5000"), transacted_on=dt.date(2024, 12, 31),
    )  # fmt: skip
    make_record(hebei_plant, "grid_electricity", "1200000", "kWh", year=2019)
    make_record(hebei_plant, "natural_gas_stationary", "120", "t", year=2019)
    make_record(hebei_plant, "hotel_nights", "10", "night", year=2019)
    # Data quality does not change a calculation: the gas meter reads directly.
    ActivityRecord.objects.filter(pk=gas.pk).update(data_quality="metered")
    # The report counts approved records only; these were reviewed (no reviewer on file, as
    # for records entered before the review workflow).
    ActivityRecord.objects.update(status="approved")
    return hebei_plant


@pytest.fixture
def reader(client, django_user_model):
    user = django_user_model.objects.create_user("reader", password="x")
    user.user_permissions.add(Permission.objects.get(codename="view_activityrecord"))
    client.force_login(user)
    return client


def row_html(html: str, label: str) -> str:
    """The table row whose header cell holds `label`."""
    start = html.index(label)
    return html[start : html.index("</tr>", start)]


def text_of(fragment: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", fragment))


def ledger(**params) -> str:
    return f"{reverse('dashboard:ledger')}?{urlencode(params)}"


def test_it_shows_scope_1_by_gas_in_kg_of_gas_and_tonnes_co2e(reader, worked_example):
    html = reader.get(URL_2023).content.decode()
    # 100 t × 48 GJ/t = 4,800 GJ ÷ 0.038931 GJ/Nm³ = 123,295.060491639054 Nm³ × 2.1622 kg CO2
    # (GB/T 32151.34-2024, CO2 only) = 266,588.579795 kg; no CH4 or N2O (AR5 GWPs still shown)
    co2 = row_html(html, '<th scope="row">CO2</th>')
    assert "266,588.580" in co2 and "266.589" in co2
    ch4 = row_html(html, '<th scope="row">CH4</th>')
    assert '<td class="num">0.000</td><td class="num">28.0</td><td class="num">0.000</td>' in ch4
    n2o = row_html(html, '<th scope="row">N2O</th>')
    assert '<td class="num">0.000</td><td class="num">265.0</td><td class="num">0.000</td>' in n2o
    # The total is the table's footer, linked to the records behind it.
    gases = page_tables(html)["table-scope1-gases"]
    assert gases.foot == [
        [("Total Scope 1", ""), ("", ""), ("", ""), ("266.589", ledger(year=2023, scope=1))]
    ]
    assert "Methane GWP" in html and "IPCC AR5 (2014)" in html


def test_it_shows_scope_2_both_methods_scope_3_and_the_instruments(reader, worked_example):
    html = reader.get(URL_2023).content.decode()
    assert "761.600" in row_html(html, "Location-based</th>")  # 651,600 + 110,000 kg
    assert "475.760" in row_html(html, "Market-based</th>")  # 365,760 + 110,000 kg
    plant = row_html(html, '<th scope="row">XT-01</th><td class="num">1,000.000')
    assert "400.000" in plant and "600.000" in plant and "365.760" in plant
    assert "China green electricity certificate (GEC)" in html
    assert "5.740" in html  # Scope 3: 5,205.327 + 535 kg
    assert "3.5 Waste generated in operations" in html
    assert "3.6 Business travel" in html


def test_it_shows_gross_credits_and_net_apart_from_the_ets(reader, worked_example):
    html = reader.get(URL_2023).content.decode()
    tables = page_tables(html)
    # What is subtracted from gross is negative: the column adds up to net.
    assert texts(tables["table-offsets"].body) == [
        ["Gross emissions within the target boundary", "742.884"],
        ["Credits retired: removals", "-300.000"],
        ["Credits retired: avoidance", "-150.000"],  # 200 t − 50 t reversed
        ["Internal removals (own planting) — shown, not subtracted", "0.000"],
        ["ETS allowances surrendered (excluded)", "5,000.000"],
    ]
    assert texts(tables["table-offsets"].foot) == [["Net emissions", "292.884"]]
    assert "5,000.000 t surrendered" in html
    # All scopes, market-based: 266,588.579795 + 475,760 + 5,740.327 = 748,088.906795 kg;
    # location-based: 266,588.579795 + 761,600 + 5,740.327 = 1,033,928.906795 kg
    assert texts(tables["table-totals"].body) == [
        ["Gross emissions within the target boundary (Carbon neutral 2030)", "742.884", "t CO2e"],
        ["All scopes (Scope 2 market-based)", "748.089", "t CO2e"],
        ["All scopes (Scope 2 location-based)", "1,033.929", "t CO2e"],
        ["Biogenic CO2, reported apart from the scopes", "0.000", "t CO2e"],
        ["Intensity", "—", "—"],  # no production recorded
    ]
    assert texts(tables["table-changes"].body)[-1] == [
        "Gross (target boundary)",
        "1,033.481",
        "742.884",
        "−28.1 %",  # a change: signed, with a real minus
    ]
    assert "Credits for 2023 must be retired" not in html  # retired in time
    assert "Removals are 66.7 % of the credits for 2023" in html


def test_its_totals_equal_the_overviews(reader, worked_example):
    tables = page_tables(reader.get(URL_2023).content.decode())
    overview = build_overview(year=2023, facility=None)
    gross_t = (overview.current.gross_kg / 1000).quantize(Decimal("0.001"))
    net_t = (overview.balance.net_kg / 1000).quantize(Decimal("0.001"))
    assert tables["table-totals"].body[0][1] == (str(gross_t), "")
    assert tables["table-offsets"].foot[0][1] == (str(net_t), "")


def test_it_lists_every_factor_dataset_used_with_its_source(reader, worked_example):
    html = reader.get(URL_2023).content.decode()
    used = EmissionFactor.objects.filter(records__year=2023).select_related("dataset")
    assert len({factor.dataset_id for factor in used}) == 4
    for factor in used:
        row = row_html(html, f'<th scope="row">{escape(factor.dataset.name)}</th>')
        assert escape(factor.dataset.publisher) in row
        assert escape(factor.dataset.version) in row
        assert factor.source_reference in text_of(row)
        # Web addresses in a source are links (the printed report writes them out).
        for address in re.findall(r"https?://[^\s;,)]+", factor.source_reference):
            assert f'<a href="{escape(address)}"' in row
    # The residual-mix factor's dataset is listed too, though no record uses it.
    residual = EmissionFactor.objects.get(group="grid_electricity_residual", region="CN", year=2023)
    assert f'<th scope="row">{escape(residual.dataset.name)}</th>' in html
    unused = FactorDataset.objects.exclude(factors__records__year=2023).exclude(
        pk=residual.dataset_id
    )
    for dataset in unused:
        assert f'<th scope="row">{escape(dataset.name)}</th>' not in html


def test_it_shows_data_quality_shares_of_tonnes_and_records(reader, worked_example):
    html = reader.get(URL_2023).content.decode()
    # 266,588.579795 of 1,033,928.906795 kg (location-based) are metered: 25.78 %, 1 of 6
    # records; the other 767,340.327 kg are from invoices: 74.22 %.
    metered = row_html(html, '<th scope="row">Metered</th>')
    assert "25.8 %" in metered and "16.7 %" in metered
    invoice = row_html(html, '<th scope="row">Invoice</th>')
    assert "74.2 %" in invoice and "83.3 %" in invoice
    assert "0.0 %" in row_html(html, '<th scope="row">Estimated</th>')


def test_its_print_stylesheet_is_linked_for_print_only(reader, worked_example):
    html = reader.get(URL_2023).content.decode()
    assert 'href="/static/css/print.css" media="print"' in html


def test_the_xlsx_holds_the_same_numbers_with_units(reader, worked_example):
    response = reader.get(XLSX_2023)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ghg-inventory-2023.xlsx"'
    workbook = load_workbook(BytesIO(response.content))
    totals = list(workbook["Totals"].iter_rows(values_only=True))
    assert totals[0] == ("Item", "Value", "Unit")
    assert totals[1][0] == "Gross emissions within the target boundary (Carbon neutral 2030)"
    assert (Decimal(str(totals[1][1])), totals[1][2]) == (Decimal("742.883579795"), "t CO2e")
    offsets = list(workbook["Offsets and net emissions"].iter_rows(values_only=True))
    assert offsets[-1][0] == "Net emissions"
    assert Decimal(str(offsets[-1][1])) == Decimal("292.883579795")
    # Gross less credits (own planting is not counted here, nor ETS allowances) is net.
    gross, removals, avoidance = (Decimal(str(row[1])) for row in offsets[1:4])
    assert gross + removals + avoidance == Decimal("292.883579795")
    gases = list(workbook["Scope 1 by gas"].iter_rows(values_only=True))
    assert gases[0] == ("Gas", "kg of gas", "GWP", "t CO2e")
    # The footer is the last row, its linked total written as the plain number.
    assert gases[-1][0] == "Total Scope 1"
    assert Decimal(str(gases[-1][3])) == Decimal("266.588579795")
    assert "Factor datasets" in workbook.sheetnames


# The page's tables in its order, and the XLSX sheet each one is; the first sheet holds the
# facts the page lists in sections 1 and 2.
SHEETS = {
    "table-facilities": "Facilities",
    "table-scope1-gases": "Scope 1 by gas",
    "table-scope1-categories": "Scope 1 by category",
    "table-scope2-methods": "Scope 2 by method",
    "table-scope2-categories": "Scope 2 by category",
    "table-scope2-facilities": "Scope 2 by facility",
    "table-certificates": "Certificates",
    "table-scope3-categories": "Scope 3 by category",
    "table-totals": "Totals",
    "table-energy-carriers": "Energy by carrier",
    "table-energy-intensity": "Energy intensity",
    "table-offsets": "Offsets and net emissions",
    "table-quality": "Data quality",
    "table-evidence": "Evidence coverage",
    "table-scope3-quality": "Scope 3 by kind of data",
    "table-changes": "Change vs base year",
    "table-datasets": "Factor datasets",
}


def test_every_table_of_the_page_is_a_sheet_of_the_xlsx(reader, worked_example):
    tables = page_tables(reader.get(URL_2023).content.decode())
    workbook = load_workbook(BytesIO(reader.get(XLSX_2023).content))
    assert list(tables) == list(SHEETS)
    assert workbook.sheetnames == ["Organisation", *SHEETS.values()]
    for table_id, title in SHEETS.items():
        table, sheet = tables[table_id], list(workbook[title].iter_rows(values_only=True))
        (header,) = texts(table.head)
        assert tuple(header) == sheet[0], table_id
        rows = texts(table.body) + texts(table.foot)
        assert len(rows) == len(sheet) - 1, table_id
        # The same rows in the same order: each one's header cell (a name or label).
        assert [row[0] for row in rows] == [row[0] for row in sheet[1:]], table_id


def test_its_figures_link_to_the_records_behind_them(reader, worked_example):
    tables = page_tables(reader.get(URL_2023).content.decode())
    location = tables["table-scope2-methods"].body[0]
    assert location == [("Location-based", ""), ("761.600", ledger(year=2023, scope=2))]
    waste, travel = (row[0] for row in tables["table-scope3-categories"].body)
    assert waste == ("3.5 Waste generated in operations", ledger(year=2023, category="s3_05"))
    assert travel == ("3.6 Business travel", ledger(year=2023, category="s3_06"))
    (stationary,) = tables["table-scope1-categories"].body
    assert stationary[0][1] == ledger(year=2023, category="s1_stationary")


def test_an_empty_table_says_so_and_its_sheet_has_the_header_only(reader, worked_example):
    EnergyCertificate.objects.all().delete()
    html = reader.get(URL_2023).content.decode()
    assert texts(page_tables(html)["table-certificates"].body) == [["—"]]
    assert "No certificates were applied this year." in html
    workbook = load_workbook(BytesIO(reader.get(XLSX_2023).content))
    assert workbook["Certificates"].max_row == 1


def test_report_redirects_to_the_latest_year(reader, worked_example):
    response = reader.get(reverse("dashboard:report"))
    assert response.status_code == 302
    assert response["Location"] == URL_2023


def test_report_without_records_shows_an_empty_state(reader, organisation):
    response = reader.get(reverse("dashboard:report"))
    assert response.status_code == 200
    assert "No emissions recorded yet" in response.content.decode()


def test_a_year_without_records_is_not_found(reader, worked_example):
    assert reader.get(reverse("dashboard:report_year", kwargs={"year": 2021})).status_code == 404
    assert reader.get(reverse("dashboard:report_xlsx", kwargs={"year": 2021})).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, worked_example):
    response = client.get(URL_2023)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_without_the_permission_is_forbidden(client, outsider, worked_example):
    client.force_login(outsider)
    assert client.get(URL_2023).status_code == 403
    assert client.get(XLSX_2023).status_code == 403
    assert client.get(reverse("dashboard:report")).status_code == 403


def test_post_is_not_allowed(staff_client, worked_example):
    assert staff_client.post(URL_2023).status_code == 405
    assert staff_client.post(XLSX_2023).status_code == 405


def test_the_query_count_is_pinned_and_does_not_grow_with_records(
    reader,
    worked_example,
    make_record,  # noqa: F811
    django_assert_num_queries,
):
    # Session, user, permissions (2), the balance, then one query per report table.
    with django_assert_num_queries(QUERIES):
        reader.get(URL_2023)
    for month in range(1, 12):
        start, end = dt.date(2023, month, 1), dt.date(2023, month, 28)
        make_record(worked_example, "natural_gas_stationary", "10", "t", start=start, end=end)
        make_record(worked_example, "hotel_nights", "5", "night", start=start, end=end)
        make_record(worked_example, "waste_landfill", "1", "t", start=start, end=end)
    with django_assert_num_queries(QUERIES):
        reader.get(URL_2023)
    ActivityRecord.objects.filter(year=2023).update(status="approved")
    with django_assert_num_queries(QUERIES):
        reader.get(URL_2023)


def test_it_renders_in_chinese(reader, worked_example):
    response = reader.get(URL_2023, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()
    assert reader.get(XLSX_2023, HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200


def test_it_links_to_the_reports_of_the_other_years(reader, worked_example, make_record):  # noqa: F811
    make_record(
        worked_example, "natural_gas_stationary", "10", "t",
        start=dt.date(2022, 5, 1), end=dt.date(2022, 5, 31),
    )  # fmt: skip
    html = reader.get(URL_2023).content.decode()
    assert 'aria-label="Reporting years"' in html
    assert '<strong aria-current="page">2023</strong>' in html
    assert f'<a href="{reverse("dashboard:report_year", kwargs={"year": 2022})}">2022</a>' in html


def test_it_counts_approved_records_only_and_says_what_is_pending(reader, worked_example):
    from emissions.dashboard.pages.report import build_report
    from emissions.dashboard.templatetags.kehui_format import tonnes

    before = build_report(2023)
    ActivityRecord.objects.filter(activity_type__code="hotel_nights", year=2023).update(
        status="submitted"
    )
    pending = ActivityRecord.objects.get(activity_type__code="hotel_nights", year=2023)
    html = reader.get(URL_2023).content.decode()
    assert "Only approved records are counted." in html
    after = build_report(2023)
    assert after.balance.scope3_kg == before.balance.scope3_kg - pending.co2e_kg
    # What the record in review would add to the report's gross (business travel is within
    # the target boundary), and the net with it: the overview's figures for the same year.
    assert (after.pending.records, after.pending.kg) == (1, pending.co2e_kg)
    assert after.with_pending.net_kg == before.balance.net_kg
    assert (
        f"1 record of 2023 is still in review and is not in this report: it would add "
        f"{tonnes(pending.co2e_kg, 3)} tCO2e to the gross below. With them, net would be "
        f"{tonnes(before.balance.net_kg, 3)} tCO2e (as the overview shows it)."
    ) in unescape(html)
    # As workflow.reject writes it: an UPDATE (a save() of a review field reopens the record).
    ActivityRecord.objects.filter(activity_type__code="waste_landfill", year=2023).update(
        status="rejected", rejection_reason="wrong site"
    )
    html = reader.get(URL_2023).content.decode()
    assert "1 record of 2023" in html  # a rejected record is neither counted nor pending
