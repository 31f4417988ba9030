"""The inventory's balances are remembered per PostgreSQL snapshot, and never given stale.

Outside a transaction (as requests run) a second read with nothing committed in between costs
one query; any commit, by this connection or another, and any rollback leave the next read
computing again. Inside a transaction nothing is remembered (it would see its own writes).
"""

import datetime as dt
from decimal import Decimal

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from emissions.neutrality import snapshot
from emissions.neutrality.inventory import (
    balances_on_both_bases,
    energy_year,
    evidence_coverage,
    yearly_balance,
)

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="snapshots are PostgreSQL's (SQLite recomputes)"
)

GRID_KG = Decimal("60960.000000")  # 100,000 kWh × 0.6096 residual (test_balance.py)


@pytest.fixture(autouse=True)
def nothing_remembered():
    snapshot.forget()
    yield
    snapshot.forget()


def undisturbed(run, attempts: int = 50):
    """run()'s result, run again (with nothing remembered) until no other process committed
    while it ran: transaction ids are the cluster's, so another test worker's commit in its own
    database changes this database's snapshot text too, as it would in production (a
    recalculation, never a stale result)."""
    for _ in range(attempts):
        snapshot.forget()
        before = snapshot.current_snapshot()
        result = run()
        if snapshot.current_snapshot() == before:
            return result
    pytest.fail(f"other processes committed during each of {attempts} attempts")


def gross_kg() -> Decimal:
    (balance,) = yearly_balance()
    return balance.gross_kg


def second_connection():
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_second_read_with_nothing_committed_costs_one_query(
    organisation, hebei_plant, make_record
):
    make_record(hebei_plant, "grid_electricity", "100000", "kWh")

    def twice():
        first = balances_on_both_bases()
        with CaptureQueriesContext(connection) as queries:
            again = balances_on_both_bases()
        return first, again, len(queries)

    first, again, queries = undisturbed(twice)
    assert queries == 1  # the snapshot
    assert again == first
    assert again.with_pending is not first.with_pending  # each caller gets its own lists


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_commit_on_this_connection_is_read_at_once(organisation, hebei_plant, make_record):
    make_record(hebei_plant, "grid_electricity", "100000", "kWh")
    assert gross_kg() == GRID_KG
    make_record(hebei_plant, "grid_electricity", "100000", "kWh", start=dt.date(2023, 2, 1),
                end=dt.date(2023, 2, 28))  # fmt: skip
    assert gross_kg() == 2 * GRID_KG


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_any_commit_by_another_process_changes_the_snapshot(organisation):
    # Nothing committed: the same snapshot (undisturbed: no other test worker committed).
    undisturbed(lambda: None)
    before = snapshot.current_snapshot()
    with second_connection() as other:
        other.execute("SELECT pg_current_xact_id()")  # a transaction with an id, committed
    assert snapshot.current_snapshot() != before


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_is_never_given(organisation, hebei_plant, make_record):
    make_record(hebei_plant, "grid_electricity", "100000", "kWh")
    assert gross_kg() == GRID_KG

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        make_record(hebei_plant, "grid_electricity", "100000", "kWh", start=dt.date(2023, 2, 1),
                    end=dt.date(2023, 2, 28))  # fmt: skip
        assert gross_kg() == 2 * GRID_KG  # its own write, seen inside and not remembered
        raise Undo
    assert gross_kg() == GRID_KG


@pytest.mark.django_db
def test_inside_a_transaction_nothing_is_remembered(organisation, hebei_plant, make_record):
    make_record(hebei_plant, "grid_electricity", "100000", "kWh")
    assert snapshot.current_snapshot() is None  # the test runs in a transaction
    with CaptureQueriesContext(connection) as first:
        balances_on_both_bases()
    with CaptureQueriesContext(connection) as again:
        balances_on_both_bases()
    assert len(again) == len(first) > 1  # read again in full


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_reports_reads_are_remembered_the_same_way(organisation, hebei_plant, make_record):
    make_record(hebei_plant, "grid_electricity", "100000", "kWh")

    def twice():
        first = energy_year(2023, facility_ids=[hebei_plant.pk], approved_only=False)
        coverage = evidence_coverage(2023, approved_only=False)
        with CaptureQueriesContext(connection) as queries:
            # A list or a tuple of ids is one key.
            again = energy_year(2023, facility_ids=(hebei_plant.pk,), approved_only=False)
            coverage_again = evidence_coverage(2023, approved_only=False)
        return again is first and coverage_again is coverage, len(queries)

    assert undisturbed(twice) == (True, 2)  # the snapshot, twice
    make_record(hebei_plant, "grid_electricity", "100000", "kWh", start=dt.date(2023, 2, 1),
                end=dt.date(2023, 2, 28))  # fmt: skip
    assert evidence_coverage(2023, approved_only=False).records == 2


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_arguments_that_cannot_be_a_key_are_computed_every_time(organisation):
    calls = []

    @snapshot.per_snapshot
    def count(options):
        calls.append(options)
        return len(calls)

    assert (count({"a": 1}), count({"a": 1})) == (1, 2)  # a dict: no key, computed twice
    assert (count([1, 2]), count((1, 2))) == (3, 3)  # remembered under one key
