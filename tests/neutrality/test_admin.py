from decimal import Decimal

import pytest
from django.urls import reverse

from emissions.neutrality.models import ReductionInitiative, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def boiler(hebei_plant):
    return ReductionInitiative.objects.create(
        title="Coal boiler to heat pump", facility=hebei_plant, kind="heat_pump",
        status="planned", expected_abatement_t_per_year=Decimal("1000"),
        capex=Decimal("5000000"), annual_saving=Decimal("125000"), lifetime_years=10,
    )  # fmt: skip


@pytest.fixture
def led(db):
    return ReductionInitiative.objects.create(
        title="Office lamp upgrade", kind="led", status="done",
        expected_abatement_t_per_year=Decimal("50"), capex=Decimal("100000"),
        annual_saving=Decimal("40000"),
    )  # fmt: skip


def test_the_initiative_list_shows_the_abatement_cost_per_tonne(admin_client, boiler, led):
    response = admin_client.get(reverse("admin:neutrality_reductioninitiative_changelist"))
    assert response.status_code == 200
    # (5,000,000 / 10 − 125,000) / 1,000 t and (100,000 / 10 − 40,000) / 50 t
    assert "375.00 CNY" in response.text
    assert "-600.00 CNY" in response.text
    assert "XT-01" in response.text


def test_initiatives_can_be_searched_by_facility_and_filtered_by_status(admin_client, boiler, led):
    url = reverse("admin:neutrality_reductioninitiative_changelist")
    found = admin_client.get(url, {"q": "XT-01"})
    assert "Coal boiler to heat pump" in found.text
    assert "Office lamp upgrade" not in found.text
    done = admin_client.get(url, {"status__exact": "done"})
    assert "Office lamp upgrade" in done.text
    assert "Coal boiler to heat pump" not in done.text


def test_the_initiative_form_and_history_render(admin_client, boiler):
    change = admin_client.get(
        reverse("admin:neutrality_reductioninitiative_change", args=[boiler.pk])
    )
    assert change.status_code == 200
    history = admin_client.get(
        reverse("admin:neutrality_reductioninitiative_history", args=[boiler.pk])
    )
    assert history.status_code == 200


def test_the_target_list_shows_coverage_and_filters_by_kind(admin_client, neutrality_target):
    Target.objects.create(
        name="−50 % by 2028", kind="absolute", base_year=2019, target_year=2028,
        reduction_pct=Decimal("50"),
    )  # fmt: skip
    url = reverse("admin:neutrality_target_changelist")
    response = admin_client.get(url, {"kind__exact": "neutrality"})
    assert response.status_code == 200
    assert "Carbon neutral 2030" in response.text
    assert "s3_06" in response.text
    assert "−50 % by 2028" not in response.text
    assert "Carbon neutral 2030" in admin_client.get(url, {"q": "neutral"}).text


def test_a_target_can_be_added_in_the_admin(admin_client):
    response = admin_client.post(
        reverse("admin:neutrality_target_add"),
        {
            "name": "Carbon neutral 2035",
            "kind": "neutrality",
            "base_year": "2019",
            "target_year": "2035",
            "covers_scope1": "on",
            "covers_scope2": "on",
            "scope2_method": "market",
            "scope3_categories": '["s3_06"]',
        },
    )
    assert response.status_code == 302
    target = Target.objects.get(name="Carbon neutral 2035")
    assert target.scope3_categories == ["s3_06"]
    assert target.history.count() == 1


def test_a_target_year_before_the_base_year_is_refused_with_the_models_message(admin_client):
    response = admin_client.post(
        reverse("admin:neutrality_target_add"),
        {
            "name": "Backwards",
            "kind": "neutrality",
            "base_year": "2030",
            "target_year": "2019",
            "scope2_method": "market",
            "scope3_categories": "[]",
        },
    )
    assert response.status_code == 200
    assert "The target year must come after the base year." in response.text
