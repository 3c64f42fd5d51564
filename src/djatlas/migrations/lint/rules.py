"""The lint rules: code, name, severity, why it matters and how to fix it (the same text goes to
the outputs, SARIF's rule list and docs/migrations.md)."""

from __future__ import annotations

from djatlas.records import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str  # "error" (breaks running code, fails or loses data) or "warning"
    title: str
    why: str
    fix: str


_RULES = (
    Rule(
        "DJM101", "add-not-null-column", "error",
        "NOT NULL column without a default added to an existing table",
        "The table already has rows: the ALTER TABLE fails on them (there is no value to fill "
        "the column with), and code still running during the deploy inserts rows without it.",
        "Add the field with null=True (or a default / db_default), fill it, then make it NOT "
        "NULL in a later migration.",
    ),
    Rule(
        "DJM102", "add-not-null-column-default-dropped", "warning",
        "NOT NULL column added with a Python-side default only",
        "Django fills existing rows with the default and then drops it from the column: code "
        "still running during the deploy (that does not know the field) inserts rows without "
        "it and fails on NOT NULL.",
        "Use db_default (Django 5.0+) so the database keeps the default, or add the field with "
        "null=True first and make it NOT NULL once the new code runs everywhere.",
    ),
    Rule(
        "DJM103", "drop-column", "error",
        "Column dropped while old code may still read it",
        "During a deploy the old code keeps running against the migrated database: its "
        "queries select every column of the model and fail once the column is gone.",
        "Stage it: first remove the field from the code and from the state only "
        "(SeparateDatabaseAndState(state_operations=[RemoveField(...)])), then drop the column "
        "in a later release (SeparateDatabaseAndState(database_operations=[RemoveField(...)])). "
        "Make a NOT NULL column nullable before the first step.",
    ),
    Rule(
        "DJM104", "drop-table", "error",
        "Table dropped while old code may still use it",
        "Code still running during the deploy queries or joins the model's table and fails "
        "once it is dropped; the rows are gone for good.",
        "Stage it: remove the model from the code and the state first "
        "(SeparateDatabaseAndState(state_operations=[DeleteModel(...)])), drop the table in a "
        "later release (database_operations=[DeleteModel(...)]).",
    ),
    Rule(
        "DJM105", "rename-column", "error",
        "Column renamed while old code uses the old name",
        "Code still running during the deploy reads and writes the old column name and fails.",
        "Keep the column: rename the field with db_column set to the old name (no database "
        "change), or add a new column, copy the data, switch the code, and drop the old one "
        "later.",
    ),
    Rule(
        "DJM106", "rename-table", "error",
        "Table renamed while old code uses the old name",
        "RenameModel and AlterModelTable rename the table (and its many-to-many tables): code "
        "still running during the deploy queries the old name and fails.",
        "Keep the table name: set Meta.db_table to the old name (RenameModel then changes "
        "nothing in the database), or create a view with the old name during the transition.",
    ),
    Rule(
        "DJM107", "alter-column-type", "warning",
        "Column type change rewrites the table",
        "Changing a column's type (e.g. integer to bigint, varchar to integer) makes "
        "PostgreSQL rewrite the whole table and its indexes under an ACCESS EXCLUSIVE lock: "
        "reads and writes wait until it is done, and old code may not handle the new type.",
        "Add a new column of the new type, backfill it in batches, switch the code, then drop "
        "the old column; or run it in a maintenance window on a small table.",
    ),
    Rule(
        "DJM108", "data-loss", "error",
        "Column change that can lose or reject existing data",
        "Shrinking max_length, max_digits or decimal_places, or narrowing a type (text to "
        "varchar, bigint to integer) fails on rows that do not fit (or truncates them on some "
        "databases), and rewrites the table under an exclusive lock.",
        "Check and clean the existing data first (a data migration), or keep the wider column.",
    ),
    Rule(
        "DJM109", "alter-not-null", "error",
        "Nullable column made NOT NULL without a default",
        "Rows holding NULL make the migration fail, and code still running during the deploy "
        "may write NULL; on PostgreSQL, SET NOT NULL scans the table under an ACCESS EXCLUSIVE "
        "lock.",
        "Backfill the NULL rows in an earlier migration and give the field a default (or "
        "db_default); on large PostgreSQL tables add a CHECK (col IS NOT NULL) NOT VALID "
        "constraint, validate it, then set NOT NULL.",
    ),
    Rule(
        "DJM110", "blocking-index", "warning",
        "Index built with a lock that blocks writes",
        "CREATE INDEX (for AddIndex, unique=True, db_index=True, a foreign key, "
        "unique_together/index_together or a UniqueConstraint) locks the table against writes "
        "until the index is built: minutes on a large table.",
        "On PostgreSQL use django.contrib.postgres.operations.AddIndexConcurrently in a "
        "migration with atomic = False (for a unique constraint: CREATE UNIQUE INDEX "
        "CONCURRENTLY in RunSQL, then add the constraint using the index, wrapped in "
        "SeparateDatabaseAndState).",
    ),
    Rule(
        "DJM111", "blocking-constraint", "warning",
        "Constraint validated under a lock",
        "AddConstraint with a CheckConstraint (or an exclusion constraint) checks every "
        "existing row while holding an ACCESS EXCLUSIVE lock on the table.",
        "On PostgreSQL use AddConstraintNotValid, then ValidateConstraint in a later migration "
        "(validation then takes a lock that lets reads and writes go on).",
    ),
    Rule(
        "DJM112", "concurrent-in-atomic", "error",
        "Concurrent index operation inside a transaction",
        "CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction: Django refuses "
        "AddIndexConcurrently and RemoveIndexConcurrently in an atomic migration.",
        "Set atomic = False on the migration (and keep other operations out of it).",
    ),
    Rule(
        "DJM113", "irreversible-runpython", "warning",
        "RunPython without reverse_code",
        "The migration cannot be unapplied: rolling back a bad deploy (migrate to an earlier "
        "migration) stops with IrreversibleError.",
        "Pass reverse_code (migrations.RunPython.noop when there is nothing to undo).",
    ),
    Rule(
        "DJM114", "irreversible-runsql", "warning",
        "RunSQL without reverse_sql",
        "The migration cannot be unapplied: rolling back a bad deploy stops with "
        "IrreversibleError.",
        "Pass reverse_sql (migrations.RunSQL.noop when there is nothing to undo).",
    ),
    Rule(
        "DJM115", "add-unique-with-default", "error",
        "Unique column added with a default",
        "Django computes the default once and writes it into every existing row (a callable "
        "such as uuid.uuid4 included): with more than one row the unique index cannot be "
        "built and the migration fails.",
        "Add the field without unique (null=True), fill distinct values in a RunPython "
        "migration, then AlterField it to unique=True (Django's how-to \"Migrations that add "
        "unique fields\").",
    ),
    Rule(
        "DJM116", "edited-migration", "error",
        "Operations of an existing migration changed",
        "Django records applied migrations by name: databases that already applied this "
        "migration never run the edited operations, so they drift apart from new databases "
        "and from the models.",
        "Revert the edit and put the change in a new migration (makemigrations); edit an "
        "applied migration only for what does not change the schema (e.g. elidable data "
        "code).",
    ),
    Rule(
        "DJM117", "state-only-remove-not-null", "error",
        "NOT NULL column removed from the state only",
        "After SeparateDatabaseAndState(state_operations=[RemoveField(...)]) the column stays "
        "in the table but the new code no longer writes it: with NOT NULL and no database "
        "default, every insert fails.",
        "In the same migration's database_operations make the column nullable (AlterField "
        "with null=True) or give it a db_default, then drop it in a later release.",
    ),
)  # fmt: skip

RULES: dict[str, Rule] = {r.code: r for r in _RULES}
