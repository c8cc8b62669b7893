"""Folium maps on a page without rebuilding them on every rerun.

``st_folium`` renders the whole folium map each time a script runs: branca compiles every rendered
chunk again as a Jinja template and the map is rendered twice before its script is sent, which costs
tens of milliseconds for a map that has not changed (BENCHMARKS.md). Here a map is turned once into
what the streamlit-folium component is sent (``RenderedMap``: plain strings), kept in a bounded
cache keyed by the database and the inputs that define the map, and handed to the same component on
every rerun. The browser gets exactly what ``st_folium`` would send.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

import branca
import folium
import pandas as pd
import streamlit as st
import streamlit_folium as sf
from streamlit import runtime

from domain.safe_text import markdown_text
from geo.layers import legend_boxes
from geo.offline_map import zoomable
from store import database_path


@dataclass(frozen=True)
class RenderedMap:
    """Everything the streamlit-folium component needs to draw one map (what ``st_folium`` sends)."""

    script: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]


def render_map(folium_map: folium.Map) -> RenderedMap:
    """Render ``folium_map`` the way ``st_folium`` does (same helpers, same order), once."""
    folium_map.get_root().render()
    folium_map.render()
    html = sf._get_html(folium_map)
    # before the map string: building it alters the folium tree. Zoom is never disabled in the frame.
    header = zoomable(sf._get_header(folium_map))
    script = sf._get_map_string(folium_map)
    css_links: list[str] = []
    js_links: list[str] = []
    for element in _elements(folium_map):
        if isinstance(element, branca.colormap.ColorMap):
            raise ValueError("colour-scale elements need d3 from a CDN; draw the legend locally instead")
        css_links += [href for _, href in getattr(element, "default_css", [])]
        js_links += [src for _, src in getattr(element, "default_js", [])]
    return RenderedMap(
        script=script,
        header=header,
        html=html,
        map_id=sf.get_full_id(folium_map),
        css_links=tuple(dict.fromkeys(css_links)),
        js_links=tuple(dict.fromkeys(js_links)),
    )


def _elements(element) -> Iterable:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _elements(child)


def show_map(
    rendered: RenderedMap,
    *,
    key: str,
    height: int,
    script: str | None = None,
    returned: tuple[str, ...] = (),
    added_layer: folium.FeatureGroup | None = None,
) -> dict | None:
    """Draw a rendered map at full container width; what ``st_folium`` sends for the same map.

    ``script``: the map's script with values written into it (default: as rendered). ``returned``:
    what the map reports back (e.g. ``("all_drawings",)``), returned here and kept under
    ``st.session_state[key]`` as ``st_folium`` keeps it; with nothing returned, panning and zooming
    never rerun the script. ``added_layer`` is put on the map without redrawing it.
    """
    script = rendered.script if script is None else script
    component_key = sf.generate_js_hash(script, key, False)

    def remember_value() -> None:
        st.session_state[key] = st.session_state.get(component_key, {})

    return sf._component_func(
        script=script,
        header=rendered.header,
        html=rendered.html,
        id=rendered.map_id,
        key=component_key,
        height=height,
        width=None,
        returned_objects=list(returned),
        default=dict.fromkeys(returned),
        zoom=None,
        center=None,
        feature_group=None if added_layer is None else _added_layer_script(added_layer),
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(rendered.css_links),
        js_links=list(rendered.js_links),
        on_change=remember_value if returned else None,
        wrap_longitude=False,
    )


def _added_layer_script(group: folium.FeatureGroup) -> str:
    # streamlit-folium's own conversion; it needs a map to hang the group on and then names that map
    # `map_div`, as every map is named in the browser.
    return sf._get_feature_group_string(group, map=folium.Map(tiles=None), idx=0)


def register_map_component() -> None:
    """Make sure the server can serve streamlit-folium's browser component.

    The component registers itself only when its module is imported inside a script run. The server
    imports it earlier (``ui.serve`` preloads the pages' modules), so app.py calls this on every run;
    it registers the component the first time and is a dictionary lookup afterwards.
    """
    if not runtime.exists():
        return
    registry = runtime.get_instance().component_registry
    if registry.get_component_path(sf._component_func.name) is None:
        registry.register_component(sf._component_func)


def cached_map(inputs: tuple[Hashable, ...], build: Callable[[], folium.Map]) -> RenderedMap:
    """The rendered map for ``inputs`` (everything ``build`` depends on besides the database),
    built and rendered only the first time they are asked for."""
    return _rendered(str(database_path()), inputs, build)


# Bounded: a map is a few hundred kB of text; filters with many values must not grow memory forever.
@st.cache_resource(show_spinner=False, max_entries=32, ttl=3600)
def _rendered(db: str, inputs: tuple, _build: Callable[[], folium.Map]) -> RenderedMap:
    # `db` and `inputs` are the cache key; `_build` (leading underscore) is not hashed.
    return render_map(_build())


def forget_maps() -> None:
    """Drop every rendered map (after the database was written)."""
    _rendered.clear()


# Beside the map: legends and the map's text alternative -----------------------------------------------


def show_legends(contents: list[str], large_type: bool = False, under: bool = False) -> None:
    """Legends (``geo.layers.legend_html`` contents) as boxes on the page, beside the map they explain
    (``under``: in a row under it), never over it: nothing on the map hides behind them, and they are
    text in the page."""
    if contents:
        st.html(legend_boxes(contents, large_type, under))


def show_map_table(description: str, table: pd.DataFrame, note: str) -> None:
    """The map's text alternative: what it shows, in words, and its figures per area as a table (a
    real HTML table, which a screen reader reads cell by cell), folded under a heading the keyboard
    reaches."""
    with st.expander(f"The map as a table ({len(table):,} areas)", icon=":material/table_rows:"):
        st.markdown(markdown_text(description, limit=2_000))  # it names areas as the data names them
        st.caption(note)
        if table.empty:
            st.caption("Nothing is drawn for these filters.")
        else:
            st.table(table.set_index(table.columns[0]))
