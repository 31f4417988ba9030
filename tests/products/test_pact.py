"""The PACT ProductFootprint export (/products/<code>/<year>/pact.json) of the worked example's
coil: 2,702.21 kg CO2e per tonne = 2.70221 kg CO2e per kilogram, PACT's declared unit.

The published 2.3.3 schema cannot be shipped here (WBCSD's licence lets it be derived, not
shared; docs/research/pact/), so these checks are the specification's rules for each field as
docs/research/pact/notes.md lists them: required fields, enums, decimal strings, UTC times,
URNs, a version-4 UUID."""

import json
import re
import uuid

import pytest
from django.urls import reverse

from emissions.products.models import Product
from emissions.products.pact import decimal_text

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:product_pact", args=["hrc", 2025])
DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")
UTC_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
REQUIRED = ["id", "specVersion", "version", "created", "status", "companyName", "companyIds",
            "productDescription", "productIds", "productCategoryCpc", "productNameCompany",
            "comment", "pcf"]  # fmt: skip
PCF_REQUIRED = ["declaredUnit", "unitaryProductAmount", "referencePeriodStart",
                "referencePeriodEnd", "pCfExcludingBiogenic", "fossilGhgEmissions",
                "fossilCarbonContent", "biogenicCarbonContent", "characterizationFactors",
                "ipccCharacterizationFactorsSources", "crossSectoralStandardsUsed",
                "boundaryProcessesDescription", "exemptedEmissionsPercent",
                "exemptedEmissionsDescription", "packagingEmissionsIncluded"]  # fmt: skip
DECIMALS = ["unitaryProductAmount", "productMassPerDeclaredUnit", "pCfExcludingBiogenic",
            "pCfIncludingBiogenic", "fossilGhgEmissions", "fossilCarbonContent",
            "biogenicCarbonContent", "dLucGhgEmissions", "landManagementGhgEmissions",
            "otherBiogenicGhgEmissions", "biogenicCarbonWithdrawal"]  # fmt: skip


@pytest.fixture
def coil(coil_and_plate):
    _process, coil, _plate = coil_and_plate
    Product.objects.filter(pk=coil.pk).update(cpc_code="41231")
    return coil


def test_the_coil_as_a_pact_product_footprint(reader, coil):
    response = reader.get(URL)

    assert response.status_code == 200
    assert "kehui-pact-hrc-2025.json" in response["Content-Disposition"]
    data = json.loads(response.content)
    pcf = data["pcf"]
    assert pcf["declaredUnit"] == "kilogram"
    assert pcf["unitaryProductAmount"] == "1000"
    assert pcf["pCfExcludingBiogenic"] == "2.70221"  # 1,621,326 kg ÷ 600,000 kg
    assert pcf["fossilGhgEmissions"] == "2.70221"
    assert pcf["primaryDataShare"] == 28.1
    assert (pcf["referencePeriodStart"], pcf["referencePeriodEnd"]) == (
        "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z",
    )  # fmt: skip
    assert data["productCategoryCpc"] == "41231"
    # The same footprint keeps its id when sent again.
    assert json.loads(reader.get(URL).content)["id"] == data["id"]


def test_every_field_follows_the_specification(reader, coil):
    data = json.loads(reader.get(URL).content)
    pcf = data["pcf"]

    assert [key for key in REQUIRED if key not in data] == []
    assert [key for key in PCF_REQUIRED if key not in pcf] == []
    assert uuid.UUID(data["id"]).version == 4
    assert re.fullmatch(r"\d+\.\d+\.\d+", data["specVersion"])
    assert isinstance(data["version"], int) and data["version"] >= 0
    assert UTC_TIME.fullmatch(data["created"])
    assert data["status"] in {"Active", "Deprecated"}
    assert data["companyName"] and data["productNameCompany"]
    for urn in (*data["companyIds"], *data["productIds"]):
        assert urn.lower().startswith("urn:")
    assert [key for key in DECIMALS if not DECIMAL.fullmatch(pcf[key])] == []
    assert float(pcf["unitaryProductAmount"]) > 0 and float(pcf["biogenicCarbonWithdrawal"]) <= 0
    assert pcf["characterizationFactors"] in {"AR5", "AR6"}
    assert all(re.fullmatch(r"AR\d+", s) for s in pcf["ipccCharacterizationFactorsSources"])
    assert set(pcf["crossSectoralStandardsUsed"]) <= {
        "GHG Protocol Product standard", "ISO Standard 14067", "ISO Standard 14044",
    }  # fmt: skip
    assert UTC_TIME.fullmatch(pcf["referencePeriodStart"])
    assert re.fullmatch(r"[A-Z]{2}", pcf["geographyCountry"])
    assert 0 <= pcf["exemptedEmissionsPercent"] <= 5
    assert isinstance(pcf["packagingEmissionsIncluded"], bool)
    assert "packagingGhgEmissions" not in pcf
    assert 0 <= pcf["primaryDataShare"] <= 100


def test_a_product_without_its_cpc_code_is_refused_with_a_message(reader, coil_and_plate):
    response = reader.get(URL)

    assert response.status_code == 400
    assert json.loads(response.content) == {
        "code": "not_exportable",
        "message": "Give hrc its UN CPC code (admin, product): PACT needs it.",
    }


@pytest.mark.parametrize(
    ("value", "text"),
    [("2.702210", "2.70221"), ("1000.000000", "1000"), ("0.0000001", "0"), ("-1.5", "-1.5")],
)
def test_decimals_are_plain_strings(value, text):
    from decimal import Decimal

    assert decimal_text(Decimal(value)) == text


def test_an_unknown_product_or_year_is_not_found(reader, coil):
    assert reader.get(reverse("dashboard:product_pact", args=["hrc", 2019])).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    assert client.get(URL).status_code == 302


def test_a_user_without_permission_gets_403(client, outsider):
    client.force_login(outsider)

    assert client.get(URL).status_code == 403


def test_post_is_not_allowed(reader):
    assert reader.post(URL).status_code == 405
