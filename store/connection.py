"""Open the DuckDB file with the spatial extension loaded from its PyPI package.

The extension binary ships inside ``duckdb-extension-spatial``; loading it by path means the
app never reaches the network, which a plain ``INSTALL spatial`` would do.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import duckdb
import duckdb_extension_spatial

from domain import disclosure

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = REPO_ROOT / "data" / "lead.duckdb"
SCHEMA_SQL = Path(__file__).with_name("schema.sql")
MACROS_SQL = Path(__file__).with_name("macros.sql")
AREA_MEASURES_SQL = Path(__file__).with_name("area_measures.sql")


def database_path() -> Path:
    """The database the app uses: ``$LEAD_DB`` if set, else ``data/lead.duckdb``."""
    return Path(os.environ.get("LEAD_DB") or DEFAULT_DB_PATH)


def path_literal(path: str | Path) -> str:
    """A file path as a SQL string literal, for the statements that take no parameters (ATTACH, SET)."""
    return "'" + str(path).replace("'", "''") + "'"


def spatial_extension_path() -> Path:
    """Path of the spatial extension file bundled with the pinned duckdb version."""
    package_dir = Path(duckdb_extension_spatial.__file__).parent
    wanted = package_dir / "extensions" / f"v{duckdb.__version__}" / "spatial.duckdb_extension"
    if not wanted.exists():
        found = sorted(package_dir.rglob("spatial.duckdb_extension"))
        raise RuntimeError(
            f"spatial extension for duckdb {duckdb.__version__} not found in {package_dir} "
            f"(found: {[str(p.relative_to(package_dir)) for p in found]}); "
            "pin duckdb-extension-spatial to the same version as duckdb"
        )
    return wanted


def connect(path: str | Path = DEFAULT_DB_PATH, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (or create) the database at ``path`` with spatial loaded.

    >>> con = connect(":memory:")
    >>> con.sql("select st_astext(st_point(-76.6, 39.3))").fetchone()[0]
    'POINT (-76.6 39.3)'
    """
    path = str(path)
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(path, read_only=read_only, config={"autoinstall_known_extensions": False})
    # no progress bar on a slow query (loading the extension included): it would be written into
    # whatever the caller prints
    con.execute("set enable_progress_bar = false")
    con.execute(f"load '{spatial_extension_path()}'")
    return con


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table of the database contract if it does not exist yet (and bring an older
    database up to it)."""
    con.execute(SCHEMA_SQL.read_text())
    con.execute(disclosure.schema_sql())  # record keys and the public rounding (domain/disclosure.py)
    con.execute(MACROS_SQL.read_text())  # after the record keys: the table macros read them
    fill_area_measures(con)


def empty_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Drop ``table`` and create it again, empty, from the schema (inside the caller's transaction).

    Instant, where deleting every row of a million-row table with a primary key takes minutes
    (DuckDB updates its index row by row): how an import replaces an all-synthetic table.
    """
    con.execute(f"drop table {table}")
    create_schema(con)


def fill_area_measures(con: duckdb.DuckDBPyConnection) -> None:
    """Compute the filter-independent measures of areas that lack them (store/area_measures.sql)."""
    con.execute(AREA_MEASURES_SQL.read_text())


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection):
    """Run a block in one transaction: all of it lands, or none of it does."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")
