"""Cached access to the database for pages: one shared connection, cached query results.

The connection (``store/serving.py``) reads the published generation of the data file read-only and
writes the app's own rows to the app's file, so a refresh can build and swap in a new generation
while the app serves. Every call looks at the data file (one ``stat``): when a new generation was
published, the connection re-points to it and results cached for the old one are no longer used.
Caches are keyed by the database file and its generation, so pointing ``LEAD_DB`` elsewhere (tests,
benchmarks) or a swap never serves a result that belongs to other data.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import queries
from store import database_path
from store.serving import Serving
from ui.maps import forget_maps

# How often an open page looks for a new generation without being touched (app.py's watcher).
WATCH_EVERY_S = 20


@st.cache_resource(show_spinner=False)
def _serving(path: str) -> Serving:
    return Serving(path)


def serving() -> Serving:
    """The app's serving connection, following the newest published generation."""
    current = _serving(str(database_path()))
    if current.refresh():
        _generation_changed()
    return current


def connection():
    """The app's one DuckDB connection (queries run on a cursor each, so threads can share it)."""
    return serving().con


def generation() -> tuple:
    """What identifies the data being served; changes when a refresh publishes a generation."""
    return serving().token


# Bounded: under a hearing room's worth of viewers each new period adds results, and an unbounded
# cache is memory the app never gets back (BENCHMARKS.md, peak RSS under load).
@st.cache_data(show_spinner=False, max_entries=128, ttl=3600)
def _cached_result(path: str, generation: tuple, name: str, params: dict) -> pd.DataFrame:
    return queries.run(_serving(path).con, name, **params)


def query(name: str, **params) -> pd.DataFrame:
    """Result of ``queries/<name>.sql`` for these parameters, cached until the data changes."""
    current = serving()
    return _cached_result(str(current.db), current.token, name, params)


def _generation_changed() -> None:
    _cached_result.clear()
    forget_maps()


def data_changed() -> None:
    """Forget cached results and drawn maps after the database was written (import, saved proposal)."""
    _generation_changed()


@st.fragment(run_every=WATCH_EVERY_S)
def watch_for_new_data() -> None:
    """Rerun this session when a refresh has published new data (draws nothing).

    Called once per run by app.py; Streamlit runs it again every ``WATCH_EVERY_S`` seconds on its
    own, so a page left open shows new data within that time plus one run, without a reload.
    """
    now = generation()
    seen = st.session_state.get("_served_generation")
    st.session_state["_served_generation"] = now
    if seen is not None and seen != now and _inside_fragment_rerun():
        st.rerun(scope="app")


def _inside_fragment_rerun() -> bool:
    """True when Streamlit is running only the watcher (a full run already draws the new data)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    context = get_script_run_ctx()
    return bool(context and context.fragment_ids_this_run)
