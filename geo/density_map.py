"""The Map page's folium map, assembled from loaded data: context outlines, density cells, legends.

Layers, bottom to top: the density hexagons (in their own pane, so toggling them never buries the
outlines), neighbourhood outlines, police districts, the Central District, the four expansion
candidates, the boundary streets, the pilot zone, the area picked in the sidebar, then text labels.
Which of them are drawn is the page's choice (``visible``, a Streamlit control kept in the URL), not a
switch inside the map, so a shared link opens the map with the same layers; the legend lists only
what is drawn.
Only the hexagons take the mouse: every outline is drawn non-interactive so a cell's tooltip always
answers, and the neighbourhood under the pointer is named in a box in the map's corner instead.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection
from functools import lru_cache

import folium
import pandas as pd
from branca.element import Template
from shapely.geometry import shape

from domain.program import EXPANSION_CANDIDATES
from domain.safe_text import html_text, script_json
from geo.density import CELL_FILL_OPACITY, DensityLayer, cell_size_text
from geo.layers import CENTRAL_STYLE, DISTRICT_STYLE, PILOT_ZONE_STYLE, Legend
from geo.lean_layers import (
    CustomPane,
    FeatureGroup,
    GeoJsonLayer,
    StaticElement,
    TextLabels,
    VerbatimMacroElement,
    features_json,
)
from geo.map_page import DISTRICT_EDITIONS, MAP_LAYERS, AreaChoice, MapContext, central_area_id
from geo.offline_map import base_map, use_local_assets

CITY_ZOOM = 13
AREA_MAX_ZOOM = 15  # a small area still shows its surroundings
DENSITY_PANE = "density"
NEIGHBORHOOD_STYLE = {"color": "#7d848c", "weight": 0.8, "opacity": 0.8, "fill": False}
# Magenta: apart from the red pilot zone, the navy Central District and both cell palettes.
CANDIDATE_STYLE = {"color": "#c51b7d", "weight": 3.5, "fillColor": "#c51b7d", "fillOpacity": 0.12}
STREET_STYLE = {"color": "#1b1f24", "weight": 2.5, "opacity": 0.9}
SELECTED_STYLE = {"color": "#111111", "weight": 4, "dashArray": "1 7", "lineCap": "round", "fillOpacity": 0}
MAP_PILOT_ZONE_STYLE = {**PILOT_ZONE_STYLE, "weight": 5}
CELL_STYLE = {"fillColor": "#888888", "fillOpacity": CELL_FILL_OPACITY, "color": "#ffffff", "weight": 0.6}
STREET_LABEL_MIN_ZOOM = 14  # below this the pilot zone is too small for four street names
_LABEL_CSS = """
<style>
  .map-label.district-label { color: #4a525c; font-size: 13px; }
  .map-label.candidate-label { color: #8e0152; }
  .map-label.street-label { color: #1b1f24; font: italic bold 13px sans-serif; }
  .map-label.label-n { transform: translate(-50%, -130%); }
  .map-label.label-s { transform: translate(-50%, 30%); }
  .map-label.label-e { transform: translate(8px, -50%); }
  .map-label.label-w { transform: translate(calc(-100% - 8px), -50%); }
  .lead-zoomed-out .street-label { display: none; }
  .leaflet-control-layers-expanded { font: 14px/1.3 sans-serif; padding: 6px 10px 6px 6px; }
</style>
"""


# Projector mode: everything written on the map a size up, for the back of a meeting room.
_LARGE_TYPE_CSS = """
<style>
  .leaflet-container .lead-legend, .leaflet-container .leaflet-control-layers-expanded { font-size: 18px; }
  .leaflet-container .lead-legend h4 { font-size: 19px; }
  .leaflet-container .lead-legend div { font-size: 16px !important; }
  .leaflet-container .map-label { font-size: 18px; }
  .leaflet-container .map-label.district-label { font-size: 16px; }
  .leaflet-container .map-label.street-label { font-size: 16px; }
  .leaflet-container .leaflet-tooltip, .leaflet-container .lead-hover-name { font-size: 18px; }
</style>
"""


def density_map(
    context: MapContext,
    layers: list[DensityLayer],
    area: AreaChoice | None = None,
    large_type: bool = False,
    visible: Collection[str] | None = None,
) -> folium.Map:
    """The Map page's map: context, density layers and legends, zoomed to ``area``.

    ``visible``: keys of ``geo.map_page.MAP_LAYERS`` to draw (default: all); the picked area's outline
    is always drawn. ``large_type`` (projector mode) sets every label, legend and tooltip a size larger.
    """
    shown = set(MAP_LAYERS if visible is None else visible)
    folium_map = base_map(zoom=CITY_ZOOM)
    header = folium_map.get_root().header
    header.add_child(StaticElement(_LABEL_CSS), name="map_page_labels")
    if large_type:
        header.add_child(StaticElement(_LARGE_TYPE_CSS), name="map_page_large_type")
    CustomPane(DENSITY_PANE, z_index=350, pointer_events=True).add_to(folium_map)
    drawn = [layer for layer in layers if layer.key in shown]
    cell_layers = [_density_group(layer).add_to(folium_map) for layer in drawn]
    if "neighbourhoods" in shown:
        neighborhoods = _outline_group(
            context.neighborhoods, MAP_LAYERS["neighbourhoods"], NEIGHBORHOOD_STYLE
        )
        neighborhoods.add_to(folium_map)
    if "districts" in shown:
        _district_group(context).add_to(folium_map)
    if "candidates" in shown:
        _candidate_group(context.neighborhoods).add_to(folium_map)
    if context.streets and "streets" in shown:
        _street_group(context.streets, context.pilot_zone).add_to(folium_map)
    if "pilot_zone" in shown:
        _pilot_zone_group(context.pilot_zone).add_to(folium_map)
    if area is not None and area.kind in ("district", "neighborhood"):
        _selected_group(context, area).add_to(folium_map)
    if "neighbourhoods" in shown:
        HoverName(neighborhoods.outlines, "Neighbourhood").add_to(folium_map)
    ZoomedOutClass(STREET_LABEL_MIN_ZOOM).add_to(folium_map)
    legend = _legend(shown, bool(context.streets), context.edition)
    if legend is not None:
        legend.add_to(folium_map)
    for layer, cells in zip(drawn, cell_layers, strict=True):
        ScaleLegend(layer, cells).add_to(folium_map)
    if area is not None and area.bounds is not None:
        folium_map.fit_bounds(area.bounds, padding=(12, 12), max_zoom=AREA_MAX_ZOOM)
    return use_local_assets(folium_map)


class _OutlineGroup(FeatureGroup):
    """A FeatureGroup that remembers its outline layer (the neighbourhood hover box needs it)."""

    outlines: GeoJsonLayer


def _outlines(frame: pd.DataFrame, style: dict) -> GeoJsonLayer:
    text = _named_features_json(tuple(frame["geojson"].tolist()), tuple(frame["name"].tolist()))
    return GeoJsonLayer(text, style, interactive=False)


@lru_cache(maxsize=64)
def _named_features_json(geojson: tuple[str, ...], names: tuple[str, ...]) -> str:
    # Boundaries are the same on every rerun: build their GeoJSON text once per set of outlines.
    return features_json(pd.DataFrame({"geojson": geojson, "name": names}), ["name"])


def _outline_group(frame: pd.DataFrame, name: str, style: dict, show: bool = True) -> _OutlineGroup:
    group = _OutlineGroup(name=name, show=show)
    group.outlines = _outlines(frame, style)
    group.outlines.add_to(group)
    return group


def _geojson_and_names(frame: pd.DataFrame) -> list[tuple[str, str]]:
    # Plain lists rather than itertuples, which builds a namedtuple class on every call.
    return list(zip(frame["geojson"].tolist(), frame["name"].tolist(), strict=True))


@lru_cache(maxsize=512)
def _label_point(geojson: str) -> tuple[float, float]:
    point = shape(json.loads(geojson)).representative_point()
    return point.y, point.x


def _district_group(context: MapContext) -> FeatureGroup:
    edition = DISTRICT_EDITIONS.get(context.edition, context.edition).split(" (")[0]
    central_id = central_area_id(context.edition)
    others = context.districts[context.districts["area_id"] != central_id]
    central = context.districts[context.districts["area_id"] == central_id]
    group = FeatureGroup(name=f"Police districts ({edition})")
    _outlines(others, DISTRICT_STYLE).add_to(group)
    _outlines(central, CENTRAL_STYLE).add_to(group)
    TextLabels(
        (*_label_point(geojson), f"{name} District", "map-label district-label")
        for geojson, name in _geojson_and_names(context.districts)
    ).add_to(group)
    return group


def _candidate_group(neighborhoods: pd.DataFrame) -> FeatureGroup:
    candidates = neighborhoods[neighborhoods["name"].isin(EXPANSION_CANDIDATES)]
    group = FeatureGroup(name="Expansion candidates")
    _outlines(candidates, CANDIDATE_STYLE).add_to(group)
    TextLabels(
        (*_label_point(geojson), name, "map-label candidate-label")
        for geojson, name in _geojson_and_names(candidates)
    ).add_to(group)
    return group


def _street_group(streets: dict, pilot_zone: pd.DataFrame) -> FeatureGroup:
    """The streets bounding the pilot zone, each named on the outside of the zone (shown from zoom 14)."""
    group = FeatureGroup(name="Boundary streets")
    GeoJsonLayer(json.dumps(streets, separators=(",", ":")), STREET_STYLE, interactive=False).add_to(group)
    zone = shape(json.loads(pilot_zone["geojson"].iloc[0])).centroid if not pilot_zone.empty else None
    labels = []
    for feature in streets["features"]:
        lat, lon = _street_label_point(feature["geometry"])
        side = _outward_side(zone.y, zone.x, lat, lon) if zone is not None else "n"
        labels.append((lat, lon, feature["properties"]["name"], f"map-label street-label label-{side}"))
    TextLabels(labels).add_to(group)
    return group


def _street_label_point(geometry: dict) -> tuple[float, float]:
    """Midpoint along the longest part of a street, where its name reads best."""
    line = shape(geometry)
    parts = getattr(line, "geoms", [line])
    longest = max(parts, key=lambda part: part.length)
    point = longest.interpolate(0.5, normalized=True)
    return point.y, point.x


def _outward_side(centre_lat: float, centre_lon: float, lat: float, lon: float) -> str:
    """'n', 's', 'e' or 'w': the side of the zone a label at (lat, lon) sits on, so it goes outside."""
    east = (lon - centre_lon) * math.cos(math.radians(centre_lat))  # degrees of longitude shrink
    north = lat - centre_lat
    if abs(east) > abs(north):
        return "e" if east > 0 else "w"
    return "n" if north > 0 else "s"


def _pilot_zone_group(pilot_zone: pd.DataFrame) -> FeatureGroup:
    group = FeatureGroup(name="LEAD pilot zone")
    _outlines(pilot_zone, MAP_PILOT_ZONE_STYLE).add_to(group)
    TextLabels(
        (*_label_point(geojson), "LEAD pilot zone", "map-label")
        for geojson, _ in _geojson_and_names(pilot_zone)
    ).add_to(group)
    return group


def _selected_group(context: MapContext, area: AreaChoice) -> FeatureGroup:
    frame = context.districts if area.kind == "district" else context.neighborhoods
    picked = frame[frame["area_id"] == area.area_id]
    group = FeatureGroup(name=html_text(f"Selected: {area.label}"))  # a layer's name is HTML to Leaflet
    _outlines(picked, SELECTED_STYLE).add_to(group)
    return group


def _density_group(layer: DensityLayer) -> FeatureGroup:
    """The hexagons of one layer; each tooltip gives the cell's count and the period."""
    group = FeatureGroup(name=layer.title)
    # Only what the browser needs: the full properties are in the GeoJSON download.
    slim = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {key: feature["properties"][key] for key in ("count_text", "colour")},
            }
            for feature in layer.cells["features"]
        ],
    }
    prefix = script_json(f"<strong>{html_text(layer.noun.capitalize())}: ")
    suffix = script_json(f"</strong><br>{html_text(layer.period)}")
    GeoJsonLayer(
        json.dumps(slim, separators=(",", ":")),
        CELL_STYLE,
        colour_property="colour",
        tooltip_js=f"{prefix} + feature.properties.count_text + {suffix}",
        pane=DENSITY_PANE,
    ).add_to(group)
    return group


