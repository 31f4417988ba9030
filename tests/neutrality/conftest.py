import datetime as dt
from decimal import Decimal

import pytest

from emissions.facilities.models import Facility
from emissions.neutrality.models import Target
from emissions.offsets.models import (
    CreditBatch,
    CreditProject,
    EnergyCertificate,
    Retirement,
    RetirementReversal,
)
from tests import factories


def _facility(code, **fields):
    return Facility.objects.create(
        code=code,
        name_en=f"Plant {code}",
        kind="factory",
        opened_on=dt.date(2008, 1, 1),
        **fields,
    )


@pytest.fixture
def hebei_plant(db):
    return _facility("XT-01", province="CN-HE", grid_region="CN-North")


@pytest.fixture
def second_hebei_plant(db):
    return _facility("XT-02", province="CN-HE", grid_region="CN-North")


@pytest.fixture
def us_plant(db):
    return _facility("US-01", country="US")


@pytest.fixture
def make_record(organisation):
    """Save a calculated record for a whole year (or the given period)."""

    def make(facility, type_code, quantity, unit, *, year=2023, start=None, end=None):
        start, end = start or dt.date(year, 1, 1), end or dt.date(year, 12, 31)
        return factories.make_record(
            facility, type_code, Decimal(quantity), unit, start=start, end=end
        )

    return make


@pytest.fixture
def make_certificate(db):
    """Certificates made directly through the model (the offsets services are separate work)."""
    serials = iter(range(1, 10**6, 1000))

    def make(
        mwh, *, facility=None, year=2023, factor="0", scheme="gec", technology="wind", market=None
    ):
        """`market` defaults to the facility's country (CN for organisation-wide ones)."""
        first = next(serials)
        return EnergyCertificate.objects.create(
            scheme=scheme,
            registry="China GEC platform",
            technology=technology,
            serial_first=first,
            serial_last=first + 999,
            generation_start=dt.date(year, 1, 1),
            generation_end=dt.date(year, 12, 31),
            mwh=Decimal(mwh),
            facility=facility,
            market_country=market or (facility.country if facility else "CN"),
            reporting_year=year,
            kg_co2e_per_kwh=Decimal(factor),
        )

    return make


@pytest.fixture
def make_retirement(db):
    """Retire credits of a new batch of a (new or existing) project; return the retirement."""
    projects = {}
    serials = iter(range(1, 10**9, 10**5))

    def make(
        tonnes,
        *,
        kind,
        standard="ccer",
        project_type="afforestation",
        vintage=2022,
        retired_on=dt.date(2024, 3, 31),
        claimed_year=2023,
        purpose="neutrality",
        reference=None,
    ):
        key = (standard, project_type, kind)
        if key not in projects:
            projects[key] = CreditProject.objects.create(
                name=f"{standard} {project_type}",
                standard=standard,
                registry_project_id=f"P-{len(projects) + 1}",
                project_type=project_type,
                kind=kind,
            )
        first = next(serials)
        batch = CreditBatch.objects.create(
            project=projects[key],
            vintage_year=vintage,
            quantity_t=Decimal(tonnes),
            serial_first=first,
            serial_last=first + 99_999,
            purchased_on=dt.date(vintage, 12, 1),
        )
        return Retirement.objects.create(
            batch=batch,
            quantity_t=Decimal(tonnes),
            retired_on=retired_on,
            claimed_year=claimed_year,
            purpose=purpose,
            registry_reference=reference or f"R-{first}",
        )

    return make


@pytest.fixture
def reverse_retirement(db):
    def reverse(retirement, tonnes):
        return RetirementReversal.objects.create(
            retirement=retirement,
            quantity_t=Decimal(tonnes),
            reversed_on=dt.date(2024, 6, 30),
            reason="Registry cancelled part of the retirement.",
        )

    return reverse


@pytest.fixture
def neutrality_target(db):
    """Carbon neutral by 2030 from 2019: Scopes 1 and 2 (market) and business travel."""
    return Target.objects.create(
        name="Carbon neutral 2030",
        kind="neutrality",
        base_year=2019,
        target_year=2030,
        covers_scope1=True,
        covers_scope2=True,
        scope2_method="market",
        scope3_categories=["s3_06"],
    )
