"""Results remembered for one PostgreSQL snapshot: read again only when something committed.

Which committed rows a statement sees is decided by its snapshot: the oldest transaction still
running, the next transaction id, and the ids running in between (`pg_current_snapshot()`,
e.g. "8102:8105:8102,8104"). Two snapshots with the same text see exactly the same committed
data, and every commit or rollback, by any process, changes the text (its transaction leaves
the running list, or the next id moves on). So a result computed from the inventory may be
given again to any later request whose snapshot text is the same, in any thread of this
process, with nothing to invalidate and nothing that can go stale when another server or a
task worker writes: their commit changes the snapshot this process reads next.

Only outside transactions (Django's autocommit): inside one, a request sees its own uncommitted
writes, which the snapshot text does not show. On SQLite (the embedded demo database) there is
no such snapshot; results are computed every time, as before.

A request that reads the snapshot and then its data may see a commit in between; what it keeps
is then newer than its key, which only a request that read the same, older, snapshot (one
running at the same moment) can be given: committed data, never a rolled-back or stale one.
"""

import functools
import threading
from collections import OrderedDict

from django.db import connection


class Remembered:
    """The last few results by their keys (per process; a result is never changed, and a key
    holds every input, so another process changing the data cannot leave one stale here).

    Locked: a threaded server (runserver, gunicorn's gthread workers) may share it.
    """

    def __init__(self, size: int):
        self.size = size
        self.results: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            result = self.results.get(key)
            if result is not None:
                self.results.move_to_end(key)
            return result

    def keep(self, key, result):
        with self.lock:
            self.results[key] = result
            while len(self.results) > self.size:
                self.results.popitem(last=False)
        return result

    def forget(self, year: int | None = None):
        """Forget every result, or those whose key starts with `year` (market-based Scope 2's
        per-year results: the benchmark's "this year's data changed")."""
        with self.lock:
            if year is None:
                self.results.clear()
            else:
                for key in [key for key in self.results if key[0] == year]:
                    del self.results[key]


# A handful of pages and arguments per snapshot; a write starts a new snapshot and the old
# keys age out.
_REMEMBERED = Remembered(size=16)


def current_snapshot() -> str | None:
    """The snapshot a new statement would see, or None where results must not be remembered."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_snapshot()::text")
        (snapshot,) = cursor.fetchone()
    # The database name too: a test run's database can share a snapshot text with another's.
    return f"{connection.settings_dict['NAME']}:{snapshot}"


def remembered(name: str, arguments: tuple, compute):
    """compute(), or what it gave before under the same database snapshot and arguments."""
    snapshot = current_snapshot()
    if snapshot is None:
        return compute()
    key = (snapshot, name, arguments)
    result = _REMEMBERED.get(key)
    if result is None:
        result = _REMEMBERED.keep(key, compute())
    return result


def forget():
    """Forget every remembered result (the benchmark's "nothing remembered")."""
    _REMEMBERED.forget()


def per_snapshot(function):
    """`function`, remembered per snapshot and arguments as `remembered` says. Arguments that
    cannot be a key (a dict, a balance holding one) call it every time."""
    name = f"{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        arguments = (_frozen(args), _frozen(sorted(kwargs.items())))
        try:
            hash(arguments)
        except TypeError:
            return function(*args, **kwargs)
        return remembered(name, arguments, lambda: function(*args, **kwargs))

    return wrapper


def _frozen(value):
    """Lists and tuples (nested) as tuples, sets as frozensets: [2025] and (2025,) are one key."""
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, set | frozenset):
        return frozenset(value)
    return value
