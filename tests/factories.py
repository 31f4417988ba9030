"""Rows the tests make again and again, made one way (fixtures in tests/conftest.py wrap them)."""

import datetime as dt

from emissions.activities.models import ActivityRecord, ActivityType


def make_record(
    facility,
    type_code: str,
    quantity,
    unit: str,
    *,
    start: dt.date = dt.date(2023, 3, 1),
    end: dt.date = dt.date(2023, 3, 31),
    data_quality: str = "invoice",
    save: bool = True,
    **fields,
) -> ActivityRecord:
    """An activity record, validated and saved (so calculated) as a form would save it.

    Needs the organisation profile (the `organisation` fixture) to calculate. With save=False,
    the record is returned unvalidated and unsaved, for a test of its validation.
    """
    record = ActivityRecord(
        facility=facility,
        activity_type=ActivityType.objects.get(code=type_code),
        period_start=start,
        period_end=end,
        quantity=quantity,
        unit=unit,
        data_quality=data_quality,
        **fields,
    )
    if save:
        record.full_clean()
        record.save()
    return record


def metered(year: int, month: int = 3) -> dict:
    """make_record's period (the 1st to the 28th of the month) and a metered data quality."""
    return {
        "start": dt.date(year, month, 1),
        "end": dt.date(year, month, 28),
        "data_quality": "metered",
    }


def user_in_roles(django_user_model, username: str, *roles: str, staff: bool = True):
    """A user in these role groups (emissions/roles/definitions.py), password `<name>-pass-123`.

    Staff by default: Data editors, Approvers and Administrators work in the admin too.
    """
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username, password=f"{username}-pass-123", is_staff=staff
    )
    user.groups.set(Group.objects.filter(name__in=roles))
    return user


# A wind farm's filing code (建档立卡) as the tests' GECs carry it: 17 letters or digits.
GEC_PROJECT = "11301232024000017"


def gec_code(sequence: int, *, year: int = 2024, month: int = 1, project: str = GEC_PROJECT) -> str:
    """A 32-character GEC code: project, production YYYYMM, 7-digit sequence, classes 1 and 1."""
    return f"{project}{year:04d}{month:02d}{sequence:07d}11"


def gec_codes(first: int, count, **month) -> dict:
    """The first and last codes of `count` GECs from sequence `first`, as the service takes them."""
    return {
        "gec_code_first": gec_code(first, **month),
        "gec_code_last": gec_code(first + int(count) - 1, **month),
    }
