"""The shipped US EPA spend-based factors: every row, exactly as published, loaded idempotently."""

import csv
from decimal import Decimal

import pytest

from emissions.facilities.models import Organisation
from emissions.factors.loading import (
    DATA_DIR,
    EPA_SPEND_COLUMN,
    EPA_SPEND_DATASET,
    EPA_SPEND_FILE,
    load_shipped_factors,
)
from emissions.factors.models import EmissionFactor, FactorBasis, FactorDataset
from emissions.factors.selectors import factors_in_group

pytestmark = pytest.mark.django_db

NAME = "US EPA Supply Chain GHG Emission Factors v1.2 (NAICS-6, 2021 USD)"


def _rows() -> list[dict]:
    with (DATA_DIR / EPA_SPEND_FILE).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _spend_factors():
    return EmissionFactor.objects.filter(dataset__name=NAME)


def test_the_file_has_the_1016_published_rows():
    rows = _rows()
    assert len(rows) == 1016
    assert {row["Unit"] for row in rows} == {"kg CO2e/2021 USD, purchaser price"}
    assert len({row["2017 NAICS Code"] for row in rows}) == 1016


def test_the_dataset_is_shipped_spend_data_with_its_licence():
    dataset = FactorDataset.objects.get(name=NAME)
    assert dataset.basis == FactorBasis.SPEND
    assert dataset.is_shipped
    assert (dataset.publisher, dataset.version) == ("US EPA", "1.2 (2023)")
    assert "https://pasteur.epa.gov/license/sciencehub-license.html" in dataset.licence
    assert "public domain" in dataset.licence
    assert "https://doi.org/10.23719/1528686" in dataset.source_reference


def test_1016_spend_factors_one_per_naics_code():
    factors = _spend_factors()
    assert factors.count() == 1016
    assert set(factors.values_list("unit", "region", "year", "category", "series")) == {
        ("USD", "US", 2021, "s3_01", "")
    }
    assert set(factors.values_list("co2e_gwp_basis", flat=True)) == {"AR4"}
    assert not factors.exclude(co2_kg=None, ch4_kg=None, n2o_kg=None).exists()


@pytest.mark.parametrize(
    "naics, co2e, name",
    [
        ("331110", "0.979", "Iron and Steel Mills and Ferroalloy Manufacturing (NAICS 331110)"),
        ("327310", "3.858", "Cement Manufacturing (NAICS 327310)"),
        ("111110", "1.326", "Soybean Farming (NAICS 111110)"),
    ],
)
def test_a_factor_is_the_with_margins_value_exactly(naics, co2e, name):
    factor = EmissionFactor.objects.get(key=f"epa-sc-v1-2-{naics}")
    assert factor.co2e_kg == Decimal(co2e)
    assert factor.name == f"{name}, spend-based"
    assert factor.group == f"spend-naics-{naics}"
    assert factor.dataset.name == NAME
    assert EPA_SPEND_COLUMN in factor.source_reference
    assert "https://doi.org/10.23719/1528686" in factor.source_reference


def test_every_row_is_stored_exactly_as_published():
    stored = dict(_spend_factors().values_list("key", "co2e_kg"))
    for row in _rows():
        key = f"epa-sc-v1-2-{row['2017 NAICS Code']}"
        assert stored[key] == Decimal(row[EPA_SPEND_COLUMN]), key


def test_the_calculation_finds_them_with_an_organisations_default_series():
    series = Organisation().factor_series
    assert "" in series
    (factor,) = factors_in_group("spend-naics-331110", series=series, regions=["US"])
    assert factor.key == "epa-sc-v1-2-331110"


def test_loading_again_creates_and_changes_nothing():
    before = {factor.key: (factor.pk, factor.co2e_kg, factor.name) for factor in _spend_factors()}
    history = EmissionFactor.history.filter(key__startswith="epa-sc-v1-2-").count()
    dataset_history = FactorDataset.history.filter(name=NAME).count()

    report = load_shipped_factors()

    assert (report.created, report.updated) == (0, 0)
    assert report.changed_factor_ids == []
    after = {factor.key: (factor.pk, factor.co2e_kg, factor.name) for factor in _spend_factors()}
    assert after == before
    assert EmissionFactor.history.filter(key__startswith="epa-sc-v1-2-").count() == history
    assert FactorDataset.history.filter(name=NAME).count() == dataset_history


def test_an_edited_spend_factor_is_restored_and_reported():
    factor = EmissionFactor.objects.get(key="epa-sc-v1-2-327310")
    EmissionFactor.objects.filter(pk=factor.pk).update(co2e_kg=Decimal("9.999"))

    report = load_shipped_factors()

    factor.refresh_from_db()
    assert factor.co2e_kg == Decimal("3.858")
    assert (report.created, report.updated) == (0, 1)
    assert report.changed_factor_ids == [factor.pk]


def test_a_first_load_creates_them_in_bulk_with_their_history():
    _spend_factors().delete()
    EmissionFactor.history.filter(key__startswith="epa-sc-v1-2-").delete()
    FactorDataset.objects.filter(name=NAME).update(basis=FactorBasis.AVERAGE)

    report = load_shipped_factors()

    assert report.created == 1016
    assert _spend_factors().count() == 1016
    created = EmissionFactor.history.filter(key__startswith="epa-sc-v1-2-", history_type="+")
    assert created.count() == 1016
    assert FactorDataset.objects.get(name=NAME).basis == EPA_SPEND_DATASET["basis"]
