"""Maps of the expansion planner: the drawing map and the map of proposals being compared.

The drawing map carries Leaflet.draw (served locally, like Leaflet itself) restricted to polygons
and rectangles, over a choropleth of LEAD-eligible arrests per year and km² by neighbourhood, with
the named candidate neighbourhoods, the pilot zone, the police districts and the case-management
site for context. Its content depends only on the period's figures, so drawing does not rebuild it.

Only the choropleth's colours and tooltips and the legend change with the period. So the map is
rendered once with placeholders there (``planner_base_map``, cached by the page through ``ui.maps``)
and each rerun fills in the period's values as text (``fill_period``): the browser gets exactly what
``st_folium`` would send for the map drawn with those values, without folium rendering a few hundred
outlines again. Colours, lines and legend texts are the map description's (``geo.map_style``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import folium
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement, Template
from folium.plugins import Draw
from folium.utilities import JsCode
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from domain.safe_text import NAME_LIMIT, html_text
from geo.layers import (
    Legend,
    StaticElement,
    add_label_styles,
    css_colour,
    feature_collection,
    label_class,
    legend_row,
    outline_layer,
    path_style,
    text_label,
)
from geo.layers import legend_html as _legend_html
from geo.map_style import ARREST_DENSITY, COMPARISON_COLOURS, KEY_EDGE, LAYERS, SITE_MARK, comparison_style
from geo.offline_map import base_map, use_local_assets

PICKED = LAYERS["picked_area"]  # the area being drawn or picked
PROPOSAL_COLOUR = PICKED.stroke
PROPOSAL_STYLE = path_style(PICKED)
SITE = LAYERS["site"]
CITY_CENTRE = (39.297, -76.615)  # downtown, slightly north: the city's dense core fills the frame at zoom 12
DISTRICTS_NAME = LAYERS["districts"].title + " (1959–2022)"
# The neighbourhoods' own outline, filled by the period's density (fillColor comes per period).
DENSITY_STYLE = {**path_style(LAYERS["neighbourhoods"]), "fillOpacity": ARREST_DENSITY.fill_opacity}

_PLANNER_CSS = f"""
<style>
  .site-label {{ white-space: nowrap; font: bold 14px sans-serif; color: {SITE.label};
                transform: translate(-9px, -12px); }}
  .site-label .star {{ color: {SITE.stroke}; font-size: 22px; vertical-align: middle; }}
  .leaflet-container {{ font-size: 14px; }}
</style>
"""


# Projector mode: everything written on the map a size up, for the back of a meeting room.
_LARGE_TYPE_CSS = """
<style>
  .leaflet-container .lead-legend.folding { font-size: 18px; max-width: 280px; }
  .leaflet-container .lead-legend.folding .swatch { width: 24px; height: 14px; }
  .leaflet-container .map-label, .leaflet-container .site-label { font-size: 18px; }
  .leaflet-container .leaflet-tooltip { font-size: 18px; }
</style>
"""


def legend_html(title: str, items: list[tuple[str, str, str]]) -> str:
    """A folding legend's content: rows of (fill colour, label, border) under a title that folds them."""
    return _legend_html(title, items, folding=True)


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
    + json.dumps([ARREST_DENSITY.no_data, ARREST_DENSITY.hidden_tooltip])
    + ";\n"
    "    feature.properties.density_text = shown[1];\n"
    "    layer.setStyle({fillColor: shown[0]});\n"
    # Chromium makes an SVG shape a Tab stop once Leaflet listens for its focus (to show its tooltip):
    # 278 stops before anything after the map. Each density is in the map's table instead.
    "    layer.on('add', function () { layer.getElement().setAttribute('tabindex', '-1'); });\n"
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


def density_bins(values: pd.Series, classes: int = len(ARREST_DENSITY.colours)) -> list[float]:
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
    colours = ARREST_DENSITY.colours
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return ARREST_DENSITY.no_data
    if value <= 0 or not bins:
        return colours[0]
    offset = len(colours) - len(bins)
    for index, edge in enumerate(bins):
        if value <= edge:
            return colours[offset + index]
    return colours[-1]


