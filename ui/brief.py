"""The one-page hearing brief, drawn: its map and trend chart as inline SVG, and the printable page.

What the brief says (figures, notes, the proposal's projection, sources), masked by the public rule,
is ``screens.brief``'s model; ``load_brief`` adds the pictures, drawn directly as SVG (vector pictures
print sharp at any size and cost milliseconds to draw), and ``brief_html`` writes one self-contained
HTML document (no script needed; print CSS sized to one Letter or A4 page). Tests and scripts pass
``functools.partial(queries.run, con)``; the page calls ``page_brief_html``, which assembles the brief
from the app's cached queries and keeps the document until the data changes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import streamlit as st

from domain import program
from domain.safe_text import NAME_LIMIT, html_attribute, html_text
from geo.map_page import (
    DEFAULT_LAYERS,
    AreaChoice,
    MapFilters,
    area_choices,
    load_context,
    load_density_layers,
)
from geo.map_style import FOCUS_RING
from geo.static_map import map_svg, svg_document, svg_text
from screens.brief import (
    CENTRAL,
    EDITION,
    NO_PROPOSAL,
    PAPERS,
    AreaLevelOf,
    BriefFigure,
    EquitySummary,
    ImpactSummary,
    ProposalSummary,
    brief_model,
    map_note,
)
from store import database_path
from ui import impact_data
from ui.data import query

RunQuery = Callable[..., pd.DataFrame]
MAP_ASPECT = 1.6  # width / height of the brief's map frame
MAP_WIDTH_INCHES = TREND_WIDTH_INCHES = 7.4  # the pictures' own size: about the printed column's width
BAR_COLOUR = "#0072B2"  # Okabe & Ito blue, as the app's charts
MARKER_COLOUR = "#1b1f24"
# What the brief can add, as its notes name it, and the room each takes in units of about a picture's
# give: the impact estimate (estimate, reading, caveats) is about as tall as the trend chart, so two.
EXTRAS = {"proposal": "the proposal", "equity": "the equity table", "impact": "the impact estimate"}
EXTRA_ROOM = {"proposal": 1, "equity": 1, "impact": 2}
# Room taken -> the pictures' heights in inches (None: left out, with a note naming the page it is on).
# The map's legend needs 2.8 inches; below that the map gives way whole.
TREND_HEIGHTS = (1.9, 1.45)
MAP_HEIGHTS = (3.5, 2.8, 2.8)


def left_out(what: str, where: str, extras: list[str]) -> str:
    """The note that replaces a picture when the brief's extras take its room."""
    named = (
        EXTRAS[extras[0]]
        if len(extras) == 1
        else (", ".join(EXTRAS[key] for key in extras[:-1]) + f" and {EXTRAS[extras[-1]]}")
    )
    return f"{what} left out of this brief to keep to one page with {named}: see {where}."


@dataclass(frozen=True)
class Brief:
    """Everything the printed page shows, already written as text or pictures."""

    title: str
    period: str
    paper: str
    data_note: str
    synthetic: bool
    figures: dict[str, list[BriefFigure]]  # area heading -> figures
    map_svg: str
    trend_svg: str
    trend_note: str
    proposal: ProposalSummary | None
    sources: list[str] = field(default_factory=list)
    generated_on: date = field(default_factory=date.today)
    equity: EquitySummary | None = None
    impact: ImpactSummary | None = None
    map_left_out: str | None = None  # the note in the map's place, when the extras took its room


