"""Keyset ("seek") paging: a page starts after the last row of the page before it.

An OFFSET makes the database read and throw away every row before the page, so page 10,000 of
the ledger costs 10,000 pages; a position written into the next/previous links (the sort
values of the last or first row shown, and its id) lets the query start there instead:

    WHERE period_start <= d AND (period_start < d OR (period_start = d AND id < 123))
    ORDER BY period_start DESC, id DESC LIMIT 51

The first condition repeats the first sort column as a bound the index on (period_start, id)
can start from; the second is the exact "after this row" for any mix of directions. Positions
are signed (django.core.signing) with the sort they belong to, so a position from another sort,
or one edited by hand, is refused with a message, never half-used.
"""

import datetime as dt
from decimal import Decimal

from django.core import signing
from django.db.models import Q

SALT = "kehui.ledger.position"


def _lookup(field: str) -> tuple[str, bool]:
    """("period_start", True) for "-period_start": the lookup path and whether descending."""
    return field.lstrip("-"), field.startswith("-")


def beyond(fields: list[str], values: list, *, backwards: bool = False) -> Q:
    """Rows strictly after `values` in the order `fields` gives (before them, `backwards`)."""
    conditions = Q(pk__in=[])
    for index, field in enumerate(fields):
        name, descending = _lookup(field)
        later = "lt" if descending != backwards else "gt"
        equal = {_lookup(f)[0]: v for f, v in zip(fields[:index], values[:index], strict=True)}
        conditions |= Q(**equal, **{f"{name}__{later}": values[index]})
    # The same bound, not strict, on the first column: where an index on it can start.
    name, descending = _lookup(fields[0])
    bound = "lte" if descending != backwards else "gte"
    return Q(**{f"{name}__{bound}": values[0]}) & conditions


def reversed_order(fields: list[str]) -> list[str]:
    """The same order backwards: ["-period_start", "-pk"] → ["period_start", "pk"]."""
    return [field[1:] if field.startswith("-") else f"-{field}" for field in fields]


def row_values(row, fields: list[str]) -> list:
    """The sort values of a row, read through its relations ("facility__code")."""
    values = []
    for field in fields:
        value = row
        for part in _lookup(field)[0].split("__"):
            value = getattr(value, part)
        values.append(value)
    return values


def _plain(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def position(sort: str, values: list) -> str:
    """The signed position of a row in a sort, for a link."""
    return signing.dumps([sort, [_plain(value) for value in values]], salt=SALT, compress=True)


def read_position(text: str, sort: str, size: int) -> list | None:
    """The values a position holds, or None when it is not one this sort gave (edited, from
    another sort, or of another length)."""
    try:
        given_sort, values = signing.loads(text, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if given_sort != sort or not isinstance(values, list) or len(values) != size:
        return None
    return values
