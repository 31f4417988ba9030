import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from emissions.facilities.models import Facility
from emissions.offsets import services
from emissions.offsets.models import CertificateScheme, EnergyCertificate, Technology
from tests.factories import gec_code, gec_codes

from .conftest import MARCH_2024

pytestmark = pytest.mark.django_db

IREC = "I-REC"
MAIN_PLANT = "XT-01 Xingtai main plant"
US_PLANT = "US-01 Ohio assembly plant"


@pytest.fixture
def us_plant(db):
    return Facility.objects.create(
        code="US-01",
        name_en="Ohio assembly plant",
        kind="factory",
        country="US",
        opened_on=dt.date(2015, 1, 1),
    )


@pytest.fixture
def electricity_2024(hebei_plant, casting_workshop, make_record):
    """Grid electricity in 2024: 100 MWh at the main plant, 50 MWh at the workshop.

    Also 50 MWh of the main plant's own solar (not grid power, so no certificate covers it)
    and 500 MWh of grid electricity in 2023 (another year).
    """
    grid, solar = "grid_electricity", "onsite_solar_consumed"
    january = {"start": dt.date(2024, 1, 1), "end": dt.date(2024, 1, 31)}
    february = {"start": dt.date(2024, 2, 1), "end": dt.date(2024, 2, 29)}
    may_2023 = {"start": dt.date(2023, 5, 1), "end": dt.date(2023, 5, 31)}
    make_record(hebei_plant, grid, Decimal("60"), "MWh", **january)
    make_record(hebei_plant, grid, Decimal("40000"), "kWh", **february)
    make_record(hebei_plant, solar, Decimal("50"), "MWh", **january)
    make_record(casting_workshop, grid, Decimal("50"), "MWh", **january)
    make_record(hebei_plant, grid, Decimal("500"), "MWh", **may_2023)


def add_certificates(mwh, *, first=1, **overrides):
    arguments = {
        # The rules every scheme shares; GECs, entered by their codes, in test_gec_codes.py.
        "scheme": CertificateScheme.IREC,
        "registry": "I-TRACK China",
        "technology": Technology.WIND,
        "serial_first": first,
        "serial_last": first + int(mwh) - 1,
        "generation_start": dt.date(2024, 1, 1),
        "generation_end": dt.date(2024, 12, 31),
        "mwh": Decimal(mwh),
        "facility": None,
        "reporting_year": 2024,
        **overrides,
    }
    return services.add_energy_certificates(**arguments)


def test_certificates_are_applied_to_a_facilitys_grid_electricity(electricity_2024, hebei_plant):
    certificate = add_certificates(80, facility=hebei_plant, first=1001)

    stored = EnergyCertificate.objects.get()
    assert stored == certificate
    assert (stored.facility, stored.reporting_year) == (hebei_plant, 2024)
    assert (stored.serial_first, stored.serial_last, stored.mwh) == (1001, 1080, Decimal("80"))
    assert stored.kg_co2e_per_kwh == Decimal("0")
    assert stored.history.count() == 1


def test_a_facility_can_cover_exactly_the_grid_electricity_it_consumed(
    electricity_2024, hebei_plant
):
    add_certificates(80, facility=hebei_plant)
    add_certificates(20, facility=hebei_plant, first=81)

    assert EnergyCertificate.objects.count() == 2


def test_covering_more_than_a_facilitys_grid_electricity_is_rejected_with_the_numbers(
    electricity_2024, hebei_plant, nothing_written
):
    add_certificates(80, facility=hebei_plant)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_certificates(30, facility=hebei_plant, first=81)

    assert caught.value.message_dict == {
        "mwh": [
            f"Certificates applied to {MAIN_PLANT} in 2024 would exceed its grid electricity: "
            "100 MWh consumed, 80 MWh already applied, 30 MWh requested."
        ]
    }


def test_own_solar_is_not_electricity_a_certificate_can_cover(
    hebei_plant, make_record, nothing_written
):
    make_record(hebei_plant, "onsite_solar_consumed", Decimal("50"), "MWh", **MARCH_2024)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_certificates(10, facility=hebei_plant)

    assert caught.value.messages == [
        f"Certificates applied to {MAIN_PLANT} in 2024 would exceed its grid electricity: "
        "0 MWh consumed, 0 MWh already applied, 10 MWh requested."
    ]