def load_brief(
    run_query: RunQuery,
    start: date,
    end: date,
    proposal_id: str = NO_PROPOSAL,
    paper: str = "letter",
    with_equity: bool = False,
    with_impact: bool = False,
    impact_area: AreaLevelOf | None = None,
) -> Brief:
    """The brief for a period (public view), with one saved proposal or none, its pictures drawn."""
    model = brief_model(run_query, start, end, proposal_id, paper, with_equity, with_impact, impact_area)
    proposal = model.proposal and (model.proposal.name, model.proposal_shape)
    # With a proposal, the equity table or the impact estimate on the page, the pictures give up a little
    # height so it still fits one sheet; with more, the trend (on the Referrals page) makes room, then
    # the map (on the Map page).
    extras = [
        key
        for key, part in (("proposal", proposal), ("equity", model.equity), ("impact", model.impact))
        if part is not None
    ]
    room = sum(EXTRA_ROOM[key] for key in extras)
    trend_height = TREND_HEIGHTS[room] if room < len(TREND_HEIGHTS) else None
    map_height = MAP_HEIGHTS[room] if room < len(MAP_HEIGHTS) else None
    return Brief(
        title=model.title,
        period=model.period,
        paper=model.paper,
        data_note=model.data_note,
        synthetic=model.synthetic,
        figures=model.figures,
        map_svg="" if map_height is None else _map(run_query, model.start, model.end, proposal, map_height),
        trend_svg=""
        if trend_height is None
        else trend_svg(model.trend, model.trend_title, height=trend_height),
        trend_note=model.trend_note
        if trend_height
        else left_out("Referrals per quarter are", "the Referrals page", extras),
        map_left_out=None
        if map_height
        else left_out(
            "The map is",
            "the Map page" + (" (the proposal: the Expansion planner)" if proposal else ""),
            extras,
        ),
        proposal=model.proposal,
        sources=model.sources,
        equity=model.equity,
        impact=model.impact,
    )


def page_brief_html(
    start: date, end: date, proposal_id: str, paper: str, with_equity: bool = False, with_impact: bool = False
) -> str:
    """The brief of the app's database as HTML (``brief_html``), kept until the data changes.

    A filter change back to a period already seen (same proposal, same paper) costs nothing. The
    kept document is keyed by what it is made of: the database, the period, the paper, today's date
    (it says when it was prepared), the newest import (an import changes the figures) and the saved
    proposal's own row (a proposal deleted and saved again under the same name is a new drawing). The
    impact estimate is the Impact page's own cached fit (``ui.impact_data``): free once that page was seen.
    """
    saved = query("proposal_list")
    proposal_row = tuple(str(row) for row in saved[saved["area_id"] == proposal_id].itertuples(index=False))
    newest_import = tuple(query("latest_imports", max_rows=1)["import_id"].tolist())
    data = (newest_import, proposal_row)
    return _kept_brief_html(
        str(database_path()), start, end, proposal_id, paper, data, date.today(), with_equity, with_impact
    )


@st.cache_data(show_spinner=False, max_entries=32, ttl=3600)
def _kept_brief_html(
    database: str,
    start: date,
    end: date,
    proposal_id: str,
    paper: str,
    data: tuple,
    today: date,
    with_equity: bool = False,
    with_impact: bool = False,
) -> str:
    # ``database``, ``data`` and ``today`` are not read here: they are part of the cache's key.
    return brief_html(
        load_brief(query, start, end, proposal_id, paper, with_equity, with_impact, impact_data.area_level)
    )


def _map(run_query: RunQuery, start: date, end: date, proposal: tuple | None, height: float = 3.5) -> str:
    """The Central District with referral density, the pilot zone and candidates (and the proposal)."""
    filters = MapFilters(start, end, area_id=CENTRAL, public=True)
    context = load_context(run_query, EDITION)
    layers = load_density_layers(run_query, filters, keys=("referrals",))
    area_list = run_query("area_list", edition=EDITION)
    central = area_choices(area_list[area_list["area_id"] == CENTRAL], EDITION)[CENTRAL]
    (south, west), (north, east) = central.bounds
    if proposal is not None:
        p_west, p_south, p_east, p_north = proposal[1].bounds
        south, west, north, east = (
            min(south, p_south),
            min(west, p_west),
            max(north, p_north),
            max(east, p_east),
        )
    # Widen the frame to the picture's landscape shape, so the map fills its half page with context.
    shrink = math.cos(math.radians((north + south) / 2))  # a degree of longitude is shorter here
    missing = (north - south) * MAP_ASPECT - (east - west) * shrink
    if missing > 0:
        west, east = west - missing / shrink / 2, east + missing / shrink / 2
    frame = AreaChoice("brief", "brief", central.label, ((south, west), (north, east)))
    return map_svg(
        context,
        layers,
        title="Referrals per cell, the pilot zone and the Central District",
        area=frame,
        visible=[layer for layer in DEFAULT_LAYERS if layer != "neighbourhoods"],
        size=(MAP_WIDTH_INCHES, height),
        proposals=[] if proposal is None else [proposal],
    )


