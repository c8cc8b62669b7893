"""The DuckDB store: where the database file lives, how to open it, and its schema."""

from store.connection import (
    DEFAULT_DB_PATH,
    connect,
    create_schema,
    database_path,
    fill_area_measures,
    transaction,
)

__all__ = [
    "DEFAULT_DB_PATH",
    "connect",
    "create_schema",
    "database_path",
    "fill_area_measures",
    "transaction",
]
