"""Locked reporting years: what a verified inventory may no longer change, and the lock itself.

An approver locks a year once its inventory is verified; from then on the records,
retirements and certificates of that year are neither created, edited nor deleted — every
admin, import and service that writes them asks `assert_open` first — and set-based
recalculations leave its records alone. An administrator unlocks it again, giving a reason;
the lock row is kept with who unlocked it, when and why.

This module lives in the lowest layer (facilities) so that activities and offsets can ask it.
"""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ReportingYearLock


def active_locks() -> QuerySet:
    """The locks in force (not unlocked), with who locked each year."""
    return ReportingYearLock.objects.filter(unlocked_at__isnull=True).select_related("locked_by")


def locks_by_year() -> dict[int, ReportingYearLock]:
    """{year: its lock} for every locked year (one query)."""
    return {lock.year: lock for lock in active_locks()}


def lock_for(year: int | None) -> ReportingYearLock | None:
    """The year's lock in force, or None when the year is open (one query)."""
    if year is None:
        return None
    return active_locks().filter(year=year).first()


def locked_message(lock: ReportingYearLock) -> str:
    """Why something of the lock's year cannot change, naming the year, when and who."""
    return _(
        "Reporting year %(year)s is locked since %(date)s by %(user)s (verified); an "
        "administrator must unlock it before it can change."
    ) % {
        "year": lock.year,
        "date": timezone.localdate(lock.locked_at).isoformat(),
        "user": lock.locked_by.get_username(),
    }


def assert_open(
    *years: int | None, among: QuerySet | None = None, field: str | None = None
) -> None:
    """Raise ValidationError naming each locked year among `years` (None is ignored).

    `among` adds the years a queryset yields (`.values("year")`), in the same one query.
    With `field`, the error is keyed by that form field; else it is a non-field error.
    """
    wanted = {year for year in years if year is not None}
    if not wanted and among is None:
        return
    condition = Q(year__in=wanted)
    if among is not None:
        condition |= Q(year__in=among)
    _refuse(active_locks().filter(condition), field)


def assert_open_from(year: int | None, *, field: str | None = None) -> None:
    """Refuse a change that counts in every year from `year` on (e.g. own tree planting)."""
    if year is None:
        return
    _refuse(active_locks().filter(year__gte=year), field)


def _refuse(locks: QuerySet, field: str | None) -> None:
    _hold(locks)
    messages = [
        ValidationError(locked_message(lock), code="year_locked") for lock in locks.order_by("year")
    ]
    if messages:
        raise ValidationError({field: messages} if field else messages)


def _hold(locks: QuerySet) -> None:
    """Inside a transaction on PostgreSQL: wait while a lock of these years is being written.

    A writer that found a year open would otherwise still commit after an approver locked
    it. Writers share the year's advisory lock; lock_year takes it exclusively, so the check
    and the write happen wholly before or wholly after the lock. (SQLite has one writer.)
    """
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(hashtext(%s))", [_LOCK_KEY])


_LOCK_KEY = "facilities.reporting_year_lock"


def _take_exclusive() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [_LOCK_KEY])


def lock_year(*, year: int, user, note: str = "") -> ReportingYearLock:
    """Lock a verified reporting year; ValidationError when it is locked already."""
    with transaction.atomic():
        _take_exclusive()
        existing = active_locks().select_for_update(of=("self",)).filter(year=year).first()
        if existing is not None:
            raise ValidationError(
                _("Reporting year %(year)s is already locked (since %(date)s by %(user)s).")
                % {
                    "year": year,
                    "date": timezone.localdate(existing.locked_at).isoformat(),
                    "user": existing.locked_by.get_username(),
                },
                code="already_locked",
            )
        lock = ReportingYearLock(
            year=year, locked_at=timezone.now(), locked_by=user, note=(note or "").strip()
        )
        lock.full_clean()
        lock._history_user = user  # the history names the approver, also outside a request
        lock.save()
    return lock


def unlock_year(*, year: int, user, reason: str) -> ReportingYearLock:
    """Unlock a locked year, keeping who did it, when and why; ValidationError if it may not."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the year is unlocked: the reason is kept with the lock.")},
            code="no_reason",
        )
    with transaction.atomic():
        _take_exclusive()
        lock = active_locks().select_for_update(of=("self",)).filter(year=year).first()
        if lock is None:
            raise ValidationError(
                _("Reporting year %(year)s is not locked.") % {"year": year}, code="not_locked"
            )
        lock.unlocked_at = timezone.now()
        lock.unlocked_by = user
        lock.unlock_reason = reason
        lock.full_clean()
        lock._history_user = user
        lock.save()
    return lock
