"""Expansion planner: rank candidate areas, draw or pick a proposal, see what it takes, save and compare."""

from functools import partial

import streamlit as st

from domain import program
from domain.privacy import is_small, public_count
from domain.safe_text import NAME_LIMIT, clean_text, markdown_text
from geo.planner_map import comparison_map, fill_period, picked_layer, planner_base_map
from geo.proposal import (
    MAX_CITY_CROSSINGS,
    MAX_CITY_SHARE,
    MIN_AREA_KM2,
    ProposalError,
    check_proposal,
    drawings_on_map,
    feature_collection,
    from_wkb_hex,
    geometry_from_drawings,
    to_geojson_text,
    union_of_areas,
)
from ingest.proposals import ProposalExists, delete_proposal, save_proposal
from planning.projection import (
    ASSUMPTION_NOTES,
    CANDIDATES_SOURCE,
    CASE_MANAGEMENT_SITE,
    EXPANSION_CANDIDATES,
    MAX_REFERRALS_PER_ELIGIBLE_ARREST,
    Assumptions,
    Observed,
    project,
)
from planning.tables import (
    RANKING_LABELS,
    SORT_COLUMNS,
    comparison_frame,
    formatted_comparison,
    geojson_of,
    map_neighbourhoods,
    money,
    money_short,
    neighbourhood_densities,
    projection_steps,
    proposal_figures,
    ranking_table,
    shade_candidates,
)
from ui.chrome import current_view
from ui.data import connection, data_changed, query
from ui.maps import cached_map, show_map
from ui.tables import csv_bytes, table_for_reading
from ui.url_state import keep_valid, keep_valid_items

DISTRICT_EDITION = "1959-2022"
OBSERVED_AREAS = {
    "pilot_zone": "the pilot zone",
    "district:1959-2022:Central": "the Central District (1959–2022)",
}
AREA_KINDS = {"neighborhood": "Neighbourhoods (NSAs)", "district": "Police districts (1959–2022)"}
CUSTOM_CAP = "Custom"
ROW_HEIGHT = 35  # st.dataframe's row height in pixels
PROJECTOR_ROWS = 10
PROJECTOR_FORMATS = {
    "Named candidate": lambda named: "yes" if named else "",
    "Per year": "{:.1f}",
    "Per km² a year": "{:.1f}",
    "Possession %": "{:.0f}%",
    "Trend, % a year (last 3 years)": "{:+.0f}%",
    "km from case management": "{:.1f}",
    "% inside Central District": "{:.0f}%",
    "Area km²": "{:.2f}",
}
SEATTLE_COSTS = program.CITATIONS["seattle_costs"].source
CAP_CITATION = program.CITATIONS["caseload_cap"]
STANDARD_CITATION = program.CITATIONS["caseload_standard"]

st.title("Expansion planner")
st.caption(
    "Where could LEAD go next, and what would it take? Rank areas by LEAD-eligible arrests, draw a "
    "proposed area on the map (or pick neighbourhoods), and see the referrals, participants, staff and "
    "costs it implies. "
    "Every assumption is shown below with its source, and can be changed."
)

view = current_view()
if view is None:
    st.stop()
public = view.public
period = {"start_date": view.start_date, "end_date": view.end_date}
period_text = f"{view.start_date:%d %b %Y} – {view.end_date:%d %b %Y}"
site = {"site_lon": CASE_MANAGEMENT_SITE.lon, "site_lat": CASE_MANAGEMENT_SITE.lat}

pilot_zone = query("areas_geojson", kind="pilot_zone", edition="any")
districts = query("areas_geojson", kind="district", edition=DISTRICT_EDITION)
neighbourhood_outlines = query("areas_geojson", kind="neighborhood", edition="any")
if pilot_zone.empty or districts.empty or neighbourhood_outlines.empty:
    st.warning("Boundaries are not loaded. Run `python -m ingest setup` to build the database.")
    st.stop()


