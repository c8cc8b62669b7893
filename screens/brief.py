"""What the hearing brief says: its headline figures, the referral trend it draws, a saved proposal's
projection, and its notes and sources, already masked and written as text.

A brief is handed out at a hearing, so it is always a public view (whole quarters, published counts,
small counts hidden), whoever assembles it. The headline figures are ``domain.figures``'s: the same
labels, ratio and hide rule as the Overview and the Map page. ``ui.brief`` draws the pictures and
writes the printable page from this model. Tests and scripts pass ``functools.partial(queries.run, con)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
from shapely.geometry.base import BaseGeometry

from domain import disclosure, equity, program
from domain import impact as impact_words
from domain.figures import (
    ACTIVE_CASELOAD,
    ELIGIBLE_ARRESTS,
    ENROLLED,
    REARRESTED,
    REFERRALS,
    REFERRALS_PER_100,
    Figure,
    count_text,
    referrals_per_100_text,
)
from domain.privacy import SUPPRESSED_TEXT, Disclosure, is_small
from geo.map_page import central_area_id
from geo.proposal import from_wkb_hex, to_geojson_text
from planning.projection import (
    CASE_MANAGEMENT_SITE,
    MAX_REFERRALS_PER_ELIGIBLE_ARREST,
    Assumptions,
    Observed,
    project,
)
from screens import equity as equity_screen
from screens import impact as impact_screen

RunQuery = Callable[..., pd.DataFrame]  # (query name, **parameters) -> result
EDITION = "1959-2022"  # the LEAD era's districts
CENTRAL = central_area_id(EDITION)
# The areas the brief shows, in order: area id -> heading.
AREAS = {"pilot_zone": "LEAD pilot zone", CENTRAL: "Central District (1959–2022)"}
PAPERS = {"letter": "Letter", "a4": "A4"}
NO_PROPOSAL = "none"
TREND_STEP = "quarter"
TITLE = "LEAD in Baltimore: hearing brief"
BOUNDARY_SOURCE = "Boundaries: Baltimore City open data (BPD police districts 1959–2022, 2010 NSAs)"
ASSUMED = ", assumed date"
# Every area shows these; the Central District, where the program ran district-wide, these too.
_AREA_COUNTS = (REFERRALS, ENROLLED, ELIGIBLE_ARRESTS)
_CENTRAL_ONLY = (ACTIVE_CASELOAD, REARRESTED)


@dataclass(frozen=True)
class BriefFigure:
    label: str
    value: str


@dataclass(frozen=True)
class ProposalSummary:
    name: str
    author: str | None
    note: str | None
    rows: list[BriefFigure]
    basis: str  # how the projection was made, in words


@dataclass(frozen=True)
class BriefModel:
    """Everything the printed page says, as text, and the data its pictures are drawn from."""

    start: date  # the period counted: whole quarters
    end: date
    period: str
    paper: str
    data_note: str
    synthetic: bool
    figures: dict[str, list[BriefFigure]]  # area heading -> figures
    trend: pd.DataFrame  # referrals per quarter in the Central District ('total'; hidden ones missing)
    trend_title: str
    trend_note: str
    proposal: ProposalSummary | None
    proposal_shape: BaseGeometry | None
    sources: list[str]
    title: str = TITLE
    equity: EquitySummary | None = None  # the equity table, when asked for
    impact: ImpactSummary | None = None  # the impact estimate, when asked for


@dataclass(frozen=True)
class EquitySummary:
    """The Equity page's referral comparison by race, for the Central District (public, as shown)."""

    title: str
    table: pd.DataFrame  # text, as the Equity page shows it
    note: str


@dataclass(frozen=True)
class ImpactSummary:
    """The Impact page's headline estimate (its default roll-out, window and matched comparison group),
    in the page's own words: the estimate with its 95% CI, the plain-words reading, or why there is none."""

    title: str
    headline: str | None  # ``AreaLevel.headline``
    reading: str | None  # ``AreaLevel.reading``
    problem: str | None  # why there is no estimate, as the Impact page says it
    notes: list[str]  # the synthetic-data note (demo data), how it is estimated, the caveats


AreaLevelOf = Callable[[pd.DataFrame, impact_screen.Selection], impact_screen.AreaLevel]


