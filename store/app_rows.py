"""The rows the app itself writes, declared once, and the small database file that holds them.

Imports and refreshes build a new copy of the data file and swap it in (``store/generations.py``);
they never touch the app's own file, ``<db>.app.duckdb`` next to the data file (``lead.app.duckdb``
for ``lead.duckdb``). Whatever the app writes while it serves goes there, so no refresh, however it
is timed against a write, can lose it. The app's connection shows the two files as one database
(``store/serving.py``): a table declared here with a ``where`` is the data file's rows *not*
matching it plus every row of the app's file; a table without one lives only in the app's file.

Tables are defined once, in ``store/schema.sql``: the app's file gets the same definitions for the
tables declared here (a declared table that schema.sql does not define yet is simply absent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from store.connection import SCHEMA_SQL


@dataclass(frozen=True)
class AppRows:
    """A table (or the rows of one, ``where``) that the running app writes."""

    table: str
    where: str | None = None  # None: the whole table is the app's
    what: str = ""


APP_WRITTEN: tuple[AppRows, ...] = (
    AppRows("areas", "kind = 'proposal'", "saved expansion proposals (ingest/proposals.py)"),
    # the app's own audit rows live in the app's file; a command-line import's row (``cli:<user>``)
    # is written into the generation it builds, since the app holds the app's file while it serves
    AppRows("audit", "who not like 'cli:%'", "who did what, written by store/audit.py"),
)
APP_CATALOG = "app"  # the name the app's file is attached under in the serving connection


def app_path(db: str | Path) -> Path:
    """The app's own file beside the data file: ``data/lead.duckdb`` -> ``data/lead.app.duckdb``."""
    db = Path(db)
    stem = db.name[: -len(".duckdb")] if db.name.endswith(".duckdb") else db.name
    return db.with_name(f"{stem}.app.duckdb")


def declared(table: str) -> AppRows | None:
    return next((rows for rows in APP_WRITTEN if rows.table == table), None)


_CREATE = re.compile(
    r"^\s*create\s+(?:or\s+replace\s+)?(table|type|sequence)\s+(?:if\s+not\s+exists\s+)?(\w+)"
)
_ALTER = re.compile(r"^\s*alter\s+table\s+(\w+)")


def _without_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines()).strip()


def app_schema_statements(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The statements of ``store/schema.sql`` that define the declared tables (and every type and
    sequence, which a definition may use), in file order."""
    tables = {rows.table for rows in APP_WRITTEN}
    wanted = []
    for statement in con.extract_statements(SCHEMA_SQL.read_text()):
        text = _without_comments(statement.query)
        create, alter = _CREATE.match(text.lower()), _ALTER.match(text.lower())
        if (create and (create.group(1) != "table" or create.group(2) in tables)) or (
            alter and alter.group(1) in tables
        ):
            wanted.append(text)
    return wanted


def create_app_schema(con: duckdb.DuckDBPyConnection, catalog: str = APP_CATALOG) -> list[str]:
    """Create the declared tables in ``catalog`` (attached); return the ones that exist there now."""
    con.execute(f"use {catalog}")
    try:
        for statement in app_schema_statements(con):
            con.execute(statement)
    finally:
        con.execute("use memory")
    return present_tables(con, catalog)


def present_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_catalog = ? "
            "and table_schema = 'main' and table_type = 'BASE TABLE' order by table_name",
            [catalog],
        ).fetchall()
    ]


def target(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Where a writer of a declared table writes on ``con``: the app's file when the connection is the
    serving one (``app.main.areas``), else the plain table (scripts, tests, a database opened alone)."""
    if declared(table) is None:
        raise ValueError(f"{table!r} is not declared in store.app_rows.APP_WRITTEN")
    attached = con.execute(
        "select count(*) > 0 from information_schema.schemata where catalog_name = ?", [APP_CATALOG]
    ).fetchone()[0]
    return f"{APP_CATALOG}.main.{table}" if attached else table
