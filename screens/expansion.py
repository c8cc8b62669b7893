"""What the Expansion planner shows: the ranking, the assumption inputs, a proposal's figures and the
comparison of saved proposals, already masked and formatted.

The page runs the queries (``expansion_ranking``, ``expansion_observed_ratios``,
``expansion_area_arrests``, ``proposal_list``), reads its widgets and hands both here; what comes back is
text, tables and input settings ready to draw. Small counts follow ``domain.privacy``, the observed
referral ratio ``domain.figures``, the arithmetic ``planning.projection`` and the planner's tables
``planning.tables``. Column labels are the queries' own (``queries.column_labels``).

>>> ranking_params(date(2017, 1, 1), date(2017, 12, 31))["edition"]
'1959-2022'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from pandas.io.formats.style import Styler
from shapely.geometry.base import BaseGeometry

from domain import program
from domain.figures import REFERRALS_PER_100, count_text, ratio_is_hidden, ratio_text, referrals_per_100
from domain.privacy import COMPLEMENT_NOTE, SUPPRESSED_TEXT, count_texts, has_withheld, is_small, public_count
from domain.safe_text import NAME_LIMIT, clean_text, markdown_text
from geo.proposal import (
    MAX_CITY_CROSSINGS,
    MAX_CITY_SHARE,
    MIN_AREA_KM2,
    CheckedProposal,
    ProposalError,
    check_proposal,
    drawings_on_map,
    feature_collection,
    from_wkb_hex,
    geometry_from_drawings,
    to_geojson_text,
    union_of_areas,
)
from planning.projection import (
    ASSUMPTION_NOTES,
    CANDIDATES_SOURCE,
    CASE_MANAGEMENT_SITE,
    MAX_MONTHS_IN_PROGRAM,
    MAX_REFERRALS_PER_ELIGIBLE_ARREST,
    MONTHS_IN_PROGRAM_PLACEHOLDER,
    Assumptions,
    Observed,
    project,
)
from planning.tables import (
    SORT_COLUMNS,
    comparison_frame,
    formatted_comparison,
    geojson_of,
    money,
    money_short,
    projection_steps,
    proposal_figures,
    ranking_table,
)
from queries import column_labels
from screens.overview import period_text
from screens.parts import Metric

DISTRICT_EDITION = "1959-2022"  # the LEAD era's districts
AREA_KINDS = {"neighborhood": "Neighbourhoods (NSAs)", "district": "Police districts (1959–2022)"}
PROPOSAL_MODES = {"draw": "Draw on the map", "pick": "Pick neighbourhoods"}
OBSERVED_AREAS = {
    "pilot_zone": "the pilot zone",
    "district:1959-2022:Central": "the Central District (1959–2022)",
}
CUSTOM_CAP = "Custom"
CASELOAD_OPTIONS: dict[str, int | None] = {
    **{f"{cap} – {label}": cap for label, cap in program.CASELOAD_STANDARDS.items()},
    CUSTOM_CAP: None,
}
PROJECTOR_ROWS = 10  # a projected table shows the first rows only; the download has them all
MAX_COMPARED = 4
ROW_HEIGHT = 35  # st.dataframe's row height in pixels
CANDIDATE_SHADE = "background-color: #d9f0ec"  # the map's candidate teal, lightened for a table row
SITE = {"site_lon": CASE_MANAGEMENT_SITE.lon, "site_lat": CASE_MANAGEMENT_SITE.lat}
_SEATTLE_COSTS = program.CITATIONS["seattle_costs"].source
_CAP = program.CITATIONS["caseload_cap"]
_STANDARDS = program.CITATIONS["caseload_standard"]

INTRO = (
    "Where could LEAD go next, and what would it take? Rank areas by LEAD-eligible arrests, draw a "
    "proposed area on the map (or pick neighbourhoods), and see the referrals, participants, staff and "
    "costs it implies. Every assumption is shown below with its source, and can be changed."
)
DRAWING_HELP = (
    "Use the polygon (⬠) or rectangle (■) tool at the map's top left: click points and close the shape "
    "on the first point. Edit or delete it with the tools below them; several shapes count as one area."
)
ASSUMPTIONS_INTRO = (
    "Everything the projection uses besides the area's own arrests. Defaults come from the loaded data "
    "or from published figures, with the source under each; change any of them."
)
CASELOAD_CAPTION = (
    f"Baltimore: {_CAP.figure} ({_CAP.source}). Standards: {_STANDARDS.figure} ({_STANDARDS.source})."
)
_STARTUP = money(program.SEATTLE_PROGRAM_COST_PER_PERSON_MONTH, signed=False)
_STEADY = money(program.SEATTLE_PROGRAM_COST_PER_PERSON_MONTH_STEADY, signed=False)
PROGRAM_COST_CAPTION = (
    f"Seattle LEAD: {_STARTUP} per person-month including start-up, falling to {_STEADY}; person-months "
    f"= participants × months in program ({_SEATTLE_COSTS})."
)
JUSTICE_COST_CAPTION = (
    "Seattle LEAD: justice and legal costs changed by "
    f"{money(program.SEATTLE_JUSTICE_COST_CHANGE_PARTICIPANT)} per participant and by "
    f"{money(program.SEATTLE_JUSTICE_COST_CHANGE_CONTROL)} per control over the evaluation "
    f"({_SEATTLE_COSTS}). Applied to one year's new participants."
)
SAVE_REFUSED = (
    "Only signed-in staff can save proposals: sign in from the sidebar. Anyone can download a drawn or "
    "picked area as GeoJSON."
)
NOTHING_TO_SAVE = "There is no usable proposal to save yet: draw an area or pick neighbourhoods first."
NO_SAVED_PROPOSALS = "No proposals are saved yet. Save one above; two to four can be compared side by side."


def ranking_params(start: date, end: date) -> dict:
    """The parameters of ``expansion_ranking`` for a period."""
    candidates = "|".join(program.EXPANSION_CANDIDATES)
    return {
        "edition": DISTRICT_EDITION,
        "candidates": candidates,
        "start_date": start,
        "end_date": end,
        **SITE,
    }


def area_params(geometry: BaseGeometry, start: date, end: date) -> dict:
    """The parameters of ``expansion_area_arrests`` for an area and a period."""
    return {"geojson": to_geojson_text(geometry), "start_date": start, "end_date": end, **SITE}


# ---------------------------------------------------------------------------------------------- ranking


@dataclass(frozen=True)
class GridColumn:
    """How the ranking grid draws one column: a number, a flag or text, with a short heading, a number
    format (printf style, as Streamlit's column settings take it) and help."""

    kind: str
    title: str | None = None
    format: str | None = None
    help: str | None = None
    width: str | None = None

    def options(self) -> dict:
        """The settings given, by the names Streamlit's column types take them."""
        given = {"label": self.title, "format": self.format, "help": self.help, "width": self.width}
        return {name: value for name, value in given.items() if value is not None}


def _grid_columns(period: str) -> dict[str, GridColumn]:
    """Query column -> how the grid draws it (the name column is drawn as it is)."""
    site = CASE_MANAGEMENT_SITE.name
    return {
        "rank": GridColumn("number", width="small"),
        "is_candidate": GridColumn("flag", "Candidate", help=CANDIDATES_SOURCE, width="small"),
        # text in a public view with a hidden count: words where the count is hidden
        "eligible_arrests": GridColumn("text", help=f"LEAD-eligible arrests, {period}"),
        "eligible_per_year": GridColumn("number", "Per year", "%.1f", "Eligible arrests per 365.25 days"),
        "eligible_per_year_km2": GridColumn(
            "number", "Per km²/yr", "%.1f", "Eligible arrests per km² a year"
        ),
        "possession_share": GridColumn("number", "Possession", "%.0f%%", "Share that is CDS possession"),
        "trend_pct_per_year": GridColumn(
            "number", "Trend/yr", "%+.0f%%", "Change a year, fitted to the period's last 36 full months"
        ),
        "km_from_site": GridColumn("number", "km to site", "%.1f", f"From the {site} to the area's centre"),
        "central_share": GridColumn(
            "number", "% Central", "%.0f%%", "Share of the area inside the Central District, where LEAD runs"
        ),
        "area_km2": GridColumn("number", "km²", "%.2f"),
    }


def ranking_labels() -> dict[str, str]:
    """Column name -> heading of the ranking table and its download: the query's labels, and a rank."""
    return {"rank": "Rank", **column_labels("expansion_ranking")}


@dataclass(frozen=True)
class Ranking:
    """The ranking as shown: a table with readable headings and counts, how the grid draws each
    column, the caption under it and the download's file name."""

    table: pd.DataFrame
    columns: dict[str, GridColumn]  # keyed by the table's headings
    caption: str
    file_name: str

    def projector_table(self) -> Styler:
        """The first rows in large type: short headings, formatted numbers, named candidates shaded
        like their map outlines."""
        # headings renamed in the data: st.table shows a Styler's columns, not its relabelled index
        titles = {label: column.title or label for label, column in self.columns.items()}
        flag = next(titles[label] for label, column in self.columns.items() if column.kind == "flag")
        formats = {
            titles[label]: (lambda value, pattern=column.format: pattern % value)
            for label, column in self.columns.items()
            if column.format
        }
        formats[flag] = lambda named: "yes" if named else ""
        return (
            self.table.head(PROJECTOR_ROWS)
            .rename(columns=titles)
            .style.apply(lambda row: [CANDIDATE_SHADE if row[flag] else ""] * len(row), axis=1)
            .format(formats, na_rep="—")
            .hide(axis="index")
        )

    @property
    def projector_caption(self) -> str:
        shown = min(PROJECTOR_ROWS, len(self.table))
        return f"The first {shown} of {len(self.table)}; the download below has them all."


def ranking(
    frame: pd.DataFrame,
    kind: str,
    sort_label: str,
    candidates_only: bool,
    public: bool,
    start: date,
    end: date,
) -> Ranking:
    """The ranking of one kind of area from ``expansion_ranking``, ordered by the measure chosen by
    its label (a key of ``planning.tables.SORT_COLUMNS``)."""
    ranked = ranking_table(frame, kind, SORT_COLUMNS[sort_label], candidates_only, public)
    table = ranked.copy()
    table.attrs = {}  # what was withheld is in the words below
    if public and ranked["eligible_arrests"].isna().any():
        table["eligible_arrests"] = count_texts(ranked["eligible_arrests"])
    else:
        table["eligible_arrests"] = ranked["eligible_arrests"].astype("Int64")
    labels = ranking_labels()
    period = period_text(start, end)
    grid = _grid_columns(period)
    caption = _ranking_caption(period, grid, public, has_withheld(ranked))
    return Ranking(
        table.rename(columns=labels),
        {labels[name]: column for name, column in grid.items()},
        caption,
        f"expansion-ranking-{kind}.csv",
    )


def _ranking_caption(period: str, grid: Mapping[str, GridColumn], public: bool, withheld: bool) -> str:
    site = CASE_MANAGEMENT_SITE
    caption = (
        f"{period}. **Named candidates** ({', '.join(program.EXPANSION_CANDIDATES)}): {CANDIDATES_SOURCE}. "
        f"**{grid['trend_pct_per_year'].title}**: least-squares slope of monthly counts over the period's "
        "last 36 full months, as % of the average month per year (blank with less than a year of full "
        f"months). **{grid['km_from_site'].title}**: straight line from the {site.name} to the area's "
        f"centre ({site.source}). **{grid['central_share'].title}**: share of the area inside the Central "
        "District, where LEAD already runs."
    )
    if public:
        caption += f" Areas with {SUPPRESSED_TEXT} eligible arrests show no figures in this public view."
    if public and withheld:
        caption += f" {COMPLEMENT_NOTE}"
    return caption


# ------------------------------------------------------------------------------------------ assumptions


@dataclass(frozen=True)
class NumberInput:
    """A number input as the page draws it: label, range, starting value, step, format, and the
    sentence under it saying where the starting value comes from."""

    label: str
    low: float
    high: float
    start: float
    step: float
    format: str | None = None
    caption: str = ""

    def args(self) -> dict:
        """The arguments of ``st.number_input``."""
        return {
            "label": self.label,
            "min_value": self.low,
            "max_value": self.high,
            "value": self.start,
            "step": self.step,
            "format": self.format,
        }


def start_within(value: float, low: float, high: float) -> tuple[float, str]:
    """An input's starting value moved into its range (an input given a value outside it stops the
    page), and a sentence saying so when it had to move: odd imported data can give any ratio.

    >>> start_within(14.0, 0.0, 10.0)
    (10.0, " **The observed 14 is outside this input's 0–10; it starts at 10.**")
    """
    start = min(max(value, low), high)
    if start == value:
        return value, ""
    return (
        start,
        f" **The observed {value:g} is outside this input's {low:g}–{high:g}; it starts at {start:g}.**",
    )


def observed_inputs(
    row: Mapping, area_id: str, start: date, end: date, public: bool
) -> dict[str, NumberInput]:
    """The inputs that start from what the loaded data shows in the observed area and period, by
    ``Assumptions`` field, from an ``expansion_observed_ratios`` row. In a public view a ratio next to
    one of its counts gives the other back, so a ratio with a small count behind it offers no value."""
    observed = Observed.from_row(row)
    where = f"{OBSERVED_AREAS[area_id]}, {period_text(start, end)}"
    return {
        "referrals_per_eligible_arrest": _referral_ratio_input(observed, where, public),
        "enrolment_rate": _enrolment_input(observed, where, public),
        "months_in_program": _months_input(observed, where, public),
    }


def _referral_ratio_input(observed: Observed, where: str, public: bool) -> NumberInput:
    label = ASSUMPTION_NOTES["referrals_per_eligible_arrest"].label
    hidden = ratio_is_hidden(observed.referrals, observed.eligible_arrests, public)
    per_100 = None if hidden else referrals_per_100(observed.referrals, observed.eligible_arrests)
    if per_100 is None:
        caption = (
            f"Too few records in {where} to show an observed ratio here: enter one. "
            "No published figure exists."
        )
        return NumberInput(label, 0.0, MAX_REFERRALS_PER_ELIGIBLE_ARREST, 0.0, 0.01, "%.3f", caption)
    # the headline figure's formula and rounding, per eligible arrest instead of per 100
    start, moved = start_within(round(per_100 / 100, 3), 0.0, MAX_REFERRALS_PER_ELIGIBLE_ARREST)
    caption = (
        f"Observed in {where}: {public_count(observed.referrals, public)} referrals ÷ "
        f"{public_count(observed.eligible_arrests, public)} eligible arrests "
        f"({ratio_text(per_100)} {REFERRALS_PER_100.label.lower()}). Computed from the loaded data; no "
        "published figure exists for this ratio." + moved
    )
    return NumberInput(label, 0.0, MAX_REFERRALS_PER_ELIGIBLE_ARREST, start, 0.01, "%.3f", caption)


def _enrolment_input(observed: Observed, where: str, public: bool) -> NumberInput:
    label = ASSUMPTION_NOTES["enrolment_rate"].label
    hidden = ratio_is_hidden(observed.enrolled, observed.referrals, public)  # the same rule as any ratio
    rate = None if hidden else observed.enrolment_rate
    if rate is None:
        caption = f"Too few records in {where} to show an observed enrolment rate here: enter one."
        return NumberInput(label, 0.0, 1.0, 0.0, 0.01, "%.3f", caption)
    start, moved = start_within(round(rate, 3), 0.0, 1.0)
    caption = (
        f"Observed in {where}: {public_count(observed.enrolled, public)} enrolled ÷ "
        f"{public_count(observed.referrals, public)} referred. Computed from the loaded data." + moved
    )
    return NumberInput(label, 0.0, 1.0, start, 0.01, "%.3f", caption)


def _months_input(observed: Observed, where: str, public: bool) -> NumberInput:
    label = ASSUMPTION_NOTES["months_in_program"].label
    months = None if public and is_small(observed.exited) else observed.mean_months_in_program
    if not months:
        caption = (
            "Placeholder, not a measured figure: too few participants have left the program in "
            f"{where} to measure a length of stay. Enter your own."
        )
        return NumberInput(
            label, 0.5, MAX_MONTHS_IN_PROGRAM, MONTHS_IN_PROGRAM_PLACEHOLDER, 0.5, "%.1f", caption
        )
    start, moved = start_within(round(months, 1), 0.5, MAX_MONTHS_IN_PROGRAM)
    caption = (
        f"Observed in {where}: mean from enrolment to exit of {public_count(observed.exited, public)} "
        "participants who have left. Computed from the loaded data." + moved
    )
    return NumberInput(label, 0.5, MAX_MONTHS_IN_PROGRAM, start, 0.5, "%.1f", caption)


def _dollars(field: str, low: int, high: int, default: int, step: int) -> NumberInput:
    return NumberInput(ASSUMPTION_NOTES[field].label + " (US$)", low, high, default, step)


CUSTOM_CAP_INPUT = NumberInput("Custom caseload cap", 1, 100, program.CASELOAD_CAP_BALTIMORE, 1)
COST_INPUTS = {
    "cost_per_person_month_startup": _dollars(
        "cost_per_person_month_startup", 0, 100_000, program.SEATTLE_PROGRAM_COST_PER_PERSON_MONTH, 10
    ),
    "cost_per_person_month_steady": _dollars(
        "cost_per_person_month_steady", 0, 100_000, program.SEATTLE_PROGRAM_COST_PER_PERSON_MONTH_STEADY, 10
    ),
    "justice_cost_change_participant": _dollars(
        "justice_cost_change_participant",
        -1_000_000,
        1_000_000,
        program.SEATTLE_JUSTICE_COST_CHANGE_PARTICIPANT,
        100,
    ),
    "justice_cost_change_control": _dollars(
        "justice_cost_change_control", -1_000_000, 1_000_000, program.SEATTLE_JUSTICE_COST_CHANGE_CONTROL, 100
    ),
}


def assumptions_from(values: Mapping[str, float]) -> tuple[Assumptions | None, str | None]:
    """The assumptions from the inputs' values (by ``Assumptions`` field), or None and why not."""
    try:
        typed = {
            name: int(value) if name == "caseload_cap" else float(value) for name, value in values.items()
        }
        return Assumptions(**typed), None
    except ValueError as error:
        return None, f"These assumptions cannot be used: {error}."


# ----------------------------------------------------------------------------------------- one proposal


@dataclass(frozen=True)
class ProposalFigures:
    """One proposal as shown: what was measured in it, why its projection is hidden (or None), the
    projected figures, the caption under them and the steps of the arithmetic."""

    measured: tuple[Metric, ...]
    hidden_note: str | None
    projected: tuple[Metric, ...]
    caption: str
    steps: pd.DataFrame | None


def picked_area(outlines: pd.DataFrame, names: Sequence[str]) -> tuple[BaseGeometry | None, str | None]:
    """The union of the picked neighbourhoods (``areas_geojson`` rows by name), or None and why not."""
    try:
        return union_of_areas(geojson_of(outlines, list(names))), None
    except ProposalError as error:
        return None, str(error)


def checked_proposal(
    mode: str, picked: BaseGeometry | None, drawn: object, city: BaseGeometry
) -> tuple[CheckedProposal | None, str | None]:
    """The proposal to plan: the picked area (``pick``) or what is drawn on the map (the map's value),
    checked against the city; None and why when it cannot be used, None alone when there is none yet."""
    try:
        geometry = picked if mode == "pick" else geometry_from_drawings(drawings_on_map(drawn))
        if geometry is None:
            return None, None
        # picked neighbourhoods follow the city's own lines; a drawing may cross them only so often
        crossings = None if mode == "pick" else MAX_CITY_CROSSINGS
        return check_proposal(geometry, city, max_city_crossings=crossings), None
    except ProposalError as error:
        return None, str(error)


def proposal_prompt(mode: str) -> str:
    """What to do before there is a proposal, for drawing (``draw``) or picking (``pick``)."""
    if mode == "pick":
        return "Pick one or more neighbourhoods above to see what they would take."
    return (
        "Draw an area on the map, or pick neighbourhoods, to see what it would take. "
        f"Areas from {MIN_AREA_KM2:g} km² up to {MAX_CITY_SHARE:.0%} of the city can be planned."
    )


def proposal_figures_shown(
    area_km2: float, counts: Mapping, assumptions: Assumptions | None, public: bool, start: date, end: date
) -> ProposalFigures:
    """A checked proposal's figures from its ``expansion_area_arrests`` row and the assumptions in
    force (None: they cannot be used, so nothing is projected)."""
    period = period_text(start, end)
    eligible = int(counts["eligible_arrests"])
    hidden = public and is_small(eligible)
    per_year = float(counts["eligible_per_year"])
    measured = (
        Metric("Area", f"{area_km2:,.2f} km²"),
        Metric(
            "Distance",
            f"{float(counts['km_from_site']):,.1f} km",
            f"Straight line from the {CASE_MANAGEMENT_SITE.name} to the area's centre.",
        ),
        Metric(
            "Eligible arrests",
            count_text("eligible_arrests", eligible, public),
            f"LEAD-eligible arrests inside the area, {period}, counted in the database.",
        ),
        Metric("Eligible a year", "hidden" if hidden else f"{per_year:,.1f}"),
    )
    if hidden:
        note = f"{SUPPRESSED_TEXT.capitalize()} eligible arrests: projections are hidden in the public view."
        return ProposalFigures(measured, note, (), "", None)
    if assumptions is None:
        return ProposalFigures(measured, None, (), "", None)
    p, a = project(per_year, assumptions), assumptions
    projected = (
        Metric("Referrals a year", f"{p.referrals_per_year:,.0f}"),
        Metric("Participants a year", f"{p.participants_per_year:,.0f}"),
        Metric(
            "Case managers",
            str(p.case_managers),
            f"{p.concurrent_participants:,.0f} people on the caseload at any one time, at a cap of "
            f"{a.caseload_cap} per case manager + peer pair.",
        ),
        Metric("Peers", str(p.peers), "Each peer is paired with a case manager."),
        Metric(
            "Cost a year",
            money_short(p.program_cost_per_year_steady, signed=False),
            f"{money(p.program_cost_per_year_steady, signed=False)} at the steady rate; "
            f"{money(p.program_cost_per_year_startup, signed=False)} at the start-up rate.",
        ),
        Metric(
            "Justice costs",
            money_short(p.justice_cost_difference),
            f"{money(p.justice_cost_difference)}: one year's participants vs the same people booked as usual "
            "(negative is a saving).",
        ),
    )
    caption = (
        f"{period}. {p.concurrent_participants:,.0f} people on the caseload at any time. How each figure is "
        "computed, with its sources, is below."
    )
    return ProposalFigures(measured, None, projected, caption, projection_steps(p, a))


def proposal_geojson(geometry: BaseGeometry, name: str, area_km2: float) -> str:
    """The drawn or picked area as a GeoJSON download, under the name typed (if any)."""
    return feature_collection(
        [(geometry, {"name": name.strip() or "Unsaved proposal", "area_km2": area_km2})]
    )


def saved_message(name: str) -> str:
    shown = markdown_text(name.strip(), NAME_LIMIT)  # a name is text, never Markdown
    return f"Saved “{shown}”. It is now in the comparison below."


def refused_message(verb: str, error: Exception) -> str:
    """Why a save or delete did not happen (the message may quote a name typed: shown as text)."""
    return f"Not {verb}: {markdown_text(error)}."


def compared_after_saving(saved_id: str, compared: Sequence[str]) -> list[str]:
    """The proposals to compare once one is saved: the new one first, at most ``MAX_COMPARED``."""
    return [saved_id, *(area_id for area_id in compared if area_id != saved_id)][:MAX_COMPARED]


# ------------------------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class SavedProposal:
    area_id: str
    name: str  # as typed: for the GeoJSON download; shown through ``clean_text``
    author: str | None
    note: str | None
    created_at: object
    area_km2: float
    geometry: BaseGeometry


def proposal_names(saved: pd.DataFrame) -> dict[str, str]:
    """Proposal id -> its name as a selector shows it (no control characters, not too long)."""
    return {
        area_id: clean_text(name, NAME_LIMIT)
        for area_id, name in zip(saved["area_id"], saved["name"], strict=True)
    }


def delete_label(name: str) -> str:
    return f"Delete “{markdown_text(name, NAME_LIMIT)}”"  # a button's label is Markdown


def selected_proposals(saved: pd.DataFrame, selected: Sequence[str]) -> list[SavedProposal]:
    """The selected ``proposal_list`` rows, in the order selected, with their outlines."""
    rows = saved.set_index("area_id").loc[list(selected)]
    return [
        SavedProposal(
            area_id,
            row.name,
            row.author,
            row.note,
            row.created_at,
            float(row.area_km2),
            from_wkb_hex(row.wkb_hex),
        )
        for area_id, row in zip(rows.index, rows.itertuples(index=False), strict=True)
    ]


@dataclass(frozen=True)
class Comparison:
    """Saved proposals side by side: figures in rows, proposals in columns."""

    frame: pd.DataFrame  # numbers: the CSV
    shown: pd.DataFrame  # text: the grid
    caption: str
    geojson: str

    @property
    def height(self) -> int:
        """The grid's height with every row visible: nothing to scroll."""
        return ROW_HEIGHT * (len(self.shown) + 1) + 3

    def projector_table(self) -> pd.DataFrame:
        """The comparison as a large table, headed by the proposals' names as text (``st.table``
        reads headers as Markdown)."""
        table = self.shown.set_index("Figure")
        return table.rename(columns={name: markdown_text(name, NAME_LIMIT) for name in table.columns[1:]})


def comparison(
    proposals: Sequence[SavedProposal],
    counts: Sequence[Mapping],
    assumptions: Assumptions,
    public: bool,
    start: date,
    end: date,
) -> Comparison:
    """The comparison of ``proposals``, each with its ``expansion_area_arrests`` row, under the
    assumptions in force; small proposals show no count and no projection in a public view."""
    figures = [
        # a column of the table and of its CSV: no control characters
        proposal_figures(clean_text(p.name, NAME_LIMIT), p.area_km2, row, assumptions)
        for p, row in zip(proposals, counts, strict=True)
    ]
    frame = comparison_frame(figures, assumptions, public)
    caption = (
        f"{period_text(start, end)}; the assumptions in force above apply to every proposal (listed at the "
        "bottom)."
    )
    geojson = feature_collection(
        [
            (
                p.geometry,
                {
                    "name": p.name,
                    "author": p.author,
                    "note": p.note,
                    "created_at": p.created_at,
                    "area_km2": p.area_km2,
                },
            )
            for p in proposals
        ]
    )
    return Comparison(frame, formatted_comparison(frame), caption, geojson)


def saved_table(saved: pd.DataFrame) -> pd.DataFrame:
    """Every saved proposal as a table headed by the query's labels; anyone's text, so no control
    characters or bidirectional overrides."""
    columns = ["name", "author", "note", "created_at", "area_km2"]
    typed = {name: [clean_text(text, 2_000) for text in saved[name]] for name in ("name", "author", "note")}
    table = saved[columns].assign(**typed)
    if pd.api.types.is_datetime64_any_dtype(table["created_at"]):
        table["created_at"] = table["created_at"].dt.date  # a day is enough to tell drafts apart
    return table.rename(columns=column_labels("proposal_list"))
