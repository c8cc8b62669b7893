"""The Impact page's two charts, in the house style of ``ui/charts.py``: the event study (one point and
95 % interval per quarter from launch) and the Kaplan-Meier curve of re-arrest with its band.

Meaning never rests on colour alone: the event study marks quarters before and after launch with
different symbols and a labelled launch line; the band is labelled in the legend and the table.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ui.charts import NEUTRAL, PALETTE, Reference, _figure, _references, _style, _with_lines

BEFORE, AFTER = PALETTE[0], PALETTE[6]


def event_study(frame: pd.DataFrame, title: str, projector: bool = False) -> go.Figure:
    """Change (%) per quarter from launch with error bars; a zero line and the launch marked."""
    traces = []
    for name, rows, color, symbol in (
        ("Before launch", frame.loc[frame["quarter"] < 0], BEFORE, "circle"),
        ("After launch", frame.loc[frame["quarter"] >= 0], AFTER, "diamond"),
    ):
        traces.append(
            {
                "type": "scatter",
                "x": rows["quarter"].to_numpy(),
                "y": rows["change_pct"].to_numpy(float),
                "name": name,
                "mode": "markers",
                "marker": {"size": 11, "color": color, "symbol": symbol},
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": (rows["high_pct"] - rows["change_pct"]).to_numpy(float),
                    "arrayminus": (rows["change_pct"] - rows["low_pct"]).to_numpy(float),
                    "color": color,
                    "thickness": 2,
                },
                "customdata": rows[["low_pct", "high_pct"]].to_numpy(float),
                "hovertemplate": "Quarter %{x}: %{y:+.1f}% (95% CI %{customdata[0]:+.1f}% to "
                "%{customdata[1]:+.1f}%)<extra></extra>",
            }
        )
    layout = _with_lines({}, _references([Reference(0, "No change", color=NEUTRAL)]))
    layout = _with_lines(
        layout,
        {
            "shapes": [
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": -0.5,
                    "x1": -0.5,
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "#1b1f24", "width": 2, "dash": "dot"},
                }
            ],
            "annotations": [
                {
                    "x": -0.5,
                    "xref": "x",
                    "yref": "paper",
                    "y": 1,
                    "text": "Launch",
                    "showarrow": False,
                    "xanchor": "left",
                    "yanchor": "top",
                    "xshift": 4,
                    "bgcolor": "rgba(255,255,255,0.85)",
                }
            ],
        },
    )
    layout["xaxis"] = {
        "title": {"text": "Quarters from launch (−1 = reference)"},
        "dtick": 1,
        "zeroline": False,
    }
    if len(frame):
        layout["xaxis"]["range"] = [float(frame["quarter"].min()) - 0.6, float(frame["quarter"].max()) + 0.6]
    layout["yaxis"] = {"title": {"text": "Change (%)"}, "ticksuffix": "%"}
    return _figure(traces, _style(layout, title), projector)


def rearrest_curve(frame: pd.DataFrame, title: str, projector: bool = False) -> go.Figure:
    """Share re-arrested since enrolment as a step line, with its 95 % band shaded under a dashed edge."""
    months = frame["months"].to_numpy(float)
    traces = [
        {
            "type": "scatter",
            "x": months,
            "y": frame["high_pct"].to_numpy(float),
            "name": "95% band (upper)",
            "mode": "lines",
            "line": {"shape": "hv", "color": NEUTRAL, "width": 1, "dash": "dash"},
            "hoverinfo": "skip",
            "showlegend": False,
        },
        {
            "type": "scatter",
            "x": months,
            "y": frame["low_pct"].to_numpy(float),
            "name": "95% confidence band",
            "mode": "lines",
            "fill": "tonexty",
            "fillcolor": "rgba(0,114,178,0.15)",
            "line": {"shape": "hv", "color": NEUTRAL, "width": 1, "dash": "dash"},
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "x": months,
            "y": frame["rearrested_pct"].to_numpy(float),
            "name": "Re-arrested (%, Kaplan–Meier)",
            "mode": "lines",
            "line": {"shape": "hv", "color": PALETTE[0], "width": 3},
            "customdata": frame[["low_pct", "high_pct"]].to_numpy(float),
            "hovertemplate": "%{x:.1f} months: %{y:.1f}% (band %{customdata[0]:.1f}% to "
            "%{customdata[1]:.1f}%)<extra></extra>",
        },
    ]
    layout = {
        "xaxis": {"title": {"text": "Months since enrolment"}, "rangemode": "tozero"},
        "yaxis": {"title": {"text": "Re-arrested (%)"}, "ticksuffix": "%", "rangemode": "tozero"},
    }
    return _figure(traces, _style(layout, title), projector)
