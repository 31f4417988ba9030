"""The factor-choice rule as pure functions, and its two users agreeing on one answer."""

import datetime as dt
from decimal import Decimal
from itertools import count
from types import SimpleNamespace

import pytest

from emissions.activities.calculation import RecordCalculator
from emissions.activities.models import ActivityRecord, ActivityType
from emissions.facilities.models import Facility
from emissions.factors.choice import (
    FactorChoice,
    RegionMatch,
    YearMatch,
    choose,
    pick_year,
    region_levels,
    unit_converts,
)
from emissions.factors.models import EmissionFactor, FactorDataset
from emissions.neutrality.scope2 import RESIDUAL_GROUP, _ResidualChooser

_pks = count(1)


def factor(region="CN", year=2023, unit="kWh", *, shipped=True, pk=None):
    """A stand-in factor: the rule reads nothing else, and never the database."""
    return SimpleNamespace(
        pk=pk if pk is not None else next(_pks),
        region=region,
        year=year,
        unit=unit,
        dataset=SimpleNamespace(is_shipped=shipped),
    )


HEBEI = region_levels(province="CN-HE", grid_region="CN-North", country="CN", proxy_region="GB")


def test_region_levels_run_from_the_province_to_the_proxy_region():
    assert HEBEI == [
        (RegionMatch.PROVINCE, "CN-HE"),
        (RegionMatch.GRID, "CN-North"),
        (RegionMatch.COUNTRY, "CN"),
        (RegionMatch.GLOBAL, "GLOBAL"),
        (RegionMatch.PROXY, "GB"),
    ]


def test_region_levels_leave_out_what_the_facility_and_type_do_not_have():
    assert region_levels(province="", grid_region="", country="US") == [
        (RegionMatch.COUNTRY, "US"),
        (RegionMatch.GLOBAL, "GLOBAL"),
    ]


def test_the_match_codes_keep_the_values_records_store():
    assert RegionMatch.values == ["province", "grid", "country", "global", "proxy", "supplier"]
    assert YearMatch.values == ["exact", "lagged", "proxy"]


@pytest.mark.parametrize(
    ("region", "level"),
    [
        ("CN-HE", RegionMatch.PROVINCE),
        ("CN-North", RegionMatch.GRID),
        ("CN", RegionMatch.COUNTRY),
        ("GLOBAL", RegionMatch.GLOBAL),
        ("GB", RegionMatch.PROXY),
    ],
)
def test_it_takes_the_most_specific_region_that_has_a_factor(region, level):
    codes = [code for _level, code in HEBEI]
    # This region and every less specific one have a factor of the record's year.
    candidates = [factor(code) for code in codes[codes.index(region) :]]
    chosen = choose(candidates, HEBEI, 2023, "kWh")
    assert chosen == FactorChoice(candidates[0], level, YearMatch.EXACT)


def test_a_more_specific_region_wins_even_with_another_year():
    province = factor("CN-HE", 2020)
    chosen = choose([factor("CN", 2023), province], HEBEI, 2023, "kWh")
    assert chosen == FactorChoice(province, RegionMatch.PROVINCE, YearMatch.LAGGED)


def test_a_region_outside_the_levels_is_never_chosen():
    assert choose([factor("US"), factor("CN-SX")], HEBEI, 2023, "kWh") is None


def test_it_takes_the_records_own_year_first():
    exact = factor(year=2023)
    chosen = pick_year([factor(year=2022), exact, factor(year=2024)], 2023, "country", "kWh")
    assert (chosen.factor, chosen.year_match) == (exact, YearMatch.EXACT)


def test_without_the_records_year_it_takes_the_latest_earlier_year_as_lagged():
    latest_earlier = factor(year=2021)
    candidates = [factor(year=2019), latest_earlier, factor(year=2024)]
    chosen = pick_year(candidates, 2023, "country", "kWh")
    assert (chosen.factor, chosen.year_match) == (latest_earlier, YearMatch.LAGGED)


def test_without_an_earlier_year_it_takes_the_earliest_later_year_as_proxy():
    earliest_later = factor(year=2025)
    chosen = pick_year([factor(year=2026), earliest_later], 2023, "country", "kWh")
    assert (chosen.factor, chosen.year_match) == (earliest_later, YearMatch.PROXY)


def test_the_organisations_own_factor_wins_over_a_newer_shipped_one():
    own = factor(shipped=False, pk=1)
    chosen = pick_year([own, factor(shipped=True, pk=2)], 2023, "country", "kWh")
    assert chosen.factor is own


