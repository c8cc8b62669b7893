"""Pieces of the Expansion planner page that draw what ``screens.expansion`` returns.

Only drawing: no queries, no writes and no widget whose value the link keeps; the page calls these
between its own widgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from domain.safe_text import NAME_LIMIT, markdown_text
from geo.proposal import union_of_areas
from screens.expansion import Comparison, ProposalFigures, Ranking, delete_label, saved_table
from screens.parts import Metric

GRID_COLUMNS = {
    "number": st.column_config.NumberColumn,
    "flag": st.column_config.CheckboxColumn,
    "text": st.column_config.Column,
}


@st.cache_resource(show_spinner=False)
def city_outline(_districts, edition: str):
    """The city's land: the union of the police districts (cached per edition)."""
    return union_of_areas(_districts["geojson"].tolist())


def show_ranking(ranking: Ranking, projector: bool) -> None:
    """The ranking as a grid, or in projector mode its first rows as a large table."""
    if projector:
        # A grid's small print cannot be read across a room.
        st.table(ranking.projector_table())
        st.caption(ranking.projector_caption)
        return
    st.dataframe(
        ranking.table,  # a plain frame: a Styler is rendered row by row in pandas on every run
        hide_index=True,
        height=390,
        key="ranking_table",
        column_config={label: GRID_COLUMNS[c.kind](**c.options()) for label, c in ranking.columns.items()},
    )


def show_metrics(metrics: Sequence[Metric]) -> None:
    """Metrics two to a row."""
    for first in range(0, len(metrics), 2):
        for column, metric in zip(st.columns(2), metrics[first : first + 2], strict=False):
            column.metric(metric.label, metric.value, help=metric.help)


def download(label: str, data, file_name: str, mime: str, place=st) -> None:
    """A download button that does not rerun the page; ``data`` may be a function, called on click."""
    place.download_button(
        label, data=data, file_name=file_name, mime=mime, icon=":material/download:", on_click="ignore"
    )


@dataclass(frozen=True)
class ProposalForm:
    """What the save form holds, and whether its button was just pressed."""

    name: str
    note: str
    replace: bool
    submitted: bool


def proposal_form(author: str) -> ProposalForm:
    """The form to save a proposal (its fields keep what was last submitted). The author is whoever
    is signed in (``author``), not something typed."""
    with st.form("save_proposal", clear_on_submit=False):
        name = st.text_input("Name", max_chars=80, placeholder="e.g. Pigtown and Carroll Park")
        st.caption(f"Saved as proposed by {markdown_text(author, NAME_LIMIT)} (the signed-in account).")
        note = st.text_area("Note", max_chars=2000, placeholder="Why this area; who was consulted")
        replace = st.checkbox("Replace a saved proposal of the same name")
        submitted = st.form_submit_button("Save proposal", icon=":material/save:", type="primary")
    return ProposalForm(name, note, replace, submitted)


def show_comparison_table(comparison: Comparison, projector: bool) -> None:
    """The comparison as a grid with every row visible, or as a large table in projector mode."""
    if projector:
        st.table(comparison.projector_table())
    else:
        st.dataframe(comparison.shown, hide_index=True, key="comparison_table", height=comparison.height)
    st.caption(comparison.caption)


def show_proposal(figures: ProposalFigures) -> None:
    """A proposal's measured figures, then its projection or why it is hidden."""
    show_metrics(figures.measured)
    if figures.hidden_note:
        st.info(figures.hidden_note)
    show_metrics(figures.projected)
    if figures.caption:
        st.caption(figures.caption)


def saved_proposals_box(saved, names: dict[str, str], staff: bool) -> str | None:
    """Every saved proposal in an expander; for staff, a choice of one to delete. The id to delete
    once its button is pressed, else None."""
    with st.expander("Saved proposals"):
        st.dataframe(saved_table(saved), hide_index=True)
        if not staff:
            return None
        doomed = st.selectbox(
            "Delete a proposal (staff only)",
            [None, *names],
            format_func=lambda area_id: names.get(area_id, "—"),
        )
        if doomed and st.button(delete_label(names[doomed]), icon=":material/delete:"):
            return doomed
    return None
