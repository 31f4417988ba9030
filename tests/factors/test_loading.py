"""The shipped factor library: loaded completely, idempotently, and restored when edited."""

import csv
from decimal import Decimal

import pytest

from emissions.factors.loading import DATA_DIR, EPA_SPEND_KEY_PREFIX, load_shipped_factors
from emissions.factors.models import EmissionFactor, FactorDataset, Gas

pytestmark = pytest.mark.django_db


def _rows(name: str) -> list[dict]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# 157 factors from emission_factors.csv and 1,016 spend-based ones (EPA supply chain v1.2).
SHIPPED = 157 + 1016


def test_the_shipped_library_has_its_factors_and_19_gases():
    assert len(_rows("emission_factors.csv")) == 157
    assert EmissionFactor.objects.count() == SHIPPED
    assert Gas.objects.count() == 19


def test_loading_twice_creates_and_updates_nothing():
    report = load_shipped_factors()
    assert (report.created, report.updated, report.unchanged) == (0, 0, SHIPPED)
    assert report.changed_factor_ids == []
    assert report.changed_gas_codes == []
    assert report.gases == 19
    assert EmissionFactor.objects.count() == SHIPPED


def test_every_csv_row_is_in_the_database_with_its_source_reference():
    stored = {factor.key: factor for factor in EmissionFactor.objects.select_related("dataset")}
    for row in _rows("emission_factors.csv"):
        factor = stored[row["key"]]
        assert factor.source_reference == row["source_reference"], row["key"]
        assert factor.dataset.name == row["dataset"], row["key"]
        assert factor.unit == row["activity_unit"], row["key"]
        assert factor.region == row["region"], row["key"]
        assert factor.year == int(row["year"]), row["key"]
        for column in ("co2_kg", "ch4_kg", "n2o_kg", "co2e_kg"):
            expected = Decimal(row[column]) if row[column].strip() else None
            assert getattr(factor, column) == expected, (row["key"], column)


def test_every_shipped_factor_has_a_group_in_factor_groups_csv():
    groups = {row["key"]: row for row in _rows("factor_groups.csv")}
    keys = [row["key"] for row in _rows("emission_factors.csv")]
    assert set(keys) <= set(groups)
    for factor in EmissionFactor.objects.exclude(key__startswith=EPA_SPEND_KEY_PREFIX):
        assert factor.group, factor.key
        assert factor.group == groups[factor.key]["group"], factor.key
        assert factor.series == groups[factor.key]["series"], factor.key


def test_the_uk_desnz_dataset_carries_the_open_government_licence():
    dataset = FactorDataset.objects.get(name="UK DESNZ GHG Conversion Factors 2025 (flat file)")
    assert dataset.licence == "Open Government Licence v3.0 (contains public sector information)"
    assert dataset.publisher == "UK Department for Energy Security and Net Zero"
    assert dataset.is_shipped


def test_a_factor_edited_in_the_database_is_restored_and_reported_as_updated():
    factor = EmissionFactor.objects.get(key="grid_electricity_cn_he_2023")
    EmissionFactor.objects.filter(pk=factor.pk).update(co2_kg=Decimal("0.9999"))

    report = load_shipped_factors()

    factor.refresh_from_db()
    assert factor.co2_kg == Decimal("0.6516")
    assert (report.created, report.updated, report.unchanged) == (0, 1, SHIPPED - 1)
    assert report.changed_factor_ids == [factor.pk]


def test_a_gwp_edited_in_the_database_is_restored_and_reported():
    Gas.objects.filter(code="N2O").update(gwp_ar5=Decimal("300"))

    report = load_shipped_factors()

    assert Gas.objects.get(code="N2O").gwp_ar5 == Decimal("265")
    assert report.changed_gas_codes == ["N2O"]


@pytest.mark.parametrize(
    ("code", "basis", "expected"),
    [
        ("N2O", "ar5", "265"),
        ("CH4", "ar5", "28"),
        ("R-410A", "ar5", "1923.5"),
        ("R-410A", "ar6", "2255.5"),
        ("CH4", "ar6", "27.9"),
        ("N2O", "ar6", "273"),
    ],
)
def test_gases_carry_their_ipcc_gwps(code, basis, expected):
    gas = Gas.objects.get(code=code)
    assert getattr(gas, f"gwp_{basis}") == Decimal(expected)
    assert gas.gwp(basis.upper()) == Decimal(expected)
