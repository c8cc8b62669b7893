"""Plotly chart builders shared by pages: sized for a projector, coloured for colour-blind viewers.

Builders take query results (already masked for public views, see ``domain.privacy``) and return a
``plotly.graph_objects.Figure``; they never read the database or Streamlit state, so they can be
tested on their own. A missing value (a count hidden in public view) is never drawn as zero: bars
say "fewer than 5" in words instead. ``projector=True`` draws a chart at projector size (as
``for_projector`` does) in the same single construction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from domain.privacy import SUPPRESSED_TEXT, count_texts, hidden_label

# Okabe & Ito's colour-blind-safe palette, its orange, sky blue and yellow darkened (same hues) so
# that every mark reaches 3:1 on the white chart ground (WCAG 1.4.11; tests/test_palettes.py): the
# originals are 2.3, 2.3 and 1.3:1. Vermillion is kept for alerts (over a cap) so it comes late.
PALETTE = ("#0072B2", "#C17D00", "#009E73", "#CC79A7", "#2B8BC6", "#000000", "#D55E00", "#8F8400")
NEUTRAL = "#6b7785"  # context: totals whose split is hidden, markers, reference lines
ALERT = "#D55E00"  # over a cap
HIDDEN_SPLIT = "#858c94"  # a bar whose split is hidden: grey, yet 3.4:1 on white
CHART_GROUND = "#ffffff"  # what every chart is drawn on
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


# The house style. A chart's own layout goes under it, so where both set a property (the grid of a
# horizontal bar chart, say) the house style wins, on every x and every y axis of the chart. It is
# written into each figure rather than registered as a plotly template: plotly deep-copies and
# re-validates a named template for every figure (about 1.5 ms), more than these few properties cost.
HOUSE_LAYOUT = {
    "font": {"size": FONT_SIZE, "color": "#1b1f24"},
    "paper_bgcolor": CHART_GROUND,
    "plot_bgcolor": CHART_GROUND,
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "font": {"size": FONT_SIZE}},
    "hoverlabel": {"font": {"size": FONT_SIZE}},
    "separators": ".,",
}
HOUSE_XAXIS = {"showgrid": False, "linecolor": "#444", "ticks": "outside", "automargin": True}
HOUSE_YAXIS = {"gridcolor": "#d9dde3", "zerolinecolor": "#888", "automargin": True}
_AXIS = re.compile(r"[xy]axis\d*")  # layout keys of a chart's axes: xaxis, yaxis2, ...


def _merged(base: dict, over: Mapping) -> dict:
    """``base`` with ``over`` laid on top, nested dicts merged key by key (``over`` wins)."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def _style(layout: dict, title: str, height: int = CHART_HEIGHT, legend: bool = True) -> dict:
    """``layout`` in the house style, with its title, height and (or no) legend."""
    styled = _merged(
        layout,
        {
            **HOUSE_LAYOUT,
            "title": {"text": title, "font": {"size": TITLE_FONT_SIZE}, "x": 0, "xanchor": "left"},
            "height": height,
            "margin": {"l": 10, "r": 20, "t": 70 if not legend else 110, "b": 10},
            "showlegend": legend,
        },
    )
    for axis in dict.fromkeys(["xaxis", "yaxis", *(name for name in layout if _AXIS.fullmatch(name))]):
        styled[axis] = _merged(styled.get(axis, {}), HOUSE_XAXIS if axis[0] == "x" else HOUSE_YAXIS)
    return styled


def _figure(traces: list[dict], layout: dict, projector: bool = False) -> go.Figure:
    """The figure, validated by plotly once as a whole (sized for a projector if asked).

    Every builder describes its chart as plain dicts and hands them over here: plotly validates each
    ``update_layout``/``add_*`` call property by property (about 15 ms a chart when the charts were
    built that way); one unchecked construction costs about 1.
    """
    if projector:
        traces, layout = _projector_sized(traces, layout)
    # Built without plotly's property-by-property checks (a third of a chart's cost): the builders
    # write fixed, tested properties, and tests/test_referral_page.py validates every chart sent.
    return go.Figure(data=traces, layout=layout, _validate=False)


PROJECTOR_FONT_SIZE = 24  # projector mode: no chart text below the page's own floor
# Annotations are the smallest text a chart carries; every font grows by the same factor.
_PROJECTOR_SCALE = PROJECTOR_FONT_SIZE / (FONT_SIZE - 2)
_PROJECTOR_TALLER = 1.2


