"""ETS allowances: tracked for compliance, never an offset."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from emissions.facilities.models import Facility

from .. import selectors
from ..models import (
    AllowanceTransaction,
    AllowanceTransactionKind,
)
from ._rules import _invalid, _number, _require_positive

# ETS allowances


def record_allowance_transaction(
    *,
    facility: Facility,
    compliance_year: int,
    kind: str,
    quantity_t: Decimal,
    transacted_on: dt.date,
    price_per_t: Decimal | None = None,
    reference: str = "",
) -> AllowanceTransaction:
    """Record allowances allocated, bought, sold or surrendered; never more out than held."""
    allowance_transaction = AllowanceTransaction(
        facility=facility,
        compliance_year=compliance_year,
        kind=kind,
        quantity_t=quantity_t,
        transacted_on=transacted_on,
        price_per_t=price_per_t,
        reference=reference,
    )
    with transaction.atomic():
        _require_positive("quantity_t", quantity_t, "tCO2")
        allowance_transaction.full_clean()
        outgoing = {
            AllowanceTransactionKind.SALE: _(
                "%(facility)s holds only %(held)s tCO2 of allowances for %(year)s; "
                "cannot sell %(requested)s."
            ),
            AllowanceTransactionKind.SURRENDER: _(
                "%(facility)s holds only %(held)s tCO2 of allowances for %(year)s; "
                "cannot surrender %(requested)s."
            ),
        }
        quantity_t = allowance_transaction.quantity_t
        if kind in outgoing:
            # The facility row is the lock: what leaves its account is counted in turn.
            facility = Facility.objects.select_for_update().get(pk=facility.pk)
            held = selectors.allowances_held_t(facility_id=facility.pk, year=compliance_year)
            if quantity_t > held:
                raise _invalid(
                    "quantity_t",
                    outgoing[kind],
                    "over_surrender" if kind == AllowanceTransactionKind.SURRENDER else "oversold",
                    facility=facility,
                    held=_number(held),
                    year=compliance_year,
                    requested=_number(quantity_t),
                )
        allowance_transaction.save()
    return allowance_transaction
