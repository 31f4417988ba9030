"""The forecast page and the scenarios compared: figures as the worked example gives them (the
conftest's), downloads, permissions, bad input, query counts, and Chinese."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from emissions.facilities.models import Facility
from emissions.planning.models import Scenario, ScenarioMeasure
from tests.html_tables import page_tables

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:forecast")
COMPARE = reverse("dashboard:forecast_compare")


def export_url(table: str, fmt: str) -> str:
    return reverse("dashboard:forecast_export", args=[table, fmt])


def compare_export_url(table: str, fmt: str) -> str:
    return reverse("dashboard:forecast_compare_export", args=[table, fmt])


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def texts(table) -> list[list[str]]:
    return [[cell.text for cell in row] for row in table.body]


@pytest.fixture
def reader(client, django_user_model):
    user = django_user_model.objects.create_user("planner")
    user.user_permissions.add(Permission.objects.get(codename="view_scenario"))
    client.force_login(user)
    return client


def test_the_forecast_by_year(reader, worked_example):
    html = html_of(reader.get(URL))
    years = texts(page_tables(html)["table-years"])

    assert years == [
        ["2024 (actual)", "867.8", "0.0", "867.8", "867.8", "0.0", "—"],
        ["2025", "937.4", "50.4", "887.0", "578.5", "308.4", "40,329"],
        ["2026", "920.6", "100.0", "820.6", "289.3", "531.3", "80,000"],
        ["2027", "986.4", "100.0", "886.4", "0.0", "886.4", "80,000"],
    ]
    assert "From 2024, the latest complete year" in html
    assert "−2.4 %" in html and "0.5568 → 0.5306 kg/kWh" in html
    assert 'data-chart="chart-wedges"' in html and 'id="chart-wedges"' in html


def test_the_wedge_chart_stacks_residual_and_wedges_under_bau(reader, worked_example):
    import json
    import re

    html = html_of(reader.get(URL))
    data = re.search(r'<script id="chart-wedges" type="application/json">(.*?)</script>', html)
    chart = json.loads(data.group(1))
    labels = [d["label"] for d in chart["data"]["datasets"]]
    assert labels == ["Residual emissions", "Heat pump", "Business as usual", "Target pathway"]
    residual, heat_pump, bau, _pathway = chart["data"]["datasets"]
    # The stacked areas reach business as usual.
    for r, w, b in zip(residual["data"], heat_pump["data"], bau["data"], strict=True):
        assert round(r + (w or 0), 3) == b
    assert chart["options"]["scales"]["y"]["stacked"] is True


def test_the_measures_and_those_not_counted(reader, worked_example):
    tables = page_tables(html_of(reader.get(URL)))

    assert texts(tables["table-levers"]) == [
        ["Heat pump", "Heat pump", "—", "2025", "100.0", "80,000", "800", "CNY", "—"]
    ]
    assert texts(tables["table-skipped"]) == [
        ["LED retrofit", "in the base year's actuals"],
        ["Green-power contract", "an idea, not yet committed"],
    ]


def test_the_offsets_budget_without_a_scenario_has_no_prices(reader, worked_example):
    budget = texts(page_tables(html_of(reader.get(URL)))["table-budget"])

    assert budget[0] == ["2025", "887.0", "0.0 %", "0.0", "887.0", "0.0", "887.0", "—", "—", "—"]
    assert budget[2][:3] == ["2027", "886.4", "100.0 %"]


def test_the_plan_opens_and_another_scenario_can_be_chosen(reader, faster):
    faster.is_plan = True
    faster.save()
    html = html_of(reader.get(URL))
    assert f'<option value="{faster.pk}" selected>Faster (the plan)</option>' in html
    assert "Set by the scenario" in html

    html = html_of(reader.get(URL, {"scenario": ""}))
    assert '<option value="" selected>Committed initiatives only</option>' in html


def test_a_bad_scenario_is_ignored_with_a_message(reader, worked_example):
    for value, message in (
        ("abc", "Ignored scenario “abc”: not a scenario number."),
        ("999", "Ignored scenario “999”: there is no such scenario."),
    ):
        html = html_of(reader.get(URL, {"scenario": value}))
        assert message in html
        assert "table-years" in html


def test_the_years_download_holds_exact_tonnes(reader, faster):
    response = reader.get(export_url("years", "csv"), {"scenario": faster.pk})

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert f'filename="kehui-forecast-years-scenario-{faster.pk}.csv"' in disposition
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == [
        "Year", "Business as usual (t CO2e)", "Rooftop solar (t CO2e)", "Heat pump (t CO2e)",
    ]  # fmt: skip
    assert rows[3][:2] == ["2026", "926.218304"]


def test_every_table_downloads_as_xlsx(reader, worked_example):
    for table in ("years", "levers", "skipped", "budget", "facilities"):
        response = reader.get(export_url(table, "xlsx"))
        assert response.status_code == 200, table
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_an_unknown_table_or_format_is_404(reader, worked_example):
    assert reader.get(export_url("nope", "csv")).status_code == 404
    assert reader.get(export_url("years", "pdf")).status_code == 404
    assert reader.get(compare_export_url("nope", "csv")).status_code == 404


def test_without_a_complete_year_the_page_says_so_and_downloads_are_404(reader, organisation):
    html = html_of(reader.get(URL))
    assert "No complete year to forecast from yet" in html
    assert "No complete year to forecast from yet" in html_of(reader.get(COMPARE))
    assert reader.get(export_url("years", "csv")).status_code == 404
    assert reader.get(compare_export_url("comparison", "csv")).status_code == 404


def test_scenarios_compared_side_by_side(reader, faster):
    html = html_of(reader.get(COMPARE))
    tables = page_tables(html)

    rows = texts(tables["table-comparison"])
    assert [row[0] for row in rows] == ["Committed initiatives only", "Faster"]
    assert rows[0][1:5] == ["886.4", "+2.1 %", "No", "886.4"]
    assert rows[0][7:] == ["—", "—"]  # no prices without a scenario
    # 995,400.849 − 100,000 (heat pump) − 306,640.354 (solar) − 300,000 (the idea) kg.
    assert rows[1][1] == "288.8"
    residuals = texts(tables["table-residuals"])
    assert residuals[2] == ["2026", "820.6", "213.3"]
    assert 'data-chart="chart-compare"' in html


def test_compare_takes_chosen_scenarios_and_ignores_bad_ones(reader, faster):
    other = Scenario.objects.create(name="Other")
    html = html_of(reader.get(COMPARE, {"scenario": [str(other.pk), "x", "777"]}))
    rows = texts(page_tables(html)["table-comparison"])

    assert [row[0] for row in rows] == ["Committed initiatives only", "Other"]
    assert "Ignored scenario “x”: not a scenario number." in html
    assert "Ignored scenario “777”: there is no such scenario." in html


def test_at_most_four_scenarios_are_compared(reader, worked_example):
    for number in range(6):
        Scenario.objects.create(name=f"S{number}")
    html = html_of(reader.get(COMPARE))

    assert len(texts(page_tables(html)["table-comparison"])) == 5
    assert "Only the first 4 scenarios are compared." in html


def test_the_comparison_downloads(reader, faster):
    response = reader.get(compare_export_url("comparison", "csv"), {"scenario": faster.pk})

    assert (
        f'filename="kehui-scenarios-comparison-{faster.pk}.csv"'
        in (response["Content-Disposition"])
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:2] == ["Committed initiatives only", "886.426108498"]


def test_the_page_in_chinese(reader, faster):
    html = html_of(reader.get(URL, {"scenario": faster.pk}, headers={"accept-language": "zh-hans"}))

    assert "碳中和预测" in html
    assert "碳抵消预算" in html


def test_the_forecast_takes_a_fixed_number_of_queries(
    reader, faster, make_record, django_assert_num_queries
):
    with django_assert_num_queries(FORECAST_QUERIES):
        html_of(reader.get(URL, {"scenario": faster.pk}))
    # More facilities, records and measures: not one query more.
    other = Facility.objects.create(
        code="XT-02", name_en="Second plant", kind="factory", province="CN-HE",
        grid_region="CN-North", opened_on=dt.date(2010, 1, 1),
    )  # fmt: skip
    make_record(other, "grid_electricity", "5000", "kWh", start=dt.date(2024, 12, 1),
                end=dt.date(2024, 12, 31))  # fmt: skip
    for number in range(3):
        ScenarioMeasure.objects.create(
            scenario=faster, title=f"More solar {number}", kind="rooftop_solar", facility=other,
            start_year=2026, amount=1, full_load_hours=1000,
        )  # fmt: skip
    with django_assert_num_queries(FORECAST_QUERIES):
        html_of(reader.get(URL, {"scenario": faster.pk}))


# session, user, permissions (2), scenarios (5); the latest complete year, the organisation,
# the neutrality target (3); the base year's balance (12: yearly_balance's reads); its
# facility-years, facilities, output plans, initiatives, measures, credits held (6).
FORECAST_QUERIES = 26


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for url in (URL, COMPARE, export_url("years", "csv")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={url}"


def test_a_user_without_permission_gets_403(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("outsider-3"))

    for url in (URL, COMPARE, export_url("years", "csv"), compare_export_url("comparison", "csv")):
        assert client.get(url).status_code == 403


def test_post_is_not_allowed(reader):
    for url in (URL, COMPARE, export_url("years", "csv"), compare_export_url("comparison", "csv")):
        assert reader.post(url).status_code == 405
