"""The worked example of docs/methodology.md ("Product footprints"), as fixtures."""

import datetime as dt
from decimal import Decimal

import pytest

from emissions.products.models import AllocationBasis, Precursor, Process, Product, Production
from tests.factories import make_record, user_in_roles

YEAR = 2025


def _month(month: int, year: int = YEAR) -> dict:
    return {
        "start": dt.date(year, month, 1),
        "end": dt.date(year, month, 28),
        "status": "approved",
    }


def worked_example(plant, year: int = YEAR):
    """The records, process, production and precursor of the worked example, in `year`."""
    for month in (3, 9):
        make_record(plant, "natural_gas_stationary", Decimal(25000), "m3", **_month(month, year))
        make_record(plant, "grid_electricity", Decimal(500000), "kWh", **_month(month, year))
    in_review = {**_month(10, year), "status": "submitted"}
    make_record(plant, "grid_electricity", Decimal(100000), "kWh", **in_review)
    process = Process.objects.create(
        facility=plant,
        name="Hot rolling",
        allocation_basis=AllocationBasis.MASS,
        justification="Both products leave the same mill by weight.",
    )
    coil = Product.objects.create(code="hrc", name_en="Hot-rolled coil", cn_code="72083900")
    plate = Product.objects.create(code="plate", name_en="Heavy plate", cn_code="72085120")
    for product, month, tonnes in ((coil, 3, 300), (coil, 9, 300), (plate, 9, 400)):
        Production.objects.create(
            process=process,
            product=product,
            year=year,
            month=month,
            quantity=Decimal(tonnes),
            machine_hours=Decimal(400 if product == coil else 1200),
            value_cny=Decimal(tonnes * 4000),
        )
    Precursor.objects.create(
        facility=plant,
        product=coil,
        year=year,
        name="Steel billets",
        quantity_t=Decimal(630),
        default_kg_per_t=Decimal(1850),
        default_source="Worked example: the billet mill's stated average",
    )
    return process, coil, plate


@pytest.fixture
def coil_and_plate(organisation, hebei_plant):
    return worked_example(hebei_plant)


@pytest.fixture
def reader(client, django_user_model):
    """A Viewer (the role that reads every product page), logged in."""
    client.force_login(user_in_roles(django_user_model, "reader", "Viewer"))
    return client