# layer key -> its rows in the boundaries legend: (fill, label, border)
LEGEND_ROWS = {
    "pilot_zone": [("rgba(178,24,43,0.25)", "LEAD pilot zone", "3px solid #b2182b")],
    "districts": [
        ("transparent", "Central District", "3px dashed #08306b"),
        ("transparent", "Police districts ({edition})", "2px solid #6b7785"),
    ],
    "candidates": [("rgba(197,27,125,0.2)", "Expansion candidate", "3px solid #c51b7d")],
    "neighbourhoods": [("transparent", "Neighbourhood (NSA)", "1px solid #7d848c")],
    "streets": [("transparent", "Boundary street", "3px solid #1b1f24")],
}


def _legend(shown: Collection[str], has_streets: bool, edition: str) -> Legend | None:
    """The boundaries legend, listing only the outlines drawn (and which district edition); None when
    none is."""
    edition_label = DISTRICT_EDITIONS.get(edition, edition).split(" (")[0]
    rows = [
        (fill, label.format(edition=edition_label), border)
        for key, key_rows in LEGEND_ROWS.items()
        if key in shown and (key != "streets" or has_streets)
        for fill, label, border in key_rows
    ]
    return Legend("Boundaries", rows, position="bottomleft") if rows else None


_SCALE_TEMPLATE = Template(
    """
{% macro script(this, kwargs) %}
(function() {
  var map = {{ this._parent.get_name() }};
  var layer = {{ this.cells.get_name() }};
  var box = L.control({position: 'bottomright'});
  box.onAdd = function () {
    var div = L.DomUtil.create('div', 'lead-legend');
    div.setAttribute('data-testid', {{ this.test_id | tojson }});
    div.innerHTML = {{ this.legend_html | tojson }};
    return div;
  };
  function sync() {
    if (map.hasLayer(layer)) { box.addTo(map); } else { box.remove(); }
  }
  map.on('overlayadd overlayremove', sync);
  sync();
})();
{% endmacro %}
"""
)


