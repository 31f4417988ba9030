"""The overview's renewable card: the year's green-power share against the organisation's target
share (issue 18).

Worked example (whole years): 2023, XT-01 (Hebei) grid 600,000 kWh + on-site solar 400,000 kWh;
the share is 400,000 ÷ 1,000,000 = 40.0 %: a 25 % target is met, a 40.01 % one is not (exactly
40 % is met).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from emissions.facilities.models import Organisation

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:home")
BASIS = "Doc. 262 (2025) share for the steel sector"


@pytest.fixture
def reader(client, django_user_model):
    user = django_user_model.objects.create_user("reader", password="reader-pass-123")
    user.user_permissions.add(Permission.objects.get(codename="view_activityrecord"))
    client.force_login(user)
    return client


@pytest.fixture
def electricity(make_record, hebei_plant):
    whole = {"start": dt.date(2023, 1, 1), "end": dt.date(2023, 12, 31)}
    make_record(hebei_plant, "grid_electricity", Decimal("600000"), "kWh", **whole)
    make_record(hebei_plant, "onsite_solar_consumed", Decimal("400000"), "kWh", **whole)
    return hebei_plant


def set_target(pct: str | None):
    organisation = Organisation.current()
    organisation.green_power_target_pct = None if pct is None else Decimal(pct)
    organisation.green_power_target_basis = "" if pct is None else BASIS
    organisation.full_clean()
    organisation.save()


def renewable_card(html: str) -> str:
    start = html.index('<span class="kpi-label">Renewable electricity</span>')
    return html[start : html.index("</div>", start)]


@pytest.mark.parametrize(
    ("target", "shown", "verdict"),
    [
        ("25", "25 %", '<span class="badge badge-ok">met</span>'),
        ("40", "40 %", '<span class="badge badge-ok">met</span>'),
        ("40.01", "40.01 %", '<span class="badge badge-fail">not met</span>'),
    ],
)
def test_the_renewable_card_sets_the_share_against_the_target(
    reader, electricity, target, shown, verdict
):
    set_target(target)
    card = renewable_card(reader.get(URL, {"year": "2023"}).content.decode())
    assert '<span class="kpi-value">40.0 %</span>' in card
    assert (
        f"Green-power share 2023: 40.0 % of electricity (target {shown}, {BASIS}): {verdict}"
    ) in card


def test_without_a_target_the_card_shows_the_share_only(reader, electricity):
    card = renewable_card(reader.get(URL, {"year": "2023"}).content.decode())
    assert '<span class="kpi-value">40.0 %</span>' in card
    assert "Green-power share" not in card


def test_a_facility_overview_has_no_renewable_card(reader, electricity):
    set_target("25")
    html = reader.get(URL, {"year": "2023", "facility": "XT-01"}).content.decode()
    assert "Renewable electricity" not in html
    assert "Green-power share" not in html


def test_a_target_costs_no_query_more_than_none(
    reader, electricity, django_assert_max_num_queries, django_assert_num_queries
):
    # The profile is read once whether it sets a target or not (one query more than before
    # issue 18: the organisation profile).
    with django_assert_max_num_queries(60) as without_target:
        reader.get(URL, {"year": "2023"})
    set_target("25")
    with django_assert_num_queries(len(without_target)):
        html = reader.get(URL, {"year": "2023"}).content.decode()
    assert "Green-power share 2023" in html