def trend_svg(frame: pd.DataFrame, title: str, height: float = 1.9) -> str:
    """Bars of ``frame['total']`` per quarter (missing = hidden, not drawn), with the program's dates: an
    SVG picture 7.4 inches wide, one user unit to a point, laid out as the earlier matplotlib chart."""
    width, tall = TREND_WIDTH_INCHES * 72, height * 72
    left, right, top, bottom = 0.07 * width, 0.98 * width, 0.16 * tall, 0.8 * tall
    days = [start.toordinal() for start in pd.to_datetime(frame["period_start"]).dt.date]
    # A bar is 80 days wide in the middle of its quarter; the axis spans every quarter, 5% to spare.
    first, last = (min(days) + 5, max(days) + 85) if days else (0, 1)
    low, high = first - (last - first) * 0.05, last + (last - first) * 0.05
    counts = frame["total"].astype(float).tolist()
    peak = max((count for count in counts if not math.isnan(count)), default=0.0)
    ceiling = peak * 1.15 if peak > 0 else 5.0

    def x(day: float) -> float:
        return left + (day - low) / (high - low) * (right - left)

    def y(count: float) -> float:
        return bottom - count / ceiling * (bottom - top)

    ticks = _count_ticks(ceiling, most=(bottom - top) / 16)  # as many as fit, two lines of type apart
    years = []  # 1 January of each year on the axis
    if days:
        span = range(date.fromordinal(int(low)).year, date.fromordinal(int(high)).year + 1)
        years = [date(year, 1, 1) for year in span if low <= date(year, 1, 1).toordinal() <= high]
    bars = "".join(
        f"M{x(day + 5):.1f},{bottom:.1f}V{y(count):.1f}H{x(day + 85):.1f}V{bottom:.1f}Z"
        for day, count in zip(days, counts, strict=True)
        if not math.isnan(count)
    )
    grid = "".join(f"M{left:.1f},{y(tick):.1f}H{right:.1f}" for tick in ticks)
    axes = f"M{left:.1f},{top:.1f}V{bottom:.1f}H{right:.1f}"
    axes += "".join(f"M{left - 3.5:.1f},{y(tick):.1f}H{left:.1f}" for tick in ticks)
    axes += "".join(f"M{x(year.toordinal()):.1f},{bottom:.1f}v3.5" for year in years)
    parts = [
        svg_text(0.01 * width, 0.03 * tall + 8, title, 10, bold=True),
        f'<path d="{grid}" fill="none" stroke="#d9dde3" stroke-width="0.6"/>',
        f'<path d="{bars}" fill="{BAR_COLOUR}"/>',
    ]
    markers = ((program.PILOT_LAUNCH, "Pilot launch"), (program.DISTRICT_WIDE_FROM, "District-wide"))
    for position, (on, label) in enumerate(markers):
        if days and min(days) <= on.toordinal() <= max(days):
            at = x(on.toordinal())
            parts.append(
                f'<path d="M{at:.1f},{top:.1f}V{bottom:.1f}" fill="none" stroke="{MARKER_COLOUR}" '
                'stroke-width="1.4" stroke-dasharray="1.4,2.31"/>'
            )
            label_top = top + 0.16 * position * (bottom - top) + 2
            parts.append(svg_text(at + 3, label_top + 6.5, label, 8, halo=0.85))
    parts.append(f'<path d="{axes}" fill="none" stroke="#111111" stroke-width="0.8"/>')
    parts += [svg_text(left - 7, y(tick) + 2.9, _tick_text(tick), 8, anchor="end") for tick in ticks]
    parts += [
        svg_text(x(year.toordinal()), bottom + 13.5, f"{year:%Y}", 8, anchor="middle") for year in years
    ]
    widest = max(len(_tick_text(tick)) for tick in ticks) * 5.1  # DejaVu Sans digits are 0.64 em wide
    middle = (top + bottom) / 2
    parts.append(svg_text(left - 13 - widest, middle, "Referrals", 9, anchor="middle", upwards=True))
    return svg_document(width, tall, title, parts)