def brief_model(
    run_query: RunQuery,
    start: date,
    end: date,
    proposal_id: str = NO_PROPOSAL,
    paper: str = "letter",
    with_equity: bool = False,
    with_impact: bool = False,
    impact_area: AreaLevelOf | None = None,
) -> BriefModel:
    """The brief for a period (public view, widened to whole quarters), with one saved proposal or none,
    and the equity table and the impact estimate if asked for. ``impact_area``: how the Impact page's
    area level is computed (the page passes its cached fit, ``ui.impact_data.area_level``)."""
    if paper not in PAPERS:
        raise ValueError(f"brief: paper must be one of {sorted(PAPERS)} (got {paper!r})")
    start, end = disclosure.widen_to_quarters(start, end)
    period = f"{start:%d %b %Y} – {end:%d %b %Y}"
    where = {"start_date": start, "end_date": end}
    rows = {
        area_id: run_query("referral_headline", area_id=area_id, **where, public=True).iloc[0]
        for area_id in AREAS
    }
    trend = run_query("referral_by_type_over_time", area_id=CENTRAL, step=TREND_STEP, **where, public=True)
    figures, trend = _masked(rows, trend)
    sources_frame = run_query("data_sources")
    synthetic = bool(sources_frame["is_synthetic"].any())
    proposal, proposal_shape = _proposal(run_query, proposal_id, where)
    return BriefModel(
        start=start,
        end=end,
        period=period,
        paper=paper,
        data_note=_data_note(sources_frame),
        synthetic=synthetic,
        figures=figures,
        trend=trend,
        trend_title=f"Referrals per quarter, {AREAS[CENTRAL]}, {period}",
        trend_note=(
            f"Each bar rounded to a multiple of {disclosure.ROUNDING_BASE}. Lines: pilot launch "
            f"({program.PILOT_LAUNCH:%b %Y}) and district-wide "
            f"({program.DISTRICT_WIDE_FROM:%b %Y}{ASSUMED if program.DISTRICT_WIDE_IS_ASSUMED else ''})."
        ),
        proposal=proposal,
        proposal_shape=proposal_shape,
        sources=_sources(synthetic, sources_frame, proposal is not None),
        equity=_equity(run_query, start, end) if with_equity else None,
        impact=_impact(run_query, impact_area or _impact_fitted_here) if with_impact else None,
    )


def _impact_fitted_here(monthly: pd.DataFrame, chosen: impact_screen.Selection) -> impact_screen.AreaLevel:
    return impact_screen.area_level(monthly, chosen, impact_screen.did.analyse)


def impact_selection() -> impact_screen.Selection:
    """The Impact page's opening choice, public: the headline roll-out and window, the matched group
    (the area-level estimate does not depend on the sidebar's period)."""
    return impact_screen.Selection(
        impact_words.HEADLINE_ROLLOUT, impact_words.HEADLINE_POST_MONTHS, None, None, None, None, True
    )


def _impact(run_query: RunQuery, area_level: AreaLevelOf) -> ImpactSummary:
    """The headline estimate exactly as the Impact page words it (``screens.impact``, ``domain.impact``)."""
    _, synthetic_arrests = impact_screen.demo_note(run_query("impact_demo_effect"))
    monthly = run_query("impact_monthly_eligible_arrests", first_month=impact_screen.FIRST_MONTH)
    area = area_level(monthly, impact_selection())
    comparisons = f"{len(area.chosen)} matched comparison neighbourhood{'s' if len(area.chosen) != 1 else ''}"
    notes = [
        f"Impact estimate: difference-in-differences against the {comparisons} listed on the Is it working? "
        "page, with its event study and placebo tests.",
        "Caveats: " + " ".join(impact_words.CAVEATS[:2]),  # as the Impact page shows them under the estimate
    ]
    if synthetic_arrests:
        notes.insert(0, impact_words.SYNTHETIC_NOTE)
    return ImpactSummary(
        "Is it working?",  # the Impact page's title
        area.headline,
        area.reading,
        area.problem,
        notes,
    )


