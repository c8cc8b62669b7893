"""Compare a database before and after an import: a count and an order-free checksum per table."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

TABLES = ("areas", "arrests", "referrals", "case_managers", "imports", "quarantine")


def table_checksums(
    con: duckdb.DuckDBPyConnection, tables: tuple[str, ...] = TABLES
) -> dict[str, tuple[int, int]]:
    """{table: (rows, sum of row hashes)} — equal dicts mean equal contents, whatever the row order."""
    sums = {}
    for table in tables:
        columns = con.execute(
            "select column_name, data_type from duckdb_columns() where table_name = ? order by column_index",
            [table],
        ).fetchall()
        hashed = ", ".join(
            f"st_aswkb({name})" if kind.upper().startswith("GEOMETRY") else name for name, kind in columns
        )
        sums[table] = tuple(
            con.sql(f"select count(*), coalesce(sum(hash({hashed})), 0) from {table}").fetchone()
        )
    return sums


def fresh_copy(source: Path, folder: Path, name: str = "import.duckdb") -> Path:
    """A private copy of a database file, so a test can write to it."""
    target = folder / name
    shutil.copy(source, target)
    return target
