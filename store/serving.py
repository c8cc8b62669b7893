"""The app's one connection: the published data file, read-only, and the app's own file, as one database.

Why: DuckDB lets a file be open read-write by one process only, and then by no other process at all
(not even read-only). So the app never opens the data file read-write. It opens an in-memory database
and attaches

* the current generation of the data file **read-only** (any number of processes may do that, and
  a refresh copies it freely), under the name ``data_<n>``;
* the app's own small file (``store/app_rows.py``) read-write, under the name ``app``.

Every table of the data file gets a view of the same name in the in-memory database, so queries read
``arrests`` or ``areas`` as before; a table the app writes (``APP_WRITTEN``) is the union of the data
file's rows and the app's. When a refresh publishes a new generation, :meth:`Serving.refresh` attaches
it and re-points every view in one transaction: a query sees the old data or the new, never a mix.
The previous generation stays attached until the next swap, so a query already running finishes.

    >>> # serving = Serving(Path("data/lead.duckdb")); serving.con.sql("select count(*) from arrests")
"""

from __future__ import annotations

import contextlib
import re
import threading
from pathlib import Path

import duckdb

from domain import disclosure
from store import app_rows, generations
from store.connection import MACROS_SQL, SCHEMA_SQL, connect, create_schema, path_literal

_MACRO = re.compile(r"^\s*create\s+(?:or\s+replace\s+)?macro\b", re.IGNORECASE)


def _macro_statements(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every macro of the database contract (schema.sql, the disclosure rule, macros.sql), in order."""
    sql = "\n".join((SCHEMA_SQL.read_text(), disclosure.schema_sql(), MACROS_SQL.read_text()))
    texts = [app_rows._without_comments(s.query) for s in con.extract_statements(sql)]
    return [text for text in texts if _MACRO.match(text)]


class Serving:
    """The serving connection for the data file ``db``; ``refresh()`` follows new generations."""

    def __init__(self, db: str | Path):
        self.db = Path(db)
        self.app_file = app_rows.app_path(self.db)
        self._lock = threading.Lock()
        if not self.db.exists():  # a first start with no database: an empty one with the schema
            con = connect(self.db)
            create_schema(con)
            con.close()
        self._fresh_app_file = not self.app_file.exists()
        self.con = connect(":memory:")
        self.con.execute(f"attach {path_literal(self.app_file)} as {app_rows.APP_CATALOG}")
        self.app_tables = app_rows.create_app_schema(self.con)
        self.token: tuple | None = None
        self.generation_file: Path | None = None
        self._attached: list[str] = []
        self._count = 0
        self.refresh(force=True)
        for statement in _macro_statements(self.con):
            self.con.execute(statement)

    def refresh(self, force: bool = False) -> bool:
        """Attach the published generation if it changed since the last look; True when it did."""
        token = generations.token(self.db)
        if not force and token == self.token:
            return False
        with self._lock:
            if not force and token == self.token:
                return False
            source = generations.adopt(self.db)
            self._count += 1
            alias = f"data_{self._count}"
            self.con.execute(f"attach {path_literal(source)} as {alias} (read_only)")
            tables = app_rows.present_tables(self.con, alias)
            if self._fresh_app_file:
                self._carry_legacy_rows(alias, tables)
                self._fresh_app_file = False
            self._point_views(alias, tables)
            self._detach_old()
            self._attached.append(alias)
            self.token, self.generation_file = token, source
        return True

    def _point_views(self, alias: str, tables: list[str]) -> None:
        """Every table of the data file (and every app table) as a view; one transaction."""
        cursor = self.con.cursor()
        try:
            cursor.execute("begin transaction")
            for table in sorted(set(tables) | set(self.app_tables)):
                rows = app_rows.declared(table)
                mine = f"{app_rows.APP_CATALOG}.main.{table}"
                theirs = f"{alias}.main.{table}"
                if rows is None:
                    body = f"select * from {theirs}"
                elif table not in tables:
                    body = f"select * from {mine}"
                elif table not in self.app_tables:
                    body = f"select * from {theirs}"
                elif rows.where is None:
                    body = f"select * from {mine}"
                else:
                    body = (
                        f"select * from {theirs} where not ({rows.where}) "
                        f"union all by name select * from {mine}"
                    )
                cursor.execute(f"create or replace view memory.main.{table} as {body}")
            cursor.execute("commit")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                cursor.execute("rollback")
            raise
        finally:
            cursor.close()

    def _carry_legacy_rows(self, alias: str, tables: list[str]) -> None:
        """App rows a data file holds from before this design (proposals saved in ``areas``): copied
        into the app's file when that file is created, so they stay visible. Only then: a proposal
        deleted later must not come back from the data file at the next swap."""
        for rows in app_rows.APP_WRITTEN:
            if rows.where is None or rows.table not in tables or rows.table not in self.app_tables:
                continue
            key = self.con.execute(
                "select constraint_column_names[1] from duckdb_constraints() "
                "where database_name = ? and table_name = ? and constraint_type = 'PRIMARY KEY'",
                [app_rows.APP_CATALOG, rows.table],
            ).fetchone()
            mine = f"{app_rows.APP_CATALOG}.main.{rows.table}"
            not_there = f"and {key[0]} not in (select {key[0]} from {mine})" if key else ""
            self.con.execute(
                f"insert into {mine} by name select * from {alias}.main.{rows.table} "
                f"where ({rows.where}) {not_there}"
            )

    def _detach_old(self) -> None:
        """Keep the newest generation before this one attached (queries may still be reading it)."""
        while len(self._attached) > 1:
            old = self._attached.pop(0)
            try:
                self.con.execute(f"detach {old}")
            except duckdb.Error:  # still in use: try again at the next swap
                self._attached.insert(0, old)
                break

    def describe(self) -> dict:
        """What is being served: the data file, its generation and the app's file."""
        return {
            "database": str(self.db),
            "generation": generations.number_of(self.generation_file),
            "generation_file": str(self.generation_file),
            "app_file": str(self.app_file),
        }

    def close(self) -> None:
        with contextlib.suppress(duckdb.Error):
            self.con.close()
