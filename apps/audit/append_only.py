"""The triggers that make the database itself refuse to edit or delete audit events.

One UPDATE is let through: the outcome of a pending event (`audit_finish`), where only the
columns in `OUTCOME_COLUMNS` change and the new status is a final one. The migrations install
the triggers; a later migration that alters the table must end by installing them again
(SQLite rebuilds an altered table, and the triggers go with the old one). The tests in
tests/audit/test_append_only.py try every column, so a forgotten reinstall fails them.

PostgreSQL: https://www.postgresql.org/docs/15/plpgsql-trigger.html
SQLite: https://www.sqlite.org/lang_createtrigger.html (RAISE(ABORT, ...) fails the statement
with SQLITE_CONSTRAINT, an IntegrityError).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from apps.audit.models import FINAL_STATUSES, OUTCOME_COLUMNS

MESSAGE = "audit events are append-only"
_FINAL = ", ".join(f"'{s}'" for s in FINAL_STATUSES)


def install(schema_editor: BaseDatabaseSchemaEditor, model: Any) -> None:
    """Install (or replace) the triggers on `model`'s table (a migration's historical model)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _install_postgresql(schema_editor, model._meta.db_table)
    elif vendor == "sqlite":
        columns = [f.column for f in model._meta.concrete_fields]
        _install_sqlite(schema_editor, model._meta.db_table, columns)
    else:
        # An audit log that silently stops being append-only is worse than a failed migration.
        raise NotImplementedError(f"no append-only triggers for {vendor}")


def uninstall(schema_editor: BaseDatabaseSchemaEditor, model: Any) -> None:
    table = model._meta.db_table
    if schema_editor.connection.vendor == "postgresql":
        name, on = schema_editor.quote_name(f"{table}_append_only"), schema_editor.quote_name(table)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {on}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        _drop_sqlite(schema_editor, table)


def _sqlite_names(table: str) -> tuple[str, str]:
    return f"{table}_no_update", f"{table}_no_delete"


def _drop_sqlite(schema_editor: BaseDatabaseSchemaEditor, table: str) -> None:
    for name in _sqlite_names(table):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {schema_editor.quote_name(name)}")


def _install_postgresql(schema_editor: BaseDatabaseSchemaEditor, table: str) -> None:
    # The row as JSON less the outcome columns: a column added later is covered without a
    # change here.
    outcome = "'{" + ",".join(OUTCOME_COLUMNS) + "}'::text[]"
    name, on = schema_editor.quote_name(f"{table}_append_only"), schema_editor.quote_name(table)
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE'
                AND OLD.status = 'pending'
                AND NEW.status IN ({_FINAL})
                AND to_jsonb(NEW) - {outcome} = to_jsonb(OLD) - {outcome}
            THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
        END;
        $$
        """
    )
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {on}")
    schema_editor.execute(
        f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {on} "
        f"FOR EACH ROW EXECUTE FUNCTION {name}()"
    )


def _install_sqlite(
    schema_editor: BaseDatabaseSchemaEditor, table: str, columns: list[str]
) -> None:
    quote = schema_editor.quote_name
    fixed = [quote(c) for c in columns if c not in OUTCOME_COLUMNS]
    # `IS` is SQLite's NULL-safe equality; coalesce makes an unknown (NULL) condition refuse.
    kept = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in fixed)
    allowed = f"OLD.status IS 'pending' AND NEW.status IN ({_FINAL}) AND {kept}"
    no_update, no_delete = _sqlite_names(table)
    _drop_sqlite(schema_editor, table)
    schema_editor.execute(
        f"CREATE TRIGGER {quote(no_update)} BEFORE UPDATE ON {quote(table)} "
        f"WHEN NOT coalesce({allowed}, 0) "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    )
    schema_editor.execute(
        f"CREATE TRIGGER {quote(no_delete)} BEFORE DELETE ON {quote(table)} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    )


@contextmanager
def lifted_for_flush(connection: BaseDatabaseWrapper, table: str) -> Iterator[None]:
    """Let `manage.py flush` empty the table on SQLite, whose flush is DELETE FROM (row
    triggers fire). The triggers are dropped and put back as they were inside one
    transaction, so no other connection ever sees the table without them, and a flush that
    fails restores them with its rollback. PostgreSQL needs nothing: its flush is TRUNCATE,
    which fires no row trigger (https://www.postgresql.org/docs/15/sql-truncate.html)."""
    if connection.vendor != "sqlite":
        yield
        return
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [table],
            )
            triggers = cursor.fetchall()
            for name, _ in triggers:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
        yield
        with connection.cursor() as cursor:
            for _, sql in triggers:
                cursor.execute(sql)
