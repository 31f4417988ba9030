from django.db import migrations

# Maker-checker, the database's half (workflow.input_editor_of is the workflow's): a record is
# not approved by anyone who entered or changed its inputs since its last approval. Constraint
# record_approved_by_someone_else (0008) already keeps the submitter out; this trigger reads
# the history, which knows who wrote each version of the inputs. It checks the rows an UPDATE
# makes approved or gives another approver; recalculations and edits are not approvals.
#
# An input edit by the reviewer: a history row of the record by the reviewer that is either
# its first row (the record was entered then) or differs in an input from the previous row,
# and comes after the approval that closed the previous round of review (the last approved
# row before the record's last row of another status). Window functions read each record's
# history once, in order. Inputs are never NULL, so `<>` compares them.
#
# Not covered: a record INSERTed as approved (its history row comes after it), and writes that
# leave no history row. The SQL is frozen here as written; a change to the inputs ships as a
# new migration with its own copy (tests/activities/test_maker_checker_history.py holds it to
# models.REVIEWED_INPUT_FIELDS).

INPUT_COLUMNS = (
    "facility_id",
    "activity_type_id",
    "period_start",
    "period_end",
    "quantity",
    "unit",
    "data_quality",
    "source_reference",
    "notes",
)

HISTORY = "activities_historicalactivityrecord"

IN_ORDER = "OVER (PARTITION BY h.id ORDER BY h.history_id)"


def input_versions(*, reviewer: str, join: str = "", where: str = "TRUE") -> str:
    """SQL: history rows `h` with their `reviewer`, whether each changed the inputs and where
    it stands to the record's approvals (workflow.input_versions_sql, frozen)."""
    changed = " OR ".join(f"LAG(h.{column}) {IN_ORDER} <> h.{column}" for column in INPUT_COLUMNS)
    return (
        f"SELECT h.id, h.history_user_id, {reviewer} AS reviewer_id, h.history_type, "
        f"CASE WHEN LAG(h.history_id) {IN_ORDER} IS NULL OR {changed} "
        "THEN 1 ELSE 0 END AS changes_inputs, "
        "MIN(CASE WHEN h.status = 'approved' THEN h.history_id END) "
        "OVER (PARTITION BY h.id ORDER BY h.history_id DESC) AS next_approval, "
        "MAX(CASE WHEN h.status <> 'approved' THEN h.history_id END) "
        "OVER (PARTITION BY h.id) AS last_unapproved "
        f"FROM {HISTORY} h {join} WHERE {where}"
    )


INPUT_EDIT_SINCE_APPROVAL = (
    "v.history_user_id = v.reviewer_id AND v.history_type <> '-' AND v.changes_inputs = 1 "
    "AND (v.next_approval IS NULL OR v.last_unapproved IS NULL "
    "OR v.next_approval > v.last_unapproved)"
)

MESSAGE = "a record cannot be approved by who entered or changed its inputs since its last approval"

# PostgreSQL: one check per statement, over the rows it made approved or gave another
# approver (the transition tables), so approving a 100,000-record import costs one query, not
# one per record; a row-level trigger added about 0.2 ms per record. It runs after the
# BEFORE triggers, so a record whose inputs the same UPDATE changed is already a draft again.
POSTGRESQL_INSTALL = [
    (
        "CREATE FUNCTION activities_record_reviewer_not_editor() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ "
        "DECLARE offending bigint; "
        "BEGIN "
        # The rows this statement made approved or gave another approver.
        "WITH approvals AS (SELECT n.id, n.reviewed_by_id FROM new_rows n "
        "WHERE n.status = 'approved' AND n.reviewed_by_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM old_rows o WHERE o.id = n.id "
        "AND o.status = 'approved' AND o.reviewed_by_id = n.reviewed_by_id)) "
        "SELECT v.id INTO offending "
        "FROM ("
        + input_versions(reviewer="a.reviewed_by_id", join="JOIN approvals a ON a.id = h.id")
        + f") v WHERE {INPUT_EDIT_SINCE_APPROVAL} "
        "LIMIT 1; "
        "IF FOUND THEN "
        f"RAISE EXCEPTION 'record %: {MESSAGE}', offending USING ERRCODE = 'check_violation'; "
        "END IF; "
        "RETURN NULL; "
        "END; "
        "$$"
    ),
    (
        "CREATE TRIGGER activities_record_reviewer_not_editor "
        "AFTER UPDATE ON activities_activityrecord "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION activities_record_reviewer_not_editor()"
    ),
]

POSTGRESQL_UNINSTALL = [
    "DROP TRIGGER IF EXISTS activities_record_reviewer_not_editor ON activities_activityrecord",
    "DROP FUNCTION IF EXISTS activities_record_reviewer_not_editor()",
]

# SQLite has no statement-level triggers: a row-level BEFORE trigger, read-only (RAISE aborts
# the statement), so the order of the AFTER triggers (rollups, reopening) that migration 0010
# arranged is untouched. The WHEN clause keeps it to approvals.
SQLITE_INSTALL = [
    (
        "CREATE TRIGGER activities_record_reviewer_not_editor "
        "BEFORE UPDATE OF status, reviewed_by_id ON activities_activityrecord "
        "FOR EACH ROW "
        "WHEN NEW.status = 'approved' AND NEW.reviewed_by_id IS NOT NULL AND "
        "(OLD.status IS NOT NEW.status OR OLD.reviewed_by_id IS NOT NEW.reviewed_by_id) "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}') WHERE EXISTS (SELECT 1 "
        f"FROM ({input_versions(reviewer='NEW.reviewed_by_id', where='h.id = NEW.id')}) v "
        f"WHERE {INPUT_EDIT_SINCE_APPROVAL}); "
        "END"
    ),
]

SQLITE_UNINSTALL = ["DROP TRIGGER IF EXISTS activities_record_reviewer_not_editor"]


def _execute(connection, statements):
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install_trigger(apps, schema_editor):
    connection = schema_editor.connection
    install = {"postgresql": POSTGRESQL_INSTALL, "sqlite": SQLITE_INSTALL}[connection.vendor]
    _execute(connection, install)


def uninstall_trigger(apps, schema_editor):
    connection = schema_editor.connection
    uninstall = {"postgresql": POSTGRESQL_UNINSTALL, "sqlite": SQLITE_UNINSTALL}[connection.vendor]
    _execute(connection, uninstall)


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0010_reopen_edited_records"),
    ]

    operations = [
        migrations.RunPython(install_trigger, uninstall_trigger),
    ]
