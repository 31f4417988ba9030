"""Credit batches, retirements and their reversals."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emissions.facilities import periods

from .. import selectors
from ..models import (
    CreditBatch,
    CreditProject,
    Retirement,
    RetirementPurpose,
    RetirementReversal,
)
from ._rules import _invalid, _number, _require_positive, _serial_count, _take_turns

# Carbon credits


def add_credit_batch(
    *,
    project: CreditProject,
    vintage_year: int,
    quantity_t: Decimal,
    serial_first: int,
    serial_last: int,
    purchased_on: dt.date,
    price_per_t: Decimal | None = None,
    currency: str = "CNY",
) -> CreditBatch:
    """Record a batch of credits bought: its serials must be new to the project's registry."""
    batch = CreditBatch(
        project=project,
        vintage_year=vintage_year,
        quantity_t=quantity_t,
        serial_first=serial_first,
        serial_last=serial_last,
        purchased_on=purchased_on,
        price_per_t=price_per_t,
        currency=currency,
    )
    with transaction.atomic():
        _require_positive("quantity_t", quantity_t, "tCO2e")
        batch.full_clean()
        this_year = timezone.localdate().year
        if vintage_year > this_year:
            raise _invalid(
                "vintage_year",
                _("Vintage %(vintage)s lies in the future (the current year is %(year)s)."),
                "future_vintage",
                vintage=vintage_year,
                year=this_year,
            )
        quantity_t = batch.quantity_t  # a Decimal, whatever number was passed
        count = _serial_count(serial_first, serial_last)
        if quantity_t != quantity_t.to_integral_value():
            raise _invalid(
                "quantity_t",
                _(
                    "Credits come in whole tonnes (one serial number is one tCO2e); "
                    "%(quantity)s tCO2e is not a whole number."
                ),
                "fractional_credits",
                quantity=_number(quantity_t),
            )
        if count != quantity_t:
            raise _invalid(
                "quantity_t",
                _(
                    "Serial numbers %(first)s–%(last)s are %(count)s credits, not %(quantity)s: "
                    "one serial number is one tCO2e."
                ),
                "serial_count",
                first=serial_first,
                last=serial_last,
                count=count,
                quantity=_number(quantity_t),
            )
        _take_turns(f"offsets.credit_serials.{project.standard}")
        registry_batches = CreditBatch.objects.select_for_update(of=("self",)).filter(
            project__standard=project.standard
        )
        conflict = (
            registry_batches.filter(serial_first__lte=serial_last, serial_last__gte=serial_first)
            .select_related("project")
            .order_by("serial_first")
            .first()
        )
        if conflict is not None:
            raise _invalid(
                NON_FIELD_ERRORS,
                _(
                    "Serial numbers %(first)s–%(last)s overlap batch %(batch)s on the same "
                    "registry, %(registry)s."
                ),
                "serials_overlap",
                first=serial_first,
                last=serial_last,
                batch=conflict,
                registry=project.get_standard_display(),
            )
        batch.save()
    return batch


