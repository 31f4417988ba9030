"""Admin import/export of emission factors: custom factors only, shipped ones stay as loaded."""

from decimal import Decimal

import pytest
import tablib
from django.urls import reverse

from emissions.factors.models import EmissionFactor, FactorDataset
from emissions.factors.resources import FACTOR_COLUMNS, EmissionFactorResource

pytestmark = pytest.mark.django_db

SHIPPED_KEY = "grid_electricity_cn_he_2023"

FACTOR_ROW = {
    "key": "kehui_supplier_mix_2023",
    "name": "Supplier green-tariff mix 2023",
    "dataset": "Kehui supplier data",
    "group": "grid_electricity",
    "series": "",
    "category": "s2_electricity",
    "unit": "kWh",
    "region": "CN-HE",
    "year": "2023",
    "co2_kg": "0.5",
    "ch4_kg": "",
    "n2o_kg": "",
    "biogenic_co2_kg": "",
    "co2e_kg": "",
    "co2e_gwp_basis": "",
    "source_reference": "Supplier contract 2023-17, annex 2",
    "notes": "",
}


@pytest.fixture
def custom_dataset():
    return FactorDataset.objects.create(
        name="Kehui supplier data", publisher="Kehui procurement", version="2023"
    )


def import_rows(*rows):
    data = tablib.Dataset(
        *[[row[c] for c in FACTOR_COLUMNS] for row in rows], headers=FACTOR_COLUMNS
    )
    return EmissionFactorResource().import_data(data, dry_run=False, raise_errors=False)


def row_errors(result):
    return {row.number: row.error_dict for row in result.invalid_rows}


def test_a_custom_factor_is_imported_into_the_organisations_dataset(custom_dataset):
    result = import_rows(FACTOR_ROW)

    assert not result.has_errors() and not result.has_validation_errors(), row_errors(result)
    factor = EmissionFactor.objects.get(key=FACTOR_ROW["key"])
    assert factor.dataset == custom_dataset
    assert factor.co2_kg == Decimal("0.5")


def test_a_row_is_validated_like_the_form(custom_dataset):
    result = import_rows({**FACTOR_ROW, "key": "not a slug", "category": "nonsense"})
    errors = row_errors(result)
    assert set(errors[1]) >= {"key", "category"}
    assert not EmissionFactor.objects.filter(dataset=custom_dataset).exists()


def test_a_row_changing_a_shipped_factor_is_rejected():
    shipped = EmissionFactor.objects.select_related("dataset").get(key=SHIPPED_KEY)
    before = shipped.co2_kg
    row = {
        **FACTOR_ROW,
        "key": SHIPPED_KEY,
        "dataset": shipped.dataset.name,
        "co2_kg": "9.99",
    }
    result = import_rows(row)

    message = str(row_errors(result)[1]["key"])
    assert "is shipped with Kehui Carbon" in message
    shipped.refresh_from_db()
    assert shipped.co2_kg == before


def test_a_new_factor_in_a_shipped_dataset_is_rejected_and_nothing_is_written(custom_dataset):
    shipped_dataset = FactorDataset.objects.filter(is_shipped=True).first()
    result = import_rows(
        FACTOR_ROW, {**FACTOR_ROW, "key": "sneaky_2023", "dataset": shipped_dataset.name}
    )

    errors = row_errors(result)
    assert list(errors) == [2]
    assert "import factors into one of the organisation's own datasets" in str(errors[2])
    assert not EmissionFactor.objects.filter(key__in=[FACTOR_ROW["key"], "sneaky_2023"]).exists()


def test_an_unknown_dataset_is_a_row_error():
    result = import_rows({**FACTOR_ROW, "dataset": "No such data"})
    assert "No factor dataset with name “No such data”." in str(row_errors(result)[1]["dataset"])


def test_the_export_lists_factors_with_their_dataset_by_name():
    data = EmissionFactorResource().export(EmissionFactor.objects.filter(key=SHIPPED_KEY))
    row = dict(zip(data.headers, data[0], strict=True))
    assert row["key"] == SHIPPED_KEY
    assert row["dataset"] == EmissionFactor.objects.get(key=SHIPPED_KEY).dataset.name


def test_the_import_and_export_pages_load(admin_client):
    assert admin_client.get(reverse("admin:factors_emissionfactor_import")).status_code == 200
    response = admin_client.get(reverse("admin:factors_emissionfactor_export"))
    assert response.status_code == 200
    assert "style=" not in response.content.decode()