def _equity(run_query: RunQuery, start: date, end: date) -> EquitySummary:
    """The Equity page's table for the Central District by race against White, at referral: eligible
    arrests, referrals, the rate and the Relative Rate Index — exactly as that page shows them."""
    chosen = equity_screen.Selection(
        CENTRAL, AREAS[CENTRAL], "race", "white", equity.REFERRED.key, start, end, public=True
    )
    screen = equity_screen.equity_screen(run_query, chosen)
    rri = f"{equity.REFERRED.label}: {equity.RRI_LABEL}"
    table = screen.counts_table.merge(screen.ratio_table[[equity_screen.GROUP_COLUMN, rri]])
    columns = [equity_screen.GROUP_COLUMN, equity.ELIGIBLE_ARRESTS.label, equity.REFERRED.label,
               equity.REFERRED.rate_label, rri]  # fmt: skip
    # groups with no one at either point say nothing on a printed page
    counted = (table[equity.ELIGIBLE_ARRESTS.label] != "0") | (table[equity.REFERRED.label] != "0")
    return EquitySummary(
        f"Referral by race against White, {AREAS[CENTRAL]} ({equity.RRI_LABEL})",
        table.loc[counted, columns].rename(columns={rri: equity.RRI_LABEL}).reset_index(drop=True),
        f"{equity.RRI_LABEL}: referral rate over White people's (1 = the same; 95% CI in brackets); "
        f"“{equity.UNSTABLE_MARK}”: under {equity.UNSTABLE_BELOW} people. More: Equity page.",
    )


def _masked(
    rows: dict[str, pd.Series], trend: pd.DataFrame
) -> tuple[dict[str, list[BriefFigure]], pd.DataFrame]:
    """The areas' figures as shown, and the trend with its hidden quarters missing.

    One disclosure for every count on the page: the quarters add up to the Central District's total.
    The ratio is hidden by its own rule (``domain.figures``) or when a count behind it is withheld.
    """
    counts = Disclosure(public=True)
    for area_id, row in rows.items():
        for figure in _counts_shown(area_id):
            counts.count((area_id, figure.key), row[figure.key])
    counts.table("trend", trend, ["total"], by="period_start")
    counts.column_adds_up("trend", trend, "total", (CENTRAL, REFERRALS.key), by="period_start")
    figures = {}
    for area_id, row in rows.items():
        shown = [BriefFigure(f.label, counts.text((area_id, f.key))) for f in _counts_shown(area_id)]
        referrals, arrests = row[REFERRALS.key], row[ELIGIBLE_ARRESTS.key]
        withheld = any(counts.is_hidden((area_id, key)) for key in (REFERRALS.key, ELIGIBLE_ARRESTS.key))
        ratio = referrals_per_100_text(referrals, arrests, public=True, withheld=withheld)
        # the ratio follows the three counts it is read against, before the Central District's extras
        shown.insert(len(_AREA_COUNTS), BriefFigure(REFERRALS_PER_100.label, ratio))
        figures[AREAS[area_id]] = shown
    return figures, counts.masked("trend", trend, ["total"], by="period_start")


def _counts_shown(area_id: str) -> tuple[Figure, ...]:
    return _AREA_COUNTS + (_CENTRAL_ONLY if area_id == CENTRAL else ())


def map_note(synthetic: bool) -> str:
    """The caption under the brief's map."""
    note = f"Referral cells rounded to multiples of {disclosure.ROUNDING_BASE}; cells of 0 not drawn."
    return note + (" Synthetic demo data." if synthetic else "")


def proposal_choices(saved: pd.DataFrame) -> dict[str, str]:
    """The proposals the page offers, from ``queries/proposal_list.sql``: id -> name, 'none' first."""
    return {NO_PROPOSAL: "No proposal", **dict(zip(saved["area_id"], saved["name"], strict=True))}


def _data_note(sources: pd.DataFrame) -> str:
    synthetic = sorted(set(sources.loc[sources["is_synthetic"], "table_name"]))
    if synthetic:
        tables = " and ".join(synthetic).capitalize()
        return (
            f"Demo data — synthetic. {tables} in this brief were generated by seeded code to resemble "
            "Baltimore; they are not real people or real police records."
        )
    return "Figures from the records loaded into the dashboard (sources below)."


