"""Expansion planner: rank candidate areas, draw or pick a proposal, see what it takes, save and compare."""

from functools import partial

import streamlit as st

from geo.planner_map import (
    DENSITY_TABLE_NOTE,
    comparison_legend_html,
    comparison_map,
    density_table,
    drawing_map_description,
    fill_period,
    period_values,
    picked_layer,
    planner_base_map,
)
from ingest.proposals import delete_proposal, save_proposal
from planning.projection import CASE_MANAGEMENT_SITE
from planning.tables import map_neighbourhoods, neighbourhood_densities
from screens import expansion as screen
from ui.auth import identity, note
from ui.chrome import current_view
from ui.data import connection, data_changed, query
from ui.expansion_parts import (
    city_outline,
    download,
    proposal_form,
    saved_proposals_box,
    show_comparison_table,
    show_proposal,
    show_ranking,
)
from ui.filters import (
    CASELOAD_STANDARD,
    COMPARED,
    OBSERVED_AREA,
    PICKED_NSAS,
    PROPOSAL_MODE,
    RANK_BY,
    RANK_CANDIDATES_ONLY,
    RANK_KIND,
    draw,
)
from ui.maps import cached_map, show_legends, show_map, show_map_table
from ui.tables import csv_bytes

st.title("Expansion planner")
st.caption(screen.INTRO)

view = current_view()
if view is None:
    st.stop()
public, start, end = view.public, view.start_date, view.end_date

pilot_zone = query("areas_geojson", kind="pilot_zone", edition="any")
districts = query("areas_geojson", kind="district", edition=screen.DISTRICT_EDITION)
neighbourhood_outlines = query("areas_geojson", kind="neighborhood", edition="any")
if pilot_zone.empty or districts.empty or neighbourhood_outlines.empty:
    st.warning("Boundaries are not loaded. Run `python -m ingest setup` to build the database.")
    st.stop()
ranked = query("expansion_ranking", **screen.ranking_params(start, end))

# ---------------------------------------------------------------- ranking
st.header("Where could LEAD go next?")
kind_column, sort_column, filter_column = st.columns([3, 3, 2])
with kind_column:
    kind = draw(RANK_KIND, horizontal=True)
with sort_column:
    sort_label = draw(RANK_BY)
with filter_column:
    candidates_only = draw(RANK_CANDIDATES_ONLY)
ranking = screen.ranking(ranked, kind, sort_label, candidates_only, public, start, end)
show_ranking(ranking, view.projector)
download("Download ranking (CSV)", partial(csv_bytes, ranking.table), ranking.file_name, "text/csv")
st.caption(ranking.caption)

# ---------------------------------------------------------------- proposal
st.header("Draw or pick a proposal")
mode = draw(PROPOSAL_MODE, horizontal=True)
picked_geometry, picked_problem = None, None
if mode == "pick":
    nsas = sorted(neighbourhood_outlines["name"])
    picked_names = draw(PICKED_NSAS, options=nsas, placeholder="Choose one or more neighbourhoods")
    picked_geometry, picked_problem = screen.picked_area(neighbourhood_outlines, picked_names)
else:
    st.caption(screen.DRAWING_HELP)

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
        map_neighbourhoods(ranked, neighbourhood_outlines, public),
        CASE_MANAGEMENT_SITE,
        large_type=view.projector,
        legend=False,
    ),
)
densities = neighbourhood_densities(ranked, public)
with map_column:
    drawn = show_map(
        drawing_map,
        script=fill_period(drawing_map.script, densities),
        returned=("all_drawings",),
        added_layer=picked_layer(picked_geometry) if mode == "pick" else None,
        height=620 if view.projector else 560,
        key="planner_map",
    )
    # under the map, never over it (it hid candidate areas there)
    show_legends([period_values(densities).legend_html], large_type=view.projector, under=True)
    show_map_table(
        drawing_map_description(densities, f"{start:%d %b %Y} – {end:%d %b %Y}"),
        density_table(densities),
        DENSITY_TABLE_NOTE,
    )

city = city_outline(districts, screen.DISTRICT_EDITION)
checked, problem = screen.checked_proposal(mode, picked_geometry, drawn, city)
problem = picked_problem or problem

# ---------------------------------------------------------------- assumptions
st.subheader("Assumptions")
st.caption(screen.ASSUMPTIONS_INTRO)
observed_column, _ = st.columns([2, 3])
with observed_column:
    observed_area = draw(OBSERVED_AREA)
observed_row = query(
    "expansion_observed_ratios", area_id=observed_area, start_date=start, end_date=end, public=public
).iloc[0]
observed = screen.observed_inputs(observed_row, observed_area, start, end, public)
values = {}  # Assumptions field -> the value entered
*observed_columns, cap_column = st.columns(4)
for column, (name, number) in zip(observed_columns, observed.items(), strict=True):
    values[name] = column.number_input(**number.args())
    column.caption(number.caption)
with cap_column:
    cap = screen.CASELOAD_OPTIONS[draw(CASELOAD_STANDARD)]
    values["caseload_cap"] = st.number_input(**screen.CUSTOM_CAP_INPUT.args()) if cap is None else cap
    st.caption(screen.CASELOAD_CAPTION)

