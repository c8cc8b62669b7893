"""The Map page's folium map, assembled from loaded data: context outlines, density cells, legends.

Layers, bottom to top: the density hexagons (in their own pane, so toggling them never buries the
outlines), neighbourhood outlines, police districts, the Central District, the four expansion
candidates, the boundary streets, the pilot zone, the area picked in the sidebar, then text labels.
Which of them are drawn is the page's choice (``visible``, a Streamlit control kept in the URL), not a
switch inside the map, so a shared link opens the map with the same layers; the legend lists only
what is drawn.
How each layer looks and what the legend calls it is the map description's (``geo.map_style``), the
same the PNG download and the brief's SVG draw from.
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
from geo.density import DensityLayer, cell_size_text
from geo.layers import (
    CustomPane,
    FeatureGroup,
    GeoJsonLayer,
    Legend,
    StaticElement,
    TextLabels,
    VerbatimMacroElement,
    add_label_styles,
    css_colour,
    features_json,
    label_class,
    legend_html,
    legend_row,
    path_style,
)
from geo.map_page import DISTRICT_EDITIONS, MAP_LAYERS, AreaChoice, MapContext, central_area_id
from geo.map_style import (
    CELLS,
    KEY_EDGE,
    LAYERS,
    LEGEND_ORDER,
    class_legend,
    hidden_cells_legend,
    shown_kinds,
)
from geo.offline_map import base_map, use_local_assets

CITY_ZOOM = 13
AREA_MAX_ZOOM = 15  # a small area still shows its surroundings
DENSITY_PANE = "density"
STREET_LABEL_MIN_ZOOM = 14  # below this the pilot zone is too small for four street names
# Where and how large names sit (their colours are the map description's: ``geo.layers.LABEL_CSS``).
_LABEL_CSS = """
<style>
  .map-label.district-label { font-size: 13px; }
  .map-label.street-label { font-size: 13px; }
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
    legends: bool = True,
) -> folium.Map:
    """The Map page's map: context, density layers and legends, zoomed to ``area``.

    ``visible``: keys of ``geo.map_page.MAP_LAYERS`` to draw (default: all); the picked area's outline
    is always drawn. ``large_type`` (projector mode) sets every label, legend and tooltip a size larger.
    ``legends=False``: no legend on the map (the page draws ``legend_contents`` beside it, where
    they cover nothing); a downloaded map keeps them, as it has nowhere else to show them.
    """
    shown = set(MAP_LAYERS if visible is None else visible)
    folium_map = base_map(zoom=CITY_ZOOM)
    add_label_styles(folium_map)
    header = folium_map.get_root().header
    header.add_child(StaticElement(_LABEL_CSS), name="map_page_labels")
    if large_type:
        header.add_child(StaticElement(_LARGE_TYPE_CSS), name="map_page_large_type")
    CustomPane(DENSITY_PANE, z_index=350, pointer_events=True).add_to(folium_map)
    drawn = [layer for layer in layers if layer.key in shown]
    cell_layers = [_density_group(layer).add_to(folium_map) for layer in drawn]
    picked = area is not None and area.kind in ("district", "neighborhood")
    kinds = _kinds(shown, bool(context.streets), picked)
    groups = {  # by switch, in the description's drawing order
        "neighbourhoods": lambda: _outline_group(
            context.neighborhoods, MAP_LAYERS["neighbourhoods"], LAYERS["neighbourhoods"]
        ),
        "districts": lambda: _district_group(context),
        "candidates": lambda: _candidate_group(context.neighborhoods),
        "streets": lambda: _street_group(context.streets, context.pilot_zone),
        "pilot_zone": lambda: _pilot_zone_group(context.pilot_zone),
        "selected_area": lambda: _selected_group(context, area),
    }
    built = {key: groups[key]().add_to(folium_map) for key in kinds if key in groups}
    if "neighbourhoods" in built:
        HoverName(built["neighbourhoods"].outlines, "Neighbourhood").add_to(folium_map)
    ZoomedOutClass(STREET_LABEL_MIN_ZOOM).add_to(folium_map)
    legend = _legend(kinds, context.edition, area) if legends else None
    if legend is not None:
        legend.add_to(folium_map)
    for layer, cells in zip(drawn, cell_layers, strict=True) if legends else ():
        ScaleLegend(layer, cells).add_to(folium_map)
    if area is not None and area.bounds is not None:
        folium_map.fit_bounds(area.bounds, padding=(12, 12), max_zoom=AREA_MAX_ZOOM)
    return use_local_assets(folium_map)


def _kinds(shown: Collection[str], has_streets: bool, picked: bool) -> list[str]:
    """The described layers the Map page draws, bottom to top: those switched on (streets only when
    shipped), and the area picked in the sidebar."""
    extra = ["selected_area"] if picked else []
    return [key for key in shown_kinds(shown, extra) if key != "streets" or has_streets]


class _OutlineGroup(FeatureGroup):
    """A FeatureGroup that remembers its outline layer (the neighbourhood hover box needs it)."""

    outlines: GeoJsonLayer


def _outlines(frame: pd.DataFrame, style) -> GeoJsonLayer:
    text = _named_features_json(tuple(frame["geojson"].tolist()), tuple(frame["name"].tolist()))
    return GeoJsonLayer(text, style, interactive=False)


