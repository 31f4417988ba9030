"""The columns rollup_sql.py names are the models' columns, and the migrations install its SQL.

Migration 0009 runs a frozen copy of the trigger SQL. A field added to or removed from the
rollups or the records they read must come with a change to rollup_sql.py and a new migration
that installs the triggers again; these tests fail until both exist.
"""

import re

import pytest
from django.db import connection

from emissions.activities import rollup_sql
from emissions.activities.models import ActivityRecord, MonthRollup, RecordRollup

MODELS = [
    pytest.param(rollup_sql.RECORD_ROLLUP, RecordRollup, id="record_rollup"),
    pytest.param(rollup_sql.MONTH_ROLLUP, MonthRollup, id="month_rollup"),
]


def columns(model) -> set[str]:
    return {field.column for field in model._meta.concrete_fields}


def test_rollup_sql_covers_both_rollup_models():
    assert {rollup.table for rollup in rollup_sql.ROLLUPS} == {
        RecordRollup._meta.db_table,
        MonthRollup._meta.db_table,
    }
    assert ActivityRecord._meta.db_table == rollup_sql.RECORDS


@pytest.mark.parametrize(("rollup", "model"), MODELS)
def test_the_key_and_sums_are_exactly_the_rollup_models_columns(rollup, model):
    assert rollup.table == model._meta.db_table
    assert len(set(rollup.columns)) == len(rollup.columns)
    assert set(rollup.columns) == columns(model) - {model._meta.pk.column}


@pytest.mark.parametrize(("rollup", "model"), MODELS)
def test_the_nullable_key_columns_are_the_nullable_fields(rollup, model):
    nullable = {field.column for field in model._meta.concrete_fields if field.null}
    assert set(rollup.nullable) == nullable & set(rollup.key)
    # A record column that may be NULL in the key must be nullable in the rollup too.
    record_nullable = {f.column for f in ActivityRecord._meta.concrete_fields if f.null}
    assert record_nullable & set(rollup.key) <= set(rollup.nullable)


@pytest.mark.parametrize(("rollup", "model"), MODELS)
def test_the_records_have_every_column_a_rollup_reads(rollup, model):
    assert set(rollup.key) | set(rollup.sums) <= columns(ActivityRecord)


def _installed_sqlite() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
            "AND name LIKE 'activities_rollup_%%'",
            [rollup_sql.RECORDS],
        )
        return {row[0] for row in cursor.fetchall()}


def _installed_postgresql() -> set[str]:
    # The trigger functions' bodies, as written between the $$ quotes.
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname LIKE 'activities_rollup_%%'")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_the_migrated_triggers_run_the_sql_rollup_sql_builds_today():
    if connection.vendor == "sqlite":
        assert _installed_sqlite() == set(rollup_sql.sqlite_install())
    else:
        built = {
            re.search(r"\$\$(.*)\$\$", statement, re.DOTALL).group(1)
            for statement in rollup_sql.postgresql_install()
            if statement.startswith("CREATE FUNCTION")
        }
        assert _installed_postgresql() == built
