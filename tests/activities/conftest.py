import datetime as dt

import pytest

from emissions.activities.models import ActivityRecord, ActivityType
from emissions.facilities.models import Facility


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
