"""Which records a new factor dataset would move to other factors, and moving them.

A restatement (emissions/neutrality/restatements.py) previews this, then applies it: both run
the same selection here, so what is applied is what the rule says at that moment, never a
stored list that the data may have outgrown. The rule is the calculator's own
(calculation.RecordCalculator.choose_factor): a record switches when, with the new factors
loaded, its best factor is another one (a lagged 2025 record picks up a newly published 2024
factor). Records of locked years are computed but never written: they are reported apart.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from emissions.facilities.models import ReportingYearLock
from emissions.factors.models import EmissionFactor
from emissions.jobs import progress

from .calculation import RecordCalculator
from .models import ActivityRecord, EmissionMethod, ReviewStatus
from .recalculation import CALCULATED_FIELDS, snapshot_history

WRITE_BATCH = 2000


@dataclass(frozen=True)
class Switch:
    """One record that the new factors move: from which factor to which, and its CO2e."""

    record_id: int
    year: int
    facility_id: int
    scope: int
    old_factor_id: int | None
    new_factor_id: int
    before_kg: Decimal
    after_kg: Decimal
    locked: bool
    # Rejected records switch too, but no total counts them (ActivityRecord.objects.counted()).
    counted: bool

    @property
    def change_kg(self) -> Decimal:
        return self.after_kg - self.before_kg


def candidate_records(factor_ids: Iterable[int]):
    """Records of the activity types whose factor group the new factors belong to."""
    groups = set(EmissionFactor.objects.filter(pk__in=factor_ids).values_list("group", flat=True))
    return ActivityRecord.objects.filter(
        activity_type__factor_group__in=groups, activity_type__method=EmissionMethod.FACTOR
    )


def locked_years() -> set[int]:
    return set(
        ReportingYearLock.objects.filter(unlocked_at__isnull=True).values_list("year", flat=True)
    )


def switches(factor_ids: Iterable[int], *, write: bool = False, reason: str = "") -> Iterator:
    """Yield a Switch for every record whose factor the rule now chooses differently.

    The choice depends on the record's type, facility (its regions), year and unit only, so it
    is made once per such key; only the records of a key whose stored factor differs from the
    key's choice are calculated one by one. With `write`, records of open years are saved with
    the new calculation (in batches) and their history says `reason`; the caller holds the
    transaction.
    """
    records = candidate_records(factor_ids)
    calculator = RecordCalculator()
    locked = locked_years()
    keys = list(
        records.order_by()
        .values_list("activity_type_id", "facility_id", "year", "unit")
        .distinct()
        .order_by("year", "facility_id", "activity_type_id", "unit")
    )
    batch: list[ActivityRecord] = []
    for done, (type_id, facility_id, year, unit) in enumerate(keys, start=1):
        of_key = records.filter(
            activity_type_id=type_id, facility_id=facility_id, year=year, unit=unit
        ).select_related("activity_type", "facility", "other_gas")
        sample = of_key.first()
        try:
            chosen = calculator.choose_factor(sample).factor
        except ValidationError:
            continue  # no factor fits these records at all: nothing to switch them to
        for record in of_key.exclude(factor=chosen).order_by("pk").iterator(chunk_size=2000):
            old_factor_id, before_kg = record.factor_id, record.co2e_kg
            calculator.calculate(record)
            switch = Switch(
                record_id=record.pk,
                year=record.year,
                facility_id=record.facility_id,
                scope=record.scope,
                old_factor_id=old_factor_id,
                new_factor_id=record.factor_id,
                before_kg=before_kg,
                after_kg=record.co2e_kg,
                locked=record.year in locked,
                counted=record.status != ReviewStatus.REJECTED,
            )
            if write and not switch.locked:
                batch.append(record)
                if len(batch) >= WRITE_BATCH:
                    _save(batch, reason)
                    batch = []
            yield switch
        progress.report(done, len(keys))
    if write and batch:
        _save(batch, reason)


def _save(records: list[ActivityRecord], reason: str) -> None:
    with transaction.atomic():
        ActivityRecord.objects.bulk_update(records, CALCULATED_FIELDS)
        snapshot_history(
            ActivityRecord.objects.filter(pk__in=[record.pk for record in records]),
            reason=reason,
            when=timezone.now(),
        )