def _density_layer(neighbourhoods: pd.DataFrame) -> folium.GeoJson:
    """The neighbourhood outlines, coloured and labelled from ``plannerDensity`` (``_Densities``).

    ``name`` is the key into ``plannerDensity``; the tooltip (HTML to Leaflet) shows ``label``, the
    name escaped."""
    labels = [html_text(name, NAME_LIMIT) for name in neighbourhoods["name"]]
    return folium.GeoJson(
        feature_collection(
            neighbourhoods.assign(label=labels, density_text=None), ["name", "label", "density_text"]
        ),
        name=ARREST_DENSITY.title,
        style_function=lambda _feature: DENSITY_STYLE,
        on_each_feature=_DENSITY_PER_FEATURE,
        tooltip=folium.GeoJsonTooltip(fields=["label", "density_text"], labels=False),
    )


def period_values(densities: pd.DataFrame) -> PeriodValues:
    """Fill colours, tooltip texts and legend from each neighbourhood's ``name`` and
    ``eligible_per_year_km2`` (missing where a small count is hidden).

    >>> frame = pd.DataFrame({"name": ["A", "B"], "eligible_per_year_km2": [3.0, None]})
    >>> period_values(frame).densities["A"][1]
    '3.0 eligible arrests / year / km²'
    >>> period_values(frame).densities["A"][0] == ARREST_DENSITY.colours[-1]
    True
    """
    values = densities["eligible_per_year_km2"]
    bins = density_bins(values)
    by_name = {  # the text is a tooltip's, which Leaflet reads as HTML
        name: [
            _colour_for(value, bins),
            html_text(
                ARREST_DENSITY.hidden_tooltip
                if pd.isna(value)
                else f"{value:,.1f} eligible arrests / year / km²"
            ),
        ]
        for name, value in zip(densities["name"], values, strict=True)
    }
    hidden = (_swatch(ARREST_DENSITY.no_data), ARREST_DENSITY.hidden_legend, f"1px solid {KEY_EDGE}")
    legend = legend_html(
        ARREST_DENSITY.unit,
        [
            *_density_legend_rows(bins),
            hidden,
            *(legend_row(LAYERS[key]) for key in ("candidates", "pilot_zone", "picked_area", "site")),
        ],
    )
    return PeriodValues(densities=by_name, legend_html=legend)


def density_table(densities: pd.DataFrame) -> pd.DataFrame:
    """The drawing map as a table (its text alternative): each neighbourhood, whether it is a named
    candidate, its density and the legend class it is drawn in, densest first. Built from the same
    masked densities as the map's colours (``planning.tables.neighbourhood_densities``): a density
    hidden on the map is hidden here.

    >>> frame = pd.DataFrame({"name": ["A", "B"], "is_candidate": [True, False],
    ...                       "eligible_per_year_km2": [3.0, None]})
    >>> density_table(frame).iloc[1].tolist() == ["B", "no", "—", ARREST_DENSITY.hidden_legend]
    True
    """
    values = densities["eligible_per_year_km2"]
    bins = density_bins(values)
    words = {colour: text for colour, text, _ in _density_legend_rows(bins, by_colour=True)}
    frame = pd.DataFrame(
        {
            "Neighbourhood": densities["name"].tolist(),
            LAYERS["candidates"].legend: ["yes" if flag else "no" for flag in densities["is_candidate"]],
            ARREST_DENSITY.unit: ["—" if pd.isna(value) else f"{value:,.1f}" for value in values],
            "Legend class": [
                ARREST_DENSITY.hidden_legend if pd.isna(value) else words.get(_colour_for(value, bins), "0.0")
                for value in values
            ],
            "_order": [-1.0 if pd.isna(value) else float(value) for value in values],
        }
    )
    frame = frame.sort_values(["_order", "Neighbourhood"], ascending=[False, True], kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)


DENSITY_TABLE_NOTE = (
    "The densities the map's neighbourhoods are filled by, for the period shown; the legend class is "
    "the fill's range. Where a count is hidden on the map it is hidden here too."
)


