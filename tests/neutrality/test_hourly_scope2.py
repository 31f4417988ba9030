"""Hourly-matched market-based Scope 2 beside annual matching, to the exact Decimal."""

import datetime as dt
import math
from decimal import Decimal

import pytest

from emissions.activities.models import HOURS as HOUR_COLUMNS
from emissions.activities.models import IntervalUpload, MeterDay
from emissions.neutrality import load_profiles
from emissions.neutrality.hourly_scope2 import (
    HOURLY_EXEMPTION_KWH,
    ConsumptionSource,
    FacilityLoad,
    calculate_hourly_scope2,
    hourly_scope2_of,
    match,
    to_units,
    units_of,
)
from emissions.offsets.supply import Instrument, SupplyBlock

YEAR = 2023  # 365 days, 8,760 hours
HOURS = 8760
KWH = 10**6  # millionths of a kWh in one kWh


def solar_ppa(facility_id, *, year=YEAR, kwh_per_hour=100, hours_of_day=range(10, 15)):
    """A solar PPA's twelve monthly blocks: `kwh_per_hour` in each of `hours_of_day`."""
    blocks = []
    for month, (start, end) in enumerate(load_profiles.month_hours(year), start=1):
        days = (end - start) // 24
        day = [Decimal(kwh_per_hour) if hour in hours_of_day else Decimal(0) for hour in range(24)]
        blocks.append(
            SupplyBlock(
                facility_id=facility_id,
                market_country="CN",
                instrument=Instrument.GREEN_POWER_CONTRACT,
                technology="solar",
                year=year,
                month=month,
                kwh=Decimal(kwh_per_hour * len(hours_of_day) * days),
                kg_co2e_per_kwh=Decimal(0),
                hourly_kwh=tuple(day * days),
            )
        )
    return blocks


def block(
    kwh, *, facility_id=None, month=1, technology="wind", market="CN", factor="0", hourly=None
):
    return SupplyBlock(
        facility_id=facility_id,
        market_country=market,
        instrument=Instrument.UNBUNDLED_CERTIFICATE,
        technology=technology,
        year=YEAR,
        month=month,
        kwh=Decimal(kwh),
        kg_co2e_per_kwh=Decimal(factor),
        hourly_kwh=hourly,
    )


def flat(facility_id, kwh_per_hour, *, market="CN", hours=HOURS):
    return FacilityLoad(facility_id, market, [to_units(Decimal(kwh_per_hour))] * hours)


def only_hour(facility_id, hour, kwh, *, market="CN"):
    """A load of `kwh` in one hour of the year and nothing in the others."""
    units = [0] * HOURS
    units[hour] = to_units(Decimal(kwh))
    return FacilityLoad(facility_id, market, units)


# --- The worked example (docs/methodology.md, "Hourly matching") ---------------------------


@pytest.mark.django_db
def test_a_solar_ppa_against_flat_night_load_gives_the_higher_figure_when_matched_hourly(
    organisation, hebei_plant, make_record
):
    # 50 kWh every hour of 2023: 50 × 8,760 = 438,000 kWh, no interval data (flat profile).
    make_record(hebei_plant, "grid_electricity", "438000", "kWh")
    # The PPA: 100 kWh in each hour 10:00–15:00, nothing else: 500 kWh × 365 = 182,500 kWh.
    result = hourly_scope2_of(YEAR, intervals={}, blocks=solar_ppa(hebei_plant.pk))

    (row,) = result.rows
    assert row.source == ConsumptionSource.FLAT_PROFILE
    assert row.matching.consumption_kwh == Decimal("438000.000000")
    # Annual: the contract's whole volume covers consumption; 438,000 − 182,500 = 255,500 kWh
    # at the residual factor 0.6096: 155,752.8 kg.
    assert row.annual.certificate_kwh == Decimal("182500.000000")
    assert row.annual.unused_certificate_kwh == Decimal("0.000000")
    assert row.annual.residual_kwh == Decimal("255500.000000")
    assert (
        row.annual.residual_factor.key == "grid_electricity_cn_national_excl_market_nonfossil_2023"
    )
    assert row.annual.residual_kg == Decimal("155752.800000")
    assert row.annual.market_kg == Decimal("155752.800000")
    # Hourly: 5 hours a day × min(100, 50) = 250 kWh a day, × 365 = 91,250 kWh matched;
    # the other 91,250 kWh of the midday surplus is unused. 346,750 kWh × 0.6096 = 211,378.8 kg.
    assert row.hourly.certificate_kwh == Decimal("91250.000000")
    assert row.hourly.unused_certificate_kwh == Decimal("91250.000000")
    assert row.hourly.residual_kwh == Decimal("346750.000000")
    assert row.hourly.residual_kg == Decimal("211378.800000")
    assert row.hourly.market_kg == Decimal("211378.800000")
    # Hourly is higher by 91,250 kWh × 0.6096 = 55,626 kg.
    assert row.difference_kg == Decimal("55626.000000")
    assert result.difference_kg == Decimal("55626.000000")
    # 182,500 / 438,000 = 41.67 %; 91,250 / 438,000 = 20.83 %.
    assert (row.annual_matched_pct, row.hourly_matched_pct) == (Decimal("41.67"), Decimal("20.83"))
    # Hour by hour: every hour 10–14 wholly matched, every other hour not at all.
    heat = result.heat_map
    for month in range(1, 13):
        for hour in range(24):
            assert heat.share_pct(month, hour) == (Decimal("100.00") if 10 <= hour < 15 else 0)
    assert heat.consumption_kwh(1, 10) == Decimal("1550.000000")  # 31 days × 50 kWh
    assert heat.matched_kwh(1, 10) == Decimal("1550.000000")
    assert heat.matched_kwh(2, 9) == Decimal("0")


