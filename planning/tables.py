"""Tables the expansion planner shows and exports, shaped from query results and projections.

Pure pandas, no Streamlit: the page passes query results in and shows what comes out. Public views
hide counts from 1 to 4 (``domain.privacy``) and every figure derived from them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from domain.privacy import SUPPRESSED_TEXT, hide_where_missing, is_small, mask_small_in_column
from planning.projection import ASSUMPTION_NOTES, Assumptions, Projection, project

SORT_COLUMNS = {
    "Eligible arrests per year": "eligible_per_year",
    "Eligible arrests per km² a year": "eligible_per_year_km2",
}
# Figures computed from an area's eligible-arrest count: hidden with it when it is small.
_DERIVED_FROM_COUNT = ["eligible_per_year", "eligible_per_year_km2", "possession_share", "trend_pct_per_year"]
# The ranking's columns, in the order shown: ``rank`` and the ``expansion_ranking`` columns a reader reads.
RANKING_COLUMNS = (
    "rank",
    "name",
    "is_candidate",
    "eligible_arrests",
    "eligible_per_year",
    "eligible_per_year_km2",
    "possession_share",
    "trend_pct_per_year",
    "km_from_site",
    "central_share",
    "area_km2",
)
HIDDEN_FIGURE_TEXT = f"hidden ({SUPPRESSED_TEXT})"  # a comparison figure hidden with its small count


def ranking_table(
    ranking: pd.DataFrame, kind: str, sort_by: str, candidates_only: bool = False, public: bool = True
) -> pd.DataFrame:
    """The ranking of one kind of area ('neighborhood' or 'district'), best first by ``sort_by``.

    Columns keep their query names, in the order of ``RANKING_COLUMNS``; shares become percentages.
    In public views small counts are masked down the column (``domain.privacy``), and an area whose
    count is hidden shows no figure derived from it and no rank.
    """
    if sort_by not in SORT_COLUMNS.values():
        raise ValueError(f"cannot rank by {sort_by!r}; choose one of {sorted(SORT_COLUMNS.values())}")
    frame = ranking[ranking["kind"] == kind].copy()
    frame["rank"] = frame[sort_by].rank(ascending=False, method="min").astype("Int64")
    frame = frame.sort_values([sort_by, "name"], ascending=[False, True]).reset_index(drop=True)
    frame["possession_share"] = frame["possession_share"] * 100
    frame["central_share"] = frame["central_share"] * 100
    if public:
        frame = mask_small_in_column(frame, "eligible_arrests")
        frame = hide_where_missing(frame, "eligible_arrests", [*_DERIVED_FROM_COUNT, "rank"])
        frame["rank"] = frame["rank"].astype("Int64")
    if candidates_only:
        # the index is kept: the masking's record of withheld cells (``frame.attrs``) names rows by it
        frame = frame[frame["is_candidate"]]
    return frame[list(RANKING_COLUMNS)]


def neighbourhood_densities(ranking: pd.DataFrame, public: bool = True) -> pd.DataFrame:
    """Each neighbourhood's density and candidate flag for the map (no outlines: what a new period
    changes); in public views the density is hidden where the count is."""
    frame = ranking[ranking["kind"] == "neighborhood"].reset_index(drop=True)
    if public:
        frame = mask_small_in_column(frame, "eligible_arrests")
        frame = hide_where_missing(frame, "eligible_arrests", ["eligible_per_year_km2"])
    return frame[["area_id", "name", "is_candidate", "eligible_arrests", "eligible_per_year_km2"]]


def map_neighbourhoods(ranking: pd.DataFrame, outlines: pd.DataFrame, public: bool = True) -> pd.DataFrame:
    """Neighbourhood outlines (``areas_geojson``) with their density and candidate flag for the map;
    in public views the density is hidden where the count is."""
    densities = neighbourhood_densities(ranking, public).drop(columns="name")
    return outlines[["area_id", "name", "geojson"]].merge(densities, on="area_id", how="inner")


def _people(count: int, role: str) -> str:
    return f"{count} {role}{'' if count == 1 else 's'}"


def money(value: float, signed: bool = True) -> str:
    """Dollars without cents; a change (``signed``) carries its sign, a minus sign for a saving.

    >>> money(-92930.4), money(61331, signed=False)
    ('−$92,930', '$61,331')
    """
    sign = "−" if value < 0 else ("+" if value > 0 and signed else "")
    return f"{sign}${abs(value):,.0f}"


def money_short(value: float, signed: bool = True) -> str:
    """Dollars rounded for a headline: $950, $61k, $1.2M (sign as in ``money``).

    >>> money_short(-391604), money_short(1_234_567, signed=False), money_short(950, signed=False)
    ('−$392k', '$1.2M', '$950')
    """
    sign = "−" if value < 0 else ("+" if value > 0 and signed else "")
    size = abs(value)
    if size >= 1e6:
        return f"{sign}${size / 1e6:,.1f}M"
    if size >= 1e4:
        return f"{sign}${size / 1e3:,.0f}k"
    return f"{sign}${size:,.0f}"


def projection_steps(projection: Projection, assumptions: Assumptions) -> pd.DataFrame:
    """How each projected figure follows from the area's count and the assumptions, with the numbers."""
    p, a = projection, assumptions
    rows = [
        (
            "Eligible arrests per year",
            "counted inside the area (DuckDB), per 365.25 days",
            f"{p.eligible_arrests_per_year:,.1f}",
        ),
        (
            "Referrals per year",
            f"{p.eligible_arrests_per_year:,.1f} × {a.referrals_per_eligible_arrest:.3f} referrals per "
            "eligible arrest",
            f"{p.referrals_per_year:,.1f}",
        ),
        (
            "New participants per year",
            f"{p.referrals_per_year:,.1f} × {a.enrolment_rate:.3f} enrolment rate",
            f"{p.participants_per_year:,.1f}",
        ),
        (
            "On the caseload at any time",
            f"{p.participants_per_year:,.1f} × {a.months_in_program:.1f} months ÷ 12",
            f"{p.concurrent_participants:,.1f}",
        ),
        (
            "Case manager + peer pairs",
            f"{p.concurrent_participants:,.1f} ÷ caseload cap {a.caseload_cap}, rounded up",
            f"{_people(p.case_managers, 'case manager')} + {_people(p.peers, 'peer')}",
        ),
        (
            "Program cost a year (start-up rate)",
            f"{p.person_months_per_year:,.1f} person-months × ${a.cost_per_person_month_startup:,.0f}",
            money(p.program_cost_per_year_startup, signed=False),
        ),
        (
            "Program cost a year (steady rate)",
            f"{p.person_months_per_year:,.1f} person-months × ${a.cost_per_person_month_steady:,.0f}",
            money(p.program_cost_per_year_steady, signed=False),
        ),
        (
            "Justice and legal costs, one year's participants",
            f"{p.participants_per_year:,.1f} × {money(a.justice_cost_change_participant)}",
            money(p.justice_cost_change_participants),
        ),
        (
            "Same people booked as usual",
            f"{p.participants_per_year:,.1f} × {money(a.justice_cost_change_control)}",
            money(p.justice_cost_change_if_booked),
        ),
        (
            "Difference (negative = saving)",
            "participants minus booked as usual",
            money(p.justice_cost_difference),
        ),
    ]
    return pd.DataFrame(rows, columns=["Figure", "How it is computed", "Value"])


