"""What the Equity page shows for one area, period, breakdown and reference group: the people at each
decision point by group, each rate, each Relative Rate Index with its 95% interval and its reading,
and each RRI year by year — already masked and written out, so the page only lays it out.

``equity_screen(run, selection)`` runs ONE grouped query (``queries/equity_by_group.sql``: every
breakdown, every year) and works out the rest here, so a change of breakdown, reference group or
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
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from domain import disclosure, equity
from domain.privacy import COMPLEMENT_NOTE, SUPPRESSED_TEXT, Disclosure, is_small
from domain.program import SMALL_COUNT_THRESHOLD

RunQuery = Callable[..., pd.DataFrame]  # (query name, **parameters) -> result

QUERY = "equity_by_group"
COUNTS = tuple(point.key for point in equity.DECISION_POINTS)
GROUP_COLUMN = "Group"


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


# The figures ----------------------------------------------------------------------------------------------
# Plain lists and one Disclosure rather than pandas steps: the page recomputes this on every filter change
# (a few hundred query rows, a few dozen cells), where pandas' per-call overhead would be most of the time.


Row = tuple  # (year, breakdown, group as text, the five counts...): a query row as plain values


def _rows(frame: pd.DataFrame) -> list[Row]:
    """The query's rows as plain tuples, read once."""
    columns = ["year", "breakdown", "grp", *COUNTS]
    return list(zip(*(frame[column].tolist() for column in columns), strict=True)) if len(frame) else []


def _sums(rows: list[Row]) -> dict[tuple[str, str], list[int]]:
    """(breakdown, group as the query writes it) -> the five counts summed over the years."""
    sums: dict[tuple[str, str], list[int]] = {}
    for _, breakdown, group, *counts in rows:
        total = sums.setdefault((breakdown, group), [0] * len(COUNTS))
        for index, value in enumerate(counts):
            total[index] += value
    return sums


@dataclass(frozen=True)
class _Cells:
    """Every group of every breakdown: its counts, and how a reader sees each (None/words when hidden)."""

    groups: dict[str, tuple]  # breakdown -> its groups, in order
    values: dict[tuple, list[int]]  # (breakdown, group) -> the five counts
    shown: dict[tuple, list[int | None]]  # the same, None where hidden
    texts: dict[tuple, list[str]]  # as the page writes them
    withheld: bool  # any complement ("withheld") on the page


def _cells(rows: list[Row], public: bool) -> _Cells:
    """Sum the years, then mask every count at once: in every breakdown, each decision point's groups
    add up to the area's total, which other pages show (``domain.privacy``)."""
    sums = _sums(rows)
    page = Disclosure(public)
    groups = {key: breakdown.groups for key, breakdown in equity.BREAKDOWNS.items()}
    values = {}
    for key, members in groups.items():
        for group in members:
            values[(key, group)] = sums.get((key, str(group)), [0] * len(COUNTS))
            for column, value in zip(COUNTS, values[(key, group)], strict=True):
                page.count((key, group, column), value)
        for column in COUNTS:
            page.adds_up([(key, group, column) for group in members])
    hidden = page.hidden()
    shown, texts, withheld = {}, {}, False
    for (key, group), counts in values.items():
        names = [(key, group, column) for column in COUNTS]
        shown[(key, group)] = [
            None if name in hidden else value for name, value in zip(names, counts, strict=True)
        ]
        texts[(key, group)] = [
            page.text(name) if name in hidden else f"{value:,}"
            for name, value in zip(names, counts, strict=True)
        ]
        withheld = withheld or any(
            name in hidden and not is_small(value) for name, value in zip(names, counts, strict=True)
        )
    return _Cells(groups, values, shown, texts, withheld)


def group_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """The period's counts per breakdown and group (sums of the years' counts, which in a public view
    are already the published ones), every group of every breakdown present (zero when none)."""
    sums = _sums(_rows(frame))
    rows = [
        [key, group, *sums.get((key, str(group)), [0] * len(COUNTS))]
        for key, breakdown in equity.BREAKDOWNS.items()
        for group in breakdown.groups
    ]
    return pd.DataFrame(rows, columns=["breakdown", "grp", *COUNTS])


def protect(totals: pd.DataFrame, public: bool) -> pd.DataFrame:
    """``group_totals`` with the counts a public view hides set to missing, as the page hides them."""
    frame = pd.DataFrame(
        [
            (key, group, *values)
            for (key, group), values in _cells(_rows(_as_query_rows(totals)), public).shown.items()
        ],
        columns=["breakdown", "grp", *COUNTS],
    )
    return frame.astype({column: "Float64" for column in COUNTS})