@pytest.mark.django_db
def test_the_conservative_residual_mix_proxy_applies_to_the_unmatched_hours(
    organisation, hebei_plant, make_record
):
    organisation.residual_mix = "national_fossil"
    organisation.save()
    make_record(hebei_plant, "grid_electricity", "438000", "kWh")
    (row,) = hourly_scope2_of(YEAR, intervals={}, blocks=solar_ppa(hebei_plant.pk)).rows
    factor = row.hourly.residual_factor
    assert factor.co2_kg == Decimal("0.8273")
    # 346,750 kWh × 0.8273 = 286,866.275 kg; annually 255,500 × 0.8273 = 211,375.15 kg.
    assert row.hourly.market_kg == Decimal("286866.275000")
    assert row.annual.market_kg == Decimal("211375.150000")


@pytest.mark.django_db
def test_interval_data_replace_the_flat_profile_and_gaps_get_what_the_records_say_is_left(
    organisation, hebei_plant, make_record
):
    make_record(hebei_plant, "grid_electricity", "1000", "kWh")
    measured = [Decimal("0.1")] * HOURS
    measured[0] = measured[1] = None  # two hours the meter missed
    result = hourly_scope2_of(YEAR, intervals={hebei_plant.pk: measured}, blocks=[])
    (row,) = result.rows
    assert row.source == ConsumptionSource.INTERVAL
    # 8,758 h × 0.1 = 875.8 kWh measured; the records' 1,000 leave 124.2 kWh for the two
    # missed hours, 62.1 each: the year's consumption is the records' again.
    assert row.matching.consumption_kwh == Decimal("1000.000000")
    assert result.heat_map.consumption_kwh(1, 0) == Decimal("65.100000")  # 62.1 + 30 × 0.1


@pytest.mark.django_db
def test_the_year_is_read_from_stored_interval_data_and_certificates(
    organisation, hebei_plant, make_record, make_certificate, django_user_model
):
    make_record(hebei_plant, "grid_electricity", "438000", "kWh")
    upload = IntervalUpload.objects.create(
        user=django_user_model.objects.create_user("meter-reader"), file_name="m.csv"
    )
    # A meter read from 1 July only: 184 days × 24 h × 50 kWh = 220,800 kWh. The records'
    # 438,000 kWh leave 217,200 for the 181 × 24 = 4,344 hours not read: 50 kWh each.
    MeterDay.objects.bulk_create(
        MeterDay(
            facility=hebei_plant,
            meter="M1",
            day=dt.date(2023, 7, 1) + dt.timedelta(days=days),
            interval_minutes=60,
            reading_count=24,
            upload=upload,
            **dict.fromkeys(HOUR_COLUMNS, Decimal(50)),
        )
        for days in range(184)
    )
    # 100 MWh of wind generated over 2023, organisation-wide: a twelfth a month, flat, about
    # 11.2 kWh an hour, under the 50 kWh consumed in every hour: all matched both ways.
    make_certificate("100", scheme="irec", technology="wind")

    result = calculate_hourly_scope2(YEAR)

    (row,) = result.rows
    assert row.source == ConsumptionSource.INTERVAL
    assert row.matching.consumption_kwh == Decimal("438000.000000")
    assert result.heat_map.consumption_kwh(1, 0) == Decimal("1550.000000")  # filled: 31 × 50
    assert result.heat_map.consumption_kwh(7, 0) == Decimal("1550.000000")  # read: 31 × 50
    assert row.annual.certificate_kwh == row.hourly.certificate_kwh == Decimal("100000.000000")
    # 338,000 kWh × 0.6096 = 206,044.8 kg both ways.
    assert row.annual.market_kg == row.hourly.market_kg == Decimal("206044.800000")


