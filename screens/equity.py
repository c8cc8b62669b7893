"""What the Equity page shows for one area, period, breakdown and reference group: the people at each
decision point by group, each rate, each Relative Rate Index with its 95% interval and its reading,
and each RRI year by year — already masked and written out, so the page only lays it out.

``equity_screen(run, selection)`` runs ONE grouped query (``queries/equity_by_group.sql``: every
breakdown, every quarter) and works out the rest here, so a change of breakdown, reference group or
decision point reuses the cached result.

Privacy follows the core's one rule. Referral counts arrive published (whole quarters, each rounded,
``domain.disclosure``) in a public view; then every count of every breakdown is registered with one
``domain.privacy.Disclosure``: each breakdown's groups add up, at each decision point, to the area's
total shown on other pages, so counts of 1 to 4 are hidden with their complements across the whole
group × decision-point table, whichever breakdown the reader picks. A rate or an RRI built on a
hidden count is not shown. Rules for rates (unstable, too few to compare) and the RRI are
``domain.equity``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from domain import disclosure, equity
from domain.privacy import COMPLEMENT_NOTE, SUPPRESSED_TEXT, Disclosure, has_withheld, hidden_label, is_small
from domain.program import SMALL_COUNT_THRESHOLD

RunQuery = Callable[..., pd.DataFrame]  # (query name, **parameters) -> result

QUERY = "equity_by_group"
COUNTS = tuple(point.key for point in equity.DECISION_POINTS)
GROUP_COLUMN = "Group"
_KEY = "equity"


@dataclass(frozen=True)
class Selection:
    """What the reader chose: everything the page's figures depend on."""

    area_id: str
    area_label: str
    breakdown: str  # a key of domain.equity.BREAKDOWNS
    reference: object  # a group of that breakdown
    point: str  # the decision point the chart and the trend compare (a key of COMPARED_POINTS)
    start_date: date
    end_date: date
    public: bool


@dataclass(frozen=True)
class RatioChart:
    """The RRI of every group at one decision point, for a dot-and-interval chart."""

    title: str
    x_title: str
    frame: pd.DataFrame  # group (label), rri, low, high, note (words beside the dot)


@dataclass(frozen=True)
class EquityScreen:
    heading: str
    empty: str | None  # said instead of the tables when no one is counted
    counts_table: pd.DataFrame  # as on screen and in the CSV: counts and rates, hidden cells in words
    ratio_table: pd.DataFrame  # as on screen and in the CSV: the RRI at every decision point
    chart: RatioChart | None
    readings: list[str]
    trend: pd.DataFrame | None  # year, group, rri, low, high (shown RRIs only)
    trend_title: str
    notes: list[str]
    file_tag: str
    masked: pd.DataFrame = field(repr=False)  # the masked counts of the chosen breakdown (tests, brief)


# The figures ----------------------------------------------------------------------------------------------


def group_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """The period's counts per breakdown and group (sums of the quarters' counts, which in a public view
    are already the published ones), every group of every breakdown present (zero when none)."""
    summed = frame.groupby(["breakdown", "grp"], sort=False)[list(COUNTS)].sum() if len(frame) else None
    rows = []
    for key, breakdown in equity.BREAKDOWNS.items():
        for group in breakdown.groups:
            cell = (key, str(group))
            values = summed.loc[cell].tolist() if summed is not None and cell in summed.index else [0] * 5
            rows.append([key, group, *(int(v) for v in values)])
    return pd.DataFrame(rows, columns=["breakdown", "grp", *COUNTS])


def _cell(breakdown: str, group) -> str:
    return f"{breakdown}:{group}"


def protect(totals: pd.DataFrame, public: bool) -> pd.DataFrame:
    """``totals`` with the counts a public view hides set to missing (``domain.privacy``): in every
    breakdown, each decision point's groups add up to the area's total shown on other pages."""
    frame = totals.assign(cell=[_cell(b, g) for b, g in zip(totals["breakdown"], totals["grp"], strict=True)])
    page = Disclosure(public)
    page.table(_KEY, frame, list(COUNTS), by="cell")
    for key in equity.BREAKDOWNS:
        rows = frame.loc[frame["breakdown"] == key]
        for column in COUNTS:
            page.column_adds_up(_KEY, rows, column, None, by="cell")
    return page.masked(_KEY, frame, list(COUNTS), by="cell").drop(columns="cell")


def _count(value) -> int | None:
    return None if pd.isna(value) else int(value)