cost_group, justice_group = st.columns(2)
cost_columns = [*cost_group.columns(2), *justice_group.columns(2)]
for column, (name, number) in zip(cost_columns, screen.COST_INPUTS.items(), strict=True):
    values[name] = column.number_input(**number.args())
cost_group.caption(screen.PROGRAM_COST_CAPTION)
justice_group.caption(screen.JUSTICE_COST_CAPTION)

assumptions, assumptions_problem = screen.assumptions_from(values)
if assumptions_problem:
    st.error(assumptions_problem)

# ---------------------------------------------------------------- figures of the proposal
figures = None
with figures_column.container():
    st.subheader("This proposal")
    if problem:
        st.warning(problem, icon=":material/warning:")
    elif checked is None:
        st.info(screen.proposal_prompt(mode))
    else:
        for note in checked.notes:
            st.warning(note, icon=":material/build:")
        counts = query("expansion_area_arrests", **screen.area_params(checked.geometry, start, end)).iloc[0]
        figures = screen.proposal_figures_shown(checked.area_km2, counts, assumptions, public, start, end)
        show_proposal(figures)

if figures is not None and figures.steps is not None:
    st.subheader("How the figures are computed")
    st.table(figures.steps)

# ---------------------------------------------------------------- save
st.subheader("Save this proposal")
form = None
if public:  # saving is refused below the page too (ingest.proposals asks ui.auth.may_write)
    st.info(screen.SAVE_REFUSED, icon=":material/lock:")
else:
    form = proposal_form(identity() or "")
if form and form.submitted and checked is None:
    st.error(screen.NOTHING_TO_SAVE)
elif form and form.submitted:
    try:  # the author is the signed-in identity, never typed
        saved_id = save_proposal(
            connection(), form.name, checked.geometry, identity(), form.note, replace=form.replace
        )
    except (ValueError, PermissionError) as error:  # a name taken or empty; not signed in
        note("proposal_saved", "refused", subject=form.name, reason=str(error))
        st.error(screen.refused_message("saved", error))
    else:
        note("proposal_saved", subject=saved_id)
        data_changed()
        compared = st.session_state.get("compare_ids", [])
        st.session_state["compare_ids"] = screen.compared_after_saving(saved_id, compared)
        st.success(screen.saved_message(form.name))
if checked is not None:
    geojson = screen.proposal_geojson(checked.geometry, form.name if form else "", checked.area_km2)
    download(
        "Download this proposal (GeoJSON)", geojson, "expansion-proposal.geojson", "application/geo+json"
    )


# ---------------------------------------------------------------- compare
def show_comparison() -> None:
    """Saved proposals side by side (a function, so that an empty state ends it without stopping the
    script: the app still writes the view into the URL afterwards)."""
    st.header("Compare proposals")
    saved = query("proposal_list")
    if saved.empty:
        st.info(screen.NO_SAVED_PROPOSALS)
        return

    names = screen.proposal_names(saved)
    first_two = list(saved["area_id"][:2])
    selected = draw(
        COMPARED, options=list(names), default=first_two, format=names.get, max_selections=screen.MAX_COMPARED
    )
    if len(selected) < 2:
        st.caption("Pick at least two proposals to compare them side by side.")
    if not selected:
        return
    if assumptions is None:
        st.warning("Fix the assumptions above to compare proposals.")
        return

    proposals = screen.selected_proposals(saved, selected)
    counts = [
        query("expansion_area_arrests", **screen.area_params(p.geometry, start, end)).iloc[0]
        for p in proposals
    ]
    comparison = screen.comparison(proposals, counts, assumptions, public, start, end)
    show_comparison_table(comparison, view.projector)
    csv_column, geojson_column = st.columns(2)
    csv_data, geojson_data = csv_bytes(comparison.frame), comparison.geojson
    download("Download comparison (CSV)", csv_data, "expansion-comparison.csv", "text/csv", csv_column)
    download("Download these proposals (GeoJSON)", geojson_data, "expansion-proposals.geojson",
             "application/geo+json", geojson_column)  # fmt: skip
    show_map(
        cached_map(
            ("comparison_map", tuple(selected)),
            lambda: comparison_map(
                [(p.name, p.geometry) for p in proposals],
                pilot_zone,
                districts,
                CASE_MANAGEMENT_SITE,
                legend=False,
            ),
        ),
        height=420,
        key="comparison_map",
    )
    # its legend under it; the comparison table above is its text alternative
    show_legends([comparison_legend_html([p.name for p in proposals])], large_type=view.projector, under=True)

    # deleting is refused below the page too (ingest.proposals asks ui.auth.may_write)
    doomed = saved_proposals_box(saved, names, staff=not public)
    if doomed:
        try:
            delete_proposal(connection(), doomed)
        except PermissionError as error:
            note("proposal_deleted", "refused", subject=doomed, reason=str(error))
            st.error(screen.refused_message("deleted", error))
        else:
            note("proposal_deleted", subject=doomed)
            data_changed()
            st.rerun()


show_comparison()
