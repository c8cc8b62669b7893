"""Map: where LEAD works — the pilot zone, districts, and referral and eligible-arrest density."""

import json

import streamlit as st

from domain import disclosure, program
from domain.program import EXPANSION_CANDIDATES
from domain.safe_text import markdown_text
from geo.density import hidden_text
from geo.density_map import density_map
from geo.map_page import (
    ANY,
    DEFAULT_EDITION,
    DEFAULT_LAYERS,
    DISTRICT_EDITIONS,
    MAP_LAYERS,
    RATIO_HELP,
    MapFilters,
    area_choices,
    cells_download,
    download_stem,
    export_notes,
    figures_table,
    filter_details,
    headline_figures,
    load_context,
    load_density_layers,
    load_figures,
    same_area_in_edition,
    unmapped_text,
)
from geo.standalone import standalone_html
from geo.static_map import map_png
from ui.chrome import current_view
from ui.data import query
from ui.maps import cached_map, show_map
from ui.tables import csv_bytes
from ui.url_state import keep_valid, keep_valid_items

st.title("Map: where LEAD works")
st.caption(
    "Referrals and LEAD-eligible arrests counted per hexagonal cell. Layers switch above the map; "
    "filters are in the sidebar. A link to this page keeps both."
)

view = current_view()
if view is None:
    st.stop()

# Shared widgets get their value from session state only (a link, an earlier choice, or the default).
keep_valid("map_edition", list(DISTRICT_EDITIONS), DEFAULT_EDITION)
edition = st.session_state["map_edition"]
choices = area_choices(query("area_list", edition=edition), edition)
picked_before = st.session_state.get("map_area", "city")
if picked_before not in choices:  # a district of the other edition: keep the same district if it exists
    carried = same_area_in_edition(picked_before, edition)
    if carried in choices:
        st.session_state["map_area"] = carried
keep_valid("map_area", list(choices), "city")
keep_valid("map_referral_type", [ANY, *program.REFERRAL_TYPES], ANY)
keep_valid("map_offense_category", [ANY, *program.LEAD_CATEGORIES], ANY)
keep_valid_items("map_layers", list(MAP_LAYERS), DEFAULT_LAYERS)

with st.sidebar:
    st.markdown("### Map")
    st.radio(
        "Police district boundaries",
        options=list(DISTRICT_EDITIONS),
        format_func=DISTRICT_EDITIONS.get,
        key="map_edition",
    )
    area_id = st.selectbox(
        "Area (zooms the map; the figures cover it)",
        options=list(choices),
        format_func=lambda key: choices[key].label,
        key="map_area",
    )
    referral_type = st.selectbox(
        "Referral type",
        options=[ANY, *program.REFERRAL_TYPES],
        format_func=lambda key: "All referral types" if key == ANY else program.REFERRAL_TYPE_LABELS[key],
        key="map_referral_type",
    )
    offense_category = st.selectbox(
        "Offense category",
        options=[ANY, *program.LEAD_CATEGORIES],
        format_func=lambda key: "All LEAD offenses" if key == ANY else program.LEAD_CATEGORY_LABELS[key],
        key="map_offense_category",
    )

area = choices[area_id]
filters = MapFilters(view.start_date, view.end_date, area_id, referral_type, offense_category, view.public)
context = load_context(query, edition)
if context.pilot_zone.empty or context.districts.empty:
    st.warning("Boundaries are not loaded. Run `python -m ingest setup` to build the database.")
    st.stop()
figures_row = load_figures(query, filters)
layers = load_density_layers(query, filters)
figures = headline_figures(figures_row, view.public)
synthetic = bool(query("data_sources")["is_synthetic"].any())
details = filter_details(filters, area, synthetic)

st.markdown(f"**{markdown_text(area.label)}** · {filters.period}")  # names come from the loaded areas
for column, figure in zip(st.columns(len(figures)), figures, strict=True):
    column.metric(figure.label, figure.value, help=figure.help)

visible = st.pills(
    "Layers",
    options=list(MAP_LAYERS),
    selection_mode="multi",
    format_func=MAP_LAYERS.get,
    key="map_layers",
    help="What the map draws. A link to this page keeps the layers chosen here.",
)
# Rendered once per combination of filters, layers and view; going back to one costs nothing.
density = cached_map(
    ("density", filters, edition, tuple(visible), view.projector),
    lambda: density_map(context, layers, area, large_type=view.projector, visible=visible),
)
show_map(density, height=600, key="density_map")

notes = [hidden_text(layer.hidden, layer.noun) for layer in layers if layer.key in visible]
notes.append(unmapped_text(figures_row, view.public))
if view.public:
    notes.append(
        "Public view: referral cells are never smaller than about 0.74 km² (H3 resolution 8), and no "
        f"record is shown on its own. {disclosure.PROTECTION_NOTE} Each cell is rounded by itself, so the "
        "cells need not add up to the figures above."
    )
st.caption(" ".join(note for note in notes if note))
st.caption(
    f"{RATIO_HELP} Expansion candidates ({', '.join(EXPANSION_CANDIDATES)}) as named in LEAD Baltimore "
    "program material. Boundaries: Baltimore City open data (BPD districts, 2010 Neighborhood Statistical "
    "Areas)."
)

stem = download_stem(filters)
notes_for_export = export_notes(details)
# Four buttons in a row, or two rows of two where projector type would cut their labels short.
html_column, png_column, cells_column, figures_column = (
    [*st.columns(2), *st.columns(2)] if view.projector else st.columns(4)
)
html_column.download_button(
    "Map (standalone HTML)",
    data=lambda: standalone_html(
        density_map(context, layers, area, large_type=view.projector, visible=visible),
        "LEAD Baltimore map",
        notes_for_export,
    ),
    file_name=f"{stem}.html",
    mime="text/html",
    on_click="ignore",
    icon=":material/map:",
    help="One file that opens in any browser with no internet: Leaflet is inside it.",
)
png_column.download_button(
    "Map (PNG)",
    data=lambda: map_png(
        context, layers, title="LEAD Baltimore map", notes=notes_for_export, area=area, visible=visible
    ),
    file_name=f"{stem}.png",
    mime="image/png",
    on_click="ignore",
    icon=":material/image:",
    help="A still picture of the map with the same layers, its legend, the period and the filters.",
)
cells_column.download_button(
    "Cells (GeoJSON)",
    data=lambda: json.dumps(cells_download(layers, details)),
    file_name=f"{stem}-cells.geojson",
    mime="application/geo+json",
    on_click="ignore",
    icon=":material/hexagon:",
    help="The drawn cells of both layers with their counts; hidden small cells are not in it.",
)
figures_column.download_button(
    "Figures (CSV)",
    data=lambda: csv_bytes(figures_table(figures, details)),
    file_name=f"{stem}-figures.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/table:",
)