@pytest.mark.django_db
def test_a_site_without_a_residual_factor_uses_its_location_rate_under_both_methods(
    organisation, us_plant, make_record
):
    # 100 MWh at 35,164.2625 kg (test_scope2.py); a 20 MWh own block in January, flat (wind).
    make_record(us_plant, "grid_electricity", "100", "MWh")
    blocks = [block("20000", facility_id=us_plant.pk, market="US")]
    (row,) = hourly_scope2_of(YEAR, intervals={}, blocks=blocks).rows
    assert row.annual.uses_location_fallback and row.hourly.uses_location_fallback
    # Annual: 80,000 kWh × 35,164.2625 / 100,000 = 28,131.41 kg.
    assert row.annual.market_kg == Decimal("28131.410000")
    # Hourly: January's 744 h consume 100,000 / 8,760 × 744 = 8,493.150684 kWh (flat), less
    # than the 20,000 kWh supplied then: 8,493.150684 matched, 91,506.849316 kWh at the rate.
    assert row.hourly.certificate_kwh == Decimal("8493.150684")
    # 91,506.849316 × 35,164.2625 / 100,000 = 32,177.70869895… kg
    assert row.hourly.residual_kg == Decimal("32177.708699")


@pytest.mark.django_db
def test_no_organisation_means_no_rows(db):
    result = hourly_scope2_of(YEAR, intervals={}, blocks=[])
    assert result.rows == []
    assert result.hourly_kg == Decimal(0)


# --- The matching rule, hour by hour -------------------------------------------------------


def test_a_monthly_volume_without_a_profile_is_spread_by_its_technology():
    # Wind is flat: 22,320 kWh in January's 744 hours is 30 kWh an hour, all used by 50 kWh.
    (row,) = match(YEAR, [flat(1, 50)], [block("22320", facility_id=1)]).facilities
    assert row.hourly.kwh == Decimal("22320.000000")
    assert row.hourly.kwh == row.annual.kwh
    # Solar is daylight only: the same volume leaves the January nights unmatched.
    (row,) = match(
        YEAR, [flat(1, 50)], [block("22320", facility_id=1, technology="solar")]
    ).facilities
    heat = match(YEAR, [flat(1, 50)], [block("22320", facility_id=1, technology="solar")]).heat_map
    assert heat.matched_kwh(1, 3) == Decimal(0)
    assert heat.matched_kwh(1, 12) == Decimal("1550.000000")  # all 31 × 50 kWh at noon
    assert row.hourly.kwh < row.annual.kwh == Decimal("22320.000000")


def test_organisation_wide_supply_is_shared_in_each_hour_by_what_is_still_uncovered():
    loads = [only_hour(1, 5, "30"), only_hour(2, 5, "10"), only_hour(3, 6, "40")]
    hourly = [Decimal(0)] * 744
    hourly[5] = Decimal(20)  # 20 kWh in hour 5 only
    result = match(YEAR, loads, [block("20", hourly=tuple(hourly))])
    first, second, third = result.facilities
    # Hour 5: 30 and 10 kWh uncovered share 20 kWh: 15 and 5. Hour 6 gets nothing.
    assert (first.hourly.kwh, second.hourly.kwh, third.hourly.kwh) == (
        Decimal("15.000000"),
        Decimal("5.000000"),
        Decimal("0"),
    )
    # Annually the 20 kWh are shared by the year's 30, 10 and 40 kWh: 7.5, 2.5 and 10.
    assert (first.annual.kwh, second.annual.kwh, third.annual.kwh) == (
        Decimal("7.500000"),
        Decimal("2.500000"),
        Decimal("10.000000"),
    )