def test_among_factors_of_one_kind_the_newest_entry_wins():
    newest = factor(shipped=False, pk=9)
    chosen = pick_year([factor(shipped=False, pk=3), newest], 2023, "country", "kWh")
    assert chosen.factor is newest


def test_the_fewest_conversions_win_before_the_own_dataset():
    per_litre = factor(unit="L", shipped=True, pk=1)
    per_kg = factor(unit="kg", shipped=False, pk=2)
    per_gj = factor(unit="GJ", shipped=False, pk=3)
    candidates = [per_gj, per_kg, per_litre]
    assert pick_year(candidates, 2023, "country", "L").factor is per_litre
    # Without a per-volume factor: per mass (needs a density) before per energy (needs an NCV).
    assert pick_year([per_gj, per_kg], 2023, "country", "L").factor is per_kg


def test_the_unit_filter_accepts_a_unit_of_the_factors_dimension():
    assert unit_converts("MWh", factor(unit="kWh"))
    assert not unit_converts("kWh", factor(unit="t"))


def test_the_unit_filter_needs_the_fuels_density_and_calorific_value_across_dimensions():
    per_gj = factor(unit="GJ")
    assert not unit_converts("L", per_gj)
    assert not unit_converts("L", per_gj, density_kg_per_l=Decimal("0.84"))
    assert unit_converts(
        "L", per_gj, density_kg_per_l=Decimal("0.84"), ncv_gj_per_t=Decimal("43.0")
    )


def test_a_region_whose_factors_the_unit_does_not_fit_is_passed_over_once_filtered():
    # As the calculation does: filter by unit first, then walk the regions.
    country = factor("CN", unit="kWh")
    candidates = [factor("CN-HE", unit="t"), country]
    usable = [f for f in candidates if unit_converts("kWh", f)]
    assert choose(usable, HEBEI, 2023, "kWh") == FactorChoice(
        country, RegionMatch.COUNTRY, YearMatch.EXACT
    )


# The calculation (records) and market-based Scope 2 (residual mix) over the same candidates.


@pytest.fixture
def shanxi_plant(db):
    return Facility.objects.create(
        code="SX-01",
        name_en="Taiyuan plant",
        kind="factory",
        province="CN-SX",
        grid_region="CN-North",
        opened_on=dt.date(2008, 1, 1),
    )


@pytest.fixture
def own_residual_factors(db):
    own = FactorDataset.objects.create(name="Kehui supplier data", publisher="Kehui", version="1")

    def make(key, region, year, unit="kWh", series="mee_nbs"):
        EmissionFactor.objects.create(
            key=key, name=key, dataset=own, group=RESIDUAL_GROUP, series=series,
            category="s2_electricity", unit=unit, region=region, year=year,
            co2_kg=Decimal("0.5"), source_reference="Test",
        )  # fmt: skip

    make("hebei_2022_first", "CN-HE", 2022, unit="MWh")
    make("hebei_2022_newest", "CN-HE", 2022)
    make("own_national_2022", "CN", 2022)
    make("north_grid_ets", "CN-North", 2023, series="cn_ets")  # another series: never used


@pytest.mark.parametrize(
    ("plant", "year", "expected"),
    [
        ("hebei_plant", 2022, ("hebei_2022_newest", "province", "exact")),
        ("hebei_plant", 2021, ("hebei_2022_newest", "province", "proxy")),
        ("hebei_plant", 2024, ("hebei_2022_newest", "province", "lagged")),
        ("shanxi_plant", 2022, ("own_national_2022", "country", "exact")),
        (
            "shanxi_plant",
            2020,
            ("grid_electricity_cn_national_excl_market_nonfossil_2021", "country", "proxy"),
        ),
        (
            "shanxi_plant",
            2025,
            ("grid_electricity_cn_national_excl_market_nonfossil_2023", "country", "lagged"),
        ),
    ],
)
def test_records_and_the_scope_2_residual_mix_choose_the_same_factor(
    request, organisation, own_residual_factors, plant, year, expected
):
    facility = request.getfixturevalue(plant)
    residual_type = ActivityType(
        code="residual_mix", name="Residual mix", category="s2_electricity", method="factor",
        factor_group=RESIDUAL_GROUP, default_unit="kWh",
    )  # fmt: skip
    record = ActivityRecord(facility=facility, activity_type=residual_type, unit="kWh")
    record.year = year
    by_record = RecordCalculator(organisation).choose_factor(record)

    regions = Facility.objects.values("id", "province", "grid_region", "country").get(
        pk=facility.pk
    )
    by_scope2 = _ResidualChooser(organisation, [regions]).choose(regions, year)

    assert by_record == by_scope2
    assert (by_record.factor.key, by_record.region_match, by_record.year_match) == expected
