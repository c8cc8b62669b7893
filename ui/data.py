"""Cached access to the database for pages: one shared connection, cached query results.

Both caches are keyed by the database file, so pointing ``LEAD_DB`` elsewhere (tests, benchmarks)
never serves a connection or a result that belongs to another database.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import queries
from store import connect, create_schema, database_path
from ui.maps import forget_maps


@st.cache_resource(show_spinner=False)
def _connection_to(path: str):
    con = connect(path)
    create_schema(con)
    return con


def connection():
    """The app's one DuckDB connection (queries run on a cursor each, so threads can share it)."""
    return _connection_to(str(database_path()))


# Bounded: under a hearing room's worth of viewers each new period adds results, and an unbounded
# cache is memory the app never gets back (BENCHMARKS.md, peak RSS under load).
@st.cache_data(show_spinner=False, max_entries=128, ttl=3600)
def _cached_result(path: str, name: str, params: dict) -> pd.DataFrame:
    return queries.run(_connection_to(path), name, **params)


def query(name: str, **params) -> pd.DataFrame:
    """Result of ``queries/<name>.sql`` for these parameters, cached until the data changes."""
    return _cached_result(str(database_path()), name, params)


def data_changed() -> None:
    """Forget cached results and drawn maps after the database was written (import, saved proposal)."""
    _cached_result.clear()
    forget_maps()