def test_shares_are_rounded_by_the_running_total_and_add_up_to_the_supply():
    # 2 millionths over three facilities with 1 millionth each: 0, 1 and 1.
    loads = [only_hour(pk, 0, "0.000001") for pk in (1, 2, 3)]
    hourly = [Decimal(0)] * 744
    hourly[0] = Decimal("0.000002")
    result = match(YEAR, loads, [block("0.000002", hourly=tuple(hourly))])
    assert [row.hourly.units for row in result.facilities] == [0, 1, 1]
    assert result.markets[0].unused_shared_hourly_units == 0


def test_supply_counts_only_in_its_own_market():
    loads = [flat(1, 1), flat(2, 1, market="US")]
    blocks = [block("100", market="US"), block("50", facility_id=1, market="US")]
    result = match(YEAR, loads, blocks)
    china, us = result.facilities
    assert china.hourly.units == 0
    assert china.hourly.unused_own_units == 50 * KWH  # its own US block: outside its market
    assert us.hourly.kwh == Decimal("100.000000")  # the US block, flat over January
    assert {
        market.market_country: market.unused_shared_hourly_units for market in result.markets
    } == {
        "CN": 0,
        "US": 0,
    }


def test_organisation_wide_supply_with_nobody_in_its_market_is_unused():
    result = match(YEAR, [flat(1, 1)], [block("100", market="DE")])
    assert result.facilities[0].hourly.units == 0
    de = next(market for market in result.markets if market.market_country == "DE")
    assert de.unused_shared_hourly_units == de.unused_shared_annual_units == 100 * KWH


def test_the_lowest_factor_is_matched_first():
    # 1 kWh an hour in January (744 kWh); 744 kWh at 0.3 kg and 744 kWh at 0 both flat.
    loads = [FacilityLoad(1, "CN", [KWH] * 744 + [0] * (HOURS - 744))]
    blocks = [block("744", facility_id=1, factor="0.3"), block("744", facility_id=1)]
    (row,) = match(YEAR, loads, blocks).facilities
    assert row.hourly.units_by_factor == {Decimal(0): 744 * KWH, Decimal("0.3"): 0}
    assert row.hourly.zero_emission_kwh == Decimal("744.000000")
    assert row.hourly.exact_kg == Decimal(0)
    assert row.hourly.unused_own_units == 744 * KWH


def test_a_certificate_at_a_factor_emits_for_what_it_matched():
    loads = [FacilityLoad(1, "CN", [KWH] * 744 + [0] * (HOURS - 744))]
    (row,) = match(YEAR, loads, [block("372", facility_id=1, factor="0.3")]).facilities
    assert row.hourly.kwh == Decimal("372.000000")
    assert row.hourly.exact_kg == Decimal("111.6000000")  # 372 × 0.3


def test_a_certificate_generated_last_year_counts_over_the_year_but_in_no_hour_of_it():
    # A GEC of December 2022 applied to 2023 (valid for two years): 744 kWh, own.
    december = SupplyBlock(
        1, "CN", Instrument.UNBUNDLED_CERTIFICATE, "wind", 2022, 12, Decimal(744), Decimal(0)
    )
    shared = SupplyBlock(
        None, "CN", Instrument.UNBUNDLED_CERTIFICATE, "solar", 2022, 6, Decimal(10), Decimal(0)
    )
    result = match(YEAR, [flat(1, 1)], [december, shared])
    (row,) = result.facilities
    assert row.annual.kwh == Decimal("754.000000")
    assert row.hourly.kwh == Decimal(0)
    assert row.hourly.unused_own_units == 744 * KWH
    assert result.markets[0].unused_shared_hourly_units == 10 * KWH
    assert result.markets[0].unused_shared_annual_units == 0


def test_a_market_below_the_drafts_exemption_threshold_is_flagged():
    assert Decimal("5000000") == HOURLY_EXEMPTION_KWH
    # 570.776 kWh × 8,760 h = 4,999,997.76 kWh: below 5 GWh; 571 kWh × 8,760 = 5,001,960.
    below = match(YEAR, [flat(1, "570.776")], []).markets[0]
    above = match(YEAR, [flat(1, "571")], []).markets[0]
    assert below.below_exemption_threshold
    assert not above.below_exemption_threshold


