"""Demo expectations for Xingtai Kehui: the two plants' electricity and gas every month and
their landfill waste every year, owed by the demo administrator."""

import datetime as dt

from emissions.activities.models import ActivityType
from emissions.facilities.models import Facility

from .models import ExpectedStream, Frequency

# (facility code, activity type code, frequency, due day)
DEMO_STREAMS = [
    ("XT-01", "grid_electricity", Frequency.MONTHLY, 10),
    ("XT-01", "natural_gas_stationary", Frequency.MONTHLY, 10),
    ("XT-02", "grid_electricity", Frequency.MONTHLY, 10),
    ("XT-02", "natural_gas_stationary", Frequency.MONTHLY, 15),
    ("XT-01", "waste_landfill", Frequency.YEARLY, 20),
]
DEMO_STREAMS_FROM = dt.date(2023, 1, 1)


def load_demo_streams(owner) -> int:
    """Create the demo's expected streams that are missing; how many were created."""
    facilities = {f.code: f for f in Facility.objects.filter(code__in={s[0] for s in DEMO_STREAMS})}
    types = {t.code: t for t in ActivityType.objects.filter(code__in={s[1] for s in DEMO_STREAMS})}
    created = 0
    for facility_code, type_code, frequency, due_day in DEMO_STREAMS:
        if facility_code not in facilities or type_code not in types:
            continue
        _stream, was_created = ExpectedStream.objects.get_or_create(
            facility=facilities[facility_code],
            activity_type=types[type_code],
            defaults={
                "frequency": frequency,
                "due_day": due_day,
                "owner": owner,
                "starts_on": DEMO_STREAMS_FROM,
            },
        )
        created += was_created
    return created