@st.cache_resource(show_spinner=False)
def city_outline(_districts, edition: str):
    """The city's land: the union of the police districts (cached per edition)."""
    return union_of_areas(_districts["geojson"].tolist())


ranking = query(
    "expansion_ranking", edition=DISTRICT_EDITION, candidates="|".join(EXPANSION_CANDIDATES), **period, **site
)

# Shared widgets (kept in a link) get their value from session state: the link's, or the default.
keep_valid("rank_kind", list(AREA_KINDS), "neighborhood")
keep_valid("rank_by", list(SORT_COLUMNS), next(iter(SORT_COLUMNS)))
keep_valid("rank_candidates_only", [True, False], False)
keep_valid("proposal_mode", ["draw", "pick"], "draw")
keep_valid_items("picked_nsas", set(neighbourhood_outlines["name"]))
keep_valid("observed_area", list(OBSERVED_AREAS), next(iter(OBSERVED_AREAS)))

# ---------------------------------------------------------------- ranking
st.header("Where could LEAD go next?")
kind_column, sort_column, filter_column = st.columns([3, 3, 2])
kind = kind_column.radio(
    "Areas", list(AREA_KINDS), format_func=AREA_KINDS.get, horizontal=True, key="rank_kind"
)
sort_label = sort_column.selectbox("Rank by", list(SORT_COLUMNS), key="rank_by")
candidates_only = filter_column.toggle("Named candidates only", key="rank_candidates_only")
table = table_for_reading(
    ranking_table(ranking, kind, SORT_COLUMNS[sort_label], candidates_only, public),
    counts=["eligible_arrests"],
    public=public,
    names=RANKING_LABELS,
)
if view.projector:
    # A grid's small print cannot be read across a room: the first rows as a large table instead.
    st.table(shade_candidates(table.head(PROJECTOR_ROWS)).format(PROJECTOR_FORMATS, na_rep="—"))
    st.caption(f"The first {PROJECTOR_ROWS} of {len(table)}; the download below has them all.")
else:
    st.dataframe(
        table,  # a plain frame: a Styler is rendered row by row in pandas on every run
        hide_index=True,
        height=390,
        key="ranking_table",
        column_config={
            "Rank": st.column_config.NumberColumn(width="small"),
            "Named candidate": st.column_config.CheckboxColumn(
                "Candidate", help=CANDIDATES_SOURCE, width="small"
            ),
            "Eligible arrests": st.column_config.Column(help=f"LEAD-eligible arrests, {period_text}"),
            "Per year": st.column_config.NumberColumn(format="%.1f", help="Eligible arrests per 365.25 days"),
            "Per km² a year": st.column_config.NumberColumn("Per km²/yr", format="%.1f"),
            "Possession %": st.column_config.NumberColumn(
                format="%.0f%%", help="Share that is CDS possession"
            ),
            "Trend, % a year (last 3 years)": st.column_config.NumberColumn(
                "Trend/yr", format="%+.0f%%", help="Change a year, fitted to the period's last 36 full months"
            ),
            "km from case management": st.column_config.NumberColumn(
                "km to site", format="%.1f", help=f"From the {CASE_MANAGEMENT_SITE.name} to the area's centre"
            ),
            "% inside Central District": st.column_config.NumberColumn(
                "% Central",
                format="%.0f%%",
                help="Share of the area inside the Central District, where LEAD runs",
            ),
            "Area km²": st.column_config.NumberColumn("km²", format="%.2f"),
        },
    )
st.download_button(
    "Download ranking (CSV)",
    data=partial(csv_bytes, table),  # written when clicked, not on every run
    file_name=f"expansion-ranking-{kind}.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
)
st.caption(
    f"{period_text}. **Named candidates** ({', '.join(EXPANSION_CANDIDATES)}): {CANDIDATES_SOURCE}. "
    "**Trend**: least-squares slope of monthly counts over the period's last 36 full months, as % of the "
    "average month per year (blank with less than a year of full months). **km from case management**: "
    f"straight line from the {CASE_MANAGEMENT_SITE.name} to the area's centre "
    f"({CASE_MANAGEMENT_SITE.source}). "
    "**% inside Central District**: LEAD already runs there. "
    + ("Areas with fewer than 5 eligible arrests show no figures in this public view." if public else "")
)