def _as_query_rows(totals: pd.DataFrame) -> pd.DataFrame:
    """Totals in the query's shape (groups as text), so they go through the same masking."""
    return totals.assign(grp=totals["grp"].astype(str), year=0)


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


def compare(
    cells: _Cells, breakdown: str, reference, rounded_quarters: int = 0
) -> dict[tuple[object, str], _Compared]:
    """Every group of ``breakdown`` at every compared decision point, against ``reference``: rates and
    RRIs from the counts as shown (a hidden count gives no rate), one statsmodels call per point.
    ``rounded_quarters``: a public view's quarters, each rounded (it widens the intervals)."""
    groups = cells.groups[breakdown]
    out = {}
    for point in equity.COMPARED_POINTS:
        at, base_at = COUNTS.index(point.key), COUNTS.index(point.base)
        total = sum(cells.values[(breakdown, group)][base_at] for group in groups)
        ref = cells.shown[(breakdown, reference)]
        ref_ok = ref[base_at] is not None and not equity.is_too_few(ref[base_at], total)
        asked, rows = [], {}
        for group in groups:
            shown = cells.shown[(breakdown, group)]
            count, base = shown[at], shown[base_at]
            share_ok = not equity.is_too_few(base, total)
            rows[group] = (count, base, share_ok)
            if group != reference and share_ok and ref_ok and None not in (count, base, ref[at]):
                asked.append(group)
        ratios = dict(zip(asked, equity.rate_ratios(
            [rows[g][0] for g in asked], [rows[g][1] for g in asked], [ref[at]] * len(asked),
            [ref[base_at]] * len(asked), point, rounded_quarters,
        ), strict=True))  # fmt: skip
        for group, (count, base, share_ok) in rows.items():
            ratio = ratios.get(group)
            unstable = count is not None and equity.is_unstable(count)
            words = equity.NO_RATE_TEXT
            if not share_ok and base is not None:
                words = equity.TOO_FEW_TEXT
            elif group == reference:
                words = equity.REFERENCE_TEXT
            elif ratio is not None:
                unstable = unstable or equity.is_unstable(ref[at])
                words = ratio.text() + (f" ({equity.UNSTABLE_MARK})" if unstable else "")
            out[(group, point.key)] = _Compared(
                _rate_text(count, base, share_ok, point), ratio, words, unstable
            )
    return out


def counts_table(cells: _Cells, breakdown: str, compared: dict) -> pd.DataFrame:
    """The counts and rates of one breakdown, as the page shows them and the CSV holds them."""
    groups = cells.groups[breakdown]
    labels = equity.BREAKDOWNS[breakdown].labels
    table = {GROUP_COLUMN: [labels[g] for g in groups]}
    for index, point in enumerate(equity.DECISION_POINTS):
        table[point.label] = [cells.texts[(breakdown, g)][index] for g in groups]
        if point.base:
            table[point.rate_label] = [compared[(g, point.key)].rate for g in groups]
    return pd.DataFrame(table, dtype=object)  # text as shown (inferring types costs more than the rest)


def ratio_table(cells: _Cells, breakdown: str, compared: dict) -> pd.DataFrame:
    """The RRI (95% interval) of every group at every decision point, as shown and downloaded."""
    groups = cells.groups[breakdown]
    labels = equity.BREAKDOWNS[breakdown].labels
    table = {GROUP_COLUMN: [labels[g] for g in groups]}
    for point in equity.COMPARED_POINTS:
        table[f"{point.label}: {equity.RRI_LABEL}"] = [compared[(g, point.key)].ratio_text for g in groups]
    return pd.DataFrame(table, dtype=object)


TREND_COLUMNS = ["year", "group", "rri", "low", "high"]