def _count_ticks(ceiling: float, most: float) -> list[float]:
    """Round counts from 0 up to ``ceiling`` in at most ``most`` equal steps of 1, 2, 2.5 or 5 times a
    power of ten (as matplotlib picks them).

    >>> _count_ticks(35.65, 5), _count_ticks(42.55, 4)
    ([0, 10, 20, 30], [0, 20, 40])
    """
    rough = ceiling / max(1, math.floor(most))
    power = 10 ** math.floor(math.log10(rough))
    step = next(power * s for s in (1, 2, 2.5, 5, 10) if power * s >= rough)
    return [index * step for index in range(math.floor(ceiling / step) + 1)]


def _tick_text(tick: float) -> str:
    return f"{tick:,.0f}" if float(tick).is_integer() else f"{tick:,.1f}"


# The printed page -------------------------------------------------------------------------------------

_CSS = """
@page { size: %(paper)s; margin: 0.4in; }
* { box-sizing: border-box; }
body { font: 10pt/1.3 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #111; margin: 0; }
.page { max-width: 7.6in; margin: 0 auto; }
h1 { font-size: 17pt; margin: 0 0 2pt; }
.meta { font-size: 9.5pt; color: #222; margin: 0 0 4pt; }
.synthetic { border: 1.5pt solid #0b4f8a; background: #e8f1fa; padding: 2pt 6pt; font-size: 8.5pt;
             margin: 0 0 5pt; }
.areas { display: flex; gap: 8pt; margin-bottom: 4pt; }
.area { flex: 1; border: 0.75pt solid #888; padding: 4pt 6pt; }
.area h2 { font-size: 10.5pt; margin: 0 0 3pt; }
.area table { width: 100%%; border-collapse: collapse; }
.area td { padding: 0.5pt 0; font-size: 9pt; }
.area td.value { text-align: right; font-weight: bold; font-size: 10.5pt; white-space: nowrap; }
figure { margin: 0 0 4pt; }
figure svg { width: 100%%; height: auto; display: block; }
figcaption { font-size: 8pt; color: #222; }
.proposal { border: 1.5pt solid #e66101; padding: 4pt 6pt; margin-bottom: 6pt; font-size: 9pt; }
.proposal h2 { font-size: 10.5pt; margin: 0 0 2pt; }
/* one line each, whatever was typed: a long name or note must not push the page onto a second sheet */
.proposal h2, .proposal .note { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.proposal .rows { display: grid; grid-template-columns: auto auto auto auto; gap: 0 10pt; margin: 2pt 0; }
.proposal .rows b { white-space: nowrap; }
.equity { margin: 0 0 4pt; font-size: 8pt; }
.equity h2 { font-size: 10pt; margin: 0 0 1pt; }
.equity table { border-collapse: collapse; width: 100%%; }
.equity th, .equity td { border-bottom: 0.5pt solid #999; padding: 0 4pt; text-align: right; }
.equity th:first-child, .equity td:first-child { text-align: left; }
.impact { border: 1.5pt solid #0072B2; padding: 3pt 6pt; margin: 0 0 5pt; font-size: 8.5pt; }
.impact h2 { font-size: 9.5pt; margin: 0 0 1pt; }
.impact p { margin: 0; }
.sources { font-size: 7.5pt; color: #222; margin: 0; padding-left: 12pt; }
.sources li { margin: 0; }
.print { position: fixed; top: 8px; right: 8px; font-size: 14px; padding: 4px 10px; }
:focus-visible { outline: 3px solid FOCUS_RING; outline-offset: 2px; }
@media print { .print { display: none; } }
@media screen { body { background: #e9ecef; } .page { background: #fff; padding: 0.45in;
                box-shadow: 0 0 6px rgba(0,0,0,.3); margin: 12px auto; max-width: 8.5in; } }
"""