# ---------------------------------------------------------------- proposal
st.header("Draw or pick a proposal")
mode = st.radio(
    "Proposal",
    ["draw", "pick"],
    format_func={"draw": "Draw on the map", "pick": "Pick neighbourhoods"}.get,
    horizontal=True,
    key="proposal_mode",
)
picked_geometry, picked_problem = None, None
if mode == "pick":
    picked_names = st.multiselect(
        "Neighbourhoods in the proposal",
        sorted(neighbourhood_outlines["name"]),
        key="picked_nsas",
        placeholder="Choose one or more neighbourhoods",
    )
    try:
        picked_geometry = union_of_areas(geojson_of(neighbourhood_outlines, picked_names))
    except ProposalError as error:
        picked_problem = str(error)
else:
    st.caption(
        "Use the polygon (⬠) or rectangle (■) tool at the map's top left: click points and close the shape "
        "on the first point. Edit or delete it with the tools below them; several shapes count as one area."
    )

# Projector: the map takes the full width and the proposal's figures follow it.
map_column, figures_column = (
    (st.container(), st.container()) if view.projector else st.columns([3, 2], gap="large")
)
# Everything but the period's colours is rendered once per view (and again after the data changes).
drawing_map = cached_map(
    ("planner_map", view.projector),
    lambda: planner_base_map(
        pilot_zone,
        districts,
        map_neighbourhoods(ranking, neighbourhood_outlines, public),
        CASE_MANAGEMENT_SITE,
        large_type=view.projector,
    ),
)
with map_column:
    drawn = show_map(
        drawing_map,
        script=fill_period(drawing_map.script, neighbourhood_densities(ranking, public)),
        returned=("all_drawings",),
        added_layer=picked_layer(picked_geometry) if mode == "pick" else None,
        height=620 if view.projector else 560,
        key="planner_map",
    )
figures_box = figures_column.container()

checked, problem = None, picked_problem
try:
    geometry = picked_geometry if mode == "pick" else geometry_from_drawings(drawings_on_map(drawn))
    if geometry is not None:
        checked = check_proposal(
            geometry,
            city_outline(districts, DISTRICT_EDITION),
            # picked neighbourhoods follow the city's own lines; a drawing may cross them only so often
            max_city_crossings=None if mode == "pick" else MAX_CITY_CROSSINGS,
        )
except ProposalError as error:
    problem = str(error)

# ---------------------------------------------------------------- assumptions
st.subheader("Assumptions")
st.caption(
    "Everything the projection uses besides the area's own arrests. Defaults come from the loaded data "
    "or from published figures, with the source under each; change any of them."
)
observed_column, _ = st.columns([2, 3])
observed_area = observed_column.selectbox(
    "Observe the program's ratios in",
    list(OBSERVED_AREAS),
    format_func=OBSERVED_AREAS.get,
    key="observed_area",
)
observed_row = query("expansion_observed_ratios", area_id=observed_area, **period, public=public).iloc[0]
observed = Observed.from_row(observed_row)
months_hidden = public and is_small(observed.exited)
# An observed ratio next to one of its counts gives the other back: with a small count behind it, a
# public view offers no observed value to start from.
ratio_hidden = public and (is_small(observed.referrals) or is_small(observed.eligible_arrests))
enrolment_hidden = public and (is_small(observed.enrolled) or is_small(observed.referrals))
observed_where = f"{OBSERVED_AREAS[observed_area]}, {period_text}"


def start_within(value: float, low: float, high: float) -> tuple[float, str]:
    """An input's starting value moved into its range (an input given a value outside it stops the
    page), and a sentence saying so when it had to move: odd imported data can give any ratio."""
    start = min(max(value, low), high)
    if start == value:
        return value, ""
    moved = f"The observed {value:g} is outside this input's {low:g}–{high:g}; it starts at {start:g}."
    return start, f" **{moved}**"