@dataclass(frozen=True)
class ProposalFigures:
    """One proposal's measured figures and its projection (None when hidden in a public view)."""

    name: str
    area_km2: float
    km_from_site: float
    eligible_arrests: int
    eligible_per_year: float
    possession_share: float | None
    projection: Projection | None


# (label, unit, how to read the value from ProposalFigures)
_COMPARISON_ROWS = [
    ("Area", "km²", lambda f: f.area_km2),
    ("Distance from case-management site (to centre)", "km", lambda f: f.km_from_site),
    ("LEAD-eligible arrests in the period", "arrests", lambda f: f.eligible_arrests),
    ("LEAD-eligible arrests per year", "per year", lambda f: f.eligible_per_year),
    (
        "Share that is CDS possession",
        "%",
        lambda f: None if f.possession_share is None else 100 * f.possession_share,
    ),
    ("Projected referrals", "per year", lambda f: f.projection and f.projection.referrals_per_year),
    ("New participants", "per year", lambda f: f.projection and f.projection.participants_per_year),
    (
        "On the caseload at any time",
        "people",
        lambda f: f.projection and f.projection.concurrent_participants,
    ),
    ("Case managers", "staff", lambda f: f.projection and f.projection.case_managers),
    ("Peers", "staff", lambda f: f.projection and f.projection.peers),
    (
        "Program cost a year, start-up rate",
        "US$",
        lambda f: f.projection and f.projection.program_cost_per_year_startup,
    ),
    (
        "Program cost a year, steady rate",
        "US$",
        lambda f: f.projection and f.projection.program_cost_per_year_steady,
    ),
    (
        "Justice and legal cost change, one year's participants",
        "US$ change",
        lambda f: f.projection and f.projection.justice_cost_change_participants,
    ),
    (
        "Same people booked as usual",
        "US$ change",
        lambda f: f.projection and f.projection.justice_cost_change_if_booked,
    ),
    (
        "Justice-cost difference (negative = saving)",
        "US$ change",
        lambda f: f.projection and f.projection.justice_cost_difference,
    ),
]


