"""The marginal abatement cost curve on the targets page, against a worked example.

Cost per tonne = (capex ÷ lifetime − annual saving) ÷ abatement a year, cheapest first; each bar
spans the abatement of every cheaper initiative to that plus its own:
- 1 LED retrofit: (600,000 ÷ 10 − 260,000) ÷ 180 = −1,111.11; 0 → 180 t;
- 2 Rooftop solar: (4,300,000 ÷ 25 − 820,000) ÷ 950 = −682.11; 180 → 1,130 t;
- 3 Heat pumps: (3,500,000 ÷ 15 − 240,000) ÷ 450 = −14.81; 1,130 → 1,580 t;
- 4 Boiler fuel switch: (2,800,000 ÷ 20 + 150,000) ÷ 520 = 557.69; 1,580 → 2,100 t.
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from emissions.dashboard.pages.targets import build_targets_page
from emissions.neutrality.models import ReductionInitiative

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:targets")
T = Decimal


@pytest.fixture
def initiatives():
    # (title, Chinese title, abatement, capex, annual saving, lifetime), not in cost order.
    rows = [
        ("Boiler fuel switch", "燃煤锅炉改天然气", "520", "2800000", "-150000", 20),
        ("Heat pumps", "车间供暖热泵", "450", "3500000", "240000", 15),
        ("LED retrofit", "", "180", "600000", "260000", 10),
        ("Rooftop solar", "屋顶光伏", "950", "4300000", "820000", 25),
    ]
    return [
        ReductionInitiative.objects.create(
            title=title,
            title_zh=title_zh,
            kind="other",
            status="idea",
            expected_abatement_t_per_year=T(abatement),
            capex=T(capex),
            annual_saving=T(saving),
            lifetime_years=lifetime,
        )
        for title, title_zh, abatement, capex, saving, lifetime in rows
    ]


@pytest.fixture
def targets_client(client, django_user_model):
    user = django_user_model.objects.create_user("reader", password="reader-pass-123")
    user.user_permissions.add(Permission.objects.get(codename="view_target"))
    client.force_login(user)
    return client


def test_the_bars_are_sorted_by_cost_and_as_wide_as_their_abatement(initiatives):
    rows = build_targets_page(year=None).initiatives
    assert [(row.number, row.initiative.title) for row in rows] == [
        (1, "LED retrofit"),
        (2, "Rooftop solar"),
        (3, "Heat pumps"),
        (4, "Boiler fuel switch"),
    ]
    assert [(row.start_t, row.cumulative_t) for row in rows] == [
        (T("0.000"), T("180.000")),
        (T("180.000"), T("1130.000")),
        (T("1130.000"), T("1580.000")),
        (T("1580.000"), T("2100.000")),
    ]
    assert [row.cumulative_t - row.start_t for row in rows] == [
        T("180"), T("950"), T("450"), T("520"),
    ]  # fmt: skip
    assert [row.cost_per_t for row in rows] == [
        T("-1111.11"), T("-682.11"), T("-14.81"), T("557.69"),
    ]  # fmt: skip
    assert [row.saves_money for row in rows] == [True, True, True, False]


def test_the_chart_draws_each_bar_as_a_filled_rectangle_on_cumulative_abatement(initiatives):
    chart = build_targets_page(year=None).mac_chart
    assert chart["type"] == "scatter"
    solar = chart["data"]["datasets"][1]
    assert solar["label"] == "2. Rooftop solar"
    assert solar["number"] == 2
    # Up from the axis at 180 t, across to 1,130 t at −682.11 per tonne, and back down.
    assert solar["data"] == [
        {"x": 180.0, "y": 0},
        {"x": 180.0, "y": -682.11},
        {"x": 1130.0, "y": -682.11},
        {"x": 1130.0, "y": 0},
    ]
    assert solar["fill"] == "origin"
    assert solar["showLine"] is True
    assert solar["backgroundColor"] == "#1f7a55"  # saves money
    assert chart["data"]["datasets"][3]["backgroundColor"] == "#e0a030"  # costs
    x, y = chart["options"]["scales"]["x"], chart["options"]["scales"]["y"]
    assert (x["type"], x["min"], x["max"]) == ("linear", 0, 2100.0)
    assert x["title"]["text"] == "Abatement a year (tCO2e, cumulative)"
    assert y["title"]["text"] == "CNY per tCO2e"
    assert chart["options"]["plugins"]["barNumbers"] == {"display": True}
    assert chart["options"]["plugins"]["legend"] == {"display": False}


def test_the_key_under_the_chart_numbers_each_initiative_in_the_pages_language(
    targets_client, initiatives
):
    html = targets_client.get(URL).content.decode()
    assert (
        '<li><span class="mac-number mac-saves">2</span> <span class="mac-name">Rooftop solar'
        '</span> <span class="muted mac-figures">950 t a year, -682 CNY per t</span></li>'
    ) in html
    assert '<span class="mac-number mac-costs">4</span>' in html

    html = targets_client.get(URL, headers={"accept-language": "zh-hans"}).content.decode()
    assert '<span class="mac-name">屋顶光伏</span>' in html
    # No Chinese title: the English one.
    assert '<span class="mac-name">LED retrofit</span>' in html


def test_without_initiatives_there_is_no_curve(targets_client):
    html = targets_client.get(URL).content.decode()
    assert 'data-chart="chart-mac"' not in html
    assert build_targets_page(year=None).mac_chart["data"]["datasets"] == []
