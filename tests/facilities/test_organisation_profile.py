"""The organisation profile's Scope 2 rules (issue 18): the residual-mix proxy, the matching
method of market-based Scope 2 and the green-power target share, in the admin and the database."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from emissions.facilities.models import Organisation

pytestmark = pytest.mark.django_db

URL = reverse("admin:facilities_organisation_change", args=[Organisation.SINGLETON_ID])

VALID_POST = {
    "name_en": "Kehui",
    "name_zh": "",
    "reporting_currency": "CNY",
    "consolidation_approach": "operational",
    "gwp_basis": "AR5",
    "base_year": "2019",
    "restatement_threshold_pct": "5",
    "electricity_series": "mee_nbs",
    "flight_radiative_forcing": "with_rf",
    "residual_mix": "national_fossil",
    "market_scope2_matching": "hourly",
    "green_power_target_pct": "25",
    "green_power_target_basis": "Doc. 262 (2025) share for the steel sector",
}

RANGE = "The green-power target share must be between 0 and 100 %."
NEEDS_BASIS = (
    "Say where the green-power target share comes from, e.g. “Doc. 262 (2025) share for the "
    "steel sector”."
)
NEEDS_SHARE = "Enter the green-power target share this basis sets."
TOGETHER = "A green-power target share and its basis go together: enter both, or neither."


@pytest.fixture
def profile(db):
    organisation = Organisation(name_en="Kehui", base_year=2019)
    organisation.save()
    return organisation


def test_a_new_profile_uses_the_residual_mix_proxy_annual_matching_and_no_target(profile):
    profile.refresh_from_db()
    assert profile.residual_mix == "excl_market_nonfossil"
    assert profile.market_scope2_matching == "annual"
    assert profile.green_power_target_pct is None
    assert profile.green_power_target_basis == ""


def test_the_admin_shows_the_scope2_fields_with_their_help(admin_client, profile):
    html = admin_client.get(URL).content.decode()
    assert "Scope 2 and green power" in html
    for text in [
        "Electricity excluding market-traded non-fossil electricity (MEE–NBS)",
        "National fossil-fuel electricity (MEE–NBS, conservative)",
        "(2023: 0.6096 kg CO2/kWh)",
        "The national fossil-fuel factor (2023: 0.8273) is the conservative choice.",
        "Annual (GHG Protocol Scope 2 Guidance, 2015)",
        "Hourly (draft revision, 2025 public consultation)",
        "it needs interval meter data",
        "Leave empty for none.",
        "Doc. 262 (2025) share for the steel sector",
    ]:
        assert text in html, text


def test_the_admin_saves_the_scope2_rules(admin_client, profile):
    assert admin_client.post(URL, VALID_POST).status_code == 302
    profile.refresh_from_db()
    assert profile.residual_mix == "national_fossil"
    assert profile.market_scope2_matching == "hourly"
    assert profile.green_power_target_pct == Decimal("25.00")
    assert profile.green_power_target_basis == "Doc. 262 (2025) share for the steel sector"


def test_the_admin_clears_the_target_and_its_basis_together(admin_client, profile):
    admin_client.post(URL, VALID_POST)
    cleared = {**VALID_POST, "green_power_target_pct": "", "green_power_target_basis": ""}
    assert admin_client.post(URL, cleared).status_code == 302
    profile.refresh_from_db()
    assert (profile.green_power_target_pct, profile.green_power_target_basis) == (None, "")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"green_power_target_pct": "100.01"}, "green_power_target_pct", RANGE),
        ({"green_power_target_pct": "-1"}, "green_power_target_pct", RANGE),
        ({"green_power_target_pct": "many"}, "green_power_target_pct", "Enter a number."),
        (
            {"green_power_target_pct": "25.125"},
            "green_power_target_pct",
            "Ensure that there are no more than 2 decimal places.",
        ),
        ({"green_power_target_basis": "  "}, "green_power_target_basis", NEEDS_BASIS),
        ({"green_power_target_pct": ""}, "green_power_target_pct", NEEDS_SHARE),
        (
            {"residual_mix": "eu_aib"},
            "residual_mix",
            "Select a valid choice. eu_aib is not one of the available choices.",
        ),
        (
            {"market_scope2_matching": "monthly"},
            "market_scope2_matching",
            "Select a valid choice. monthly is not one of the available choices.",
        ),
    ],
)
def test_the_admin_names_each_bad_field_and_writes_nothing(
    admin_client, profile, changes, field, message
):
    response = admin_client.post(URL, {**VALID_POST, **changes})
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {field: [message]}
    profile.refresh_from_db()
    assert profile.residual_mix == "excl_market_nonfossil"
    assert profile.green_power_target_pct is None


@pytest.mark.parametrize(
    ("pct", "basis", "message"),
    [
        (Decimal("25"), "", TOGETHER),
        (None, "Doc. 262", TOGETHER),
        (Decimal("100.5"), "Doc. 262", RANGE),
    ],
)
def test_the_model_refuses_a_target_out_of_range_or_without_its_basis(profile, pct, basis, message):
    # Any path that validates the model (an import, a script calling full_clean) is refused.
    profile.green_power_target_pct, profile.green_power_target_basis = pct, basis
    with pytest.raises(ValidationError) as refused:
        profile.full_clean()
    assert message in refused.value.messages


@pytest.mark.parametrize(
    ("pct", "basis"),
    [(Decimal("25"), ""), (None, "Doc. 262"), (Decimal("150"), "Doc. 262"), (Decimal("-5"), "x")],
)
def test_the_database_refuses_a_target_out_of_range_or_without_its_basis(profile, pct, basis):
    # A write that skips the model's checks (a bulk update, a script) is still refused.
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=profile.pk).update(
            green_power_target_pct=pct, green_power_target_basis=basis
        )