ratio_start, ratio_moved = start_within(
    0.0 if ratio_hidden else round(observed.referrals_per_eligible_arrest or 0.0, 3),
    0.0,
    MAX_REFERRALS_PER_ELIGIBLE_ARREST,
)
ratio_column, enrol_column, months_column, cap_column = st.columns(4)
with ratio_column:
    ratio_value = st.number_input(
        ASSUMPTION_NOTES["referrals_per_eligible_arrest"].label,
        min_value=0.0,
        max_value=MAX_REFERRALS_PER_ELIGIBLE_ARREST,
        value=ratio_start,
        step=0.01,
        format="%.3f",
    )
    if observed.referrals_per_eligible_arrest is None or ratio_hidden:
        st.caption(
            f"Too few records in {observed_where} to show an observed ratio here: enter one. "
            "No published figure exists."
        )
    else:
        st.caption(
            f"Observed in {observed_where}: {public_count(observed.referrals, public)} referrals ÷ "
            f"{public_count(observed.eligible_arrests, public)} eligible arrests. Computed from the loaded "
            "data; no published figure exists for this ratio." + ratio_moved
        )
with enrol_column:
    enrolment_start, enrolment_moved = start_within(
        0.0 if enrolment_hidden else round(observed.enrolment_rate or 0.0, 3), 0.0, 1.0
    )
    enrolment_value = st.number_input(
        ASSUMPTION_NOTES["enrolment_rate"].label,
        min_value=0.0,
        max_value=1.0,
        value=enrolment_start,
        step=0.01,
        format="%.3f",
    )
    st.caption(
        f"Observed in {observed_where}: {public_count(observed.enrolled, public)} enrolled ÷ "
        f"{public_count(observed.referrals, public)} referred. Computed from the loaded data."
        + enrolment_moved
    )
with months_column:
    months_observed = None if months_hidden else observed.mean_months_in_program
    months_start, months_moved = start_within(
        round(months_observed, 1) if months_observed else 12.0, 0.5, 120.0
    )
    months_value = st.number_input(
        ASSUMPTION_NOTES["months_in_program"].label,
        min_value=0.5,
        max_value=120.0,
        value=months_start,
        step=0.5,
        format="%.1f",
    )
    if months_observed:
        st.caption(
            f"Observed in {observed_where}: mean from enrolment to exit of "
            f"{public_count(observed.exited, public)} participants who have left. Computed from the "
            "loaded data." + months_moved
        )
    else:
        st.caption(
            "Placeholder, not a measured figure: too few participants have left the program in "
            f"{observed_where} to measure a length of stay. Enter your own."
        )
with cap_column:
    standards = {
        **{f"{cap} – {label}": cap for label, cap in program.CASELOAD_STANDARDS.items()},
        CUSTOM_CAP: None,
    }
    keep_valid("caseload_standard", list(standards), next(iter(standards)))
    standard = st.selectbox(ASSUMPTION_NOTES["caseload_cap"].label, list(standards), key="caseload_standard")
    if standards[standard] is None:
        cap_value = st.number_input("Custom caseload cap", min_value=1, max_value=100, value=28, step=1)
    else:
        cap_value = standards[standard]
    st.caption(
        f"Baltimore: {CAP_CITATION.figure} ({CAP_CITATION.source}). "
        f"Standards: {STANDARD_CITATION.figure} ({STANDARD_CITATION.source})."
    )

