"""Every dashboard table as CSV and XLSX: the page's own numbers, exact, for the page's filter.

Worked example (the overview's; AR5, no target, so gross = Scope 1 + 2 market-based + 3):
- Xingtai main plant (XT-01, Hebei): 10 MWh of grid electricity in March 2022 = 7,252 kg
  location-based, 5,856 kg market-based (CN 2022 residual 0.5856); 10 MWh in March 2023 =
  6,516 kg location-based, 6,096 kg market-based (0.6096); 10 hotel nights in March 2023 = 535 kg;
- Shanghai sales office (SH-OF, 上海销售办公室): 5 kg of R-410A in August 2023 = 9,617.5 kg.
So 2023: Scope 1 9.6175 t, Scope 2 6.096 t market-based (6.516 t location-based), Scope 3
0.535 t, gross 16.2485 t; 2022: gross 5.856 t.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from emissions.dashboard.pages.facilities import facility_listing, facility_page
from emissions.dashboard.pages.offsets import build_offsets_page
from emissions.dashboard.pages.overview import build_overview
from emissions.dashboard.pages.targets import build_targets_page
from emissions.dashboard.spreadsheet import neutralise, plain_decimal
from emissions.facilities.models import Facility, FacilityOutput
from emissions.factors.units import display_unit
from emissions.neutrality.models import ReductionInitiative, Target
from emissions.offsets import services
from emissions.offsets.models import CreditProject, TreePlanting
from tests.factories import gec_codes, metered

pytestmark = pytest.mark.django_db

T = Decimal
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def overview_url(table, fmt="csv"):
    return reverse("dashboard:overview_export", args=[table, fmt])


def facilities_url(fmt="csv"):
    return reverse("dashboard:facility_list_export", args=["facilities", fmt])


def facility_url(table, fmt="csv", code="XT-01"):
    return reverse("dashboard:facility_detail_export", args=[code, table, fmt])


def offsets_url(table, fmt="csv"):
    return reverse("dashboard:offsets_export", args=[table, fmt])


def targets_url(table, fmt="csv"):
    return reverse("dashboard:targets_export", args=[table, fmt])




@pytest.fixture
def office():
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
def inventory(make_record, hebei_plant, office):
    make_record(hebei_plant, "grid_electricity", "10", "MWh", **metered(2022))
    make_record(hebei_plant, "grid_electricity", "10", "MWh", **metered(2023))
    make_record(hebei_plant, "hotel_nights", "10", "night", **metered(2023))
    make_record(office, "refrigerant_r410a", "5", "kg", **metered(2023, 8))
    FacilityOutput.objects.create(
        facility=hebei_plant, year=2023, metric="production", value=50, unit="t"
    )
    return hebei_plant


@pytest.fixture
def instruments(inventory, hebei_plant):
    """Credits, certificates, allowances and planting on top of the inventory."""
    forest = CreditProject.objects.create(
        registry_project_id="CCER-14-001",
        name="Taihang afforestation",
        standard="ccer",
        project_type="afforestation",
        kind="removal",
    )
    batch = services.add_credit_batch(
        project=forest,
        vintage_year=2022,
        quantity_t=T(1000),
        serial_first=1,
        serial_last=1000,
        purchased_on=dt.date(2023, 6, 1),
        price_per_t=T("60.00"),
    )
    for tonnes, purpose, reference in [(300, "neutrality", "R-1"), (50, "ets_compliance", "R-2")]:
        services.retire_credits(
            batch=batch,
            quantity_t=T(tonnes),
            retired_on=dt.date(2024, 3, 1),
            claimed_year=2023,
            registry_reference=reference,
            purpose=purpose,
        )
    services.add_energy_certificates(
        scheme="gec",
        registry="China GEC platform",
        technology="solar",
        **gec_codes(1, 4, year=2023),
        mwh=T(4),
        facility=hebei_plant,
        reporting_year=2023,
    )
    for kind, tonnes in [("allocation", 4800), ("surrender", 4700)]:
        services.record_allowance_transaction(
            facility=hebei_plant,
            compliance_year=2023,
            kind=kind,
            quantity_t=T(tonnes),
            transacted_on=dt.date(2023, 12, 20),
        )
    TreePlanting.objects.create(
        name="Factory shelter belt",
        facility=hebei_plant,
        area_ha=T("10"),
        species="Poplar",
        planting_year=2020,
        sequestration_t_per_year=T("12.5"),
        method="10 ha × 1.25 tCO2/ha/year.",
    )


@pytest.fixture
def targets(inventory, hebei_plant):
    neutral = Target(name="Carbon neutral 2030", kind="neutrality", base_year=2022,
                     target_year=2030)  # fmt: skip
    renewable = Target(name="60 % renewable electricity", kind="renewable_share",
                       base_year=2022, target_year=2030, renewable_share_pct=T("60"))  # fmt: skip
    for target in (neutral, renewable):
        target.full_clean()
        target.save()
    for title, abatement, capex, saving, lifetime in [
        ("LED retrofit", "180", "600000", "260000", 10),
        ("Rooftop solar", "950", "4300000", "820000", 25),
    ]:
        ReductionInitiative.objects.create(
            title=title,
            facility=hebei_plant,
            expected_abatement_t_per_year=T(abatement),
            capex=T(capex),
            annual_saving=T(saving),
            lifetime_years=lifetime,
            kind="other",
            status="idea",
        )
    return {"neutral": neutral, "renewable": renewable}


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel looks for
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def read_xlsx(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    return load_workbook(io.BytesIO(response.content)).active


def xlsx_values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def as_csv(rows) -> list[list[str]]:
    """Expected values as the CSV writes them: exact numbers, ISO dates, "" for none."""

    def text(value):
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return plain_decimal(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    return [[text(value) for value in row] for row in rows]


def assert_xlsx_equals(sheet, header, rows):
    """The sheet holds the header and the rows, numbers as numeric cells equal to the Decimal."""
    values = xlsx_values(sheet)
    assert values[0] == header
    assert len(values) == len(rows) + 1
    for cells, expected_row in zip(list(sheet.iter_rows())[1:], rows, strict=True):
        for cell, expected in zip(cells, expected_row, strict=True):
            if isinstance(expected, Decimal | int):
                assert cell.data_type == "n", (cell.coordinate, cell.value)
                assert Decimal(str(cell.value)) == expected, (cell.coordinate, cell.value)
            elif isinstance(expected, dt.date):
                assert cell.value.date() == expected
            elif expected in (None, ""):
                assert cell.value is None
            else:
                assert cell.data_type == "s"
                assert cell.value == str(expected)


def check_both(client, url, params, header, rows):
    """CSV and XLSX of `url` hold `header` and `rows` exactly."""
    csv_rows = read_csv(client.get(url, params))
    assert csv_rows == [header, *as_csv(rows)]
    xlsx = url[: -len(".csv")] + ".xlsx"
    assert_xlsx_equals(read_xlsx(client.get(xlsx, params)), header, rows)


def t(kg):
    return None if kg is None else kg.scaleb(-3)


# The overview


def test_the_road_table_has_every_year_with_the_balance_s_numbers(staff_client, inventory):
    o = build_overview(year=2023, facility=None)
    header = [
        "Year", "Scope 1 (t CO2e)", "Scope 2 market-based (t CO2e)", "Scope 3 (t CO2e)",
        "Gross (t CO2e)", "Credits retired (t CO2e)", "Net (t CO2e)", "Pathway (t CO2e)",
    ]  # fmt: skip
    rows = [
        [r.year, t(r.scope1_kg), t(r.scope2_market_kg), t(r.scope3_kg), t(r.gross_kg),
         t(r.credits_kg), t(r.net_kg), t(r.pathway_kg)]
        for r in o.rows
    ]  # fmt: skip
    check_both(staff_client, overview_url("road"), {}, header, rows)
    csv_rows = read_csv(staff_client.get(overview_url("road")))
    assert csv_rows[1][:5] == ["2022", "0", "5.856", "0", "5.856"]
    assert csv_rows[2][:5] == ["2023", "9.6175", "6.096", "0.535", "16.2485"]


def test_the_scope_table_follows_the_year_filter(staff_client, inventory):
    response = staff_client.get(overview_url("scopes"), {"year": "2022"})
    assert 'filename="kehui-overview-scopes-2022.csv"' in response["Content-Disposition"]
    assert read_csv(response) == [
        ["Scope", "2022 (t CO2e)"],
        ["Scope 1", "0"],
        ["Scope 2 location-based", "7.252"],
        ["Scope 2 market-based", "5.856"],
        ["Scope 3", "0"],
    ]
    c = build_overview(year=2023, facility=None).current
    rows = [
        ["Scope 1", t(c.scope1_kg)],
        ["Scope 2 location-based", t(c.scope2_location_kg)],
        ["Scope 2 market-based", t(c.scope2_market_kg)],
        ["Scope 3", t(c.scope3_kg)],
    ]
    check_both(staff_client, overview_url("scopes"), {"year": "2023"}, ["Scope", "2023 (t CO2e)"],
               rows)  # fmt: skip


def test_the_facility_filter_gives_that_facility_s_own_figures(staff_client, inventory):
    response = staff_client.get(overview_url("road"), {"year": "2023", "facility": "XT-01"})
    assert 'filename="kehui-overview-road-XT-01.csv"' in response["Content-Disposition"]
    o = build_overview(year=2023, facility=inventory)
    rows = [
        [r.year, t(r.scope1_kg), t(r.scope2_market_kg), t(r.scope3_kg), t(r.gross_kg)]
        for r in o.rows
    ]
    # No credits, net or pathway: they belong to the whole organisation, as on the page.
    assert read_csv(response) == [
        ["Year", "Scope 1 (t CO2e)", "Scope 2 market-based (t CO2e)", "Scope 3 (t CO2e)",
         "Gross (t CO2e)"],
        *as_csv(rows),
    ]  # fmt: skip
    assert read_csv(response)[2] == ["2023", "0", "6.096", "0.535", "6.631"]


def test_the_facility_table_is_not_found_for_one_facility_as_on_the_page(staff_client, inventory):
    response = staff_client.get(overview_url("facilities"), {"facility": "XT-01"})
    assert response.status_code == 404


def test_the_facility_month_scope_3_and_electricity_tables(staff_client, inventory):
    o = build_overview(year=2023, facility=None)
    check_both(
        staff_client, overview_url("facilities"), {"year": "2023"},
        ["Facility code", "Facility", "2023 (t CO2e)"],
        [[f.code, f.name_en, t(kg)] for f, kg in o.by_facility],
    )  # fmt: skip
    assert as_csv([[f.code, t(kg)] for f, kg in o.by_facility]) == [
        ["SH-OF", "9.6175"],
        ["XT-01", "6.631"],
    ]
    check_both(
        staff_client, overview_url("months"), {"year": "2023"},
        ["Month", "2022 (t CO2e, all scopes, Scope 2 location-based)",
         "2023 (t CO2e, all scopes, Scope 2 location-based)"],
        [[month, t(last), t(this)] for month, this, last in o.by_month],
    )  # fmt: skip
    march = read_csv(staff_client.get(overview_url("months"), {"year": "2023"}))[3]
    assert march == ["3", "7.252", "7.051"]
    check_both(
        staff_client, overview_url("scope3"), {"year": "2023"},
        ["Category", "2023 (t CO2e)", "Within the target boundary"],
        [[r.label, t(r.kg), "Yes" if r.in_boundary else "No"] for r in o.scope3_by_category],
    )  # fmt: skip
    check_both(
        staff_client, overview_url("electricity"), {},
        ["Year", "Grid (MWh)", "Certificates (MWh)", "On-site renewables (MWh)"],
        [[year, t(g), t(c), t(s)] for year, g, c, s in o.electricity],
    )  # fmt: skip
    assert read_csv(staff_client.get(overview_url("electricity")))[2] == ["2023", "10", "0", "0"]


def test_without_activity_data_a_table_downloads_with_its_header_only(staff_client, organisation):
    assert read_csv(staff_client.get(overview_url("months"))) == [
        [
            "Month",
            "— (t CO2e, all scopes, Scope 2 location-based)",
            "— (t CO2e, all scopes, Scope 2 location-based)",
        ]
    ]
    sheet = read_xlsx(staff_client.get(overview_url("road", "xlsx")))
    assert len(xlsx_values(sheet)) == 1


def test_the_overview_file_names_say_which_table_year_and_facility(staff_client, inventory):
    def name(url, params):
        return staff_client.get(url, params)["Content-Disposition"]

    assert name(overview_url("scope3", "xlsx"), {}) == (
        'attachment; filename="kehui-overview-scope3-2023.xlsx"'
    )
    assert 'filename="kehui-overview-months-2022-XT-01.csv"' in name(
        overview_url("months"), {"year": "2022", "facility": "XT-01"}
    )
    # The road and electricity tables show every year: the year is not in their name.
    assert 'filename="kehui-overview-electricity.csv"' in name(
        overview_url("electricity"), {"year": "2022"}
    )


def test_bad_filter_values_are_ignored_as_on_the_page(staff_client, inventory):
    response = staff_client.get(overview_url("scopes"), {"year": "abc", "facility": "NOPE"})
    assert read_csv(response)[0] == ["Scope", "2023 (t CO2e)"]


def test_the_overview_links_each_table_s_downloads_with_the_filter(staff_client, inventory):
    html = staff_client.get(reverse("dashboard:home"), {"year": "2022"}).content.decode()
    for table in ["road", "scopes", "facilities", "months", "electricity"]:
        assert f'href="/overview/export/{table}.csv?year=2022" download>CSV</a>' in html
        assert f'href="/overview/export/{table}.xlsx?year=2022" download>XLSX</a>' in html
    html = staff_client.get(reverse("dashboard:home"), {"facility": "XT-01"}).content.decode()
    assert 'href="/overview/export/road.csv?year=2023&amp;facility=XT-01"' in html
    assert "/overview/export/facilities.csv" not in html


# The facilities list


def test_the_facility_list_has_every_facility_with_this_year_s_emissions(staff_client, inventory):
    listing = facility_listing(with_emissions=True)
    header = [
        "Code", "Name", "Kind", "Province", "Grid region", "Country", "Ownership (%)", "Opened",
        "Status", "Closed on", "2023 (t CO2e)", "Change vs 2022 (%)",
    ]  # fmt: skip
    rows = [
        [
            r.facility.code, r.facility.name_en, r.facility.get_kind_display(),
            r.facility.get_province_display(), r.facility.get_grid_region_display(),
            r.facility.country, r.facility.ownership_share, r.facility.opened_on, "Active", None,
            t(r.gross_kg), r.change_pct,
        ]
        for r in listing.rows
    ]  # fmt: skip
    check_both(staff_client, facilities_url(), {}, header, rows)
    response = staff_client.get(facilities_url())
    assert response["Content-Disposition"] == 'attachment; filename="kehui-facilities-2023.csv"'
    by_code = {row[0]: row for row in read_csv(response)[1:]}
    assert by_code["XT-01"][-2:] == ["6.631", "13.2"]  # 6,631 kg against 5,856 kg
    assert by_code["SH-OF"][-2:] == ["9.6175", ""]


def test_without_the_record_permission_the_facility_list_has_no_emissions(viewer_client, inventory):
    header = read_csv(viewer_client.get(facilities_url()))[0]
    assert header[-1] == "Closed on"
    assert viewer_client.get(reverse("dashboard:facility_list")).status_code == 200


def test_the_facility_list_links_its_downloads(staff_client, inventory):
    html = staff_client.get(reverse("dashboard:facility_list")).content.decode()
    assert 'href="/facilities/export/facilities.csv" download>CSV</a>' in html
    assert 'href="/facilities/export/facilities.xlsx" download>XLSX</a>' in html


def test_names_follow_the_language_as_on_the_page(staff_client, inventory):
    chinese = {"accept-language": "zh-hans"}
    rows = read_csv(staff_client.get(facilities_url(), headers=chinese))
    assert "上海销售办公室" in {row[1] for row in rows[1:]}
    rows = read_csv(staff_client.get(overview_url("facilities"), headers=chinese))
    assert rows[1][:2] == ["SH-OF", "上海销售办公室"]


# One facility's page


def test_the_facility_s_tables_hold_its_page_s_numbers(staff_client, inventory):
    page = facility_page(inventory, year=2023)
    check_both(
        staff_client, facility_url("years"), {},
        ["Year", "Scope 1 (t CO2e)", "Scope 2 market-based (t CO2e)",
         "Scope 2 location-based (t CO2e)", "Scope 3 (t CO2e)", "Gross (t CO2e)"],
        [[r.year, t(r.scope1_kg), t(r.scope2_market_kg), t(r.scope2_location_kg),
          t(r.scope3_kg), t(r.gross_kg)] for r in page.rows],
    )  # fmt: skip
    assert read_csv(staff_client.get(facility_url("years")))[2] == [
        "2023", "0", "6.096", "6.516", "0.535", "6.631",
    ]  # fmt: skip
    check_both(
        staff_client, facility_url("intensity"), {},
        ["Year", "Gross (t CO2e)", "Production", "Production unit",
         "Intensity (kg CO2e per unit)"],
        [[r.year, t(r.gross_kg), r.production, r.production_unit, r.intensity_kg_per_unit]
         for r in page.rows],
    )  # fmt: skip
    # 6,631 kg ÷ 50 t = 132.62 kg per t
    assert read_csv(staff_client.get(facility_url("intensity")))[2] == [
        "2023", "6.631", "50", "t", "132.62",
    ]  # fmt: skip
    check_both(
        staff_client, facility_url("records"), {},
        ["Record id", "Facility code", "Activity type", "Period start", "Period end", "Quantity",
         "Unit", "t CO2e"],
        [[r.record.pk, "XT-01", r.type_name, r.record.period_start, r.record.period_end,
          r.record.quantity, display_unit(r.record.unit), t(r.record.co2e_kg)]
         for r in page.recent_records],
    )  # fmt: skip


def test_the_facility_s_categories_follow_the_year_filter(staff_client, inventory):
    response = staff_client.get(facility_url("categories"), {"year": "2022"})
    assert response["Content-Disposition"] == (
        'attachment; filename="kehui-facility-XT-01-categories-2022.csv"'
    )
    # The categories as recorded, then the market-based adjustment of Scope 2 (residual mix
    # 0.5856 against the grid's 0.7252 kg/kWh), adding up to the year's gross.
    assert read_csv(response) == [
        ["Category", "Scope", "2022 (t CO2e)"],
        ["Purchased electricity", "2", "7.252"],
        ["Scope 2 market-based adjustment (certificates and residual mix)", "2", "-1.396"],
        ["Gross (all scopes, Scope 2 market-based)", "", "5.856"],
    ]
    page = facility_page(inventory, year=2023)
    check_both(
        staff_client, facility_url("categories"), {},
        ["Category", "Scope", "2023 (t CO2e)"],
        [[str(label), scope, t(kg)] for _c, label, scope, kg in page.by_category]
        + [["Gross (all scopes, Scope 2 market-based)", None, t(page.current.gross_kg)]],
    )  # fmt: skip


def test_the_facility_page_links_its_downloads_with_its_year(staff_client, inventory):
    html = staff_client.get(reverse("dashboard:facility_detail", args=["SH-OF"])).content.decode()
    for table in ["years", "intensity", "categories", "records"]:
        assert f'href="/facilities/SH-OF/export/{table}.csv?year=2023" download>' in html


def test_an_unknown_facility_is_404(staff_client, inventory):
    assert staff_client.get(facility_url("years", code="NOPE")).status_code == 404


# Offsets and certificates


def test_the_offsets_tables_hold_the_page_s_numbers(staff_client, instruments):
    p = build_offsets_page(year=2023)
    tco2e = ["Bought (t CO2e)", "Retired (t CO2e)", "Remaining (t CO2e)"]
    check_both(
        staff_client, offsets_url("vintages"), {},
        ["Vintage", "Project type", "Removal or avoidance", *tco2e],
        [*([r.vintage_year, str(r.project_type), str(r.kind), r.quantity_t, r.retired_t,
            r.remaining_t] for r in p.vintages),
         ["Total", None, None, p.bought_t, p.retired_t, p.held_t]],
    )  # fmt: skip
    # Retired counts every purpose: 300 t for neutrality and 50 t for the ETS.
    assert read_csv(staff_client.get(offsets_url("vintages")))[1][3:] == ["1000", "350", "650"]
    check_both(
        staff_client, offsets_url("projects"), {},
        ["Project", "Standard / registry", "Registry project id", "Project type",
         "Removal or avoidance", *tco2e],
        [[r.name, str(r.standard), r.registry_project_id, str(r.project_type), str(r.kind),
          r.quantity_t, r.retired_t, r.remaining_t] for r in p.projects],
    )  # fmt: skip
    check_both(
        staff_client, offsets_url("retired"), {},
        ["Reporting year", "Removals (t CO2e)", "Avoidance / reduction (t CO2e)",
         "Total (t CO2e)"],
        [[r.year, r.removal_t, r.avoidance_t, r.total_t] for r in p.retired_years],
    )  # fmt: skip
    check_both(
        staff_client, offsets_url("coverage"), {},
        ["Reporting year", "Gross emissions (t CO2e)", "Credits retired (t CO2e)",
         "Coverage (%)"],
        [[r.year, t(r.gross_kg), r.total_t, r.coverage_pct] for r in p.credit_years],
    )  # fmt: skip
    check_both(
        staff_client, offsets_url("planting"), {},
        ["Name", "Area (ha)", "Species", "Planting year", "Estimated (t CO2 per year)"],
        [["Factory shelter belt", T(10), "Poplar", 2020, T("12.5")]],
    )  # fmt: skip
    check_both(
        staff_client, offsets_url("certificates"), {},
        ["Reporting year", "Facility code", "Applied to", "Unbundled certificates (MWh)",
         "Green-power contracts (MWh)", "Total applied (MWh)", "Of which renewable (MWh)",
         "Factor (kg CO2e/kWh)"],
        [[r.year, r.facility.code, r.facility.name_en, r.certificate_mwh, r.contract_mwh, r.mwh,
          r.renewable_mwh, r.kg_co2e_per_kwh] for r in p.certificates],
    )  # fmt: skip
    check_both(
        staff_client, offsets_url("allowances"), {},
        ["Compliance year", "Facility code", "Facility", "Allocated (t CO2)",
         "Purchased (t CO2)", "Sold (t CO2)", "Surrendered (t CO2)", "Balance (t CO2)"],
        [[2023, "XT-01", "Xingtai main plant", T(4800), T(0), T(0), T(4700), T(100)]],
    )  # fmt: skip
    check_both(
        staff_client, offsets_url("ets-credits"), {},
        ["Compliance year", "Credits retired for ETS compliance (t CO2e)"],
        [[2023, T(50)]],
    )  # fmt: skip


def test_the_offsets_tables_show_every_year_whatever_the_year_filter(staff_client, instruments):
    every_year = read_csv(staff_client.get(offsets_url("coverage")))
    response = staff_client.get(offsets_url("coverage"), {"year": "2022"})
    assert read_csv(response) == every_year
    assert [row[0] for row in every_year[1:]] == ["2022", "2023"]
    assert response["Content-Disposition"] == 'attachment; filename="kehui-offsets-coverage.csv"'


def test_the_offsets_page_links_its_downloads(staff_client, instruments):
    html = staff_client.get(reverse("dashboard:offsets"), {"year": "2022"}).content.decode()
    for table in INSTRUMENT_TABLES:
        assert f'href="/offsets/export/{table}.csv?year=2022" download>' in html


INSTRUMENT_TABLES = [
    "vintages", "projects", "retired", "coverage", "planting", "certificates", "allowances",
    "ets-credits",
]  # fmt: skip


# Targets and initiatives


def test_the_targets_table_reads_the_selected_year(staff_client, targets):
    p = build_targets_page(year=2023)
    neutral, renewable = (next(r for r in p.targets if r.target == tg) for tg in targets.values())
    response = staff_client.get(targets_url("targets"), {"year": "2023"})
    assert 'filename="kehui-targets-targets-2023.csv"' in response["Content-Disposition"]
    header = [
        "Target", "Kind", "Coverage", "Base year", "Base year (t CO2e)", "Base year (%)",
        "Target year", "Goal (t CO2e)", "Goal (%)", "Reduction against the base year (%)",
        "Measured on", "2023 (t CO2e)", "2023 pathway (t CO2e)", "2023 (%)", "2023 pathway (%)",
        "Progress",
    ]  # fmt: skip
    rows = [
        ["Carbon neutral 2030", "Carbon neutrality", ", ".join(neutral.coverage), 2022,
         t(neutral.base_value), None, 2030, t(neutral.goal_value), None, None,
         "Net emissions", t(neutral.selected.actual), t(neutral.selected.pathway), None, None,
         "On track" if neutral.on_track else "Off track"],
        ["60 % renewable electricity", "Renewable electricity share",
         "Electricity consumed (grid and on-site)", 2022, None, renewable.base_value, 2030,
         None, T(60), None, "Renewable share of electricity", None, None,
         renewable.selected.actual, renewable.selected.pathway,
         "On track" if renewable.on_track else "Off track"],
    ]  # fmt: skip
    check_both(staff_client, targets_url("targets"), {"year": "2023"}, header, rows)
    # Net 2023 within the neutrality target (Scopes 1 and 2 market-based, no Scope 3
    # category, no credits): 9.6175 + 6.096 = 15.7135 t.
    assert read_csv(response)[1][11] == "15.7135"


def test_each_target_s_pathway_table_downloads(staff_client, targets):
    p = build_targets_page(year=2023)
    for row in p.targets:
        url = targets_url(f"pathway-{row.target.pk}")
        response = staff_client.get(url)
        assert response["Content-Disposition"] == (
            f'attachment; filename="kehui-target-{row.target.pk}-pathway.csv"'
        )
        if row.is_share:
            header = ["Year", "Renewable share (%)", "Pathway (%)"]
            rows = [[point.year, point.actual, point.pathway] for point in row.points]
        elif row.is_net:
            header = ["Year", "Gross (t CO2e)", "Net (t CO2e)", "Pathway (t CO2e)"]
            rows = [
                [point.year, t(point.gross), t(point.actual), t(point.pathway)]
                for point in row.points
            ]
        else:
            header = ["Year", "Gross (t CO2e)", "Pathway (t CO2e)"]
            rows = [[point.year, t(point.actual), t(point.pathway)] for point in row.points]
        check_both(staff_client, url, {}, header, rows)
    first = read_csv(staff_client.get(targets_url(f"pathway-{targets['neutral'].pk}")))[1]
    assert first == ["2022", "5.856", "5.856", "5.856"]


def test_an_unknown_target_is_404(staff_client, targets):
    assert staff_client.get(targets_url("pathway-99999")).status_code == 404
    assert staff_client.get(targets_url("pathway-x")).status_code == 404


def test_the_initiatives_table_is_cheapest_first_with_its_total(staff_client, targets):
    p = build_targets_page(year=2023)
    header = [
        "Title", "Facility", "Kind", "Status", "Start", "Abatement (t CO2e per year)",
        "Cumulative (t CO2e per year)", "Capital cost", "Annual saving", "Currency",
        "Lifetime (years)", "Cost per t CO2e",
    ]  # fmt: skip
    rows = [
        [r.initiative.title, "XT-01", "Other", "Idea", None, r.abatement_t, r.cumulative_t,
         r.initiative.capex, r.initiative.annual_saving, r.initiative.currency,
         r.initiative.lifetime_years, r.cost_per_t]
        for r in p.initiatives
    ]  # fmt: skip
    rows.append(["Total", None, None, None, None, T(1130), *[None] * 6])
    check_both(staff_client, targets_url("initiatives"), {}, header, rows)
    titles = [row[0] for row in read_csv(staff_client.get(targets_url("initiatives")))[1:]]
    assert titles == ["LED retrofit", "Rooftop solar", "Total"]


def test_the_targets_page_links_its_downloads(staff_client, targets):
    html = staff_client.get(reverse("dashboard:targets"), {"year": "2023"}).content.decode()
    assert 'href="/targets/export/targets.csv?year=2023" download>' in html
    assert 'href="/targets/export/initiatives.xlsx?year=2023" download>' in html
    assert f'href="/targets/export/pathway-{targets["neutral"].pk}.csv?year=2023"' in html


# Every export: access, methods, unknown names


ONE_PER_PAGE = [
    overview_url("road"),
    facilities_url(),
    facility_url("years"),
    offsets_url("vintages"),
    targets_url("initiatives"),
]


@pytest.mark.parametrize("url", ONE_PER_PAGE)
def test_anonymous_visitors_are_sent_to_the_login_page(client, hebei_plant, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", ONE_PER_PAGE)
def test_a_user_without_permission_gets_403(client, outsider, hebei_plant, url):
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    assert client.get(url.replace(".csv", ".xlsx")).status_code == 403


def test_a_user_who_may_see_facilities_but_not_records_gets_403_for_the_facility_s_tables(
    viewer_client, hebei_plant
):
    assert viewer_client.get(facility_url("years")).status_code == 403
    assert viewer_client.get(overview_url("road")).status_code == 403


@pytest.mark.parametrize("url", ONE_PER_PAGE)
def test_post_is_not_allowed(staff_client, hebei_plant, url):
    assert staff_client.post(url).status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        overview_url("nope"),
        overview_url("road", "pdf"),
        reverse("dashboard:facility_list_export", args=["nope", "csv"]),
        facilities_url("json"),
        facility_url("nope"),
        facility_url("years", "ods"),
        offsets_url("nope"),
        offsets_url("vintages", "txt"),
        targets_url("nope"),
        targets_url("initiatives", "xls"),
        "/overview/export/road.",
    ],
)
def test_an_unknown_table_or_format_is_404(staff_client, inventory, url):
    assert staff_client.get(url).status_code == 404


# Formula injection


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","click")', "@SUM(1)", "+1+1", "-2+3"])
def test_a_name_that_looks_like_a_formula_is_never_run_by_a_spreadsheet(
    staff_client, inventory, name
):
    Facility.objects.filter(code="SH-OF").update(name_en=name, name_zh="")
    rows = read_csv(staff_client.get(overview_url("facilities")))
    assert rows[1][:2] == ["SH-OF", "'" + name]
    sheet = read_xlsx(staff_client.get(overview_url("facilities", "xlsx")))
    cell = sheet["B2"]
    assert cell.data_type == "s"  # text, not a formula
    assert cell.value == name
    listing = read_csv(staff_client.get(facilities_url()))
    assert ["SH-OF", "'" + name] in [row[:2] for row in listing]


def test_a_project_name_that_looks_like_a_formula_is_neutralised(staff_client, instruments):
    CreditProject.objects.update(name="=1+2", registry_project_id="@A1")
    row = read_csv(staff_client.get(offsets_url("projects")))[1]
    assert row[0] == "'=1+2"
    assert row[2] == "'@A1"
    sheet = read_xlsx(staff_client.get(offsets_url("projects", "xlsx")))
    assert (sheet["A2"].data_type, sheet["A2"].value) == ("s", "=1+2")


def test_negative_numbers_stay_numbers(staff_client, targets):
    # Initiatives that save money have a negative cost per tonne: a number, not text.
    row = read_csv(staff_client.get(targets_url("initiatives")))[1]
    assert row[-1].startswith("-")
    sheet = read_xlsx(staff_client.get(targets_url("initiatives", "xlsx")))
    assert sheet["L2"].data_type == "n"
    assert sheet["L2"].value < 0


def test_the_neutralising_rule():
    assert neutralise("=1") == "'=1"
    assert neutralise("\tx") == "'\tx"
    assert neutralise("\rx") == "'\rx"
    assert neutralise("plain -1") == "plain -1"
    assert plain_decimal(T("6.516000000")) == "6.516"
    assert plain_decimal(T("1E+3")) == "1000"
    assert plain_decimal(T("-0.000")) == "0"


# Query counts: each export costs what its page costs, less the page's own extras.


def test_the_overview_exports_query_count_is_pinned(
    staff_client, inventory, make_record, django_assert_num_queries
):
    with django_assert_num_queries(OVERVIEW_QUERIES):
        read_csv(staff_client.get(overview_url("road"), {"facility": "XT-01"}))
    for month in range(1, 13):
        make_record(inventory, "grid_electricity", "1", "MWh", **metered(2023, month))
    with django_assert_num_queries(OVERVIEW_QUERIES):
        read_csv(staff_client.get(overview_url("road"), {"facility": "XT-01"}))


def test_the_facility_exports_query_counts_are_pinned(
    staff_client, inventory, make_record, django_assert_num_queries
):
    with django_assert_num_queries(FACILITY_LIST_QUERIES):
        read_csv(staff_client.get(facilities_url()))
    with django_assert_num_queries(FACILITY_QUERIES):
        read_csv(staff_client.get(facility_url("categories")))
    for month in range(1, 13):
        make_record(inventory, "grid_electricity", "1", "MWh", **metered(2023, month))
    with django_assert_num_queries(FACILITY_LIST_QUERIES):
        read_csv(staff_client.get(facilities_url()))
    with django_assert_num_queries(FACILITY_QUERIES):
        read_csv(staff_client.get(facility_url("categories")))


def test_the_offsets_and_targets_exports_query_counts_are_pinned(
    staff_client, instruments, targets, django_assert_num_queries
):
    with django_assert_num_queries(OFFSETS_QUERIES):
        read_csv(staff_client.get(offsets_url("vintages")))
    with django_assert_num_queries(TARGETS_QUERIES):
        read_csv(staff_client.get(targets_url("initiatives")))


# session, user, user permissions, group permissions; the latest complete year, years with
# records, the facility filter; the balance on both approval bases in one pass, the
# organisation's records in review with it (12: organisation, target, records by category and
# status, market-based Scope 2 ×5, credits ×2, planting, surrenders); the facility's kg by year
# and category, production, the year's coverage, by month, the facility's records in review;
# and as the year has pending records, the facility's approved kg by category; the expected
# data streams (completeness: none here, so no read of their records).
OVERVIEW_QUERIES = 26
# As on each page, the same builders: test_facility_detail's 16, test_offsets_page's 30,
# test_targets_page's 23 (with the green-power share's organisation profile, facility-years and
# facilities since issue 18); the facility list's 14 (no filter, so no years query of its own;
# the neutrality target, whose boundary the inventory's facility-years carry).
FACILITY_LIST_QUERIES = 14
FACILITY_QUERIES = 16
# The offsets export reads the page: + the green-power contracts' settlements per year.
OFFSETS_QUERIES = 31
TARGETS_QUERIES = 23


# The demo: every table of every page downloads, CSV and XLSX alike, numbers as on the page.


def test_every_table_of_the_demo_downloads_with_the_same_values_in_both_formats(staff_client):
    call_command("load_demo", stdout=io.StringIO())
    p = build_targets_page(year=None)
    urls = [
        *(overview_url(table) for table in
          ["road", "scopes", "facilities", "months", "scope3", "electricity"]),
        facilities_url(),
        *(facility_url(table, code=Facility.objects.order_by("code").first().code)
          for table in ["years", "intensity", "categories", "records"]),
        *(offsets_url(table) for table in INSTRUMENT_TABLES),
        targets_url("targets"),
        targets_url("initiatives"),
        *(targets_url(row.table_name) for row in p.targets),
    ]  # fmt: skip
    for url in urls:
        csv_rows = read_csv(staff_client.get(url))
        sheet = read_xlsx(staff_client.get(url.replace(".csv", ".xlsx")))
        assert len(csv_rows) > 1, url
        for csv_row, cells in zip(csv_rows, sheet.iter_rows(), strict=True):
            for text, cell in zip(csv_row, cells, strict=True):
                if cell.data_type == "n" and cell.value is not None:
                    assert Decimal(str(cell.value)) == Decimal(text), (url, cell.coordinate)
                elif isinstance(cell.value, dt.datetime):
                    assert cell.value.date().isoformat() == text
                else:
                    assert neutralise(cell.value or "") == text, (url, cell.coordinate)
    # The road table's gross figures are the page's, rounded as the page shows them.
    html = staff_client.get(reverse("dashboard:home")).content.decode()
    for row in read_csv(staff_client.get(overview_url("road")))[1:]:
        gross = Decimal(row[4]).quantize(Decimal("0.1"))
        assert f'<td class="num">{gross:,}</td>' in html