def _projector_sized(traces: list[dict], layout: dict) -> tuple[list[dict], dict]:
    """Copies of a builder's dicts with every font scaled as ``for_projector`` scales a figure's (the
    dicts share the house style's, which must stay as they are)."""

    def bigger(holder: dict, key: str = "font") -> dict:
        font = holder.get(key)
        if not font or not font.get("size"):
            return holder
        return {**holder, key: {**font, "size": round(font["size"] * _PROJECTOR_SCALE)}}

    layout = bigger(dict(layout))
    for name in ("title", "legend", "hoverlabel"):
        if name in layout:
            layout[name] = bigger(layout[name])
    if "annotations" in layout:
        layout["annotations"] = [bigger(annotation) for annotation in layout["annotations"]]
    layout["height"] = round((layout.get("height") or CHART_HEIGHT) * _PROJECTOR_TALLER)
    return [bigger(trace, "textfont") for trace in traces], layout


def for_projector(fig: go.Figure) -> go.Figure:
    """The same figure with every font scaled up so its smallest text is ``PROJECTOR_FONT_SIZE``.

    A figure already at projector size (a builder called with ``projector=True``, which costs nothing
    extra) is returned as it is.
    """
    layout = fig.layout
    if (layout.font.size or 0) >= PROJECTOR_FONT_SIZE:
        return fig

    def bigger(font) -> None:
        if font is not None and font.size:
            font.size = round(font.size * _PROJECTOR_SCALE)

    for font in (layout.font, layout.title.font, layout.legend.font, layout.hoverlabel.font):
        bigger(font)
    for annotation in layout.annotations:
        bigger(annotation.font)
    for trace in fig.data:
        bigger(getattr(trace, "textfont", None))
    layout.height = round((layout.height or CHART_HEIGHT) * _PROJECTOR_TALLER)
    return fig


def _count_text(values: pd.Series) -> list[str]:
    return count_texts(values)


def _numbers(values: pd.Series) -> np.ndarray:
    """A column as plotly draws it: floats, a missing (hidden) value as NaN so it is never drawn as zero."""
    return values.to_numpy(dtype=float, na_value=np.nan)


def _date_markers(markers: Sequence[DateMarker], first: pd.Timestamp, last: pd.Timestamp) -> dict:
    """Vertical lines for the markers that fall inside the charted months, labelled at the top
    (layout ``shapes`` and ``annotations``)."""
    shown = [m for m in markers if first <= pd.Timestamp(m.on) <= last]
    span = max((last - first).days, 1)
    shapes, annotations = [], []
    for position, marker in enumerate(shown):
        # Labels near the right edge hang to the left of their line so they are not cut off.
        on_the_right = (pd.Timestamp(marker.on) - first).days / span > 0.7
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": marker.on,
                "x1": marker.on,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#1b1f24", "width": 2, "dash": "dot"},
            }
        )
        annotations.append(
            {
                "x": marker.on,
                "xref": "x",
                "yref": "paper",
                "y": 1 - 0.09 * position,
                "text": marker.label,
                "showarrow": False,
                "xanchor": "right" if on_the_right else "left",
                "yanchor": "top",
                "xshift": -4 if on_the_right else 4,
                "bgcolor": "rgba(255,255,255,0.85)",
                "font": {"size": FONT_SIZE - 2},
            }
        )
    return {"shapes": shapes, "annotations": annotations}


def _references(references: Sequence[Reference]) -> dict:
    """Horizontal lines across the whole plot, labelled above their left end (as plotly's
    ``add_hline`` draws them), as layout ``shapes`` and ``annotations``."""
    shapes, annotations = [], []
    for reference in references:
        shapes.append(
            {
                "type": "line",
                "xref": "x domain",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": reference.value,
                "y1": reference.value,
                "line": {"color": reference.color, "width": 2.5, "dash": reference.dash},
            }
        )
        annotations.append(
            {
                "text": reference.label,
                "font": {"size": FONT_SIZE - 2, "color": reference.color},
                "bgcolor": "rgba(255,255,255,0.85)",
                "showarrow": False,
                "xref": "x domain",
                "x": 0,
                "xanchor": "left",
                "yref": "y",
                "y": reference.value,
                "yanchor": "bottom",
            }
        )
    return {"shapes": shapes, "annotations": annotations}