cost_group, justice_group = st.columns(2)
startup_column, steady_column = cost_group.columns(2)
participant_column, control_column = justice_group.columns(2)
startup_value = startup_column.number_input(
    ASSUMPTION_NOTES["cost_per_person_month_startup"].label + " (US$)",
    min_value=0,
    max_value=100_000,
    value=program.SEATTLE_PROGRAM_COST_PER_PERSON_MONTH,
    step=10,
)
steady_value = steady_column.number_input(
    ASSUMPTION_NOTES["cost_per_person_month_steady"].label + " (US$)",
    min_value=0,
    max_value=100_000,
    value=program.SEATTLE_PROGRAM_COST_PER_PERSON_MONTH_STEADY,
    step=10,
)
participant_value = participant_column.number_input(
    ASSUMPTION_NOTES["justice_cost_change_participant"].label + " (US$)",
    min_value=-1_000_000,
    max_value=1_000_000,
    value=program.SEATTLE_JUSTICE_COST_CHANGE_PARTICIPANT,
    step=100,
)
control_value = control_column.number_input(
    ASSUMPTION_NOTES["justice_cost_change_control"].label + " (US$)",
    min_value=-1_000_000,
    max_value=1_000_000,
    value=program.SEATTLE_JUSTICE_COST_CHANGE_CONTROL,
    step=100,
)
cost_group.caption(
    "Seattle LEAD: $899 per person-month including start-up, falling to $532; person-months = participants "
    f"× months in program ({SEATTLE_COSTS})."
)
justice_group.caption(
    "Seattle LEAD: justice and legal costs fell $2,100 per participant and rose $5,961 per control over the "
    f"evaluation ({SEATTLE_COSTS}). Applied to one year's new participants."
)

assumptions = None
try:
    assumptions = Assumptions(
        referrals_per_eligible_arrest=float(ratio_value),
        enrolment_rate=float(enrolment_value),
        months_in_program=float(months_value),
        caseload_cap=int(cap_value),
        cost_per_person_month_startup=float(startup_value),
        cost_per_person_month_steady=float(steady_value),
        justice_cost_change_participant=float(participant_value),
        justice_cost_change_control=float(control_value),
    )
except ValueError as error:
    st.error(f"These assumptions cannot be used: {error}.")

# ---------------------------------------------------------------- figures of the proposal
projection = None
with figures_box:
    st.subheader("This proposal")
    if problem:
        st.warning(problem, icon=":material/warning:")
    elif checked is None:
        st.info(
            "Draw an area on the map, or pick neighbourhoods, to see what it would take. "
            f"Areas from {MIN_AREA_KM2:g} km² up to {MAX_CITY_SHARE:.0%} of the city can be planned."
            if mode == "draw"
            else "Pick one or more neighbourhoods above to see what they would take."
        )
    else:
        for note in checked.notes:
            st.warning(note, icon=":material/build:")
        area_counts = query(
            "expansion_area_arrests", geojson=to_geojson_text(checked.geometry), **period, **site
        ).iloc[0]
        eligible = int(area_counts.eligible_arrests)
        hidden = public and is_small(eligible)
        size_column, distance_column = st.columns(2)
        size_column.metric("Area", f"{checked.area_km2:,.2f} km²")
        distance_column.metric(
            "Distance",
            f"{area_counts.km_from_site:,.1f} km",
            help=f"Straight line from the {CASE_MANAGEMENT_SITE.name} to the area's centre.",
        )
        arrests_column, per_year_column = st.columns(2)
        arrests_column.metric(
            "Eligible arrests",
            public_count(eligible, public),
            help=f"LEAD-eligible arrests inside the area, {period_text}, counted in the database.",
        )
        per_year_column.metric(
            "Eligible a year", "hidden" if hidden else f"{area_counts.eligible_per_year:,.1f}"
        )
        if hidden:
            st.info("Fewer than 5 eligible arrests: projections are hidden in the public view.")
        elif assumptions is not None:
            projection = project(float(area_counts.eligible_per_year), assumptions)
            referral_column, participant_column_ = st.columns(2)
            referral_column.metric("Referrals a year", f"{projection.referrals_per_year:,.0f}")
            participant_column_.metric("Participants a year", f"{projection.participants_per_year:,.0f}")
            manager_column, peer_column = st.columns(2)
            manager_column.metric(
                "Case managers",
                projection.case_managers,
                help=f"{projection.concurrent_participants:,.0f} people on the caseload at any one time, "
                f"at a cap of {assumptions.caseload_cap} per case manager + peer pair.",
            )
            peer_column.metric("Peers", projection.peers, help="Each peer is paired with a case manager.")
            cost_column, justice_column = st.columns(2)
            cost_column.metric(
                "Cost a year",
                money_short(projection.program_cost_per_year_steady, signed=False),
                help=f"{money(projection.program_cost_per_year_steady, signed=False)} at the steady rate; "
                f"{money(projection.program_cost_per_year_startup, signed=False)} at the start-up rate.",
            )
            justice_column.metric(
                "Justice costs",
                money_short(projection.justice_cost_difference),
                help=f"{money(projection.justice_cost_difference)}: one year's participants vs the same "
                "people booked as usual (negative is a saving).",
            )
            st.caption(
                f"{period_text}. {projection.concurrent_participants:,.0f} people on the caseload at any "
                "time. How each figure is computed, with its sources, is below."
            )

