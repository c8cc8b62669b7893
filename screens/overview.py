"""What the Overview shows beside its map: the headline figures of the pilot zone and the Central
District for one period, as text, with what a public view hides already hidden.

The figures are the Map page's four (``geo.map_page.headline_figures``) from the Referrals page's query
(``queries/referral_headline.sql``), so the three pages read the same for the same area and period.
Pages pass their cached ``query`` function (``ui.data.query``); tests pass
``functools.partial(queries.run, con)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from domain import disclosure
from geo.map_page import HeadlineFigure, central_area_id, headline_figures

RunQuery = Callable[..., pd.DataFrame]  # (query name, **parameters) -> result
# The areas the Overview shows, in order: area id -> heading.
AREAS = {
    "pilot_zone": "Pilot zone",
    central_area_id("1959-2022"): "Central District (1959–2022)",
}


@dataclass(frozen=True)
class AreaFigures:
    """One area's block of figures: its heading, the period in words, and the figures as shown."""

    area_id: str
    title: str
    period: str
    figures: list[HeadlineFigure]


@dataclass(frozen=True)
class Overview:
    areas: list[AreaFigures]
    note: str | None  # how public figures are protected; None in a staff view


def counted_period(start: date, end: date, public: bool) -> tuple[date, date]:
    """The period the figures count: a public view's widened to whole quarters (domain/disclosure.py)."""
    return disclosure.widen_to_quarters(start, end) if public else (start, end)


def period_text(start: date, end: date) -> str:
    """'01 Jan 2019 – 31 Dec 2019'."""
    return f"{start:%d %b %Y} – {end:%d %b %Y}"


def area_figures(run_query: RunQuery, area_id: str, start: date, end: date, public: bool) -> AreaFigures:
    """The headline figures of any area (an id as ``queries/area_list.sql`` gives it) for a period;
    an area the Overview does not show is headed by its id."""
    start, end = counted_period(start, end, public)
    counts = run_query(
        "referral_headline", area_id=area_id, start_date=start, end_date=end, public=public
    ).iloc[0]
    title = AREAS.get(area_id, area_id)
    return AreaFigures(area_id, title, period_text(start, end), headline_figures(counts, public))


def overview(run_query: RunQuery, start: date, end: date, public: bool) -> Overview:
    """The Overview's figures: the pilot zone's and the Central District's, for one period."""
    return Overview(
        areas=[area_figures(run_query, area_id, start, end, public) for area_id in AREAS],
        note=disclosure.PROTECTION_NOTE if public else None,
    )