def test_covering_more_than_the_markets_grid_electricity_is_rejected_with_the_numbers(
    electricity_2024, hebei_plant, nothing_written
):
    add_certificates(80, facility=hebei_plant)
    add_certificates(60, first=1001)  # whole organisation, market CN: 140 of 150 MWh

    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_certificates(20, first=2001)

    assert caught.value.message_dict == {
        "mwh": [
            "Certificates applied to the CN market in 2024 would exceed the grid electricity "
            "of the organisation's facilities there: 150 MWh consumed, 140 MWh already "
            "applied, 20 MWh requested."
        ]
    }


def test_organisation_wide_certificates_count_only_their_markets_consumption(
    electricity_2024, hebei_plant, us_plant, make_record, nothing_written
):
    # 150 MWh consumed in China, 400 MWh in the US.
    make_record(us_plant, "grid_electricity", Decimal("400"), "MWh", **MARCH_2024)
    add_certificates(40, facility=hebei_plant, first=5001)  # counts toward the CN market
    add_certificates(
        300, scheme=CertificateScheme.REC, registry="M-RETS", market_country="US", first=1
    )  # the US market's 400 MWh, not China's

    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_certificates(111, first=1001)  # 40 + 111 > 150, though the organisation used 550

    assert caught.value.message_dict == {
        "mwh": [
            "Certificates applied to the CN market in 2024 would exceed the grid electricity "
            "of the organisation's facilities there: 150 MWh consumed, 40 MWh already "
            "applied, 111 MWh requested."
        ]
    }

    add_certificates(110, first=1001)  # exactly the rest of China's 150 MWh
    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_certificates(
            101, scheme=CertificateScheme.REC, registry="M-RETS", market_country="US", first=301
        )
    assert caught.value.messages == [
        "Certificates applied to the US market in 2024 would exceed the grid electricity "
        "of the organisation's facilities there: 400 MWh consumed, 300 MWh already "
        "applied, 101 MWh requested."
    ]


def test_organisation_wide_certificates_of_a_market_without_consumption_are_rejected(
    electricity_2024, nothing_written
):
    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_certificates(10, scheme=CertificateScheme.IREC, registry="I-TRACK", market_country="VN")

    assert caught.value.messages == [
        "Certificates applied to the VN market in 2024 would exceed the grid electricity "
        "of the organisation's facilities there: 0 MWh consumed, 0 MWh already "
        "applied, 10 MWh requested."
    ]


def test_a_facilitys_certificates_from_another_market_are_rejected_naming_both(
    electricity_2024, us_plant, make_record, nothing_written
):
    make_record(us_plant, "grid_electricity", Decimal("400"), "MWh", **MARCH_2024)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_certificates(
            10, scheme=CertificateScheme.IREC, registry="I-TRACK", facility=us_plant
        )  # market CN by default

    assert caught.value.message_dict == {
        "market_country": [
            f"Certificates of the CN market cannot cover {US_PLANT}, which is in the US "
            "market: a facility's certificates must come from its own market."
        ]
    }

    certificate = add_certificates(
        10,
        scheme=CertificateScheme.REC,
        registry="M-RETS",
        facility=us_plant,
        market_country="US",
    )
    assert certificate.market_country == "US"


def test_a_gec_outside_china_is_rejected(electricity_2024, us_plant, make_record, nothing_written):
    make_record(us_plant, "grid_electricity", Decimal("400"), "MWh", **MARCH_2024)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_certificates(
            10,
            facility=us_plant,
            market_country="US",
            scheme=CertificateScheme.GEC,
            **gec_codes(1, 10),
        )

    assert caught.value.message_dict == {
        "market_country": [
            "GECs are issued for electricity consumed in China: their market must be CN, not US."
        ]
    }