@lru_cache(maxsize=64)
def _named_features_json(geojson: tuple[str, ...], names: tuple[str, ...]) -> str:
    # Boundaries are the same on every rerun: build their GeoJSON text once per set of outlines.
    return features_json(pd.DataFrame({"geojson": geojson, "name": names}), ["name"])


def _outline_group(frame: pd.DataFrame, name: str, style, show: bool = True) -> _OutlineGroup:
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
    group = FeatureGroup(name=f"{LAYERS['districts'].title} ({edition})")
    _outlines(others, LAYERS["districts"]).add_to(group)
    _outlines(central, LAYERS["central_district"]).add_to(group)
    TextLabels(
        (*_label_point(geojson), f"{name} District", label_class(kind))
        for frame, kind in ((others, "districts"), (central, "central_district"))
        for geojson, name in _geojson_and_names(frame)
    ).add_to(group)
    return group


def _candidate_group(neighborhoods: pd.DataFrame) -> FeatureGroup:
    candidates = neighborhoods[neighborhoods["name"].isin(EXPANSION_CANDIDATES)]
    group = FeatureGroup(name=LAYERS["candidates"].title)
    _outlines(candidates, LAYERS["candidates"]).add_to(group)
    TextLabels(
        (*_label_point(geojson), name, label_class("candidates"))
        for geojson, name in _geojson_and_names(candidates)
    ).add_to(group)
    return group


def _street_group(streets: dict, pilot_zone: pd.DataFrame) -> FeatureGroup:
    """The streets bounding the pilot zone, each named on the outside of the zone (shown from zoom 14)."""
    group = FeatureGroup(name=LAYERS["streets"].title)
    text = json.dumps(streets, separators=(",", ":"))
    GeoJsonLayer(text, LAYERS["streets"], interactive=False).add_to(group)
    zone = shape(json.loads(pilot_zone["geojson"].iloc[0])).centroid if not pilot_zone.empty else None
    labels = []
    for feature in streets["features"]:
        lat, lon = _street_label_point(feature["geometry"])
        side = _outward_side(zone.y, zone.x, lat, lon) if zone is not None else "n"
        labels.append((lat, lon, feature["properties"]["name"], f"{label_class('streets')} label-{side}"))
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
    style = LAYERS["pilot_zone"]
    group = FeatureGroup(name=style.title)
    _outlines(pilot_zone, style).add_to(group)
    TextLabels(
        (*_label_point(geojson), style.legend, label_class("pilot_zone"))
        for geojson, _ in _geojson_and_names(pilot_zone)
    ).add_to(group)
    return group


def _selected_group(context: MapContext, area: AreaChoice) -> FeatureGroup:
    frame = context.districts if area.kind == "district" else context.neighborhoods
    picked = frame[frame["area_id"] == area.area_id]
    style = LAYERS["selected_area"]
    group = FeatureGroup(name=html_text(style.title.format(label=area.label)))  # a name is HTML to Leaflet
    _outlines(picked, style).add_to(group)
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
        path_style(CELLS),
        colour_property="colour",
        tooltip_js=f"{prefix} + feature.properties.count_text + {suffix}",
        pane=DENSITY_PANE,
    ).add_to(group)
    return group


def _legend_rows(kinds: Collection[str], edition: str, area: AreaChoice | None) -> list:
    edition_label = DISTRICT_EDITIONS.get(edition, edition).split(" (")[0]
    label = area.label if area is not None else ""
    return [
        legend_row(LAYERS[key], edition=edition_label, label=label) for key in LEGEND_ORDER if key in kinds
    ]


def _legend(kinds: Collection[str], edition: str, area: AreaChoice | None) -> Legend | None:
    """The boundaries legend, listing only the outlines drawn (and which district edition); None when
    none is."""
    rows = _legend_rows(kinds, edition, area)
    return Legend("Boundaries", rows, position="bottomleft") if rows else None


def legend_contents(
    context: MapContext,
    layers: list[DensityLayer],
    area: AreaChoice | None = None,
    visible: Collection[str] | None = None,
) -> list[str]:
    """The legends of ``density_map`` with the same arguments, as HTML contents to draw beside it:
    the colour scale of each density layer drawn, then the boundaries drawn."""
    shown = set(MAP_LAYERS if visible is None else visible)
    picked = area is not None and area.kind in ("district", "neighborhood")
    contents = [scale_legend_html(layer) for layer in layers if layer.key in shown]
    rows = _legend_rows(_kinds(shown, bool(context.streets), picked), context.edition, area)
    if rows:
        contents.append(legend_html("Boundaries", rows))
    return contents


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
            fill, edge = css_colour(colour, CELLS.fill_opacity), css_colour(KEY_EDGE, CELLS.stroke_opacity)
            swatch = f'<span class="swatch" style="background:{fill};border:1px solid {edge}"></span>'
            rows.append(f"<div>{swatch}{html_text(class_legend(label, layer.noun))}</div>")
    notes = [cell_size_text(layer.resolution)]
    if layer.scale is not None:
        notes.append(f"Colours: {layer.scale.palette}")
    if layer.hidden.cells:
        notes.append(hidden_cells_legend(bool(layer.hidden.withheld)))
    note_html = "".join(f'<div class="note">{html_text(note)}</div>' for note in notes)
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