def _rate_text(count, base, share_ok: bool, point: equity.DecisionPoint) -> str:
    if count is None or base is None:
        return equity.NO_RATE_TEXT
    if not share_ok:
        return equity.TOO_FEW_TEXT
    value = equity.rate(count, base, point)
    if value is None:
        return equity.NO_RATE_TEXT
    text = f"{value:.1f}" if point.poisson else f"{value:.1f}%"
    return f"{text} ({equity.UNSTABLE_MARK})" if equity.is_unstable(count) else text


@dataclass(frozen=True)
class _Compared:
    """One group at one decision point: its rate's words and its RRI (None when not computed)."""

    rate: str
    ratio: equity.RateRatio | None
    ratio_text: str
    unstable: bool


def compare(masked: pd.DataFrame, breakdown: str, reference) -> dict[tuple[object, str], _Compared]:
    """Every group of ``breakdown`` at every compared decision point, against ``reference``."""
    rows = masked.loc[masked["breakdown"] == breakdown].set_index("grp")
    out = {}
    for point in equity.COMPARED_POINTS:
        bases = rows[point.base]
        total = float(bases.sum(skipna=True))
        ref_count, ref_base = _count(rows.at[reference, point.key]), _count(rows.at[reference, point.base])
        ref_ok = not equity.is_too_few(ref_base, total)
        for group in rows.index:
            count, base = _count(rows.at[group, point.key]), _count(rows.at[group, point.base])
            share_ok = not equity.is_too_few(base, total)
            rate = _rate_text(count, base, share_ok, point)
            unstable = count is not None and equity.is_unstable(count)
            ratio, words = None, equity.NO_RATE_TEXT
            if not share_ok and base is not None:
                words = equity.TOO_FEW_TEXT
            elif group == reference:
                words = equity.REFERENCE_TEXT
            elif None not in (count, base, ref_count, ref_base) and ref_ok:
                ratio = equity.rate_ratio(count, base, ref_count, ref_base, point)
                if ratio is not None:
                    unstable = unstable or equity.is_unstable(ref_count)
                    words = ratio.text() + (f" ({equity.UNSTABLE_MARK})" if unstable else "")
            out[(group, point.key)] = _Compared(rate, ratio, words, unstable)
    return out


def _count_words(masked: pd.DataFrame, column: str) -> list[str]:
    values = masked[column]
    return [
        hidden_label(masked.attrs, column, index) if pd.isna(value) else f"{int(value):,}"
        for index, value in values.items()
    ]


def counts_table(masked: pd.DataFrame, breakdown: str, compared: dict) -> pd.DataFrame:
    """The counts and rates of one breakdown, as the page shows them and the CSV holds them."""
    rows = masked.loc[masked["breakdown"] == breakdown]
    labels = equity.BREAKDOWNS[breakdown].labels
    table = {GROUP_COLUMN: [labels[g] for g in rows["grp"]]}
    for point in equity.DECISION_POINTS:
        table[point.label] = _count_words(rows, point.key)
        if point.base:
            table[point.rate_label] = [compared[(g, point.key)].rate for g in rows["grp"]]
    return pd.DataFrame(table)


def ratio_table(masked: pd.DataFrame, breakdown: str, compared: dict) -> pd.DataFrame:
    """The RRI (95% interval) of every group at every decision point, as shown and downloaded."""
    groups = masked.loc[masked["breakdown"] == breakdown, "grp"].tolist()
    labels = equity.BREAKDOWNS[breakdown].labels
    table = {GROUP_COLUMN: [labels[g] for g in groups]}
    for point in equity.COMPARED_POINTS:
        table[f"{point.label}: {equity.RRI_LABEL}"] = [compared[(g, point.key)].ratio_text for g in groups]
    return pd.DataFrame(table)


def _trend(frame: pd.DataFrame, chosen: Selection, point: equity.DecisionPoint) -> pd.DataFrame:
    """The RRI year by year (calendar years cut to the period), from the same quarterly counts. A year's
    RRI is shown only when none of its four counts is a small count and the group is not too few."""
    rows = frame.loc[frame["breakdown"] == chosen.breakdown]
    out = []
    if rows.empty:
        return pd.DataFrame(columns=["year", "group", "rri", "low", "high"])
    years = pd.to_datetime(rows["quarter"]).dt.year
    by_year = rows.assign(year=years).groupby(["year", "grp"])[[point.key, point.base]].sum()
    reference = str(chosen.reference)
    labels = equity.BREAKDOWNS[chosen.breakdown].labels
    for year in sorted(set(years)):
        table = by_year.loc[year]
        if reference not in table.index:
            continue
        total = float(table[point.base].sum())
        ref_count, ref_base = (int(v) for v in table.loc[reference, [point.key, point.base]])
        for group, (count, base) in table[[point.key, point.base]].iterrows():
            count, base = int(count), int(base)
            if group == reference or any(is_small(v) for v in (count, base, ref_count, ref_base)):
                continue
            if equity.is_too_few(base, total) or equity.is_too_few(ref_base, total):
                continue
            ratio = equity.rate_ratio(count, base, ref_count, ref_base, point)
            if ratio is not None:
                out.append((date(int(year), 1, 1), labels[_group(chosen.breakdown, group)], *_ci(ratio)))
    shown = pd.DataFrame(out, columns=["year", "group", "rri", "low", "high"])
    # every year of the period for every group shown, empty where not shown: a line breaks there
    # instead of joining two distant years
    grid = pd.MultiIndex.from_product(
        [[date(int(year), 1, 1) for year in sorted(set(years))], shown["group"].unique()],
        names=["year", "group"],
    )
    return shown.set_index(["year", "group"]).reindex(grid).reset_index()


