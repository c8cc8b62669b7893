"""Map: where LEAD works — the pilot zone, districts, and referral and eligible-arrest density."""

import json

import streamlit as st

from domain import disclosure
from domain.program import EXPANSION_CANDIDATES
from domain.safe_text import markdown_text
from geo.density import hidden_text
from geo.density_map import density_map, legend_contents
from geo.map_page import (
    MAP_TABLE_NOTE,
    RATIO_HELP,
    MapFilters,
    area_choices,
    cells_download,
    counts_by_neighbourhood,
    download_stem,
    export_notes,
    figures_table,
    filter_details,
    headline_figures,
    load_context,
    load_density_layers,
    load_figures,
    map_description,
    same_area_in_edition,
    unmapped_text,
)
from geo.standalone import standalone_html
from geo.static_map import map_png
from ui.audit import export_click
from ui.chrome import current_view
from ui.data import query
from ui.filters import MAP_AREA, MAP_EDITION, MAP_LAYER_PICK, MAP_OFFENSE, MAP_REFERRAL_TYPE, draw
from ui.maps import cached_map, show_legends, show_map, show_map_table
from ui.tables import csv_bytes

st.title("Map: where LEAD works")
st.caption(
    "Referrals and LEAD-eligible arrests counted per hexagonal cell. Layers switch above the map; "
    "filters are in the sidebar. A link to this page keeps both, and so does a visit to another page."
)

view = current_view()
if view is None:
    st.stop()

with st.sidebar:
    st.markdown("### Map")
    edition = draw(MAP_EDITION)
    choices = area_choices(query("area_list", edition=edition), edition)
    carried = same_area_in_edition(st.session_state.get(MAP_AREA.key, "city"), edition)
    if carried in choices and carried != st.session_state.get(MAP_AREA.key, "city"):
        st.session_state[MAP_AREA.key] = carried  # the same district in the edition just picked
    area_id = draw(MAP_AREA, options=list(choices), format=lambda key: choices[key].label)
    referral_type = draw(MAP_REFERRAL_TYPE)
    offense_category = draw(MAP_OFFENSE)

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

visible = draw(MAP_LAYER_PICK)
# Rendered once per combination of filters, layers and view; going back to one costs nothing. Its
# legends sit beside it (under it in projector mode, where the map takes the full width): over the
# map they hid a third of it.
density = cached_map(
    ("density", filters, edition, tuple(visible), view.projector),
    lambda: density_map(context, layers, area, large_type=view.projector, visible=visible, legends=False),
)
legends = legend_contents(context, layers, area, visible)
map_column, legend_column = (st.container(), st.container()) if view.projector else st.columns([3, 1])
with map_column:
    show_map(density, height=600, key="density_map")
with legend_column:
    show_legends(legends, large_type=view.projector, under=view.projector)
    show_map_table(
        map_description(layers, visible, area.label, filters.period),
        counts_by_neighbourhood(layers, context.neighborhoods, visible, view.public),
        MAP_TABLE_NOTE,
    )

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
    on_click=export_click(view.public, f"{stem}.html"),
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
    on_click=export_click(view.public, f"{stem}.png"),
    icon=":material/image:",
    help="A still picture of the map with the same layers, its legend, the period and the filters.",
)
cells_column.download_button(
    "Cells (GeoJSON)",
    data=lambda: json.dumps(cells_download(layers, details)),
    file_name=f"{stem}-cells.geojson",
    mime="application/geo+json",
    on_click=export_click(view.public, f"{stem}-cells.geojson"),
    icon=":material/hexagon:",
    help="The drawn cells of both layers with their counts; hidden small cells are not in it.",
)
figures_column.download_button(
    "Figures (CSV)",
    data=lambda: csv_bytes(figures_table(figures, details)),
    file_name=f"{stem}-figures.csv",
    mime="text/csv",
    on_click=export_click(view.public, f"{stem}-figures.csv"),
    icon=":material/table:",
)
