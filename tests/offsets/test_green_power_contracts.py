"""Green-power contracts (绿电交易): bundled energy + GECs, settled monthly, kept apart from
unbundled certificates, both lowering market-based Scope 2."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from emissions.facilities import periods
from emissions.neutrality.scope2 import market_based_scope2
from emissions.offsets import selectors, services
from emissions.offsets.models import (
    CertificateScheme,
    ContractSettlement,
    CreditProject,
    GreenPowerContract,
    Technology,
)
from emissions.offsets.supply import Instrument, SupplyBlock, supply_blocks
from tests.factories import GEC_PROJECT, gec_codes

from .conftest import MARCH_2024

pytestmark = pytest.mark.django_db

MAIN_PLANT = "XT-01 Xingtai main plant"


@pytest.fixture
def grid_2024(hebei_plant, make_record):
    """100 MWh of grid electricity at the main plant in March 2024."""
    make_record(hebei_plant, "grid_electricity", Decimal("100"), "MWh", **MARCH_2024)
    return hebei_plant


def add_contract(facility, **overrides):
    arguments = {
        "reference": "BJPX-2024-GP-0042",
        "seller": "Zhangbei wind farm",
        "trading_centre": "Beijing Power Exchange Center",
        "technology": Technology.WIND,
        "facility": facility,
        "starts_on": dt.date(2024, 1, 1),
        "ends_on": dt.date(2024, 12, 31),
        "gec_project_code": GEC_PROJECT,
        **overrides,
    }
    return services.add_green_power_contract(**arguments)


def messages(error: ValidationError) -> dict:
    return {field: [str(m) for m in errors] for field, errors in error.message_dict.items()}


def test_a_contracts_settlements_cover_its_facilitys_grid_electricity_at_zero(grid_2024):
    contract = add_contract(grid_2024)
    services.record_settlement(contract=contract, year=2024, month=3, kwh=Decimal("30000"))
    services.add_energy_certificates(
        scheme=CertificateScheme.GEC,
        registry="",
        technology=Technology.SOLAR,
        **gec_codes(1, 10, year=2024, month=3),
        mwh=Decimal(10),
        facility=grid_2024,
        reporting_year=2024,
    )

    # Apart on the offsets page, together in what covers the facility's electricity.
    cover = selectors.certificates_mwh_by_facility_year(years=[2024])[grid_2024.pk, 2024]
    assert (cover.mwh, cover.contract_mwh, cover.certificate_mwh, cover.renewable_mwh) == (
        Decimal("40"),
        Decimal("30"),
        Decimal("10"),
        Decimal("40"),
    )
    # Market-based Scope 2 (annual): 100,000 kWh − 30,000 (contract) − 10,000 (GECs) at the
    # residual factor, the covered 40,000 kWh at 0.
    (row,) = market_based_scope2([2024])
    assert (row.certificate_kwh, row.zero_emission_certificate_kwh, row.residual_kwh) == (
        Decimal("40000"),
        Decimal("40000"),
        Decimal("60000"),
    )
    assert row.certificate_kg == 0


def test_a_contract_delivers_renewable_electricity_only(grid_2024):
    with pytest.raises(ValidationError) as error:
        add_contract(grid_2024, technology=Technology.NUCLEAR)
    assert messages(error.value) == {
        "technology": [
            "A green-power contract delivers wind, solar, hydro or biomass electricity, not "
            "Nuclear."
        ]
    }


def test_a_contract_from_another_market_is_refused(grid_2024):
    with pytest.raises(ValidationError) as error:
        add_contract(grid_2024, market_country="US")
    assert messages(error.value) == {
        "market_country": [
            f"A contract of the US market cannot supply {MAIN_PLANT}, which is in the CN market."
        ]
    }


def test_a_contract_with_a_credit_projects_plant_is_refused(grid_2024, ccer_forest):
    CreditProject.objects.filter(pk=ccer_forest.pk).update(gec_project_code=GEC_PROJECT)
    with pytest.raises(ValidationError) as error:
        add_contract(grid_2024)
    assert messages(error.value) == {
        "gec_project_code": [
            f"GECs of plant {GEC_PROJECT} cannot be claimed: the plant is credit project "
            f"{CreditProject.objects.get()}, whose credits already count its electricity."
        ]
    }
    assert not GreenPowerContract.objects.exists()


def test_a_delivery_period_that_ends_before_it_starts_is_refused(grid_2024):
    with pytest.raises(ValidationError) as error:
        add_contract(grid_2024, ends_on=dt.date(2023, 12, 31))
    assert messages(error.value) == {
        "ends_on": ["The delivery period cannot end before it starts."]
    }


@pytest.mark.parametrize(
    ("year", "month", "kwh", "field", "message"),
    [
        (
            2025,
            1,
            "1000",
            "month",
            "2025-01 is outside the contract's delivery period (2024-01-01 to 2024-12-31).",
        ),
        (2024, 13, "1000", "month", "Ensure this value is less than or equal to 12."),
        (2024, 3, "0", "kwh", "The quantity must be more than 0 kWh."),
        (
            2024,
            3,
            "100001",
            "kwh",
            f"Green-power contracts and certificates applied to {MAIN_PLANT} in 2024 would "
            "exceed its grid electricity: 100 MWh consumed, 0 MWh already covered, 100.001 MWh "
            "settled.",
        ),
    ],
)
def test_a_wrong_settlement_is_refused_with_its_message(
    grid_2024, year, month, kwh, field, message
):
    contract = add_contract(grid_2024)
    with pytest.raises(ValidationError) as error:
        services.record_settlement(contract=contract, year=year, month=month, kwh=Decimal(kwh))
    assert message in messages(error.value)[field]
    assert not ContractSettlement.objects.exists()


def test_a_month_is_settled_once(grid_2024):
    contract = add_contract(grid_2024)
    services.record_settlement(contract=contract, year=2024, month=3, kwh=Decimal("1000"))
    with pytest.raises(ValidationError) as error:
        services.record_settlement(contract=contract, year=2024, month=3, kwh=Decimal("1000"))
    assert messages(error.value) == {"__all__": ["This month of the contract is already settled."]}


def test_a_locked_year_takes_no_settlement(grid_2024, admin_user):
    contract = add_contract(grid_2024)
    periods.lock_year(year=2024, user=admin_user)
    with pytest.raises(ValidationError) as error:
        services.record_settlement(contract=contract, year=2024, month=3, kwh=Decimal("1000"))
    assert "2024" in messages(error.value)["year"][0]
    assert not ContractSettlement.objects.exists()


def test_supply_blocks_are_the_instruments_month_by_month(grid_2024):
    contract = add_contract(grid_2024)
    services.record_settlement(contract=contract, year=2024, month=3, kwh=Decimal("30000"))
    services.add_energy_certificates(
        scheme=CertificateScheme.GEC,
        registry="",
        technology=Technology.SOLAR,
        **gec_codes(1, 10, year=2024, month=3),
        mwh=Decimal(10),
        facility=grid_2024,
        reporting_year=2024,
    )
    # An I-REC for the whole organisation, generated over three months: 20 MWh spread evenly,
    # the last month taking what rounding leaves.
    services.add_energy_certificates(
        scheme=CertificateScheme.IREC,
        registry="I-TRACK",
        technology=Technology.HYDRO,
        serial_first=1,
        serial_last=20,
        generation_start=dt.date(2024, 1, 15),
        generation_end=dt.date(2024, 3, 10),
        mwh=Decimal(20),
        facility=None,
        reporting_year=2024,
    )

    def block(facility_id, instrument, technology, month, kwh):
        return SupplyBlock(
            facility_id=facility_id,
            market_country="CN",
            instrument=instrument,
            technology=technology,
            year=2024,
            month=month,
            kwh=Decimal(kwh),
            kg_co2e_per_kwh=Decimal(0),
        )

    certificate, contract_kind = Instrument.UNBUNDLED_CERTIFICATE, Instrument.GREEN_POWER_CONTRACT
    assert supply_blocks(2024) == [
        block(grid_2024.pk, certificate, "solar", 3, "10000"),
        block(None, certificate, "hydro", 1, "6666.666667"),
        block(None, certificate, "hydro", 2, "6666.666667"),
        block(None, certificate, "hydro", 3, "6666.666666"),
        block(grid_2024.pk, contract_kind, "wind", 3, "30000"),
    ]
    assert supply_blocks(2023) == []


def test_the_admin_adds_a_contract_and_a_settlement_through_their_rules(admin_client, grid_2024):
    response = admin_client.post(
        reverse("admin:offsets_greenpowercontract_add"),
        {
            "reference": "BJPX-2024-GP-0042",
            "seller": "Zhangbei wind farm",
            "trading_centre": "Beijing Power Exchange Center",
            "technology": "wind",
            "gec_project_code": "",
            "facility": grid_2024.pk,
            "market_country": "CN",
            "starts_on": "2024-01-01",
            "ends_on": "2024-12-31",
        },
    )
    assert response.status_code == 302
    contract = GreenPowerContract.objects.get()
    url = reverse("admin:offsets_contractsettlement_add")
    post = {"contract": contract.pk, "year": "2024", "month": "3", "kwh": "150000"}
    response = admin_client.post(url, post)
    assert response.context["adminform"].form.errors == {
        "kwh": [
            f"Green-power contracts and certificates applied to {MAIN_PLANT} in 2024 would "
            "exceed its grid electricity: 100 MWh consumed, 0 MWh already covered, 150 MWh "
            "settled."
        ]
    }
    post["kwh"] = "50000"
    assert admin_client.post(url, post).status_code == 302
    assert ContractSettlement.objects.get().kwh == Decimal("50000")
