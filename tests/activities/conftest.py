import datetime as dt

import pytest

from emissions.facilities.models import Facility


@pytest.fixture
def us_plant(db):
    return Facility.objects.create(
        code="US-01", name_en="Ohio plant", kind="factory", country="US",
        opened_on=dt.date(2010, 1, 1),
    )