def _with_lines(layout: dict, *lines: dict) -> dict:
    """``layout`` with the ``shapes`` and ``annotations`` of ``lines`` added after its own."""
    for extra in lines:
        for key in ("shapes", "annotations"):
            if extra[key]:
                layout[key] = [*layout.get(key, ()), *extra[key]]
    return layout


def _date_ticks(months_shown: int) -> dict:
    """Tick spacing and format for a date axis spanning ``months_shown`` months, so labels never crowd."""
    if months_shown <= 15:
        return {"dtick": "M1", "tickformat": "%b<br>%Y"}
    if months_shown <= 40:
        return {"dtick": "M3", "tickformat": "%b<br>%Y"}
    if months_shown <= 120:
        return {"dtick": "M12", "tickformat": "%Y"}
    return {"dtick": "M24", "tickformat": "%Y"}


def _step_axis(frame: pd.DataFrame, months_per_step: int, markers) -> tuple[dict, dict]:
    """Date axis for bars one step long (a month or a quarter), and the lines of the dated markers that
    fall inside."""
    axis = {"tickangle": 0, **_date_ticks(len(frame) * months_per_step)}
    lines = {"shapes": [], "annotations": []}
    if not frame.empty:
        first = pd.Timestamp(frame["period_start"].min())
        last = pd.Timestamp(frame["period_start"].max()) + pd.DateOffset(months=months_per_step)
        lines = _date_markers(markers, first, last)
    return axis, lines


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
    projector: bool = False,
) -> go.Figure:
    """Bars per month or quarter (``frame['period_start']``), stacked by the ``series`` columns
    ({column: legend label}).

    Where a step's split is hidden (missing values) but ``total`` is known, the total is drawn as one
    hatched grey bar so the step's volume stays visible without revealing the split.
    """
    period = f"M{months_per_step}"
    when = _step_label(months_per_step)
    traces = [
        {
            "type": "bar",
            "x": frame["period_start"].to_numpy(),
            "y": _numbers(frame[column]),
            "name": label,
            "marker": {"color": PALETTE[position % len(PALETTE)]},
            "xperiod": period,
            "xperiodalignment": "middle",
            "hovertemplate": f"{label}: %{{y:,}}<extra>%{{x|{when}}}</extra>",
        }
        for position, (column, label) in enumerate(series.items())
    ]
    if total is not None:
        split_hidden = frame[list(series)].isna().any(axis=1) & frame[total].notna()
        if split_hidden.any():
            traces.append(
                {
                    "type": "bar",
                    "x": frame.loc[split_hidden, "period_start"],
                    "y": _numbers(frame.loc[split_hidden, total]),
                    "name": f"Total only (a type had {SUPPRESSED_TEXT})",
                    "marker": {"color": HIDDEN_SPLIT},
                    "xperiod": period,
                    "xperiodalignment": "middle",
                    "hovertemplate": f"Total: %{{y:,}}<extra>%{{x|{when}}}</extra>",
                }
            )
    xaxis, lines = _step_axis(frame, months_per_step, markers)
    layout = {
        "barmode": "stack",
        "bargap": 0.15,
        "legend": {"traceorder": "normal"},
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero"},
        "xaxis": xaxis,
    }
    return _figure(traces, _style(_with_lines(layout, lines), title), projector)