def _sources(synthetic: bool, sources: pd.DataFrame, with_proposal: bool) -> list[str]:
    launch = program.CITATIONS["launch"]
    lines = [
        f"{launch.figure}: {launch.source}. Pilot zone: Franklin St to Pratt St, St. Paul St to MLK Jr Blvd.",
        f"{REFERRALS_PER_100.label}: {REFERRALS_PER_100.help}",
        f"{disclosure.PROTECTION_NOTE_SHORT} Arrests 1 to 4 read “{SUPPRESSED_TEXT}”.",
        BOUNDARY_SOURCE + ".",
    ]
    for row in sources[~sources["is_synthetic"]].itertuples():
        records, as_of = disclosure.source_figures(
            row.table_name, row.row_count, row.key_sum, row.last_date.date(), public=True
        )
        lines.append(f"{row.table_name.capitalize()}: {row.source}, {records}, {as_of}.")
    if synthetic:
        lines.append("Arrests and referrals: synthetic demo records (source 'synthetic-demo').")
    if with_proposal:
        cap = program.CITATIONS["caseload_cap"]
        lines.append(f"Caseload cap: {cap.figure} ({cap.source}).")
    return lines


def _proposal(run_query: RunQuery, proposal_id: str, where: dict):
    """The chosen saved proposal's figures and projection (public rule), and its shape for the map."""
    if proposal_id == NO_PROPOSAL:
        return None, None
    saved = run_query("proposal_list")
    chosen = saved[saved["area_id"] == proposal_id]
    if chosen.empty:
        raise ValueError(f"no saved proposal {proposal_id!r}")
    row = chosen.iloc[0]
    shape = from_wkb_hex(row["wkb_hex"])
    site = {"site_lon": CASE_MANAGEMENT_SITE.lon, "site_lat": CASE_MANAGEMENT_SITE.lat}
    counts = run_query("expansion_area_arrests", geojson=to_geojson_text(shape), **where, **site).iloc[0]
    observed = Observed.from_row(
        run_query("expansion_observed_ratios", area_id="pilot_zone", **where, public=True).iloc[0]
    )
    eligible = int(counts["eligible_arrests"])
    rows = [
        BriefFigure("Area", f"{float(row['area_km2']):,.2f} km²"),
        BriefFigure(
            f"{ELIGIBLE_ARRESTS.label} in the period", count_text(ELIGIBLE_ARRESTS.key, eligible, public=True)
        ),
    ]
    ratios_hidden = (
        is_small(observed.referrals)
        or is_small(observed.eligible_arrests)
        or is_small(observed.enrolled)
        or observed.referrals_per_eligible_arrest is None
    )
    if is_small(eligible):
        basis = f"Not projected: {SUPPRESSED_TEXT} eligible arrests in the area."
    elif ratios_hidden:
        basis = "Not projected: too few records in the pilot zone over this period to observe its ratios."
    else:
        assumptions = Assumptions(
            referrals_per_eligible_arrest=min(
                observed.referrals_per_eligible_arrest, MAX_REFERRALS_PER_ELIGIBLE_ARREST
            ),
            enrolment_rate=observed.enrolment_rate or 0.0,
            months_in_program=observed.mean_months_in_program
            if observed.mean_months_in_program and not is_small(observed.exited)
            else 12.0,
        )
        projection = project(float(counts["eligible_per_year"]), assumptions)
        rows += [
            BriefFigure("Eligible arrests a year", f"{projection.eligible_arrests_per_year:,.1f}"),
            BriefFigure("Projected referrals a year", f"{projection.referrals_per_year:,.0f}"),
            BriefFigure("Projected new participants a year", f"{projection.participants_per_year:,.0f}"),
            BriefFigure(
                "Case manager + peer pairs",
                f"{projection.case_managers} (cap {assumptions.caseload_cap} per pair)",
            ),
        ]
        basis = (
            f"Planner's defaults: {assumptions.referrals_per_eligible_arrest:.2f} referrals per eligible "
            f"arrest and {assumptions.enrolment_rate:.2f} enrolled per referral, as in the pilot zone over "
            f"the same period (computed from the loaded data); {assumptions.months_in_program:.1f} months in "
            "the program."
        )
    summary = ProposalSummary(
        name=str(row["name"]),
        author=None if pd.isna(row["author"]) else str(row["author"]),
        note=None if pd.isna(row["note"]) else str(row["note"]),
        rows=rows,
        basis=basis,
    )
    return summary, shape
