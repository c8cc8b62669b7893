"""The Impact page's model fits, cached by their inputs.

A fit (estimate, event study, placebos: a few statsmodels GLMs) takes a large part of a second; the
same roll-out, window and comparison group on the same data always give the same answer, so each is
computed once and then served from the cache, and switching back and forth between choices costs
only the lookup. The key includes the database file and a fingerprint of the monthly counts, so new
data is never answered with an old fit.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from screens import impact
from store import database_path
from ui.data import query


@st.cache_data(show_spinner="Fitting the model…", max_entries=64, ttl=3600)
def _area_level(
    path: str, fingerprint: tuple, rollout: str, post_months: int, comparison, _monthly: pd.DataFrame
):
    chosen = impact.Selection(rollout, post_months, comparison, None, None, None, True)
    return impact.area_level(_monthly, chosen, impact.did.analyse)


def area_level(monthly: pd.DataFrame, chosen: impact.Selection) -> impact.AreaLevel:
    """``screens.impact.area_level`` for these inputs, from the cache when it was fitted before.

    No comparison group (``None``: the matched default, as the hearing brief asks) is the matched group
    itself, so the brief and the page's opening view share one fit."""
    fingerprint = (len(monthly), int(monthly["eligible_arrests"].sum()), str(monthly["month"].max()))
    comparison = chosen.comparison
    if comparison is None:
        comparison = tuple(comparison_choices(monthly, chosen.rollout)[1])
    return _area_level(
        str(database_path()), fingerprint, chosen.rollout, chosen.post_months, comparison, monthly
    )


@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def _choices(path: str, fingerprint: tuple, rollout: str, _monthly: pd.DataFrame):
    _, names, default = impact.comparison_choices(
        impact.did.with_month_index(_monthly), impact.words.ROLLOUTS[rollout]
    )
    return names, default


def comparison_choices(monthly: pd.DataFrame, rollout: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """The candidate neighbourhoods (id -> name, closest first) and the matched default group."""
    fingerprint = (len(monthly), int(monthly["eligible_arrests"].sum()), str(monthly["month"].max()))
    return _choices(str(database_path()), fingerprint, rollout, monthly)


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def _participants(path: str, data: tuple, chosen: impact.Selection):
    # ``path`` and ``data`` are not read here: they are part of the cache's key
    return impact.participant_level(query, chosen)


def participant_level(run, chosen: impact.Selection) -> impact.ParticipantLevel:
    """``screens.impact.participant_level`` (the Kaplan-Meier fit included), kept until the data changes."""
    sources = query("data_sources")
    data = tuple(map(tuple, sources.astype(str).itertuples(index=False)))
    return _participants(str(database_path()), data, chosen)
