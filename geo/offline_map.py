"""Folium maps that render with no internet: Leaflet and plugins come from the app's own static files.

folium's elements name CDN URLs in their ``default_js`` / ``default_css`` lists, and streamlit-folium
loads exactly those lists; pointing them at files under ``static/vendor`` (fetched from the npm registry
at setup, served by Streamlit at ``/app/static``) makes the map independent of any CDN.
"""

from __future__ import annotations

import re

import folium
from branca.element import Element, MacroElement, Template

from geo.map_style import FOCUS_RING, GROUND

STATIC_URL = "/app/static/vendor"

# folium asset name -> local URL. Names folium uses that the dashboard does not need (jQuery, Bootstrap,
# Font Awesome for marker icons) are dropped; any other remote asset is an error, so a new plugin cannot
# silently bring a CDN dependency back.
LOCAL_ASSETS = {
    "leaflet": f"{STATIC_URL}/leaflet/leaflet.js",
    "leaflet_css": f"{STATIC_URL}/leaflet/leaflet.css",
    "leaflet_draw_js": f"{STATIC_URL}/leaflet-draw/leaflet.draw.js",
    "leaflet_draw_css": f"{STATIC_URL}/leaflet-draw/leaflet.draw.css",
}
UNNEEDED_ASSETS = {
    "jquery",
    "bootstrap",
    "awesome_markers",
    "bootstrap_css",
    "glyphicons_css",
    "awesome_markers_font_css",
    "awesome_markers_css",
    "awesome_rotate_css",
}

ONLINE_TILES_URL = "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png"
ONLINE_TILES_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
    '&copy; <a href="https://carto.com/attributions">CARTO</a>'
)
DOWNTOWN_CENTER = (39.2905, -76.6205)


# folium's page header forbids zooming the page ("maximum-scale=1.0, user-scalable=no"): a reader who
# needs larger type could not pinch-zoom inside a map frame (WCAG 1.4.4; axe's meta-viewport rule).
ZOOMABLE_VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1.0" />'
_VIEWPORT_META = re.compile(r"<meta\s+name=[\"']viewport[\"'][^>]*>", re.IGNORECASE)


def zoomable(html: str) -> str:
    """``html`` with every viewport meta tag replaced by one that lets the reader zoom.

    >>> zoomable('<meta name="viewport" content="width=device-width, user-scalable=no" />')
    '<meta name="viewport" content="width=device-width, initial-scale=1.0" />'
    """
    return _VIEWPORT_META.sub(ZOOMABLE_VIEWPORT, html)


def _localised(assets: list[tuple[str, str]], owner: str) -> list[tuple[str, str]]:
    kept = []
    for name, url in assets:
        if name in UNNEEDED_ASSETS:
            continue
        if name in LOCAL_ASSETS:
            kept.append((name, LOCAL_ASSETS[name]))
        elif url.startswith(("http://", "https://", "//")):
            raise ValueError(f"map element {owner} needs remote asset {name!r} ({url}) with no local copy")
        else:
            kept.append((name, url))
    return kept


def _elements(root):
    yield root
    for child in getattr(root, "_children", {}).values():
        yield from _elements(child)


def use_local_assets(folium_map: folium.Map) -> folium.Map:
    """Point every element's JS/CSS at the locally served copies; returns the same map.

    >>> m = use_local_assets(folium.Map())
    >>> dict(m.default_js)["leaflet"]
    '/app/static/vendor/leaflet/leaflet.js'
    """
    for element in _elements(folium_map):
        owner = type(element).__name__
        if hasattr(element, "default_js"):
            element.default_js = _localised(element.default_js, owner)
        if hasattr(element, "default_css"):
            element.default_css = _localised(element.default_css, owner)
    return folium_map


class _LocalMarkerImages(MacroElement):
    """Tell Leaflet where its marker images are: it guesses from a <link> tag streamlit-folium removes."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "L.Icon.Default.imagePath = '" + STATIC_URL + "/leaflet/images/';"
        "{% endmacro %}"
    )


def base_map(center=DOWNTOWN_CENTER, zoom: int = 14, online_tiles: bool = True, **options) -> folium.Map:
    """A folium map with no remote dependency except optional light tiles (harmless when offline).

    Vector layers carry the map's context, so with no internet the map is still complete.
    """
    folium_map = folium.Map(location=center, zoom_start=zoom, tiles=None, control_scale=True, **options)
    if online_tiles:
        folium.TileLayer(
            tiles=ONLINE_TILES_URL,
            attr=ONLINE_TILES_ATTRIBUTION,
            name="Street basemap (online only)",
            max_zoom=19,
            subdomains="abcd",
        ).add_to(folium_map)
    _LocalMarkerImages().add_to(folium_map)
    # A light ground colour so the offline map is not a grey void behind the vector context.
    folium_map.get_root().header.add_child(
        Element(f"<style>.leaflet-container{{background:{GROUND};}}</style>"), name="map_background"
    )
    # The keyboard focus shows on the map and its controls as on the page around it.
    folium_map.get_root().header.add_child(
        Element(
            f"<style>.leaflet-container:focus-visible, .leaflet-container :focus-visible"
            f"{{outline:3px solid {FOCUS_RING} !important; outline-offset:-3px;}}</style>"
        ),
        name="map_focus",
    )
    return folium_map