def _ci(ratio: equity.RateRatio) -> tuple[float, float, float]:
    return tuple(round(v, equity.RRI_DIGITS) for v in (ratio.value, ratio.low, ratio.high))


def _group(breakdown: str, text: str):
    """A group as the query writes it (text) → as ``domain.equity`` keys it (age bands are numbers)."""
    return int(text) if breakdown == "age_band" else text


def equity_screen(run: RunQuery, chosen: Selection) -> EquityScreen:
    """Run the page's one query for ``chosen`` and write out what the page shows."""
    frame = run(
        QUERY,
        area_id=chosen.area_id,
        start_date=chosen.start_date,
        end_date=chosen.end_date,
        public=chosen.public,
        age_edges=equity.AGE_EDGES_PARAM,
    )
    return build_screen(frame, chosen)


def build_screen(frame: pd.DataFrame, chosen: Selection) -> EquityScreen:
    """What the page shows from the query's result (split from the query for tests)."""
    breakdown = equity.BREAKDOWNS[chosen.breakdown]
    point = equity.POINTS[chosen.point]
    period = f"{chosen.start_date:%d %b %Y} – {chosen.end_date:%d %b %Y}"
    masked = protect(group_totals(frame), chosen.public)
    compared = compare(masked, chosen.breakdown, chosen.reference)
    mine = masked.loc[masked["breakdown"] == chosen.breakdown].reset_index(drop=True)
    mine.attrs = masked.attrs
    reference = breakdown.labels[chosen.reference]
    counted = int(frame[list(COUNTS)].to_numpy().sum()) if len(frame) else 0
    empty = None
    if counted == 0:
        empty = (
            f"No LEAD-eligible arrests and no referrals were recorded in {chosen.area_label} during {period}."
        )
    readings, points = [], []
    for group in breakdown.groups:
        here = compared[(group, point.key)]
        if here.ratio is not None:
            readings.append(equity.reading(chosen.breakdown, group, chosen.reference, point, here.ratio))
        note = here.ratio_text if here.ratio is None else ("unstable" if here.unstable else "")
        ratio = here.ratio
        points.append(
            (
                breakdown.labels[group],
                *(_ci(ratio) if ratio else (1.0 if group == chosen.reference else np.nan, np.nan, np.nan)),
                note,
            )
        )
    chart = None
    if empty is None:
        chart = RatioChart(
            f"{equity.RRI_LABEL}: {point.rate_label.lower()}, against {reference}",
            f"Rate relative to {reference} (1 = the same; log scale)",
            pd.DataFrame(points, columns=["group", "rri", "low", "high", "note"]),
        )
    notes = [equity.RRI_HELP, equity.UNSTABLE_NOTE, equity.TOO_FEW_NOTE, equity.ENGAGED_NOTE]
    if chosen.public:
        notes.append(
            f"{disclosure.PROTECTION_NOTE} Arrest counts are BPD's open data, shown exactly; counts "
            f"from 1 to {SMALL_COUNT_THRESHOLD - 1} read “{SUPPRESSED_TEXT}”. A rate or ratio built on a "
            f"hidden count is not shown ({equity.NO_RATE_TEXT})."
        )
        if has_withheld(masked):
            notes.append(COMPLEMENT_NOTE)
    tag = f"{chosen.area_id.replace(':', '_')}_{chosen.start_date}_{chosen.end_date}_{chosen.breakdown}"
    return EquityScreen(
        heading=f"{chosen.area_label}, {period}: by {breakdown.label.lower()}",
        empty=empty,
        counts_table=counts_table(masked, chosen.breakdown, compared),
        ratio_table=ratio_table(masked, chosen.breakdown, compared),
        chart=chart,
        readings=readings,
        trend=None if empty else _trend(frame, chosen, point),
        trend_title=f"{equity.RRI_LABEL} by year: {point.rate_label.lower()}, against {reference}",
        notes=notes,
        file_tag=tag,
        masked=mine,
    )
