"""Recalculations as background jobs (emissions/jobs): what a change queues, and how it runs.

A saved factor, GWP value, GWP basis, factor series or activity type changes stored emissions;
the saving request queues the rewrite as a job (in its own transaction, so a change that is
not saved queues nothing) and returns at once. The worker runs it all-or-nothing, one job at
a time, reporting progress; the Jobs page shows it.
"""

from django.utils.translation import gettext as _

from emissions.jobs import services
from emissions.jobs.models import Job
from emissions.jobs.registry import job_function

from .locking import open_records
from .models import ActivityRecord, RecordRollup
from .recalculation import recalculate_co2e, recalculate_factor_records, reselect_factors


@job_function
def recalculate_factors(factor_ids: list[int], reason: str = "") -> int:
    return recalculate_factor_records(factor_ids, reason=reason)


@job_function
def recalculate_all_co2e(reason: str = "") -> int:
    return recalculate_co2e(reason=reason)


def _records_to_reselect(factor_id=None, activity_type_id=None, product_ids=None, spend_year=None):
    if factor_id is not None:
        return ActivityRecord.objects.filter(factor_id=factor_id)
    if activity_type_id is not None:
        return ActivityRecord.objects.filter(activity_type_id=activity_type_id)
    if product_ids is not None:
        return ActivityRecord.objects.filter(purchased_product_id__in=product_ids)
    if spend_year is not None:
        # A year's exchange rate changed: its purchases priced by spend.
        return ActivityRecord.objects.filter(year=spend_year, factor__dataset__basis="spend")
    return ActivityRecord.objects.all()


@job_function
def reselect(
    factor_id: int | None = None,
    activity_type_id: int | None = None,
    product_ids: list[int] | None = None,
    spend_year: int | None = None,
) -> int:
    """Choose the factors again: of one factor's records, one type's, some supplier
    products' purchases, one year's spend-based purchases, or (none of these) all."""
    return reselect_factors(
        _records_to_reselect(factor_id, activity_type_id, product_ids, spend_year)
    )


def _years(**filters) -> list[int]:
    # From the rollup: one row per year, facility, type and factor, not per record.
    return sorted(set(RecordRollup.objects.filter(**filters).values_list("year", flat=True)))


def _open_count(records) -> int:
    # What the job will rewrite: locked years are passed by. One indexed count.
    return open_records(records).count()


def queue_factor_recalculation(factor_ids: list[int], *, label: str, reason: str = "") -> Job:
    return services.start(
        recalculate_factors,
        description=_("Recalculate the records of %(factors)s") % {"factors": label},
        years=_years(factor_id__in=factor_ids),
        expected_records=_open_count(ActivityRecord.objects.filter(factor_id__in=factor_ids)),
        factor_ids=sorted(factor_ids),
        reason=reason,
    )


def queue_co2e_recalculation(*, why: str) -> Job:
    return services.start(
        recalculate_all_co2e,
        description=_("Recalculate CO2e of all records: %(why)s") % {"why": why},
        expected_records=_open_count(ActivityRecord.objects.all()),
    )


def queue_reselection(
    *, label: str, factor_id=None, activity_type_id=None, product_ids=None, spend_year=None
) -> Job:
    records = _records_to_reselect(factor_id, activity_type_id, product_ids, spend_year)
    if factor_id is not None:
        years = _years(factor_id=factor_id)
    elif activity_type_id is not None:
        years = _years(activity_type_id=activity_type_id)
    elif spend_year is not None:
        years = [spend_year]
    elif product_ids is not None:
        # The rollups do not know products: the purchases' years, read from the records.
        years = sorted(set(records.values_list("year", flat=True).distinct()))
    else:
        years = ()  # every record: every year
    return services.start(
        reselect,
        description=_("Choose the factors again for %(what)s") % {"what": label},
        years=years,
        expected_records=_open_count(records),
        factor_id=factor_id,
        activity_type_id=activity_type_id,
        product_ids=product_ids,
        spend_year=spend_year,
    )
