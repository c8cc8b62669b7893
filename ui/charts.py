"""Plotly chart builders shared by pages: sized for a projector, coloured for colour-blind viewers.

Builders take query results (already masked for public views, see ``ui.privacy``) and return a
``plotly.graph_objects.Figure``; they never read the database or Streamlit state, so they can be
tested on their own. A missing value (a count hidden in public view) is never drawn as zero: bars
say "fewer than 5" in words instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.privacy import SUPPRESSED_TEXT, count_texts, hidden_label

# Okabe & Ito's colour-blind-safe palette. Vermillion is kept for alerts (over a cap) so it comes late;
# yellow is last because it is faint on white.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#000000", "#D55E00", "#F0E442")
NEUTRAL = "#6b7785"  # context: totals whose split is hidden, markers, reference lines
ALERT = "#D55E00"  # over a cap
FONT_SIZE = 18  # projector-readable: never below 16 px
TITLE_FONT_SIZE = 22
CHART_HEIGHT = 460
# Plotly's toolbar is noise on a projector; keep only the picture download.
CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}


@dataclass(frozen=True)
class DateMarker:
    """A dated event drawn as a vertical line across a time chart."""

    on: date
    label: str


@dataclass(frozen=True)
class Reference:
    """A horizontal reference line (a cap, a standard, an index base)."""

    value: float
    label: str
    color: str = NEUTRAL
    dash: str = "dash"


def _style(fig: go.Figure, title: str, height: int = CHART_HEIGHT, legend: bool = True) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": TITLE_FONT_SIZE}, "x": 0, "xanchor": "left"},
        font={"size": FONT_SIZE, "color": "#1b1f24"},
        height=height,
        margin={"l": 10, "r": 20, "t": 70 if not legend else 110, "b": 10},
        paper_bgcolor="white",
        plot_bgcolor="white",
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "font": {"size": FONT_SIZE}},
        hoverlabel={"font": {"size": FONT_SIZE}},
        separators=".,",
    )
    fig.update_xaxes(showgrid=False, linecolor="#444", ticks="outside", automargin=True)
    fig.update_yaxes(gridcolor="#d9dde3", zerolinecolor="#888", automargin=True)
    return fig


PROJECTOR_FONT_SIZE = 24  # projector mode: no chart text below the page's own floor


def for_projector(fig: go.Figure) -> go.Figure:
    """The same figure with every font scaled up so its smallest text is ``PROJECTOR_FONT_SIZE``."""
    scale = PROJECTOR_FONT_SIZE / (FONT_SIZE - 2)  # annotations are the smallest text a chart carries

    def bigger(font) -> None:
        if font is not None and font.size:
            font.size = round(font.size * scale)

    layout = fig.layout
    for font in (layout.font, layout.title.font, layout.legend.font, layout.hoverlabel.font):
        bigger(font)
    for annotation in layout.annotations:
        bigger(annotation.font)
    for trace in fig.data:
        bigger(getattr(trace, "textfont", None))
    layout.height = round((layout.height or CHART_HEIGHT) * 1.2)
    return fig


def _count_text(values: pd.Series) -> list[str]:
    return count_texts(values)


def _add_date_markers(fig: go.Figure, markers: Sequence[DateMarker], first: pd.Timestamp, last: pd.Timestamp):
    """Vertical lines for the markers that fall inside the charted months, labelled at the top."""
    shown = [m for m in markers if first <= pd.Timestamp(m.on) <= last]
    span = max((last - first).days, 1)
    for position, marker in enumerate(shown):
        # Labels near the right edge hang to the left of their line so they are not cut off.
        on_the_right = (pd.Timestamp(marker.on) - first).days / span > 0.7
        fig.add_shape(
            type="line",
            xref="x",
            yref="paper",
            x0=marker.on,
            x1=marker.on,
            y0=0,
            y1=1,
            line={"color": "#1b1f24", "width": 2, "dash": "dot"},
        )
        fig.add_annotation(
            x=marker.on,
            xref="x",
            yref="paper",
            y=1 - 0.09 * position,
            text=marker.label,
            showarrow=False,
            xanchor="right" if on_the_right else "left",
            yanchor="top",
            xshift=-4 if on_the_right else 4,
            bgcolor="rgba(255,255,255,0.85)",
            font={"size": FONT_SIZE - 2},
        )
    return fig


def _add_references(fig: go.Figure, references: Sequence[Reference], row=None, col=None):
    for reference in references:
        fig.add_hline(
            y=reference.value,
            line={"color": reference.color, "width": 2.5, "dash": reference.dash},
            annotation={
                "text": reference.label,
                "font": {"size": FONT_SIZE - 2, "color": reference.color},
                "bgcolor": "rgba(255,255,255,0.85)",
            },
            annotation_position="top left",
            row=row,
            col=col,
        )
    return fig


def _date_ticks(months_shown: int) -> dict:
    """Tick spacing and format for a date axis spanning ``months_shown`` months, so labels never crowd."""
    if months_shown <= 15:
        return {"dtick": "M1", "tickformat": "%b<br>%Y"}
    if months_shown <= 40:
        return {"dtick": "M3", "tickformat": "%b<br>%Y"}
    if months_shown <= 120:
        return {"dtick": "M12", "tickformat": "%Y"}
    return {"dtick": "M24", "tickformat": "%Y"}


def _step_axis(fig: go.Figure, frame: pd.DataFrame, months_per_step: int, markers, row=None, col=None):
    """Date axis for bars one step long (a month or a quarter) with the dated markers that fall inside."""
    fig.update_xaxes(tickangle=0, **_date_ticks(len(frame) * months_per_step), row=row, col=col)
    if not frame.empty:
        first = pd.Timestamp(frame["period_start"].min())
        last = pd.Timestamp(frame["period_start"].max()) + pd.DateOffset(months=months_per_step)
        _add_date_markers(fig, markers, first, last)


def _step_label(months_per_step: int) -> str:
    return "%b %Y" if months_per_step == 1 else "quarter from %b %Y"


def stacked_bars_over_time(
    frame: pd.DataFrame,
    series: Mapping[str, str],
    title: str,
    markers: Sequence[DateMarker] = (),
    total: str | None = None,
    y_title: str = "Referrals",
    months_per_step: int = 1,
) -> go.Figure:
    """Bars per month or quarter (``frame['period_start']``), stacked by the ``series`` columns
    ({column: legend label}).

    Where a step's split is hidden (missing values) but ``total`` is known, the total is drawn as one
    hatched grey bar so the step's volume stays visible without revealing the split.
    """
    period = f"M{months_per_step}"
    when = _step_label(months_per_step)
    fig = go.Figure()
    for position, (column, label) in enumerate(series.items()):
        fig.add_bar(
            x=frame["period_start"],
            y=frame[column].astype("Float64").astype(float),
            name=label,
            marker_color=PALETTE[position % len(PALETTE)],
            xperiod=period,
            xperiodalignment="middle",
            hovertemplate=f"{label}: %{{y:,}}<extra>%{{x|{when}}}</extra>",
        )
    if total is not None:
        split_hidden = frame[list(series)].isna().any(axis=1) & frame[total].notna()
        if split_hidden.any():
            fig.add_bar(
                x=frame.loc[split_hidden, "period_start"],
                y=frame.loc[split_hidden, total].astype(float),
                name=f"Total only (a type had {SUPPRESSED_TEXT})",
                marker={"color": "#b8bec7"},
                xperiod=period,
                xperiodalignment="middle",
                hovertemplate=f"Total: %{{y:,}}<extra>%{{x|{when}}}</extra>",
            )
    fig.update_layout(barmode="stack", bargap=0.15, legend_traceorder="normal")
    fig.update_yaxes(title=y_title, rangemode="tozero")
    _step_axis(fig, frame, months_per_step, markers)
    return _style(fig, title)


def funnel(row: pd.Series, stages: Mapping[str, str], split: Mapping[str, str], title: str) -> go.Figure:
    """The stages a referral goes through, one bar each from the top (``stages``: {column: label} of
    ``row``, in order), and a last bar splitting the final stage into ``split`` (e.g. still active /
    exited). Bars start at zero so their lengths compare directly; each is labelled with its count and
    its share of the first stage. Hidden counts (missing) read "fewer than 5" and are not drawn.
    """
    first = row[next(iter(stages))]

    def text(column) -> str:
        value = row[column]
        if pd.isna(value):
            return hidden_label(row.attrs, column, row.name)
        share = f" ({100 * value / first:.0f}%)" if pd.notna(first) and first > 0 else ""
        return f"{int(value):,}{share}"

    def length(value) -> float:
        return 0.0 if pd.isna(value) else float(value)

    outcome = " / ".join(split.values())
    rows = [*stages.values(), outcome]
    fig = go.Figure(
        go.Bar(
            y=list(stages.values()),
            x=[length(row[c]) for c in stages],
            orientation="h",
            marker_color=PALETTE[0],
            text=[text(c) for c in stages],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra></extra>",
            showlegend=False,
        )
    )
    for position, (column, label) in enumerate(split.items()):
        fig.add_bar(
            y=[outcome],
            x=[length(row[column])],
            orientation="h",
            name=label,
            marker_color=(PALETTE[2], PALETTE[1])[position % 2],
            customdata=[text(column)],
            hovertemplate=f"{label}: %{{customdata}}<extra></extra>",
        )
    largest = max((length(row[c]) for c in [*stages, *split]), default=0)
    fig.add_annotation(
        y=outcome,
        x=sum(length(row[c]) for c in split),
        text=" · ".join(f"{label} {text(column)}" for column, label in split.items()),
        showarrow=False,
        xanchor="left",
        xshift=8,
        font={"size": FONT_SIZE},
    )
    fig.update_layout(barmode="stack", bargap=0.25, legend_traceorder="normal")
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=rows)
    # Room on the right for the labels that follow each bar.
    fig.update_xaxes(
        title="People", range=[0, largest * 1.45 if largest else 5], showgrid=True, gridcolor="#d9dde3"
    )
    return _style(fig, title, height=CHART_HEIGHT)


def horizontal_bars(
    frame: pd.DataFrame,
    category: str,
    value: str,
    title: str,
    labels: Mapping[str, str] | None = None,
    x_title: str = "Referrals",
    color: str = PALETTE[0],
) -> go.Figure:
    """One bar per row, first row at the top; hidden counts show "fewer than 5" instead of a bar."""
    names = [labels.get(c, c) if labels else c for c in frame[category]]
    values = frame[value].astype("Float64")
    fig = go.Figure(
        go.Bar(
            y=names,
            x=values.astype(float),
            orientation="h",
            marker_color=color,
            text=_count_text(values),
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    hidden = values.isna()
    if hidden.any():
        # A hidden bar has no length to hang its label on: write the words at the axis instead.
        fig.add_scatter(
            y=[n for n, h in zip(names, hidden, strict=True) if h],
            x=[0] * int(hidden.sum()),
            mode="text",
            text=[label for label, h in zip(_count_text(values), hidden, strict=True) if h],
            textposition="middle right",
            textfont={"size": FONT_SIZE, "color": NEUTRAL},
            cliponaxis=False,
            hoverinfo="skip",
            showlegend=False,
        )
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=names, gridcolor=None)
    longest = values.max(skipna=True)
    fig.update_xaxes(
        title=x_title,
        rangemode="tozero",
        showgrid=True,
        gridcolor="#d9dde3",
        range=[0, float(longest) * 1.2] if pd.notna(longest) and longest > 0 else [0, 5],
    )
    return _style(fig, title, height=max(300, 70 + 52 * len(frame)), legend=False)


def lines_with_references(
    frame: pd.DataFrame,
    x: str,
    series: Mapping[str, str],
    title: str,
    y_title: str,
    references: Sequence[Reference] = (),
    markers: Sequence[DateMarker] = (),
    flag_over: Reference | None = None,
    x_title: str | None = None,
    y_suffix: str = "",
) -> go.Figure:
    """One line per ``series`` column ({column: legend label}) against ``x``, with horizontal
    ``references`` and vertical date ``markers``; points above ``flag_over`` are circled in the alert
    colour (e.g. a caseload over the cap).
    """
    fig = go.Figure()
    for position, (column, label) in enumerate(series.items()):
        fig.add_scatter(
            x=frame[x],
            y=frame[column].astype("Float64").astype(float),
            name=label,
            mode="lines+markers",
            # Past the first four lines, dashes tell lines apart where colours alone may not.
            line={
                "color": PALETTE[position % len(PALETTE)],
                "width": 3,
                "dash": "solid" if position < 4 else "dash",
            },
            marker={"size": 7},
            hovertemplate=f"{label}: %{{y:,}}{y_suffix}<extra>%{{x}}</extra>",
        )
    if flag_over is not None:
        over = [(frame[x][frame[c] > flag_over.value], frame[c][frame[c] > flag_over.value]) for c in series]
        xs = [v for points, _ in over for v in points]
        ys = [float(v) for _, values in over for v in values]
        if xs:
            fig.add_scatter(
                x=xs,
                y=ys,
                name=flag_over.label,
                mode="markers",
                marker={"size": 18, "color": "rgba(0,0,0,0)", "line": {"color": ALERT, "width": 3}},
                hoverinfo="skip",
            )
    _add_references(fig, references)
    fig.update_yaxes(title=y_title, rangemode="tozero", ticksuffix=y_suffix)
    if x_title:
        fig.update_xaxes(title=x_title)
    if not frame.empty and pd.api.types.is_datetime64_any_dtype(frame[x]):
        first, last = pd.Timestamp(frame[x].min()), pd.Timestamp(frame[x].max())
        months_shown = (last.year - first.year) * 12 + last.month - first.month + 1
        # An explicit range: plotly's autorange leaves room for marker labels past the last point.
        half_month = pd.Timedelta(days=15)
        fig.update_xaxes(
            tickangle=0, range=[first - half_month, last + half_month], **_date_ticks(months_shown)
        )
        _add_date_markers(fig, markers, first, last)
    _style(fig, title, legend=len(fig.data) > 1)
    if len(series) > 4:
        # Many lines: a legend beside the plot, one entry per row, rather than rows over the title.
        fig.update_layout(
            legend={"orientation": "v", "x": 1.01, "xanchor": "left", "y": 1, "yanchor": "top"},
            margin={"t": 70},
        )
    return fig


def lines_by_group(
    frame: pd.DataFrame,
    x: str,
    y: str,
    group: str,
    title: str,
    y_title: str,
    labels: Mapping[str, str] | None = None,
    **options,
) -> go.Figure:
    """``lines_with_references`` for long data: one line per value of ``group`` (named by ``labels``),
    in order of first appearance."""
    order = list(dict.fromkeys(frame[group]))
    wide = frame.pivot(index=x, columns=group, values=y).reindex(columns=order).reset_index()
    series = {value: (labels or {}).get(value, str(value)) for value in order}
    return lines_with_references(wide, x, series, title, y_title, **options)


def counts_and_ratio(
    frame: pd.DataFrame,
    bars: Mapping[str, str],
    ratio: str,
    ratio_label: str,
    title: str,
    markers: Sequence[DateMarker] = (),
    months_per_step: int = 1,
) -> go.Figure:
    """Counts per step side by side (top) and the ratio between them (bottom), sharing the date axis."""
    period = f"M{months_per_step}"
    when = _step_label(months_per_step)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4], vertical_spacing=0.08)
    for position, (column, label) in enumerate(bars.items()):
        values = frame[column].astype("Float64")
        fig.add_bar(
            x=frame["period_start"],
            y=values.astype(float),
            name=label,
            marker_color=PALETTE[position % len(PALETTE)],
            xperiod=period,
            xperiodalignment="middle",
            customdata=_count_text(values),
            hovertemplate=f"{label}: %{{customdata}}<extra>%{{x|{when}}}</extra>",
            row=1,
            col=1,
        )
    fig.add_scatter(
        x=frame["period_start"],
        y=frame[ratio].astype("Float64").astype(float),
        name=ratio_label,
        mode="lines+markers",
        line={"color": PALETTE[2], "width": 3},
        marker={"size": 7},
        xperiod=period,
        xperiodalignment="middle",
        hovertemplate=f"{ratio_label}: %{{y:.1f}}<extra>%{{x|{when}}}</extra>",
        row=2,
        col=1,
    )
    fig.update_layout(barmode="group", bargap=0.2)
    fig.update_yaxes(title="Count", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title="Per 100", rangemode="tozero", row=2, col=1)
    _step_axis(fig, frame, months_per_step, markers, row=2, col=1)
    return _style(fig, title, height=CHART_HEIGHT + 140)
