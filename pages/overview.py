"""Overview: the pilot zone and the Central District, with headline counts."""

import base64

import streamlit as st

from domain import disclosure
from domain import format as fmt
from domain.privacy import is_small, public_count
from geo.map_page import boundary_streets
from geo.maps import CENTRAL_AREA_ID, overview_map
from geo.overview_picture import ON_PAGE, ON_PROJECTOR, PICTURE_DESCRIPTION, overview_svg
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

period = f"{view.start_date:%d %b %Y} – {view.end_date:%d %b %Y}"
AREAS = (("Pilot zone", "pilot_zone"), ("Central District (1959–2022)", CENTRAL_AREA_ID))


def show_figures(title: str, area_id: str, columns: int) -> None:
    figures = query(
        "headline_counts",
        area_id=area_id,
        start_date=view.start_date,
        end_date=view.end_date,
        public=view.public,
    ).iloc[0]
    st.subheader(title)
    st.caption(period)
    cells = st.columns(columns)
    cells[0].metric("People referred", public_count(figures.referrals, view.public))
    cells[1 % columns].metric("Enrolled", public_count(figures.enrolled, view.public))
    cells[2 % columns].metric("LEAD-eligible arrests", public_count(figures.eligible_arrests, view.public))
    # the ratio and one of its counts would give the other back
    hide_ratio = view.public and (is_small(figures.referrals) or is_small(figures.eligible_arrests))
    cells[3 % columns].metric(
        "Referrals per 100 eligible arrests",
        "—" if hide_ratio else fmt.ratio(figures.diversion_ratio),
        help="Computed from the loaded data; no published figure exists for this ratio.",
    )


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


if view.projector:
    # Projector: the map takes the full width, the figures follow in one row per area.
    show_boundaries(height=520)
    for title, area_id in AREAS:
        show_figures(title, area_id, columns=4)
else:
    map_column, figures_column = st.columns([3, 2], gap="large")
    with map_column:
        show_boundaries(height=560)
    with figures_column:
        for title, area_id in AREAS:
            show_figures(title, area_id, columns=2)
if view.public:
    st.caption(disclosure.PROTECTION_NOTE)