if projection is not None:
    st.subheader("How the figures are computed")
    st.table(projection_steps(projection, assumptions))

# ---------------------------------------------------------------- save
st.subheader("Save this proposal")
proposal_name, submitted = "", False
if public:  # saving is refused below the page too (ingest.proposals asks ui.auth.may_write)
    st.info(
        "Only signed-in staff can save proposals: sign in from the sidebar. Anyone can download a "
        "drawn or picked area as GeoJSON.",
        icon=":material/lock:",
    )
else:
    with st.form("save_proposal", clear_on_submit=False):
        name_column, author_column = st.columns(2)
        proposal_name = name_column.text_input(
            "Name", max_chars=80, placeholder="e.g. Pigtown and Carroll Park"
        )
        author = author_column.text_input("Author", max_chars=80, placeholder="Who proposes it")
        note = st.text_area("Note", max_chars=2000, placeholder="Why this area; who was consulted")
        replace = st.checkbox("Replace a saved proposal of the same name")
        submitted = st.form_submit_button("Save proposal", icon=":material/save:", type="primary")
if submitted:
    if checked is None:
        st.error("There is no usable proposal to save yet: draw an area or pick neighbourhoods first.")
    else:
        try:
            saved_id = save_proposal(
                connection(), proposal_name, checked.geometry, author, note, replace=replace
            )
        except ProposalExists as error:
            st.error(f"Not saved: {markdown_text(error)}.")  # the message quotes the name typed
        except (ValueError, PermissionError) as error:
            st.error(f"Not saved: {markdown_text(error)}.")
        else:
            data_changed()
            st.session_state["compare_ids"] = [saved_id, *st.session_state.get("compare_ids", [])][:4]
            shown = markdown_text(proposal_name.strip(), NAME_LIMIT)  # a name is text, never Markdown
            st.success(f"Saved “{shown}”. It is now in the comparison below.")
if checked is not None:
    st.download_button(
        "Download this proposal (GeoJSON)",
        data=feature_collection(
            [
                (
                    checked.geometry,
                    {"name": proposal_name.strip() or "Unsaved proposal", "area_km2": checked.area_km2},
                )
            ]
        ),
        file_name="expansion-proposal.geojson",
        mime="application/geo+json",
        icon=":material/download:",
        on_click="ignore",
    )

# ---------------------------------------------------------------- compare


