"""Cached access to the database for pages: one shared connection, cached query results."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import queries
from store import connect, create_schema, database_path


@st.cache_resource(show_spinner=False)
def connection():
    """The app's one DuckDB connection (queries run on a cursor each, so threads can share it)."""
    con = connect(database_path())
    create_schema(con)
    return con


@st.cache_data(show_spinner=False, max_entries=512)
def query(name: str, **params) -> pd.DataFrame:
    """Result of ``queries/<name>.sql`` for these parameters, cached until the data changes."""
    return queries.run(connection(), name, **params)


def data_changed() -> None:
    """Forget cached results after the database was written (import, saved proposal)."""
    query.clear()