def comparison_frame(
    proposals: list[ProposalFigures], assumptions: Assumptions, public: bool = True
) -> pd.DataFrame:
    """Figures (rows) by proposal (columns), numbers only, followed by the assumptions used: the CSV.

    In public views a proposal with 1-4 eligible arrests shows no count and no projection.
    """
    columns: dict[str, list] = {"Figure": [], "Unit": []}
    for label, unit, _ in _COMPARISON_ROWS:
        columns["Figure"].append(label)
        columns["Unit"].append(unit)
    for note in ASSUMPTION_NOTES.values():
        columns["Figure"].append(f"Assumption: {note.label}")
        columns["Unit"].append(note.unit)
    for figures in proposals:
        hidden = public and is_small(figures.eligible_arrests)
        values = []
        for label, _, read in _COMPARISON_ROWS:
            value = read(figures)
            if hidden and label not in ("Area", "Distance from case-management site (to centre)"):
                value = None
            values.append(None if value is None else _rounded(value))
        values += [getattr(assumptions, field) for field in ASSUMPTION_NOTES]
        columns[_unique(figures.name, columns)] = values
    return pd.DataFrame(columns)


def proposal_figures(
    name: str, area_km2: float, counts: pd.Series, assumptions: Assumptions
) -> ProposalFigures:
    """A proposal's figures from its ``expansion_area_arrests`` row and the assumptions in force."""
    share = counts["possession_share"]
    return ProposalFigures(
        name=name,
        area_km2=float(area_km2),
        km_from_site=float(counts["km_from_site"]),
        eligible_arrests=int(counts["eligible_arrests"]),
        eligible_per_year=float(counts["eligible_per_year"]),
        possession_share=None if pd.isna(share) else float(share),
        projection=project(float(counts["eligible_per_year"]), assumptions),
    )


def geojson_of(outlines: pd.DataFrame, names: list[str]) -> list[str]:
    """The GeoJSON outlines of the named areas (``areas_geojson`` rows), in the order given."""
    by_name = dict(zip(outlines["name"], outlines["geojson"], strict=True))
    return [by_name[name] for name in names if name in by_name]


def _unique(name: str, taken: dict) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name} ({n})", n + 1
    return candidate


def _rounded(value) -> float:
    value = float(value)
    return round(value, 0) if abs(value) >= 1000 else round(value, 2)


def formatted_comparison(frame: pd.DataFrame) -> pd.DataFrame:
    """The comparison as text for the screen: thousands separators, dollars, and ``HIDDEN_FIGURE_TEXT``
    for a figure hidden in a public view."""
    shown = frame.copy()
    for column in shown.columns[2:]:
        shown[column] = [
            _format(value, unit) for value, unit in zip(shown[column], shown["Unit"], strict=True)
        ]
    return shown


def _format(value, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return HIDDEN_FIGURE_TEXT
    if unit.startswith("US$"):
        return money(value, signed=unit == "US$ change")
    if unit in ("ratio", "share of referrals"):
        return f"{value:.3f}"
    if unit == "km²":
        return f"{value:,.2f}"
    if unit in ("arrests", "staff", "people per pair") or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}"