def brief_html(brief: Brief) -> str:
    """The brief as one self-contained, print-ready HTML document (one Letter or A4 page)."""
    areas = "".join(
        f'<div class="area"><h2>{html_text(heading)}</h2><table>'
        + "".join(
            f'<tr><td>{html_text(f.label)}</td><td class="value">{html_text(f.value)}</td></tr>'
            for f in figures
        )
        + "</table></div>"
        for heading, figures in brief.figures.items()
    )
    proposal = ""
    if brief.proposal is not None:
        p = brief.proposal
        # name, author and note are anyone's text: escaped here like every other line of the page
        name = html_text(p.name, NAME_LIMIT)
        who = f" — proposed by {html_text(p.author, NAME_LIMIT)}" if p.author else ""
        rows = "".join(f"<span>{html_text(f.label)}</span><b>{html_text(f.value)}</b>" for f in p.rows)
        note = ""
        if p.note:
            note = f'<div class="note" title="{html_attribute(p.note)}">{html_text(p.note)}</div>'
        proposal = (
            f'<section class="proposal"><h2>Proposed expansion: {name}{who}</h2>{note}'
            f'<div class="rows">{rows}</div><div>{html_text(p.basis)}</div></section>'
        )
    notes = [  # the table's and the estimate's notes with them
        *([brief.equity.note] if brief.equity else []),
        *(brief.impact.notes if brief.impact else []),
        *brief.sources,
    ]
    sources = "".join(f"<li>{html_text(line)}</li>" for line in notes)
    equity = "" if brief.equity is None else _equity_html(brief.equity)
    impact = "" if brief.impact is None else _impact_html(brief.impact)
    synthetic = f'<div class="synthetic"><b>{html_text(brief.data_note)}</b></div>' if brief.synthetic else ""
    css = _CSS.replace("FOCUS_RING", FOCUS_RING) % {"paper": PAPERS[brief.paper]}  # as on the page
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html_text(brief.title)}, {html_text(brief.period)}</title>
<style>{css}</style></head>
<body><button class="print" onclick="window.print()">Print</button><main class="page">
<h1>{html_text(brief.title)}</h1>
<p class="meta">{html_text(brief.period)} · Law Enforcement Assisted Diversion · prepared
{brief.generated_on:%d %b %Y}, LEAD Baltimore dashboard</p>
{synthetic}
<div class="areas">{areas}</div>
<figure>{brief.map_svg}
<figcaption>{html_text(brief.map_left_out or map_note(brief.synthetic))}</figcaption></figure>
<figure>{brief.trend_svg}
<figcaption>{html_text(brief.trend_note)}</figcaption></figure>
{proposal}
{equity}
{impact}
<ul class="sources">{sources}</ul>
</main></body></html>
"""


def _equity_html(summary: EquitySummary) -> str:
    """The equity table as the Equity page shows it (every cell already text, escaped here)."""
    head = "".join(f'<th scope="col">{html_text(str(c))}</th>' for c in summary.table.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html_text(str(v))}</td>" for v in row) + "</tr>"
        for row in summary.table.itertuples(index=False)
    )
    return (
        f'<section class="equity"><h2>{html_text(summary.title)}</h2><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></section>"
    )


def _impact_html(summary: ImpactSummary) -> str:
    """The Impact page's headline estimate and its reading (or why there is none), escaped here."""
    said = summary.headline if summary.headline is not None else summary.problem or ""
    reading = "" if summary.reading is None else f"<p>{html_text(summary.reading)}</p>"
    return (
        f'<section class="impact"><h2>{html_text(summary.title)} <span class="headline">{html_text(said)}'
        f"</span></h2>{reading}</section>"
    )