def drawing_map_description(densities: pd.DataFrame, period: str) -> str:
    """What the drawing map shows, in one paragraph (read before its table)."""
    values = densities["eligible_per_year_km2"]
    classes = [text for _, text, _ in _density_legend_rows(density_bins(values))]
    candidates = ", ".join(densities.loc[densities["is_candidate"], "name"].map(str))
    return (
        f"Map of Baltimore's {len(densities):,} neighbourhoods, {period}, each filled by its "
        f"{ARREST_DENSITY.unit.lower()}, in {len(classes)} classes ({'; '.join(classes) or 'none'}), "
        f"{int(values.isna().sum()):,} hidden. Outlined on it: the police districts, the LEAD pilot "
        f"zone, the case-management site and the named expansion candidates ({candidates or 'none'}). "
        "Draw an area on the map, or pick neighbourhoods above it, to make a proposal."
    )


def fill_period(script: str, densities: pd.DataFrame) -> str:
    """The script of ``planner_base_map`` with the period's values (``period_values(densities)``) in
    place of the stand-ins: the same text the map renders to when drawn with those values."""
    values = period_values(densities)
    for slot, value in ((_SLOTS.densities, values.densities), (_SLOTS.legend_html, values.legend_html)):
        placeholder = _TOJSON.render(value=slot)
        places = script.count(placeholder)
        if places == 0 and slot == _SLOTS.legend_html and _SLOTS.densities not in script:
            continue  # a map drawn with its legend beside it (``legend=False``) has no place for one
        if places != 1:
            raise ValueError(f"the drawing map's script has {places} places for {slot!r} instead of one")
        script = script.replace(placeholder, _TOJSON.render(value=value))
    return script


def _label_point(geojson: str) -> tuple[float, float]:
    point = shape(json.loads(geojson)).representative_point()
    return point.y, point.x


def _site_marker(site) -> folium.Marker:
    html = f'<div class="site-label"><span class="star">{SITE_MARK}</span> {html_text(SITE.title)}</div>'
    return folium.Marker(
        location=(site.lat, site.lon),
        icon=folium.DivIcon(html=html, icon_size=(0, 0)),
        tooltip=html_text(site.name),
        keyboard=False,  # its name is written beside the star, and in the legend and the map's table
    )


def _swatch(colour: str) -> str:
    """A density class's swatch: its colour as the map fills it."""
    return css_colour(colour, ARREST_DENSITY.fill_opacity)


def _density_legend_rows(bins: list[float], by_colour: bool = False) -> list[tuple[str, str, str]]:
    """(swatch, words, border) per density class; ``by_colour``: the class's colour in place of its
    swatch (to name the class a value is drawn in)."""
    colours = ARREST_DENSITY.colours
    offset = len(colours) - len(bins)
    rows, lower = [], 0.0
    for index, edge in enumerate(bins):
        colour = colours[offset + index]
        swatch = colour if by_colour else _swatch(colour)
        rows.append((swatch, f"{lower:,.1f}–{edge:,.1f}", f"1px solid {KEY_EDGE}"))
        lower = edge
    return rows


def planner_base_map(
    pilot_zone: pd.DataFrame,
    districts: pd.DataFrame,
    neighbourhoods: pd.DataFrame,
    site,
    large_type: bool = False,
    legend: bool = True,
) -> folium.Map:
    """The drawing map. ``neighbourhoods`` has ``name``, ``geojson`` and ``is_candidate``; ``site`` has
    lon, lat, name. ``large_type`` (projector mode) sets the legend, labels and tooltips a size larger.
    ``legend=False``: no legend on the map (the page draws ``period_values(...).legend_html`` beside
    it, where it covers no candidate area).

    Everything the period changes is a stand-in: render the map once and give each rerun's script the
    period's figures with ``fill_period``."""
    return _drawing_map(pilot_zone, districts, neighbourhoods, site, large_type, _SLOTS, legend)


