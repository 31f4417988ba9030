"""What every offsets service shares: messages, positive amounts, the registry lock."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _


def _number(value: Decimal) -> str:
    """A quantity as people write it: 100.000 → "100", 12.500 → "12.5"."""
    return f"{Decimal(value).normalize():f}"


def _invalid(field: str, message: str, code: str, **params) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params)})


def _require_positive(field: str, value, unit: str) -> None:
    # The database's check constraint says the same, in words only a developer reads.
    if value is not None and value <= 0:
        raise _invalid(
            field,
            _("The quantity must be more than 0 %(unit)s."),
            "not_positive",
            unit=unit,
        )


def _take_turns(key: str) -> None:
    """Wait for other transactions that check the same rule under `key` (PostgreSQL).

    SELECT … FOR UPDATE locks rows that exist, not the gap a concurrent insert fills, so two
    overlapping inserts could both find no conflict; a transaction-scoped advisory lock makes
    them take turns. SQLite lets one writer at a time in any case.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def _serial_count(serial_first: int, serial_last: int) -> int:
    return serial_last - serial_first + 1
