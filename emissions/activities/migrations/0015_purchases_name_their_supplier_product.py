import django.db.models.deletion
from django.db import migrations, models

# A purchase names the supplier's product it bought (the supplier's data come first in its
# factor choice), and a type can name the spend sector of its purchases in CNY.
#
# The product is a reviewed input: changing it changes the factor, so it reopens an approved
# record (trigger of 0010) and counts as an input edit for maker-checker (trigger of 0011).
# Both triggers are replaced by frozen copies that include it; the product may be NULL, so
# the history comparison uses IS DISTINCT FROM instead of <> (tests hold these copies to
# models.REVIEWED_INPUT_FIELDS and to workflow.input_versions_sql).

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
    "purchased_product_id",
)
_WATCHED = ", ".join(INPUT_COLUMNS)

REOPEN_POSTGRESQL = [
    "DROP TRIGGER IF EXISTS activities_record_reopen ON activities_activityrecord",
    (
        "CREATE TRIGGER activities_record_reopen "
        f"BEFORE UPDATE OF {_WATCHED} ON activities_activityrecord "
        "FOR EACH ROW "
        "WHEN (NEW.status <> 'draft' AND "
        f"({', '.join('OLD.' + c for c in INPUT_COLUMNS)}) "
        "IS DISTINCT FROM "
        f"({', '.join('NEW.' + c for c in INPUT_COLUMNS)})) "
        "EXECUTE FUNCTION activities_record_reopen()"
    ),
]
REOPEN_SQLITE = [
    "DROP TRIGGER IF EXISTS activities_record_reopen",
    (
        "CREATE TRIGGER activities_record_reopen "
        f"AFTER UPDATE OF {_WATCHED} ON activities_activityrecord "
        "FOR EACH ROW "
        "WHEN NEW.status <> 'draft' AND ("
        + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in INPUT_COLUMNS)
        + ") "
        "BEGIN UPDATE activities_activityrecord SET status = 'draft', submitted_by_id = NULL, "
        "submitted_at = NULL, reviewed_by_id = NULL, reviewed_at = NULL, rejection_reason = '' "
        "WHERE id = NEW.id; "
        "END"
    ),
]
SQLITE_ROLLUP_UPDATE = "activities_rollup_update"

HISTORY = "activities_historicalactivityrecord"
IN_ORDER = "OVER (PARTITION BY h.id ORDER BY h.history_id)"
MESSAGE = "a record cannot be approved by who entered or changed its inputs since its last approval"
INPUT_EDIT_SINCE_APPROVAL = (
    "v.history_user_id = v.reviewer_id AND v.history_type <> '-' AND v.changes_inputs = 1 "
    "AND (v.next_approval IS NULL OR v.last_unapproved IS NULL "
    "OR v.next_approval > v.last_unapproved)"
)


def input_versions(*, reviewer: str, join: str = "", where: str = "TRUE") -> str:
    """workflow.input_versions_sql, frozen."""
    changed = " OR ".join(
        f"LAG(h.{column}) {IN_ORDER} IS DISTINCT FROM h.{column}" for column in INPUT_COLUMNS
    )
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


REVIEWER_POSTGRESQL = [
    (
        "CREATE OR REPLACE FUNCTION activities_record_reviewer_not_editor() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ "
        "DECLARE offending bigint; "
        "BEGIN "
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
]
REVIEWER_SQLITE = [
    "DROP TRIGGER IF EXISTS activities_record_reviewer_not_editor",
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


def _execute(connection, statements):
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _sqlite_recreate(connection, trigger: str) -> None:
    """Create a trigger again, exactly as installed, so that it runs before older ones."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [trigger]
        )
        (sql,) = cursor.fetchone()
        cursor.execute(f"DROP TRIGGER {trigger}")
        cursor.execute(sql)


def install_trigger(apps, schema_editor):
    """The maker-checker trigger alone (its test removes and reinstalls it)."""
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        _execute(connection, REVIEWER_POSTGRESQL)
        _execute(
            connection,
            [
                "CREATE OR REPLACE TRIGGER activities_record_reviewer_not_editor "
                "AFTER UPDATE ON activities_activityrecord "
                "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
                "FOR EACH STATEMENT EXECUTE FUNCTION activities_record_reviewer_not_editor()"
            ],
        )
    else:
        _execute(connection, REVIEWER_SQLITE)


def uninstall_trigger(apps, schema_editor):
    """Remove the maker-checker trigger (tests only; the migration is not reversed)."""
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        _execute(
            connection,
            [
                "DROP TRIGGER IF EXISTS activities_record_reviewer_not_editor "
                "ON activities_activityrecord",
                "DROP FUNCTION IF EXISTS activities_record_reviewer_not_editor()",
            ],
        )
    else:
        _execute(connection, ["DROP TRIGGER IF EXISTS activities_record_reviewer_not_editor"])


def install_triggers(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        _execute(connection, REOPEN_POSTGRESQL + REVIEWER_POSTGRESQL)
    else:
        _execute(connection, REOPEN_SQLITE + REVIEWER_SQLITE)
        # The reopening AFTER trigger must run after the rollup's (see 0010).
        _sqlite_recreate(connection, SQLITE_ROLLUP_UPDATE)


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0014_interval_meter_data"),
        ("suppliers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="activitytype",
            name="spend_sector",
            field=models.CharField(
                blank=True,
                help_text="For purchases recorded in CNY: the 6-digit NAICS code whose spend-based factor applies when no supplier data or average factor fits (a product's own sector comes first).",
                max_length=6,
                verbose_name="spend sector (NAICS)",
            ),
        ),
        migrations.AddField(
            model_name="historicalactivitytype",
            name="spend_sector",
            field=models.CharField(
                blank=True,
                help_text="For purchases recorded in CNY: the 6-digit NAICS code whose spend-based factor applies when no supplier data or average factor fits (a product's own sector comes first).",
                max_length=6,
                verbose_name="spend sector (NAICS)",
            ),
        ),
        migrations.AddField(
            model_name="activityrecord",
            name="purchased_product",
            field=models.ForeignKey(
                blank=True,
                help_text="For purchases: the supplier's product, so its own data are used first.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="records",
                to="suppliers.supplierproduct",
                verbose_name="supplier product",
            ),
        ),
        migrations.AddField(
            model_name="historicalactivityrecord",
            name="purchased_product",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                help_text="For purchases: the supplier's product, so its own data are used first.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="suppliers.supplierproduct",
                verbose_name="supplier product",
            ),
        ),
        migrations.RunPython(install_triggers, migrations.RunPython.noop),
    ]