def _drawing_map(
    pilot_zone: pd.DataFrame,
    districts: pd.DataFrame,
    neighbourhoods: pd.DataFrame,
    site,
    large_type: bool,
    period: PeriodValues,
    legend: bool = True,
) -> folium.Map:
    folium_map = base_map(zoom=12, center=CITY_CENTRE)
    _planner_styles(folium_map)
    if large_type:
        folium_map.get_root().header.add_child(StaticElement(_LARGE_TYPE_CSS), name="planner_large_type")
    _Densities(period.densities).add_to(folium_map)
    _density_layer(neighbourhoods).add_to(folium_map)
    outline_layer(districts, DISTRICTS_NAME, LAYERS["districts"], tooltip=None).add_to(folium_map)
    candidates = neighbourhoods[neighbourhoods["is_candidate"]]
    if not candidates.empty:  # a tooltip on an empty layer makes folium raise
        style = LAYERS["candidates"]
        candidate_group = folium.FeatureGroup(name=style.title)
        outline_layer(candidates, style.title, style).add_to(candidate_group)
        for row in candidates.itertuples():
            text_label(*_label_point(row.geojson), row.name, label_class("candidates")).add_to(
                candidate_group
            )
        candidate_group.add_to(folium_map)
    outline_layer(pilot_zone, LAYERS["pilot_zone"].title, LAYERS["pilot_zone"]).add_to(folium_map)
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
    if legend:
        Legend(html=period.legend_html, position="bottomleft", folding=True).add_to(folium_map)
    folium.LayerControl(collapsed=True).add_to(folium_map)
    return use_local_assets(folium_map)


def _planner_styles(folium_map: folium.Map) -> None:
    add_label_styles(folium_map)
    folium_map.get_root().header.add_child(StaticElement(_PLANNER_CSS), name="planner_css")


def picked_layer(geometry: BaseGeometry | None) -> folium.FeatureGroup:
    """The picked neighbourhoods' union, added to the drawing map without rebuilding it."""
    group = folium.FeatureGroup(name=PICKED.title)
    if geometry is not None and not geometry.is_empty:
        folium.GeoJson(
            {"type": "Feature", "properties": {}, "geometry": mapping(geometry)},
            style_function=lambda _feature: PROPOSAL_STYLE,
        ).add_to(group)
    return group


MAX_COMPARED = len(COMPARISON_COLOURS)


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


def comparison_legend_html(names: list[str]) -> str:
    """The comparison map's legend: the pilot zone, then each proposal in its colour, by name."""
    rows = [legend_row(LAYERS["pilot_zone"])]
    shown = enumerate(names[:MAX_COMPARED])
    rows += [legend_row(comparison_style(index), name=name) for index, name in shown]
    return legend_html("Proposals", rows)


def comparison_map(
    proposals: list[tuple[str, BaseGeometry]],
    pilot_zone: pd.DataFrame,
    districts: pd.DataFrame,
    site,
    legend: bool = True,
) -> folium.Map:
    """Display-only map of up to four proposals in distinct colours and labelled, over the police
    districts, with the pilot zone and the case-management site. ``legend=False``: the page draws
    ``comparison_legend_html`` beside it."""
    folium_map = base_map(**_view_of([geometry for _, geometry in proposals]))
    _planner_styles(folium_map)
    outline_layer(districts, DISTRICTS_NAME, LAYERS["districts"], tooltip=None).add_to(folium_map)
    outline_layer(pilot_zone, LAYERS["pilot_zone"].title, LAYERS["pilot_zone"]).add_to(folium_map)
    for index, (name, geometry) in enumerate(proposals[:MAX_COMPARED]):
        style = path_style(comparison_style(index))
        # A saved proposal's name is anyone's text; Leaflet reads tooltips (and layer names) as HTML.
        shown = html_text(name, NAME_LIMIT)
        folium.GeoJson(
            {"type": "Feature", "properties": {"name": shown}, "geometry": mapping(geometry)},
            name=shown,
            style_function=lambda _feature, style=style: style,
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ).add_to(folium_map)
        point = geometry.representative_point()
        text_label(point.y, point.x, name, css_class=label_class("comparison")).add_to(folium_map)
    _site_marker(site).add_to(folium_map)
    if legend:
        names = [name for name, _ in proposals]
        Legend(html=comparison_legend_html(names), position="bottomright", folding=True).add_to(folium_map)
    return use_local_assets(folium_map)
