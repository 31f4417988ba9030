import datetime as dt

import pytest

from emissions.activities.models import ActivityRecord, ActivityType
from emissions.facilities.models import Facility, Organisation


@pytest.fixture
def organisation(db):
    organisation = Organisation(name_en="Kehui test", base_year=2019, gwp_basis="AR5")
    organisation.save()
    return organisation


@pytest.fixture
def hebei_plant(db):
    return Facility.objects.create(
        code="XT-01",
        name_en="Xingtai main plant",
        kind="factory",
        province="CN-HE",
        grid_region="CN-North",
        opened_on=dt.date(2008, 1, 1),
    )


@pytest.fixture
def us_plant(db):
    return Facility.objects.create(
        code="US-01", name_en="Ohio plant", kind="factory", country="US",
        opened_on=dt.date(2010, 1, 1),
    )


@pytest.fixture
def make_record(organisation):
    def make(facility, type_code, quantity, unit, *, start=dt.date(2023, 3, 1),
             end=dt.date(2023, 3, 31), save=True):
        record = ActivityRecord(
            facility=facility,
            activity_type=ActivityType.objects.get(code=type_code),
            period_start=start,
            period_end=end,
            quantity=quantity,
            unit=unit,
            data_quality="invoice",
        )
        if save:
            record.full_clean()
            record.save()
        return record

    return make