def funnel(
    row: pd.Series, stages: Mapping[str, str], split: Mapping[str, str], title: str, projector: bool = False
) -> go.Figure:
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
    traces = [
        {
            "type": "bar",
            "y": list(stages.values()),
            "x": [length(row[c]) for c in stages],
            "orientation": "h",
            "marker": {"color": PALETTE[0]},
            "text": [text(c) for c in stages],
            "textposition": "outside",
            "cliponaxis": False,
            "hovertemplate": "%{y}: %{text}<extra></extra>",
            "showlegend": False,
        }
    ]
    traces += [
        {
            "type": "bar",
            "y": [outcome],
            "x": [length(row[column])],
            "orientation": "h",
            "name": label,
            "marker": {"color": (PALETTE[2], PALETTE[1])[position % 2]},
            "customdata": [text(column)],
            "hovertemplate": f"{label}: %{{customdata}}<extra></extra>",
        }
        for position, (column, label) in enumerate(split.items())
    ]
    largest = max((length(row[c]) for c in [*stages, *split]), default=0)
    layout = {
        "annotations": [
            {
                "y": outcome,
                "x": sum(length(row[c]) for c in split),
                "text": " · ".join(f"{label} {text(column)}" for column, label in split.items()),
                "showarrow": False,
                "xanchor": "left",
                "xshift": 8,
                "font": {"size": FONT_SIZE},
            }
        ],
        "barmode": "stack",
        "bargap": 0.25,
        "legend": {"traceorder": "normal"},
        "yaxis": {"autorange": "reversed", "categoryorder": "array", "categoryarray": rows},
        # Room on the right for the labels that follow each bar.
        "xaxis": {
            "title": {"text": "People"},
            "range": [0, largest * 1.45 if largest else 5],
            "showgrid": True,
            "gridcolor": "#d9dde3",
        },
    }
    return _figure(traces, _style(layout, title, height=CHART_HEIGHT), projector)


