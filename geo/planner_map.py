"""Maps of the expansion planner: the drawing map and the map of proposals being compared.

The drawing map carries Leaflet.draw (served locally, like Leaflet itself) restricted to polygons
and rectangles, over a choropleth of LEAD-eligible arrests per year and km² by neighbourhood, with
the named candidate neighbourhoods, the pilot zone, the police districts and the case-management
site for context. Its content depends only on the period's figures, so drawing does not rebuild it.

Only the choropleth's colours and tooltips and the legend change with the period. So the map is
rendered once with placeholders there (``planner_base_map``, cached by the page through ``ui.maps``)
and each rerun fills in the period's values as text (``fill_period``): the browser gets exactly what
``st_folium`` would send for ``planner_map``, without folium rendering a few hundred outlines again.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import folium
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement, Template
from folium.plugins import Draw
from folium.utilities import JsCode
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from domain.safe_text import NAME_LIMIT, html_text
from geo.layers import DISTRICT_STYLE, PILOT_ZONE_STYLE, feature_collection, outline_layer, text_label
from geo.offline_map import base_map, use_local_assets

PROPOSAL_COLOUR = "#e66101"  # the area being drawn or picked
PROPOSAL_STYLE = {"color": PROPOSAL_COLOUR, "weight": 4, "fillColor": PROPOSAL_COLOUR, "fillOpacity": 0.18}
CANDIDATE_STYLE = {"color": "#01665e", "weight": 4, "fillOpacity": 0}
# Purples: sequential, readable on a projector, and clear of the pilot zone's red and the proposal's orange.
DENSITY_COLOURS = ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")
NO_DATA_COLOUR = "#d9d9d9"
CITY_CENTRE = (39.297, -76.615)  # downtown, slightly north: the city's dense core fills the frame at zoom 12
# Distinct, colour-blind-safer outlines for up to four proposals compared side by side.
COMPARISON_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a")
HIDDEN_DENSITY_TEXT = "fewer than 5 arrests (hidden), or withheld to protect one"
DENSITY_STYLE = {"color": "#8c8c8c", "weight": 0.6, "fillOpacity": 0.55}  # fillColor comes per period
DENSITY_LAYER_NAME = "LEAD-eligible arrests per km² (neighbourhoods)"

_PLANNER_CSS = """
<style>
  .candidate-label { white-space: nowrap; font: bold 14px sans-serif; color: #01463f;
                     text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff;
                     transform: translate(-50%, -50%); }
  .site-label { white-space: nowrap; font: bold 14px sans-serif; color: #111;
                transform: translate(-9px, -12px); }
  .site-label .star { color: #b2182b; font-size: 22px; vertical-align: middle; }
  .leaflet-container { font-size: 14px; }
  .proposal-label { color: #111; }
  .planner-legend { background: rgba(255,255,255,0.94); padding: 4px 8px; border: 1px solid #555;
                    border-radius: 4px; font: 13px/1.35 sans-serif; color: #111; max-width: 190px; }
  .planner-legend summary { font-weight: bold; cursor: pointer; }
  .planner-legend .swatch { display: inline-block; width: 18px; height: 10px; margin-right: 5px;
                            vertical-align: middle; }
</style>
"""


# Projector mode: everything written on the map a size up, for the back of a meeting room.
_LARGE_TYPE_CSS = """
<style>
  .leaflet-container .planner-legend { font-size: 18px; max-width: 280px; }
  .leaflet-container .planner-legend .swatch { width: 24px; height: 14px; }
  .leaflet-container .candidate-label, .leaflet-container .site-label { font-size: 18px; }
  .leaflet-container .leaflet-tooltip { font-size: 18px; }
</style>
"""


_FOLDING_LEGEND = Template(
    """
{% macro script(this, kwargs) %}
(function() {
  var legend = L.control({position: {{ this.position | tojson }}});
  legend.onAdd = function () {
    var div = L.DomUtil.create('div', 'lead-legend planner-legend');
    div.setAttribute('data-testid', 'map-legend');
    div.innerHTML = {{ this.legend_html | tojson }};
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  legend.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
"""
)


def legend_html(title: str, items: list[tuple[str, str, str]]) -> str:
    """A folding legend's content: rows of (fill colour, label, border) under a title that folds them."""
    rows = "".join(
        f'<div><span class="swatch" style="background:{html_text(fill)};'
        f'border:{html_text(border)}"></span>'
        f"{html_text(label, NAME_LIMIT)}</div>"
        for fill, label, border in items
    )
    return f"<details open><summary>{html_text(title)}</summary>{rows}</details>"


class FoldingLegend(MacroElement):
    """A compact legend that folds away on a click of its title, for a small map that is drawn on.

    Styled by the shared ``.lead-legend`` rules (``geo.layers.Legend``) plus ``_PLANNER_CSS``;
    ``html`` comes from ``legend_html``.
    """

    def __init__(self, html: str, position: str = "bottomleft"):
        super().__init__()
        self._name = "FoldingLegend"
        self._template = _FOLDING_LEGEND
        self.position = position
        self.legend_html = html


_DENSITIES = Template(
    """
{% macro script(this, kwargs) %}
var plannerDensity = {{ this.densities | tojson }};
{% endmacro %}
"""
)


class _Densities(MacroElement):
    """The period's fill colour and tooltip text per neighbourhood name, read by the density layer."""

    def __init__(self, densities):
        super().__init__()
        self._name = "Densities"
        self._template = _DENSITIES
        self.densities = densities


# Each outline takes its colour and tooltip text from plannerDensity as Leaflet adds it, so the outlines'
# GeoJSON stays the same from one period to the next.
_DENSITY_PER_FEATURE = JsCode(
    "function (feature, layer) {\n"
    "    var shown = plannerDensity[feature.properties.name] || "
    + json.dumps([NO_DATA_COLOUR, HIDDEN_DENSITY_TEXT])
    + ";\n"
    "    feature.properties.density_text = shown[1];\n"
    "    layer.setStyle({fillColor: shown[0]});\n"
    "}"
)
_TOJSON = Template("{{ value | tojson }}")  # a value written as the map's templates write it


@dataclass(frozen=True)
class PeriodValues:
    """What the period changes on the drawing map: each neighbourhood's [fill colour, tooltip text] by
    name, and the legend's HTML."""

    densities: dict[str, list[str]] | str
    legend_html: str


# Stand-ins rendered into the cached map where the period's values go (``fill_period`` swaps them).
_SLOTS = PeriodValues(densities="planner-period-densities", legend_html="planner-period-legend")


def density_bins(values: pd.Series, classes: int = len(DENSITY_COLOURS)) -> list[float]:
    """Upper edges of quantile classes over the positive values (the last edge is the maximum).

    >>> density_bins(pd.Series([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), classes=2)
    [5.5, 10.0]
    """
    positive = values.dropna()
    positive = positive[positive > 0]
    if positive.empty:
        return []
    edges = np.quantile(positive.to_numpy(dtype=float), np.linspace(0, 1, classes + 1)[1:])
    return sorted({round(float(edge), 1) for edge in edges})


def _colour_for(value, bins: list[float]) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return NO_DATA_COLOUR
    if value <= 0 or not bins:
        return DENSITY_COLOURS[0]
    offset = len(DENSITY_COLOURS) - len(bins)
    for index, edge in enumerate(bins):
        if value <= edge:
            return DENSITY_COLOURS[offset + index]
    return DENSITY_COLOURS[-1]


def _density_layer(neighbourhoods: pd.DataFrame) -> folium.GeoJson:
    """The neighbourhood outlines, coloured and labelled from ``plannerDensity`` (``_Densities``).

    ``name`` is the key into ``plannerDensity``; the tooltip (HTML to Leaflet) shows ``label``, the
    name escaped."""
    labels = [html_text(name, NAME_LIMIT) for name in neighbourhoods["name"]]
    return folium.GeoJson(
        feature_collection(
            neighbourhoods.assign(label=labels, density_text=None), ["name", "label", "density_text"]
        ),
        name=DENSITY_LAYER_NAME,
        style_function=lambda _feature: DENSITY_STYLE,
        on_each_feature=_DENSITY_PER_FEATURE,
        tooltip=folium.GeoJsonTooltip(fields=["label", "density_text"], labels=False),
    )


def period_values(densities: pd.DataFrame) -> PeriodValues:
    """Fill colours, tooltip texts and legend from each neighbourhood's ``name`` and
    ``eligible_per_year_km2`` (missing where a small count is hidden).

    >>> frame = pd.DataFrame({"name": ["A", "B"], "eligible_per_year_km2": [3.0, None]})
    >>> period_values(frame).densities["A"]
    ['#54278f', '3.0 eligible arrests / year / km²']
    """
    values = densities["eligible_per_year_km2"]
    bins = density_bins(values)
    by_name = {  # the text is a tooltip's, which Leaflet reads as HTML
        name: [
            _colour_for(value, bins),
            html_text(
                HIDDEN_DENSITY_TEXT if pd.isna(value) else f"{value:,.1f} eligible arrests / year / km²"
            ),
        ]
        for name, value in zip(densities["name"], values, strict=True)
    }
    legend = legend_html(
        "Eligible arrests a year per km²",
        [
            *_density_legend_rows(bins),
            (NO_DATA_COLOUR, "Hidden (fewer than 5) or withheld", "1px solid #8c8c8c"),
            ("transparent", "Named candidate", "3px solid #01665e"),
            ("rgba(178,24,43,0.25)", "LEAD pilot zone", "3px solid #b2182b"),
            ("rgba(230,97,1,0.25)", "Your proposal", f"3px solid {PROPOSAL_COLOUR}"),
            ("transparent", "★ Case management", "0 solid transparent"),
        ],
    )
    return PeriodValues(densities=by_name, legend_html=legend)


def fill_period(script: str, densities: pd.DataFrame) -> str:
    """The script of ``planner_base_map`` with the period's values (``period_values(densities)``) in
    place of the stand-ins: the same text ``planner_map`` renders to."""
    values = period_values(densities)
    for slot, value in ((_SLOTS.densities, values.densities), (_SLOTS.legend_html, values.legend_html)):
        placeholder = _TOJSON.render(value=slot)
        places = script.count(placeholder)
        if places != 1:
            raise ValueError(f"the drawing map's script has {places} places for {slot!r} instead of one")
        script = script.replace(placeholder, _TOJSON.render(value=value))
    return script


def _label_point(geojson: str) -> tuple[float, float]:
    point = shape(json.loads(geojson)).representative_point()
    return point.y, point.x


def _site_marker(site) -> folium.Marker:
    html = f'<div class="site-label"><span class="star">★</span> {html_text("Case management")}</div>'
    return folium.Marker(
        location=(site.lat, site.lon),
        icon=folium.DivIcon(html=html, icon_size=(0, 0)),
        tooltip=html_text(site.name),
    )


def _density_legend_rows(bins: list[float]) -> list[tuple[str, str, str]]:
    offset = len(DENSITY_COLOURS) - len(bins)
    rows, lower = [], 0.0
    for index, edge in enumerate(bins):
        rows.append((DENSITY_COLOURS[offset + index], f"{lower:,.1f}–{edge:,.1f}", "1px solid #8c8c8c"))
        lower = edge
    return rows


def planner_map(
    pilot_zone: pd.DataFrame,
    districts: pd.DataFrame,
    neighbourhoods: pd.DataFrame,
    site,
    large_type: bool = False,
) -> folium.Map:
    """The drawing map. ``neighbourhoods`` has ``name``, ``geojson``, ``is_candidate`` and
    ``eligible_per_year_km2`` (missing where a small count is hidden); ``site`` has lon, lat, name.
    ``large_type`` (projector mode) sets the legend, labels and tooltips a size larger.
    """
    period = period_values(neighbourhoods)
    return _drawing_map(pilot_zone, districts, neighbourhoods, site, large_type, period)


def planner_base_map(
    pilot_zone: pd.DataFrame,
    districts: pd.DataFrame,
    neighbourhoods: pd.DataFrame,
    site,
    large_type: bool = False,
) -> folium.Map:
    """``planner_map`` with stand-ins for everything the period changes: render it once and give
    each rerun's script its values with ``fill_period``. Only the outlines, names and candidate flags
    of ``neighbourhoods`` are used."""
    return _drawing_map(pilot_zone, districts, neighbourhoods, site, large_type, _SLOTS)


def _drawing_map(
    pilot_zone: pd.DataFrame,
    districts: pd.DataFrame,
    neighbourhoods: pd.DataFrame,
    site,
    large_type: bool,
    period: PeriodValues,
) -> folium.Map:
    folium_map = base_map(zoom=12, center=CITY_CENTRE)
    folium_map.get_root().header.add_child(Element(_PLANNER_CSS), name="planner_css")
    if large_type:
        folium_map.get_root().header.add_child(Element(_LARGE_TYPE_CSS), name="planner_large_type")
    _Densities(period.densities).add_to(folium_map)
    _density_layer(neighbourhoods).add_to(folium_map)
    outline_layer(districts, "Police districts (1959-2022)", DISTRICT_STYLE, tooltip=None).add_to(folium_map)
    candidates = neighbourhoods[neighbourhoods["is_candidate"]]
    if not candidates.empty:  # a tooltip on an empty layer makes folium raise
        candidate_group = folium.FeatureGroup(name="Candidates named by the program")
        outline_layer(candidates, "Candidates named by the program", CANDIDATE_STYLE).add_to(candidate_group)
        for row in candidates.itertuples():
            text_label(*_label_point(row.geojson), row.name, css_class="candidate-label").add_to(
                candidate_group
            )
        candidate_group.add_to(folium_map)
    outline_layer(pilot_zone, "LEAD pilot zone", PILOT_ZONE_STYLE).add_to(folium_map)
    _site_marker(site).add_to(folium_map)
    Draw(
        position="topleft",
        show_geometry_on_click=False,
        draw_options={
            "polyline": False,
            "circle": False,
            "circlemarker": False,
            "marker": False,
            "polygon": {"shapeOptions": PROPOSAL_STYLE, "showArea": False},
            "rectangle": {"shapeOptions": PROPOSAL_STYLE, "showArea": False},
        },
        edit_options={"edit": True, "remove": True},
    ).add_to(folium_map)
    FoldingLegend(period.legend_html).add_to(folium_map)
    folium.LayerControl(collapsed=True).add_to(folium_map)
    return use_local_assets(folium_map)


def picked_layer(geometry: BaseGeometry | None) -> folium.FeatureGroup:
    """The picked neighbourhoods' union, added to the drawing map without rebuilding it."""
    group = folium.FeatureGroup(name="Picked neighbourhoods")
    if geometry is not None and not geometry.is_empty:
        folium.GeoJson(
            {"type": "Feature", "properties": {}, "geometry": mapping(geometry)},
            style_function=lambda _feature: PROPOSAL_STYLE,
        ).add_to(group)
    return group


def _view_of(geometries: list[BaseGeometry]) -> dict:
    """Centre and zoom that show these areas (fitBounds misjudges a map whose frame is still sizing).

    >>> from shapely.geometry import box
    >>> _view_of([box(-76.62, 39.28, -76.60, 39.30)])
    {'center': (39.29, -76.61), 'zoom': 13}
    """
    if not geometries:
        return {"center": CITY_CENTRE, "zoom": 12}
    min_lon, min_lat, max_lon, max_lat = shapely.union_all(geometries).bounds
    extent = max(max_lon - min_lon, (max_lat - min_lat) * 1.3)  # a degree of latitude is longer here
    zoom = next((z for z, span in ((15, 0.012), (14, 0.025), (13, 0.05), (12, 0.1)) if extent <= span), 11)
    return {"center": (round((min_lat + max_lat) / 2, 6), round((min_lon + max_lon) / 2, 6)), "zoom": zoom}


def comparison_map(
    proposals: list[tuple[str, BaseGeometry]], pilot_zone: pd.DataFrame, districts: pd.DataFrame, site
) -> folium.Map:
    """Display-only map of up to four proposals in distinct colours and labelled, over the police
    districts, with the pilot zone and the case-management site."""
    folium_map = base_map(**_view_of([geometry for _, geometry in proposals]))
    folium_map.get_root().header.add_child(Element(_PLANNER_CSS), name="planner_css")
    outline_layer(districts, "Police districts (1959-2022)", DISTRICT_STYLE, tooltip=None).add_to(folium_map)
    outline_layer(pilot_zone, "LEAD pilot zone", PILOT_ZONE_STYLE).add_to(folium_map)
    legend_rows = [("rgba(178,24,43,0.25)", "LEAD pilot zone", "3px solid #b2182b")]
    for (name, geometry), colour in zip(proposals, COMPARISON_COLOURS, strict=False):
        style = {"color": colour, "weight": 4, "fillColor": colour, "fillOpacity": 0.2}
        # A saved proposal's name is anyone's text; Leaflet reads tooltips (and layer names) as HTML.
        shown = html_text(name, NAME_LIMIT)
        folium.GeoJson(
            {"type": "Feature", "properties": {"name": shown}, "geometry": mapping(geometry)},
            name=shown,
            style_function=lambda _feature, style=style: style,
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ).add_to(folium_map)
        legend_rows.append((colour, name, f"3px solid {colour}"))
        point = geometry.representative_point()
        text_label(point.y, point.x, name, css_class="candidate-label proposal-label").add_to(folium_map)
    _site_marker(site).add_to(folium_map)
    FoldingLegend(legend_html("Proposals", legend_rows), position="bottomright").add_to(folium_map)
    return use_local_assets(folium_map)
