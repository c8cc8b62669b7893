"""Overview: the pilot zone and the Central District, with headline counts."""

import base64

import streamlit as st

from geo.map_page import boundary_streets
from geo.maps import CENTRAL_AREA_ID, overview_map
from geo.overview_picture import ON_PAGE, ON_PROJECTOR, PICTURE_DESCRIPTION, overview_svg
from screens.overview import AreaFigures, overview
from ui.chrome import current_view
from ui.data import query
from ui.maps import cached_map, show_map

st.title("LEAD in Baltimore")
st.caption(
    "Law Enforcement Assisted Diversion: officers refer people suspected of low-level, addiction-driven "
    "offenses to case management instead of booking. Pilot launched February 2017 in a downtown zone "
    "(Franklin St to Pratt St, St. Paul St to MLK Jr Blvd) inside the Central District."
)

view = current_view()
if view is None:
    st.stop()

pilot_zone = query("areas_geojson", kind="pilot_zone", edition="any")
districts = query("areas_geojson", kind="district", edition="1959-2022")
if pilot_zone.empty or districts.empty:
    st.warning("Boundaries are not loaded. Run `python -m ingest setup` to build the database.")
    st.stop()


def show_figures(area: AreaFigures, columns: int) -> None:
    st.subheader(area.title)
    st.caption(area.period)
    cells = st.columns(columns)
    for index, figure in enumerate(area.figures):
        cells[index % columns].metric(figure.label, figure.value, help=figure.help)


def picture_markdown(svg: str) -> str:
    """The picture as a Markdown image (a data URI, described by its alt text): drawn by the Markdown
    renderer the page has already loaded, with no further request. Raw HTML would make Streamlit
    fetch its HTML parser first (about 190 kB of script), a few hundred milliseconds later."""
    encoded = base64.b64encode(svg.encode()).decode()
    return f"![{PICTURE_DESCRIPTION}](data:image/svg+xml;base64,{encoded})"


def show_boundaries(height: int) -> None:
    """The pilot zone and the districts as a picture drawn with the page (on screen at once, even
    offline and on a slow machine), or as the interactive map when the viewer asks to pan and zoom."""
    picture_box, interactive_box, download_box = st.container(), st.container(), st.container()
    if interactive_box.toggle("Pan and zoom", key="overview_interactive", help="Show the interactive map."):
        # The same boundaries for every filter: drawn once per database, not on every rerun.
        boundaries_map = cached_map(("overview",), lambda: overview_map(pilot_zone, districts))
        with picture_box:
            show_map(boundaries_map, height=height, key="overview_map")
        return
    size = ON_PROJECTOR if view.projector else ON_PAGE
    picture = overview_svg(pilot_zone, districts, CENTRAL_AREA_ID, boundary_streets(), size)
    picture_box.markdown(picture_markdown(picture))
    download_box.download_button(
        "Download the map picture (SVG)",
        lambda: picture,  # made when clicked, as the other downloads: no file registered on each run
        file_name="lead-pilot-zone-and-central-district.svg",
        mime="image/svg+xml",
        on_click="ignore",
    )


# The picture goes out first: it is on screen while the figures are counted.
if view.projector:
    # Projector: the map takes the full width, the figures follow in one row per area.
    show_boundaries(height=520)
    figures_column, columns = st.container(), 4
else:
    map_column, figures_column = st.columns([3, 2], gap="large")
    with map_column:
        show_boundaries(height=560)
    columns = 2
figures = overview(query, view.start_date, view.end_date, view.public)
with figures_column:
    for area in figures.areas:
        show_figures(area, columns)
if figures.note:
    st.caption(figures.note)
