"""A chart with its data: the plotly figure, then its table under an expander with a CSV download.

Every chart on a page goes through ``chart_with_data`` so a reader can always check the numbers
behind a picture. In a public view the table and the download carry the same masking as the chart:
hidden counts read "fewer than 5", and as a last guard any count from 1 to 4 still present in a
declared count column is hidden here too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui.charts import CONFIG
from ui.privacy import SUPPRESSED_TEXT, is_small


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
      area         People
    0    a  fewer than 5
    """
    table = frame.copy()
    for column, mapping in (labels or {}).items():
        table[column] = table[column].map(lambda code, mapping=mapping: mapping.get(code, code))
    for column in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[column]):
            table[column] = table[column].dt.date
    for column in counts:
        values = table[column].astype("Float64")
        hidden = [pd.isna(v) or is_small(v) for v in values]
        if public and any(hidden):
            shown = zip(values, hidden, strict=True)
            table[column] = [SUPPRESSED_TEXT if h else f"{int(v)}" for v, h in shown]
        else:
            table[column] = values.astype("Int64")
    return table.rename(columns=dict(names or {}))


def csv_bytes(table: pd.DataFrame) -> bytes:
    """UTF-8 CSV of a table prepared by ``table_for_reading`` (missing values left empty)."""
    return table.to_csv(index=False).encode("utf-8")


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
    """Draw ``fig``, then ``frame`` as a table under an expander with a CSV download button."""
    st.plotly_chart(fig, theme=None, config=CONFIG, key=f"{key}_chart")
    data_table(frame, key=key, title=title, file_name=file_name, public=public, counts=counts, labels=labels,
               names=names)  # fmt: skip


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
) -> None:
    """``frame`` as a readable table under an expander, with a CSV download of the same table."""
    table = table_for_reading(frame, counts=counts, public=public, labels=labels, names=names)
    with st.expander(f"Data table: {title}", expanded=expanded):
        st.dataframe(table, hide_index=True, key=f"{key}_table")
        st.download_button(
            "Download CSV",
            data=csv_bytes(table),
            file_name=f"{file_name}.csv",
            mime="text/csv",
            icon=":material/download:",
            key=f"{key}_csv",
            on_click="ignore",
        )