def test_a_facilitys_certificates_cannot_push_its_market_past_its_total(
    electricity_2024, casting_workshop, nothing_written
):
    add_certificates(150, first=1001)  # the whole CN market's 150 MWh

    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_certificates(10, facility=casting_workshop)

    assert caught.value.messages == [
        "Certificates applied to the CN market in 2024 would exceed the grid electricity "
        "of the organisation's facilities there: 150 MWh consumed, 150 MWh already "
        "applied, 10 MWh requested."
    ]


def test_another_years_certificates_and_electricity_do_not_count(electricity_2024, hebei_plant):
    add_certificates(
        500,
        facility=hebei_plant,
        first=50_001,
        reporting_year=2023,
        generation_start=dt.date(2023, 1, 1),
        generation_end=dt.date(2023, 12, 31),
    )

    add_certificates(100, facility=hebei_plant)

    assert EnergyCertificate.objects.filter(reporting_year=2024).count() == 1


def test_a_gec_serial_range_that_does_not_count_the_mwh_is_rejected(
    electricity_2024, nothing_written
):
    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_certificates(100, scheme=CertificateScheme.GEC, **gec_codes(1, 99))

    assert caught.value.message_dict == {
        "mwh": [f"Codes {gec_code(1)}–{gec_code(99)} are 99 GECs, not 100 MWh: one GEC is one MWh."]
    }


def test_a_green_power_contract_is_not_counted_by_its_serials(electricity_2024):
    certificate = add_certificates(
        50, scheme=CertificateScheme.GREEN_POWER_CONTRACT, registry="Beijing PX", serial_last=1
    )

    assert certificate.mwh == Decimal("50")


def test_a_reused_certificate_serial_is_rejected_naming_the_certificate_that_has_it(
    electricity_2024, hebei_plant, nothing_written
):
    add_certificates(100, facility=hebei_plant)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_certificates(20, first=91)

    assert caught.value.messages == [
        f"Serial numbers 91–110 overlap certificate {IREC} I-TRACK China #1–100 of the same "
        "registry (applied to 2024)."
    ]


def test_a_registry_spelled_with_other_capitals_or_spaces_is_the_same_registry(
    electricity_2024, nothing_written
):
    add_certificates(10)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_certificates(10, registry=" i-track china ")

    assert caught.value.messages == [
        f"Serial numbers 1–10 overlap certificate {IREC} I-TRACK China #1–10 of the same "
        "registry (applied to 2024)."
    ]


def test_the_same_serials_in_another_registry_are_accepted(electricity_2024):
    add_certificates(10)
    add_certificates(10, scheme=CertificateScheme.REC, registry="M-RETS")

    assert EnergyCertificate.objects.count() == 2


def test_electricity_generated_before_the_previous_year_is_too_old(
    electricity_2024, nothing_written
):
    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_certificates(10, generation_start=dt.date(2022, 12, 31))

    assert caught.value.message_dict == {
        "generation_start": [
            "Electricity generated from 2022-12-31 is too old for 2024: the generation period "
            "must start on or after 2023-01-01 (the reporting year or the year before)."
        ]
    }


def test_electricity_generated_in_the_previous_year_is_accepted(electricity_2024):
    certificate = add_certificates(
        10, generation_start=dt.date(2023, 1, 1), generation_end=dt.date(2023, 12, 31)
    )

    assert certificate.pk is not None


def test_electricity_generated_after_the_reporting_year_is_rejected(
    electricity_2024, nothing_written
):
    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_certificates(10, generation_end=dt.date(2025, 1, 1))

    assert caught.value.message_dict == {
        "generation_end": [
            "Electricity generated until 2025-01-01 cannot cover 2024: the generation period "
            "must end by 2024-12-31."
        ]
    }


def test_a_generation_period_that_ends_before_it_starts_is_rejected(
    electricity_2024, nothing_written
):
    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_certificates(
            10, generation_start=dt.date(2024, 6, 1), generation_end=dt.date(2024, 5, 31)
        )

    assert caught.value.messages == ["The generation period cannot end before it starts."]


def test_certificates_for_no_electricity_are_rejected(electricity_2024, nothing_written):
    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_certificates(0, serial_last=1)

    assert caught.value.messages == ["The quantity must be more than 0 MWh."]
