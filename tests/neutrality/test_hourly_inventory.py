"""The organisation profile's matching choice decides the market-based Scope 2 every page reads.

Worked example: a Hebei plant used 8,760 kWh of grid electricity in 2023 (a yearly record, so
1 kWh in every hour on the flat load profile) and holds 1 MWh of wind GECs produced in March
2023 (spread flat over March's 744 hours: 1.344… kWh an hour).
- Annual matching: the GECs cover 1,000 kWh; 7,760 kWh at the residual 0.6096 = 4,730.496 kg.
- Hourly matching: in each March hour 1 kWh of consumption meets 1.344 kWh of certificates, so
  744 kWh are matched and 256 kWh of certificates find no consumption in their hour;
  8,016 kWh at 0.6096 = 4,886.5536 kg — 156.0576 kg more.
"""

import datetime as dt
import io
from decimal import Decimal

import pytest

from emissions.activities.intervals import import_intervals
from emissions.facilities.models import MarketScope2Matching, Organisation
from emissions.neutrality import inventory
from emissions.neutrality.hourly_scope2 import ConsumptionSource, calculate_hourly_scope2
from emissions.neutrality.scope2 import market_based_scope2
from emissions.offsets import services
from emissions.offsets.models import CertificateScheme, Technology
from tests.factories import gec_codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant_with_gecs(hebei_plant, make_record):
    make_record(hebei_plant, "grid_electricity", "8760", "kWh", year=2023)
    services.add_energy_certificates(
        scheme=CertificateScheme.GEC,
        registry="",
        technology=Technology.WIND,
        **gec_codes(1, 1, year=2023, month=3),
        mwh=Decimal(1),
        facility=hebei_plant,
        reporting_year=2023,
    )
    return hebei_plant


def market_kg(balance) -> Decimal:
    return sum((row.market_kg for row in balance.scope2_facilities), Decimal(0))


def choose(matching: str) -> None:
    Organisation.objects.update(market_scope2_matching=matching)


def test_annual_matching_is_the_default(plant_with_gecs):
    (balance,) = inventory.yearly_balance([2023], with_base_year=False)
    assert market_kg(balance) == Decimal("4730.496")


def test_hourly_matching_chosen_on_the_profile_is_what_the_balance_reads(plant_with_gecs):
    choose(MarketScope2Matching.HOURLY)
    (balance,) = inventory.yearly_balance([2023], with_base_year=False)
    (row,) = balance.scope2_facilities
    assert (row.certificate_kwh, row.residual_kwh) == (Decimal("744"), Decimal("8016"))
    assert market_kg(balance) == Decimal("4886.5536")
    # Both approval bases read it (the overview and the report).
    both = inventory.balances_on_both_bases([2023], with_base_year=False)
    assert [market_kg(b) for b in both.with_pending] == [Decimal("4886.5536")]
    assert both.approved == []  # nothing approved yet

    choose(MarketScope2Matching.ANNUAL)
    (balance,) = inventory.yearly_balance([2023], with_base_year=False)
    assert market_kg(balance) == Decimal("4730.496")


def test_meters_give_the_shape_and_records_the_amount(plant_with_gecs, django_user_model):
    # The plant's meter read 2 kWh in every hour of 2023 (17,520 kWh), its records say 8,760:
    # the hourly consumption is the records' 8,760 kWh in the meter's (flat) shape, so both
    # columns of the hourly page start from the figure the overview uses.
    user = django_user_model.objects.create_user("meters", password="meters-pass-123")
    start = dt.datetime(2023, 1, 1)
    rows = ["facility,meter,start,kwh"] + [
        f"XT-01,M1,{start + dt.timedelta(hours=hour):%Y-%m-%d %H:%M},2" for hour in range(8760)
    ]
    content = io.BytesIO(("\n".join(rows) + "\n").encode())
    assert import_intervals(user=user, upload=content, file_name="meters.csv").ok

    result = calculate_hourly_scope2(2023)
    (row,) = result.rows
    assert row.source == ConsumptionSource.INTERVAL
    assert result.consumption_kwh == Decimal("8760")
    (annual,) = market_based_scope2([2023])
    assert row.annual.market_kg == annual.market_kg == Decimal("4730.496")
    assert row.hourly.market_kg == Decimal("4886.5536")