def retire_credits(
    *,
    batch: CreditBatch,
    quantity_t: Decimal,
    retired_on: dt.date,
    claimed_year: int,
    registry_reference: str,
    purpose: str = RetirementPurpose.NEUTRALITY,
    beneficiary_statement: str = "",
) -> Retirement:
    """Record credits retired from a batch for a reporting year; never more than it holds."""
    retirement = Retirement(
        batch=batch,
        quantity_t=quantity_t,
        retired_on=retired_on,
        claimed_year=claimed_year,
        purpose=purpose,
        registry_reference=registry_reference,
        beneficiary_statement=beneficiary_statement,
    )
    with transaction.atomic():
        _require_positive("quantity_t", quantity_t, "tCO2e")
        # The reference's uniqueness is checked below, under the batch's lock, after the
        # holdings (so that of two submissions at once the second hears about the first).
        retirement.full_clean(exclude=["registry"])
        # A locked reporting year takes no more retirements (emissions/facilities/periods.py).
        periods.assert_open(retirement.claimed_year, field="claimed_year")
        # The batch row is the lock: retirements from one batch take turns, and each one
        # counts what the previous ones left.
        batch = (
            CreditBatch.objects.select_for_update(of=("self",))
            .select_related("project")
            .get(pk=batch.pk)
        )
        quantity_t, retired_on = retirement.quantity_t, retirement.retired_on
        if retired_on < batch.purchased_on:
            raise _invalid(
                "retired_on",
                _(
                    "Credits cannot be retired on %(date)s, before batch %(batch)s was bought "
                    "on %(purchased)s."
                ),
                "retired_before_purchase",
                date=retired_on.isoformat(),
                batch=batch,
                purchased=batch.purchased_on.isoformat(),
            )
        held = selectors.batch_remaining_t(batch.pk)
        if quantity_t > held:
            raise _invalid(
                "quantity_t",
                _("Batch %(batch)s holds only %(held)s tCO2e; cannot retire %(requested)s."),
                "over_retirement",
                batch=batch,
                held=_number(held),
                requested=_number(quantity_t),
            )
        retirement.batch = batch
        _assert_reference_new(retirement)
        try:
            # A retirement from another batch of the same registry holds no lock we take: the
            # unique constraint refuses the second of two such inserts.
            with transaction.atomic():
                retirement.save()
        except IntegrityError as error:
            if not _reference_taken(retirement):
                raise
            raise _reference_recorded(retirement) from error
    return retirement


def _reference_taken(retirement: Retirement) -> bool:
    same = Retirement.objects.filter(
        registry=retirement.batch.project.standard,
        registry_reference=retirement.registry_reference,
    )
    return same.exists()


def _assert_reference_new(retirement: Retirement) -> None:
    """A registry reference is recorded once: a second submission of it retires nothing."""
    if _reference_taken(retirement):
        raise _reference_recorded(retirement)


def _reference_recorded(retirement: Retirement):
    project = retirement.batch.project
    return _invalid(
        "registry_reference",
        _(
            "Registry reference “%(reference)s” is already recorded for a retirement on "
            "%(registry)s: a retirement is recorded once (was the form sent twice?)."
        ),
        "reference_recorded",
        reference=retirement.registry_reference,
        registry=project.get_standard_display(),
    )


def reverse_retirement(
    *, retirement: Retirement, quantity_t: Decimal, reversed_on: dt.date, reason: str
) -> RetirementReversal:
    """Undo (part of) a retirement as its own entry; the retirement itself is never edited."""
    reversal = RetirementReversal(
        retirement=retirement, quantity_t=quantity_t, reversed_on=reversed_on, reason=reason
    )
    with transaction.atomic():
        _require_positive("quantity_t", quantity_t, "tCO2e")
        if not (reason or "").strip():
            raise _invalid("reason", _("Say why the retirement is reversed."), "no_reason")
        reversal.full_clean()
        # The retirement row is the lock: reversals of one retirement take turns.
        retirement = (
            Retirement.objects.select_for_update(of=("self",))
            .select_related("batch__project")
            .get(pk=retirement.pk)
        )
        # Reversing changes the credits counted for the year claimed: not once it is locked.
        periods.assert_open(retirement.claimed_year, field="retirement")
        quantity_t, reversed_on = reversal.quantity_t, reversal.reversed_on
        if reversed_on < retirement.retired_on:
            raise _invalid(
                "reversed_on",
                _(
                    "A reversal cannot predate its retirement: retired on %(retired)s, "
                    "reversal dated %(date)s."
                ),
                "reversed_before_retired",
                retired=retirement.retired_on.isoformat(),
                date=reversed_on.isoformat(),
            )
        already = selectors.retirement_reversed_t(retirement.pk)
        reversible = retirement.quantity_t - already
        if quantity_t > reversible:
            raise _invalid(
                "quantity_t",
                _(
                    "Only %(reversible)s tCO2e of the retirement “%(retirement)s” can still be "
                    "reversed (%(reversed)s reversed already); cannot reverse %(requested)s."
                ),
                "over_reversal",
                reversible=_number(reversible),
                retirement=retirement,
                reversed=_number(already),
                requested=_number(quantity_t),
            )
        reversal.retirement = retirement
        reversal.save()
    return reversal