class ScaleLegend(VerbatimMacroElement):
    """The colour scale of one density layer, shown only while that layer is switched on."""

    def __init__(self, layer: DensityLayer, cells: folium.FeatureGroup):
        super().__init__()
        self._name = "ScaleLegend"
        self._template = _SCALE_TEMPLATE
        self.cells = cells
        self.test_id = f"density-legend-{layer.key}"
        self.legend_html = scale_legend_html(layer)


def scale_legend_html(layer: DensityLayer) -> str:
    """The legend box of a density layer: title, cell size, one swatch per count class."""
    rows = []
    if layer.scale is None:
        rows.append("<div>No cells to draw for these filters.</div>")
    else:
        for colour, label in zip(layer.scale.colours, layer.scale.labels(), strict=True):
            swatch = f'<span class="swatch" style="background:{colour};border:1px solid #666"></span>'
            rows.append(f"<div>{swatch}{html_text(label)} {html_text(layer.noun)}</div>")
    notes = [cell_size_text(layer.resolution)]
    if layer.scale is not None:
        notes.append(f"Colours: {layer.scale.palette}")
    if layer.hidden.cells:
        withheld = ", nor cells withheld to protect them" if layer.hidden.withheld else ""
        notes.append(f"Cells with fewer than 5 not drawn{withheld}")
    note_html = "".join(f'<div style="font-size:12px;color:#333">{html_text(note)}</div>' for note in notes)
    return f"<h4>{html_text(layer.title)}</h4>{''.join(rows)}{note_html}"


