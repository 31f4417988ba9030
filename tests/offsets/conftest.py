import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

import pytest

from emissions.facilities.models import Facility
from emissions.offsets import services
from emissions.offsets.models import (
    AllowanceTransaction,
    CreditBatch,
    CreditKind,
    CreditProject,
    CreditStandard,
    EnergyCertificate,
    ProjectType,
    Retirement,
    RetirementReversal,
    TreePlanting,
)

# The period of the records the offsets tests make (tests.factories.make_record).
MARCH_2024 = {"start": dt.date(2024, 3, 1), "end": dt.date(2024, 3, 31)}

OFFSET_MODELS = [
    CreditProject,
    CreditBatch,
    Retirement,
    RetirementReversal,
    TreePlanting,
    EnergyCertificate,
    AllowanceTransaction,
]


@pytest.fixture
def casting_workshop(db):
    return Facility.objects.create(
        code="XT-02",
        name_en="Xingtai casting workshop",
        kind="factory",
        province="CN-HE",
        grid_region="CN-North",
        opened_on=dt.date(2012, 1, 1),
    )


@pytest.fixture
def ccer_forest(db):
    """A removal project on China's CCER registry."""
    return CreditProject.objects.create(
        name="Taihang afforestation",
        standard=CreditStandard.CCER,
        registry_project_id="CCER-14-001",
        project_type=ProjectType.AFFORESTATION,
        kind=CreditKind.REMOVAL,
    )


@pytest.fixture
def ccer_wind(db):
    """An avoidance project on the same CCER registry."""
    return CreditProject.objects.create(
        name="Zhangjiakou wind",
        standard=CreditStandard.CCER,
        registry_project_id="CCER-01-002",
        project_type=ProjectType.RENEWABLE_ENERGY,
        kind=CreditKind.AVOIDANCE,
    )


@pytest.fixture
def vcs_wind(db):
    """An avoidance project on Verra's registry."""
    return CreditProject.objects.create(
        name="Inner Mongolia wind",
        standard=CreditStandard.VCS,
        registry_project_id="VCS-2417",
        project_type=ProjectType.RENEWABLE_ENERGY,
        kind=CreditKind.AVOIDANCE,
    )


@pytest.fixture
def make_batch():
    """A batch through the service: `tonnes` credits from serial `first` on, bought 2024-01-15."""

    def make(project, tonnes, *, first=1, vintage=2023, purchased_on=dt.date(2024, 1, 15)):
        return services.add_credit_batch(
            project=project,
            vintage_year=vintage,
            quantity_t=Decimal(tonnes),
            serial_first=first,
            serial_last=first + tonnes - 1,
            purchased_on=purchased_on,
            price_per_t=Decimal("80.00"),
        )

    return make


@pytest.fixture
def retire():
    """Retire through the service, for 2024 unless told otherwise."""

    def retire_(batch, tonnes, *, claimed_year=2024, **kwargs):
        kwargs = {
            "retired_on": dt.date(2025, 3, 20),
            "registry_reference": f"RET-{batch.pk}-{tonnes}",
            **kwargs,
        }
        return services.retire_credits(
            batch=batch, quantity_t=Decimal(tonnes), claimed_year=claimed_year, **kwargs
        )

    return retire_


def _row_counts() -> dict[str, int]:
    """Rows in every offsets table and its history table."""
    counts = {}
    for model in OFFSET_MODELS:
        counts[model.__name__] = model.objects.count()
        counts[f"history of {model.__name__}"] = model.history.count()
    return counts


@pytest.fixture
def nothing_written(db):
    """`with nothing_written():` fails unless the block leaves every offsets table as it was."""

    @contextmanager
    def check():
        before = _row_counts()
        yield
        assert _row_counts() == before

    return check
