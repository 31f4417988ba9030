"""The worked example of docs/methodology.md (the neutrality balance), to the exact Decimal.

Xingtai Kehui's Hebei plant, AR5, MEE–NBS series. 2023:
- grid electricity 1,000,000 kWh × 0.6516 (CN-HE 2023) = 651,600 kg location-based;
  400 MWh of GECs (factor 0) cover 400,000 kWh; the other 600,000 kWh × 0.6096 (CN 2023
  residual, national factor excluding market-traded non-fossil power) = 365,760 kg market-based;
- purchased heat 1,000 GJ × 110 kg/GJ (GB/T 32150-2025 default, proxy year) = 110,000 kg, the
  same in both methods;
- 100 t natural gas × 48 GJ/t (IPCC NCV) = 4,800 GJ ÷ 0.038931 GJ/Nm³ (GB/T 32151.34 NCV)
  = 123,295.060491639054 Nm³ × 2.1622 kg CO2/Nm³ (GB/T 32151.34-2024, CO2 only)
  = 266,588.579795 kg;
- business travel (s3_06): 10 hotel nights × 53.5 = 535 kg; waste to landfill (s3_05): 10 t
  × 520.5327 (DESNZ 2025, UK proxy) = 5,205.327 kg, outside the target's coverage;
- credits for 2023: 300 t removals (CCER afforestation), 200 t avoidance (VCS) of which 50 t
  reversed; 1,000 t retired for ETS compliance are excluded; 5,000 t of allowances surrendered.
Base year 2019: grid 1,200,000 kWh (residual 0.5942, CN 2021, proxy) = 713,040 kg market-based,
120 t natural gas = 147,954.072589966864 Nm³ × 2.1622 = 319,906.295754 kg, 10 hotel nights =
535 kg: 1,033,481.295754 kg gross.
"""

import datetime as dt
from decimal import Decimal

import pytest

from emissions.neutrality.selectors import yearly_balance
from emissions.offsets.models import AllowanceTransaction, TreePlanting

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked_example(
    organisation,
    hebei_plant,
    make_record,
    make_certificate,
    make_retirement,
    reverse_retirement,
    neutrality_target,
):
    # 2023, the year claimed
    make_record(hebei_plant, "grid_electricity", "400000", "kWh",
                start=dt.date(2023, 1, 1), end=dt.date(2023, 6, 30))
    make_record(hebei_plant, "grid_electricity", "600", "MWh",
                start=dt.date(2023, 7, 1), end=dt.date(2023, 12, 31))
    make_record(hebei_plant, "purchased_heat", "1000", "GJ")
    make_record(hebei_plant, "natural_gas_stationary", "100", "t")
    make_record(hebei_plant, "hotel_nights", "10", "night")
    waste = make_record(hebei_plant, "waste_landfill", "10", "t")
    make_certificate("400", facility=hebei_plant)
    make_retirement("300", kind="removal", standard="ccer", project_type="afforestation")
    avoidance = make_retirement(
        "200", kind="avoidance", standard="vcs", project_type="renewable_energy"
    )
    reverse_retirement(avoidance, "50")
    make_retirement("1000", kind="avoidance", project_type="methane_capture",
                    purpose="ets_compliance")
    AllowanceTransaction.objects.create(
        facility=hebei_plant, compliance_year=2023, kind="surrender",
        quantity_t=Decimal("5000"), transacted_on=dt.date(2024, 12, 31),
    )
    AllowanceTransaction.objects.create(
        facility=hebei_plant, compliance_year=2023, kind="allocation",
        quantity_t=Decimal("4800"), transacted_on=dt.date(2023, 6, 30),
    )
    TreePlanting.objects.create(
        name="Factory shelter belt", area_ha=Decimal("10"), species="Poplar",
        planting_year=2020, sequestration_t_per_year=Decimal("12.5"),
        method="10 ha × 1.25 t CO2/ha/year (young poplar, IPCC Tier 1).",
    )
    # 2019, the base year
    make_record(hebei_plant, "grid_electricity", "1200000", "kWh", year=2019)
    make_record(hebei_plant, "natural_gas_stationary", "120", "t", year=2019)
    make_record(hebei_plant, "hotel_nights", "10", "night", year=2019)
    return {"waste_kg": waste.co2e_kg}  # fmt: skip


def balance_for(year):
    return next(balance for balance in yearly_balance() if balance.year == year)


