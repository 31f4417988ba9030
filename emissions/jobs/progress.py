"""How far a running job has got, visible to the Jobs page while the job's transaction is open.

A job's changes commit all together at its end, so progress written through the job's own
connection would appear only when there is nothing left to report. In a worker on PostgreSQL
it is written through a second connection of its own, committed at once. Elsewhere (the
immediate backend of the tests, SQLite's single writer) it goes through the job's connection:
recorded, and seen when the job ends.

Job functions call `report(done, total)`; outside a job it does nothing.
"""

import time
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, connections
from django.utils import timezone

from .models import Job

Reporter = Callable[[int, int], None]
_reporter: ContextVar[Reporter | None] = ContextVar("job_progress", default=None)
# At most one write per interval from a tight loop; the first and the last always go.
MIN_INTERVAL_SECONDS = 1.0


def report(done: int, total: int) -> None:
    reporter = _reporter.get()
    if reporter is not None:
        reporter(done, total)


@contextmanager
def reporting(job_id: int, *, own_connection: bool):
    side = None
    if own_connection and connection.vendor == "postgresql":
        side = connections.create_connection("default")
    written = {"at": 0.0}

    def write(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - written["at"] < MIN_INTERVAL_SECONDS:
            return
        written["at"] = now
        if side is None:
            Job.objects.filter(pk=job_id).update(done=done, total=total)
            return
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Job._meta.db_table} SET done = %s, total = %s, progress_at = %s "
                "WHERE id = %s",
                [done, total, timezone.now(), job_id],
            )

    token = _reporter.set(write)
    try:
        yield
    finally:
        _reporter.reset(token)
        if side is not None:
            side.close()