_HOVER_TEMPLATE = Template(
    """
{% macro header(this, kwargs) %}
<style>
  .lead-hover-name { background: rgba(255,255,255,0.94); padding: 4px 10px; border: 1px solid #555;
                     border-radius: 4px; font: bold 16px/1.3 sans-serif; color: #111; min-width: 8em; }
  .lead-hover-name:empty { display: none; }
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function() {
  var map = {{ this._parent.get_name() }};
  var outlines = {{ this.layer.get_name() }};
  var box = L.control({position: 'topleft'});
  box.onAdd = function () {
    var div = L.DomUtil.create('div', 'lead-hover-name');
    div.setAttribute('data-testid', 'hover-name');
    return div;
  };
  box.addTo(map);
  // Ray casting over one ring of [lat, lng] points.
  function inRing(lat, lng, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var a = ring[i], b = ring[j];
      if ((a.lat > lat) !== (b.lat > lat) &&
          lng < (b.lng - a.lng) * (lat - a.lat) / (b.lat - a.lat) + a.lng) { inside = !inside; }
    }
    return inside;
  }
  // Leaflet nests rings: polygon [outer, hole...], multipolygon [[outer, hole...], ...].
  function inPolygon(lat, lng, rings) {
    if (rings.length && rings[0].length && rings[0][0].lat !== undefined) {
      var inside = inRing(lat, lng, rings[0]);
      for (var h = 1; h < rings.length; h++) { if (inRing(lat, lng, rings[h])) { inside = false; } }
      return inside;
    }
    for (var p = 0; p < rings.length; p++) { if (inPolygon(lat, lng, rings[p])) { return true; } }
    return false;
  }
  map.on('mousemove', function (e) {
    var name = '';
    if (map.hasLayer(outlines)) {
      outlines.eachLayer(function (shape) {
        if (!name && shape.getBounds().contains(e.latlng) &&
            inPolygon(e.latlng.lat, e.latlng.lng, shape.getLatLngs())) {
          name = shape.feature.properties.name;
        }
      });
    }
    box.getContainer().textContent = name ? {{ this.prefix | tojson }} + ': ' + name : '';
  });
  map.on('mouseout', function () { box.getContainer().textContent = ''; });
})();
{% endmacro %}
"""
)


class HoverName(VerbatimMacroElement):
    """A box in the map's corner naming the polygon of ``layer`` under the pointer.

    Works whatever layer takes the mouse (the density cells keep their own tooltips), and only while
    ``layer`` is switched on.
    """

    def __init__(self, layer: GeoJsonLayer, prefix: str):
        super().__init__()
        self._name = "HoverName"
        self._template = _HOVER_TEMPLATE
        self.layer = layer
        self.prefix = prefix


_ZOOM_CLASS_TEMPLATE = Template(
    """
{% macro script(this, kwargs) %}
(function() {
  var map = {{ this._parent.get_name() }};
  function sync() {
    map.getContainer().classList.toggle('lead-zoomed-out', map.getZoom() < {{ this.min_zoom }});
  }
  map.on('zoomend', sync);
  sync();
})();
{% endmacro %}
"""
)


class ZoomedOutClass(VerbatimMacroElement):
    """Marks the map ``lead-zoomed-out`` below ``min_zoom``, so CSS can hide labels that would collide."""

    def __init__(self, min_zoom: int):
        super().__init__()
        self._name = "ZoomedOutClass"
        self._template = _ZOOM_CLASS_TEMPLATE
        self.min_zoom = int(min_zoom)