def show_comparison() -> None:
    """Saved proposals side by side (a function, so that an empty state ends it without stopping the
    script: the app still writes the view into the URL afterwards)."""
    st.header("Compare proposals")
    saved = query("proposal_list")
    if saved.empty:
        st.info("No proposals are saved yet. Save one above; two to four can be compared side by side.")
        return

    names = dict(zip(saved["area_id"], saved["name"], strict=True))
    keep_valid_items("compare_ids", names, list(saved["area_id"][:2]))
    st.session_state["compare_ids"] = st.session_state["compare_ids"][:4]
    selected = st.multiselect(
        "Proposals to compare (two to four)",
        list(names),
        format_func=lambda area_id: clean_text(names[area_id], NAME_LIMIT),
        max_selections=4,
        key="compare_ids",
    )
    if len(selected) < 2:
        st.caption("Pick at least two proposals to compare them side by side.")
    if not selected:
        return
    if assumptions is None:
        st.warning("Fix the assumptions above to compare proposals.")
        return

    rows = saved.set_index("area_id").loc[selected]
    geometries = [from_wkb_hex(wkb) for wkb in rows["wkb_hex"]]
    figures = [
        proposal_figures(
            clean_text(row.name, NAME_LIMIT),  # a column of the table and of its CSV: no control characters
            row.area_km2,
            query("expansion_area_arrests", geojson=to_geojson_text(geometry), **period, **site).iloc[0],
            assumptions,
        )
        for row, geometry in zip(rows.itertuples(), geometries, strict=True)
    ]
    comparison = comparison_frame(figures, assumptions, public)
    if view.projector:
        table = formatted_comparison(comparison).set_index("Figure")
        # st.table reads headers as Markdown: the proposals' names (every column but "Unit") as text
        st.table(table.rename(columns={n: markdown_text(n, NAME_LIMIT) for n in table.columns[1:]}))
    else:
        st.dataframe(
            formatted_comparison(comparison),
            hide_index=True,
            key="comparison_table",
            height=ROW_HEIGHT * (len(comparison) + 1) + 3,  # every row visible: nothing to scroll in the grid
        )
    st.caption(
        f"{period_text}; the assumptions in force above apply to every proposal (listed at the bottom)."
    )

    download_column, geojson_column = st.columns(2)
    download_column.download_button(
        "Download comparison (CSV)",
        data=csv_bytes(comparison),
        file_name="expansion-comparison.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )
    geojson_column.download_button(
        "Download these proposals (GeoJSON)",
        data=feature_collection(
            [
                (
                    geometry,
                    {
                        "name": row.name,
                        "author": row.author,
                        "note": row.note,
                        "created_at": row.created_at,
                        "area_km2": row.area_km2,
                    },
                )
                for row, geometry in zip(rows.itertuples(), geometries, strict=True)
            ]
        ),
        file_name="expansion-proposals.geojson",
        mime="application/geo+json",
        icon=":material/download:",
        on_click="ignore",
    )
    show_map(
        cached_map(
            ("comparison_map", tuple(selected)),
            lambda: comparison_map(
                list(zip(rows["name"], geometries, strict=True)), pilot_zone, districts, CASE_MANAGEMENT_SITE
            ),
        ),
        height=420,
        key="comparison_map",
    )

    # anyone's text: no control characters or bidirectional overrides in the table
    typed = {name: [clean_text(text, 2_000) for text in saved[name]] for name in ("name", "author", "note")}
    with st.expander("Saved proposals"):
        st.dataframe(
            table_for_reading(
                saved[["name", "author", "note", "created_at", "area_km2"]].assign(**typed),
                names={
                    "name": "Name",
                    "author": "Author",
                    "note": "Note",
                    "created_at": "Saved",
                    "area_km2": "Area km²",
                },
            ),
            hide_index=True,
        )
        if not public:  # deleting is refused below the page too (ingest.proposals asks ui.auth.may_write)
            doomed = st.selectbox(
                "Delete a proposal (staff only)",
                [None, *names],
                format_func=lambda i: clean_text(names.get(i, "—"), NAME_LIMIT),
            )
            doomed_name = markdown_text(names.get(doomed), NAME_LIMIT)  # a button's label is Markdown
            if doomed and st.button(f"Delete “{doomed_name}”", icon=":material/delete:"):
                try:
                    delete_proposal(connection(), doomed)
                except PermissionError as error:
                    st.error(f"Not deleted: {error}.")
                else:
                    data_changed()
                    st.rerun()


show_comparison()
