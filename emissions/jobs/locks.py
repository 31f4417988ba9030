"""PostgreSQL advisory locks: one job at a time, and telling a dead worker's job from a live one.

- While a worker runs a job it holds a session lock on the job's id. The lock goes when the
  worker's connection does, so a `kill -9`ed worker leaves a job that is "running" but whose
  lock anyone can take: that job is dead (its transaction was rolled back with it).
- Inside its transaction, a job takes one transaction lock shared by all jobs: two jobs that
  could write the same records never run at once (the second waits).

SQLite (development) has neither; it runs one writer at a time anyway.
"""

from django.db import connection

JOB_NAMESPACE = 4_100_016  # the first key of every lock taken here (an arbitrary constant)
ALL_JOBS = 0


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def hold_job(job_id: int) -> None:
    if _postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [JOB_NAMESPACE, job_id])


def release_job(job_id: int) -> None:
    if _postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [JOB_NAMESPACE, job_id])


def one_job_at_a_time() -> None:
    """Wait for any other job's transaction to end (call inside the job's transaction)."""
    if _postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [JOB_NAMESPACE, ALL_JOBS])


def is_held(job_id: int) -> bool:
    """Whether some live worker holds the job (always True where locks don't exist)."""
    if not _postgresql():
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [JOB_NAMESPACE, job_id])
        (taken,) = cursor.fetchone()
        if taken:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [JOB_NAMESPACE, job_id])
    return not taken
