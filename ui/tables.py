"""A chart with its data: the plotly figure, then its table under an expander with a CSV download.

Every chart on a page goes through ``chart_with_data`` so a reader can always check the numbers
behind a picture. In a public view the table and the download carry the same masking as the chart:
hidden counts read "fewer than 5", and as a last guard any count from 1 to 4 still present in a
declared count column is hidden here too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from domain.privacy import COMPLEMENT_NOTE, SUPPRESSED_TEXT, has_withheld, hidden_label, is_small
from domain.safe_text import spreadsheet_text
from ui.audit import export_click
from ui.charts import CONFIG, for_projector


def table_for_reading(
    frame: pd.DataFrame,
    counts: Sequence[str] = (),
    public: bool = True,
    labels: Mapping[str, Mapping[str, str]] | None = None,
    names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The table a reader sees and downloads: codes replaced by ``labels`` ({column: {code: text}}),
    dates without a time, hidden counts as words, columns renamed by ``names``.

    >>> table_for_reading(pd.DataFrame({"area": ["a"], "n": [3]}), counts=["n"], names={"n": "People"})
      area        People
    0    a  fewer than 5
    """
    table = frame.copy()
    # What was withheld ends up in the words below; without the attrs pandas also stops deep-copying
    # them at every step that follows.
    table.attrs = {}
    for column, mapping in (labels or {}).items():
        table[column] = table[column].map(lambda code, mapping=mapping: mapping.get(code, code))
    for column, dtype in frame.dtypes.items():
        if pd.api.types.is_datetime64_any_dtype(dtype):
            table[column] = table[column].dt.date
    for column in counts:
        values = table[column].astype("Float64")
        small = [is_small(v) for v in values] if public else []
        if any(small) or (public and values.hasnans):
            table[column] = [
                SUPPRESSED_TEXT
                if small_value
                else hidden_label(frame.attrs, column, index)
                if pd.isna(value)
                else f"{int(value)}"
                for index, value, small_value in zip(values.index, values, small, strict=True)
            ]
        else:
            table[column] = values.astype("Int64")
    table.columns = [(names or {}).get(column, column) for column in table.columns]
    return table


def projector_on() -> bool:
    """Whether this run shows projector mode (the shared sidebar's toggle)."""
    return bool(st.session_state.get("projector", False))


def csv_bytes(table: pd.DataFrame) -> bytes:
    """UTF-8 CSV of a table (missing values left empty), every text cell safe to open in a spreadsheet
    (``domain.safe_text.spreadsheet_text``): names and raw rows come from users and files."""
    safe = table.copy()
    for column in safe.columns:
        if pd.api.types.is_object_dtype(safe[column]) or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(spreadsheet_text)
    return safe.to_csv(index=False).encode("utf-8")


def chart_with_data(
    fig: go.Figure,
    frame: pd.DataFrame,
    *,
    key: str,
    title: str,
    file_name: str,
    public: bool,
    counts: Sequence[str] = (),
    labels: Mapping[str, Mapping[str, str]] | None = None,
    names: Mapping[str, str] | None = None,
) -> None:
    """Draw ``fig``, then ``frame`` as a table under an expander with a CSV download button.

    In projector mode every font of the chart is scaled up to the page's 24 px floor.
    """
    if projector_on():
        fig = for_projector(fig)
    st.plotly_chart(fig, theme=None, config=CONFIG, key=f"{key}_chart")
    explain_withheld(frame, public)
    data_table(frame, key=key, title=title, file_name=file_name, public=public, counts=counts, labels=labels,
               names=names, explained=True)  # fmt: skip


def explain_withheld(frame: pd.DataFrame, public: bool) -> None:
    """A caption saying what "withheld" means, under a public table or chart that has such a cell."""
    if public and has_withheld(frame):
        st.caption(COMPLEMENT_NOTE)


def data_table(
    frame: pd.DataFrame,
    *,
    key: str,
    title: str,
    file_name: str,
    public: bool,
    counts: Sequence[str] = (),
    labels: Mapping[str, Mapping[str, str]] | None = None,
    names: Mapping[str, str] | None = None,
    expanded: bool = False,
    explained: bool = False,
) -> None:
    """``frame`` as a readable table under an expander, with a CSV download of the same table (made
    when the button is clicked).

    The table is built and sent only while its expander is open (opening it reruns the page): a
    page with eight charts no longer sends eight tables on every filter change that nobody opened.
    """
    if not explained:
        explain_withheld(frame, public)
    box = st.expander(f"Data table: {title}", expanded=expanded, key=table_open_key(key), on_change="rerun")
    if not box.open:
        return
    table = table_for_reading(frame, counts=counts, public=public, labels=labels, names=names)
    with box:
        st.dataframe(table, hide_index=True, key=f"{key}_table")
        st.download_button(
            "Download CSV",
            # Written when the button is clicked (Streamlit runs it then, off the script).
            data=partial(csv_bytes, table),
            file_name=f"{file_name}.csv",
            mime="text/csv",
            icon=":material/download:",
            key=f"{key}_csv",
            on_click=export_click(public, f"{file_name}.csv"),  # a staff view's download is recorded
        )


def table_open_key(key: str) -> str:
    """The session-state key that says whether the data table of chart ``key`` is open."""
    return f"{key}_table_open"