def _trend(rows: list[Row], chosen: Selection, point: equity.DecisionPoint) -> pd.DataFrame:
    """The RRI year by year (calendar years cut to the period), from the same quarterly counts. A year's
    RRI is shown only when none of its four counts is a small count and neither group is too few; every
    year of the period is a row for each group shown (empty where not), so a line breaks there."""
    at, base_at = 3 + COUNTS.index(point.key), 3 + COUNTS.index(point.base)
    by_year: dict[int, dict[str, list[int]]] = {}
    for row in rows:
        if row[1] == chosen.breakdown:
            cell = by_year.setdefault(row[0], {}).setdefault(row[2], [0, 0])
            cell[0] += row[at]
            cell[1] += row[base_at]
    if not by_year:
        return pd.DataFrame(columns=TREND_COLUMNS)
    reference = str(chosen.reference)
    asked = []  # (year, group, count, base, ref count, ref base)
    for year, groups in sorted(by_year.items()):
        if reference not in groups:
            continue
        total = sum(base for _, base in groups.values())
        ref_count, ref_base = groups[reference]
        if equity.is_too_few(ref_base, total):
            continue
        for group, (count, base) in groups.items():
            if group == reference or equity.is_too_few(base, total):
                continue
            if not any(is_small(v) for v in (count, base, ref_count, ref_base)):
                asked.append((year, group, count, base, ref_count, ref_base))
    ratios = {}
    for quarters in {_rounded_quarters(chosen, year) for year, *_ in asked}:  # a year cut by the period
        mine = [row for row in asked if _rounded_quarters(chosen, row[0]) == quarters]
        found = equity.rate_ratios(*([row[i] for row in mine] for i in range(2, 6)), point, quarters)
        ratios |= {row[:2]: ratio for row, ratio in zip(mine, found, strict=True)}
    labels = equity.BREAKDOWNS[chosen.breakdown].labels
    shown = {
        (year, labels[_group(chosen.breakdown, group)]): _ci(ratio)
        for (year, group), ratio in ratios.items()
        if ratio is not None
    }
    named = {name for _, name in shown}
    names = [labels[g] for g in equity.BREAKDOWNS[chosen.breakdown].groups if labels[g] in named]
    rows = [
        (date(year, 1, 1), name, *shown.get((year, name), (np.nan, np.nan, np.nan)))
        for year in sorted(by_year)
        for name in names
    ]
    return pd.DataFrame(rows, columns=TREND_COLUMNS)


def _rounded_quarters(chosen: Selection, year: int | None = None) -> int:
    """How many rounded quarters a public referral count sums: the period's (or its part of ``year``);
    none in a staff view, whose counts are exact."""
    if not chosen.public:
        return 0
    start, end = chosen.start_date, chosen.end_date
    if year is not None:
        start, end = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    return max(1, -(-months // disclosure.GRID_MONTHS))


def _ci(ratio: equity.RateRatio) -> tuple[float, float, float]:
    return tuple(round(v, equity.RRI_DIGITS) for v in (ratio.value, ratio.low, ratio.high))


def _group(breakdown: str, text: str):
    """A group as the query writes it (text) → as ``domain.equity`` keys it (age bands are numbers)."""
    return int(text) if breakdown == "age_band" else text


def query_params(chosen: Selection) -> dict:
    """The page's one query's parameters: the other choices (breakdown, reference, decision point) are
    worked out from the same result."""
    return {
        "area_id": chosen.area_id,
        "start_date": chosen.start_date,
        "end_date": chosen.end_date,
        "public": chosen.public,
        "age_edges": equity.AGE_EDGES_PARAM,
    }


def equity_screen(run: RunQuery, chosen: Selection) -> EquityScreen:
    """Run the page's one query for ``chosen`` and write out what the page shows."""
    return build_screen(run(QUERY, **query_params(chosen)), chosen)


def build_screen(frame: pd.DataFrame, chosen: Selection) -> EquityScreen:
    """What the page shows from the query's result (split from the query for tests)."""
    breakdown = equity.BREAKDOWNS[chosen.breakdown]
    point = equity.POINTS[chosen.point]
    period = f"{chosen.start_date:%d %b %Y} – {chosen.end_date:%d %b %Y}"
    rows = _rows(frame)
    cells = _cells(rows, chosen.public)
    compared = compare(cells, chosen.breakdown, chosen.reference, _rounded_quarters(chosen))
    reference = breakdown.labels[chosen.reference]
    empty = None
    if not any(any(values) for values in cells.values.values()):
        where = f"{chosen.area_label} during {period}"
        empty = f"No LEAD-eligible arrests and no referrals were recorded in {where}."
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
        notes.append(equity.ROUNDING_NOTE)
        notes.append(
            f"{disclosure.PROTECTION_NOTE} Arrest counts are BPD's open data, shown exactly; counts "
            f"from 1 to {SMALL_COUNT_THRESHOLD - 1} read “{SUPPRESSED_TEXT}”. A rate or ratio built on a "
            f"hidden count is not shown ({equity.NO_RATE_TEXT})."
        )
        if cells.withheld:
            notes.append(COMPLEMENT_NOTE)
    tag = f"{chosen.area_id.replace(':', '_')}_{chosen.start_date}_{chosen.end_date}_{chosen.breakdown}"
    return EquityScreen(
        heading=f"{chosen.area_label}, {period}: by {breakdown.label.lower()}",
        empty=empty,
        counts_table=counts_table(cells, chosen.breakdown, compared),
        ratio_table=ratio_table(cells, chosen.breakdown, compared),
        chart=chart,
        readings=readings,
        trend=None if empty else _trend(rows, chosen, point),
        trend_title=f"{equity.RRI_LABEL} by year: {point.rate_label.lower()}, against {reference}",
        notes=notes,
        file_tag=tag,
    )