def test_the_2023_balance_matches_the_worked_example_field_by_field(
    worked_example, neutrality_target
):
    balance = balance_for(2023)
    assert worked_example["waste_kg"] == Decimal("5205.327000")
    assert balance.scope1_kg == Decimal("266588.579795")
    assert balance.scope2_location_kg == Decimal("761600.000000")  # 651,600 + 110,000
    assert balance.scope2_market_kg == Decimal("475760.000000")  # 365,760 + 110,000
    assert balance.scope3_kg_by_category == {
        "s3_05": Decimal("5205.327000"),
        "s3_06": Decimal("535.000000"),
    }
    assert balance.scope3_kg == Decimal("5740.327000")
    # Scope 1 + Scope 2 market-based + s3_06 only
    assert balance.gross_kg == Decimal("742883.579795")
    assert balance.credits_removal_kg == Decimal("300000.000000")
    assert balance.credits_avoidance_kg == Decimal("150000.000000")  # 200 t − 50 t reversed
    assert balance.credits_kg == Decimal("450000.000000")
    assert balance.internal_removals_kg == Decimal("12500.000000")
    assert balance.internal_removals_counted is False
    assert balance.net_kg == Decimal("292883.579795")
    assert balance.is_neutral is False
    assert balance.base_year == 2019
    assert balance.base_gross_kg == Decimal("1033481.295754")
    # (742,883.579795 − 1,033,481.295754) / 1,033,481.295754 = −28.12 %
    assert balance.change_vs_base_pct == Decimal("-28.1")
    # 1,033,481.295754 × (1 − 4/11): four of eleven years from 2019 to net zero in 2030
    assert balance.pathway_kg == Decimal("657669.915480")
    assert balance.electricity_kwh == Decimal("1000000.000000")
    assert balance.renewable_kwh == Decimal("400000.000000")
    assert balance.renewable_share_pct == Decimal("40.0")
    assert balance.ets_surrendered_t == Decimal("5000.000")
    assert balance.unused_certificate_kwh == Decimal("0")
    assert balance.scope2_uses_location_fallback is False
    assert balance.target == neutrality_target
    (plant,) = balance.scope2_facilities
    assert plant.market_kg == Decimal("365760.000000")


def test_the_base_year_is_its_own_reference_and_lies_on_the_pathway(worked_example):
    balance = balance_for(2019)
    assert balance.scope2_location_kg == Decimal("870240.000000")  # 0.7252 (CN-HE 2022, proxy)
    assert balance.scope2_market_kg == Decimal("713040.000000")  # 0.5942 (CN 2021, proxy)
    assert balance.scope1_kg == Decimal("319906.295754")
    assert balance.gross_kg == Decimal("1033481.295754")
    assert balance.change_vs_base_pct == Decimal("0.0")
    assert balance.pathway_kg == Decimal("1033481.295754")
    assert balance.credits_kg == Decimal("0")
    assert balance.internal_removals_kg == Decimal("0")  # planted in 2020
    assert balance.renewable_share_pct == Decimal("0.0")
    (plant,) = balance.scope2_facilities
    assert plant.is_proxy


def test_on_site_solar_adds_to_the_renewable_share_and_the_electricity(
    worked_example, hebei_plant, make_record
):
    make_record(hebei_plant, "onsite_solar_consumed", "250000", "kWh")
    balance = balance_for(2023)
    assert balance.electricity_kwh == Decimal("1250000.000000")
    assert balance.renewable_kwh == Decimal("650000.000000")
    # (400,000 certificates + 250,000 solar) / 1,250,000
    assert balance.renewable_share_pct == Decimal("52.0")
    assert balance.scope2_market_kg == Decimal("475760.000000")  # solar emits nothing


def test_internal_removals_are_subtracted_only_when_the_organisation_says_so(
    worked_example, organisation
):
    organisation.count_internal_removals = True
    organisation.save()
    balance = balance_for(2023)
    assert balance.internal_removals_counted is True
    assert balance.internal_removals_kg == Decimal("12500.000000")
    assert balance.net_kg == Decimal("280383.579795")  # 292,883.579795 − 12,500


def test_enough_credits_make_the_year_neutral(worked_example, make_retirement):
    make_retirement("292.884", kind="avoidance", standard="gold_standard",
                    project_type="cookstoves")  # fmt: skip
    balance = balance_for(2023)
    assert balance.net_kg == Decimal("-0.420205")  # 292,883.579795 kg − 292,884 kg
    assert balance.is_neutral is True