@pytest.mark.parametrize(
    ("loads", "blocks", "message"),
    [
        (
            [FacilityLoad(7, "CN", [0] * 8784)],
            [],
            "Facility 7 has 8784 hourly values for 2023; the year has 8760 hours.",
        ),
        (
            [FacilityLoad(7, "CN", [0] * 9 + [-1] + [0] * (HOURS - 10))],
            [],
            "Facility 7 consumed less than nothing in hour 9 of 2023.",
        ),
        (
            [flat(1, 1)],
            [block("10", hourly=(Decimal(1),) * 24)],
            "The hourly profile of certificate supply in 2023-01 has 24 values; "
            "the month has 744 hours.",
        ),
        (
            [flat(1, 1)],
            [block("10", hourly=(Decimal(-1),) + (Decimal(1),) * 743)],
            "The hourly profile of certificate supply in 2023-01 has an hour below zero.",
        ),
        (
            [flat(1, 1)],
            [block("-5")],
            "A supply block of 2023-01 has negative kWh.",
        ),
        (
            [flat(1, 1)],
            [block("10", hourly=(Decimal(0),) * 744)],
            "A profile needs at least one hour with a weight above zero.",
        ),
    ],
)
def test_bad_inputs_are_refused_with_a_message_naming_them(loads, blocks, message):
    with pytest.raises(ValueError) as error:
        match(YEAR, loads, blocks)
    assert str(error.value) == message


def test_kwh_with_more_than_six_decimals_are_rounded_half_up_to_the_millionth():
    assert units_of([Decimal("1.5"), Decimal("0.000001")]) == [1_500_000, 1]
    assert units_of([Decimal("0.0000015"), Decimal("0.0000014")]) == [2, 1]
    assert to_units(Decimal("0.0000005")) == 1


# --- The standard profiles -----------------------------------------------------------------


def test_a_spread_adds_up_exactly_and_stays_within_a_unit_of_its_proportion():
    parts = load_profiles.spread(1_000_003, [1, 2, 0, 3])
    assert parts == [166_667, 333_334, 0, 500_002]
    assert sum(parts) == 1_000_003


def test_the_flat_load_profile_covers_every_hour_of_a_leap_year_too():
    assert load_profiles.hours_in_year(2024) == 8784
    hours = load_profiles.flat_over_year(8784 * KWH + 1, 2024)
    assert len(hours) == 8784 and sum(hours) == 8784 * KWH + 1
    assert set(hours) == {KWH, KWH + 1}
    assert load_profiles.month_hours(2024)[1] == (744, 744 + 29 * 24)


def test_the_solar_shape_is_the_sun_over_xingtai_recomputed_from_its_formulas():
    # The module docstring's recipe: Cooper's declination on Klein's mean days, cos θz per
    # minute at 37.07° N, clock time 22 minutes ahead of the sun, each day scaled to 1,000.
    mean_days = (17, 47, 75, 105, 135, 162, 198, 228, 258, 288, 318, 344)
    latitude = math.radians(37.07)
    for month, day in enumerate(mean_days, start=1):
        declination = math.radians(23.45 * math.sin(math.radians(360 * (284 + day) / 365)))
        sums = []
        for hour in range(24):
            total = 0.0
            for minute in range(60):
                solar_minutes = hour * 60 + minute + 0.5 + (114.50 - 120.0) * 4
                angle = math.radians(15 * (solar_minutes / 60 - 12))
                cosine = math.sin(latitude) * math.sin(declination) + math.cos(latitude) * math.cos(
                    declination
                ) * math.cos(angle)
                total += max(0.0, cosine)
            sums.append(total)
        expected = tuple(round(1000 * value / sum(sums)) for value in sums)
        assert load_profiles.SOLAR_WEIGHTS[month] == expected, month
    # Nothing at night, the most at 12:00–13:00 (solar noon is 12:22 China Standard Time).
    assert load_profiles.SOLAR_WEIGHTS[6][0] == 0
    assert max(load_profiles.SOLAR_WEIGHTS[6]) == load_profiles.SOLAR_WEIGHTS[6][12]


def test_other_technologies_generate_flat():
    january = load_profiles.generation_in_month(744 * 7, "hydro", YEAR, 1)
    assert january == [7] * 744