def horizontal_bars(
    frame: pd.DataFrame,
    category: str,
    value: str,
    title: str,
    labels: Mapping[str, str] | None = None,
    x_title: str = "Referrals",
    color: str = PALETTE[0],
    projector: bool = False,
) -> go.Figure:
    """One bar per row, first row at the top; hidden counts show "fewer than 5" instead of a bar."""
    names = [labels.get(c, c) if labels else c for c in frame[category]]
    values = frame[value].astype("Float64")
    texts = _count_text(values)
    traces = [
        {
            "type": "bar",
            "y": names,
            "x": _numbers(values),
            "orientation": "h",
            "marker": {"color": color},
            "text": texts,
            "textposition": "outside",
            "cliponaxis": False,
            "hovertemplate": "%{y}: %{text}<extra></extra>",
        }
    ]
    hidden = values.isna()
    if hidden.any():
        # A hidden bar has no length to hang its label on: write the words at the axis instead.
        traces.append(
            {
                "type": "scatter",
                "y": [n for n, h in zip(names, hidden, strict=True) if h],
                "x": [0] * int(hidden.sum()),
                "mode": "text",
                "text": [label for label, h in zip(texts, hidden, strict=True) if h],
                "textposition": "middle right",
                "textfont": {"size": FONT_SIZE, "color": NEUTRAL},
                "cliponaxis": False,
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    longest = values.max(skipna=True)
    layout = {
        "yaxis": {"autorange": "reversed", "categoryorder": "array", "categoryarray": names},
        "xaxis": {
            "title": {"text": x_title},
            "rangemode": "tozero",
            "showgrid": True,
            "gridcolor": "#d9dde3",
            "range": [0, float(longest) * 1.2] if pd.notna(longest) and longest > 0 else [0, 5],
        },
    }
    height = max(300, 70 + 52 * len(frame))
    return _figure(traces, _style(layout, title, height=height, legend=False), projector)


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
    projector: bool = False,
) -> go.Figure:
    """One line per ``series`` column ({column: legend label}) against ``x``, with horizontal
    ``references`` and vertical date ``markers``; points above ``flag_over`` are circled in the alert
    colour (e.g. a caseload over the cap).
    """
    traces = [
        {
            "type": "scatter",
            "x": frame[x].to_numpy(),
            "y": _numbers(frame[column]),
            "name": label,
            "mode": "lines+markers",
            # Past the first four lines, dashes tell lines apart where colours alone may not.
            "line": {
                "color": PALETTE[position % len(PALETTE)],
                "width": 3,
                "dash": "solid" if position < 4 else "dash",
            },
            "marker": {"size": 7},
            "hovertemplate": f"{label}: %{{y:,}}{y_suffix}<extra>%{{x}}</extra>",
        }
        for position, (column, label) in enumerate(series.items())
    ]
    if flag_over is not None:
        over = [(frame[x][frame[c] > flag_over.value], frame[c][frame[c] > flag_over.value]) for c in series]
        xs = [v for points, _ in over for v in points]
        ys = [float(v) for _, values in over for v in values]
        if xs:
            traces.append(
                {
                    "type": "scatter",
                    "x": xs,
                    "y": ys,
                    "name": flag_over.label,
                    "mode": "markers",
                    "marker": {"size": 18, "color": "rgba(0,0,0,0)", "line": {"color": ALERT, "width": 3}},
                    "hoverinfo": "skip",
                }
            )
    layout = _with_lines({}, _references(references))
    layout["yaxis"] = {"title": {"text": y_title}, "rangemode": "tozero", "ticksuffix": y_suffix}
    layout["xaxis"] = {"title": {"text": x_title}} if x_title else {}
    if not frame.empty and pd.api.types.is_datetime64_any_dtype(frame[x]):
        first, last = pd.Timestamp(frame[x].min()), pd.Timestamp(frame[x].max())
        months_shown = (last.year - first.year) * 12 + last.month - first.month + 1
        # An explicit range: plotly's autorange leaves room for marker labels past the last point.
        half_month = pd.Timedelta(days=15)
        layout["xaxis"] |= {
            "tickangle": 0,
            "range": [first - half_month, last + half_month],
            **_date_ticks(months_shown),
        }
        _with_lines(layout, _date_markers(markers, first, last))
    layout = _style(layout, title, legend=len(traces) > 1)
    if len(series) > 4:
        # Many lines: a legend beside the plot, one entry per row, rather than rows over the title.
        layout = _merged(
            layout,
            {
                "legend": {"orientation": "v", "x": 1.01, "xanchor": "left", "y": 1, "yanchor": "top"},
                "margin": {"t": 70},
            },
        )
    return _figure(traces, layout, projector)


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
    order = list(dict.fromkeys(frame[group].tolist()))
    series = {value: (labels or {}).get(value, str(value)) for value in order}
    return lines_with_references(_wide(frame, x, y, group, order), x, series, title, y_title, **options)


def _wide(frame: pd.DataFrame, x: str, y: str, group: str, order: list) -> pd.DataFrame:
    """One row per value of ``x`` (ascending) and one column of ``y`` per group in ``order``, missing
    where a group has no row: the numbers of ``frame.pivot(index=x, columns=group, values=y)``, made
    from numpy arrays (the pivot alone cost about 2 ms a chart)."""
    xs, row = np.unique(frame[x].to_numpy(), return_inverse=True)
    groups = frame[group].to_numpy()
    values = frame[y].to_numpy(dtype=float, na_value=np.nan)
    wide = {x: xs}
    for value in order:
        column = np.full(len(xs), np.nan)
        mine = groups == value
        column[row[mine]] = values[mine]
        wide[value] = column
    return pd.DataFrame(wide)


# Two rows sharing the date axis, as plotly's make_subplots(rows=2, shared_xaxes=True, row_heights=
# [0.6, 0.4], vertical_spacing=0.08) lays them out: counts on top (x, y), the ratio below (x2, y2).
_RATIO_SPACING = 0.08
_RATIO_TOP = (1 - _RATIO_SPACING) * 0.6
_RATIO_AXES = {
    "xaxis": {"anchor": "y", "domain": [0.0, 1.0], "matches": "x2", "showticklabels": False},
    "yaxis": {"anchor": "x", "domain": [1 - _RATIO_TOP, 1.0]},
    "xaxis2": {"anchor": "y2", "domain": [0.0, 1.0]},
    "yaxis2": {"anchor": "x2", "domain": [0.0, 1 - _RATIO_TOP - _RATIO_SPACING]},
}


def counts_and_ratio(
    frame: pd.DataFrame,
    bars: Mapping[str, str],
    ratio: str,
    ratio_label: str,
    title: str,
    markers: Sequence[DateMarker] = (),
    months_per_step: int = 1,
    projector: bool = False,
) -> go.Figure:
    """Counts per step side by side (top) and the ratio between them (bottom), sharing the date axis."""
    period = f"M{months_per_step}"
    when = _step_label(months_per_step)
    traces = []
    for position, (column, label) in enumerate(bars.items()):
        values = frame[column].astype("Float64")
        traces.append(
            {
                "type": "bar",
                "x": frame["period_start"].to_numpy(),
                "y": _numbers(values),
                "name": label,
                "marker": {"color": PALETTE[position % len(PALETTE)]},
                "xperiod": period,
                "xperiodalignment": "middle",
                "customdata": _count_text(values),
                "hovertemplate": f"{label}: %{{customdata}}<extra>%{{x|{when}}}</extra>",
                "xaxis": "x",
                "yaxis": "y",
            }
        )
    traces.append(
        {
            "type": "scatter",
            "x": frame["period_start"].to_numpy(),
            "y": _numbers(frame[ratio]),
            "name": ratio_label,
            "mode": "lines+markers",
            "line": {"color": PALETTE[2], "width": 3},
            "marker": {"size": 7},
            "xperiod": period,
            "xperiodalignment": "middle",
            "hovertemplate": f"{ratio_label}: %{{y:.1f}}<extra>%{{x|{when}}}</extra>",
            "xaxis": "x2",
            "yaxis": "y2",
        }
    )
    xaxis2, lines = _step_axis(frame, months_per_step, markers)
    layout = _merged(
        _RATIO_AXES,
        {
            "barmode": "group",
            "bargap": 0.2,
            "yaxis": {"title": {"text": "Count"}, "rangemode": "tozero"},
            "yaxis2": {"title": {"text": "Per 100"}, "rangemode": "tozero"},
            "xaxis2": xaxis2,
        },
    )
    return _figure(traces, _style(_with_lines(layout, lines), title, height=CHART_HEIGHT + 140), projector)


# Equity (issue 12) ----------------------------------------------------------------------------------------


RATIO_TICKS = (0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1, 1.5, 2, 4, 5, 10, 20)


def rate_ratios(frame: pd.DataFrame, title: str, x_title: str, projector: bool = False) -> go.Figure:
    """One row per group: its Relative Rate Index as a dot with its 95% interval as a bar, on a log axis
    with a line at 1 (the reference group's rate). A group without a ratio says why in words (``note``)
    at the left edge, so no meaning rests on colour. ``frame``: group, rri, low, high, note."""
    names = frame["group"].tolist()
    rri, low, high = (_numbers(frame[column]) for column in ("rri", "low", "high"))
    notes = frame["note"].tolist()
    drawn = ~np.isnan(rri)
    interval = ~np.isnan(low)
    finite = np.concatenate([v[~np.isnan(v)] for v in (rri, low, high)] + [np.array([1.0])])
    span = [float(np.log10(max(finite.min(), 1e-3))) - 0.2, float(np.log10(finite.max())) + 0.2]
    ticks = [t for t in RATIO_TICKS if span[0] <= np.log10(t) <= span[1]]
    traces = [
        {
            "type": "scatter",
            "y": [n for n, d in zip(names, drawn, strict=True) if d],
            "x": rri[drawn],
            "mode": "markers+text",
            "marker": {"size": 14, "color": PALETTE[0], "symbol": "diamond"},
            "error_x": {
                "type": "data", "symmetric": False, "color": PALETTE[0], "thickness": 3, "width": 8,
                "array": np.where(interval, high - rri, 0.0)[drawn],
                "arrayminus": np.where(interval, rri - low, 0.0)[drawn],
            },
            "text": [
                f"{v:.2f}" + (f" ({n})" if n else "") for v, n, d in zip(rri, notes, drawn, strict=True) if d
            ],
            "textposition": "top center",
            "cliponaxis": False,
            "hovertemplate": "%{y}: %{text}<extra></extra>",
            "showlegend": False,
        }
    ]  # fmt: skip
    if (~drawn).any():
        traces.append(
            {
                "type": "scatter",
                "y": [n for n, d in zip(names, drawn, strict=True) if not d],
                "x": [10 ** (span[0] + 0.02)] * int((~drawn).sum()),
                "mode": "text",
                "text": [n for n, d in zip(notes, drawn, strict=True) if not d],
                "textposition": "middle right",
                "textfont": {"size": FONT_SIZE, "color": NEUTRAL},
                "cliponaxis": False,
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    layout = {
        "yaxis": {"autorange": "reversed", "categoryorder": "array", "categoryarray": names},
        "xaxis": {"title": {"text": x_title}, "type": "log", "range": span, "showgrid": True,
                  "gridcolor": "#d9dde3", "tickvals": ticks, "ticktext": [f"{t:g}" for t in ticks]},
        "shapes": [{"type": "line", "xref": "x", "yref": "paper", "x0": 1, "x1": 1, "y0": 0, "y1": 1,
                    "line": {"color": NEUTRAL, "dash": "dash", "width": 2}}],
    }  # fmt: skip
    height = max(300, 110 + 64 * len(frame))
    return _figure(traces, _style(layout, title, height=height, legend=False), projector)
