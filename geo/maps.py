"""The Overview's interactive map, assembled from query results, ready for ``st_folium``."""

from __future__ import annotations

import json

import folium
import pandas as pd
from shapely.geometry import shape

from geo.layers import Legend, add_label_styles, label_class, legend_row, outline_layer, text_label
from geo.map_style import LAYERS, LEGEND_ORDER
from geo.offline_map import base_map, use_local_assets

CENTRAL_AREA_ID = "district:1959-2022:Central"
EDITION = "1959–2022"  # the Overview's districts: as drawn in the LEAD era
_DRAWN = ("districts", "central_district", "pilot_zone")  # bottom to top, as geo.map_style orders them


def _label_point(geojson: str) -> tuple[float, float]:
    point = shape(json.loads(geojson)).representative_point()
    return point.y, point.x


def overview_map(pilot_zone: pd.DataFrame, districts: pd.DataFrame) -> folium.Map:
    """The pilot zone inside the Central District (1959-2022), other districts as light context."""
    folium_map = base_map(zoom=14)
    add_label_styles(folium_map)
    central = districts["area_id"] == CENTRAL_AREA_ID
    frames = {
        "districts": districts[~central],
        "central_district": districts[central],
        "pilot_zone": pilot_zone,
    }
    for key in _DRAWN:
        style = LAYERS[key]
        name = f"{style.legend_text(edition=EDITION)}" if key != "pilot_zone" else style.title
        outline_layer(frames[key], name, style).add_to(folium_map)
    for row in pilot_zone.itertuples():
        text_label(*_label_point(row.geojson), LAYERS["pilot_zone"].title, label_class("pilot_zone")).add_to(
            folium_map
        )
    for key in ("districts", "central_district"):
        for row in frames[key].itertuples():
            lat, lon = _label_point(row.geojson)
            text_label(lat, lon, f"{row.name} District", css_class=label_class(key)).add_to(folium_map)
    rows = [legend_row(LAYERS[key]) for key in LEGEND_ORDER if key in _DRAWN]
    Legend("Boundaries", rows).add_to(folium_map)
    folium.LayerControl(collapsed=True).add_to(folium_map)
    if central.any():
        min_lon, min_lat, max_lon, max_lat = shape(json.loads(districts[central].iloc[0]["geojson"])).bounds
        folium_map.fit_bounds([(min_lat, min_lon), (max_lat, max_lon)])
    return use_local_assets(folium_map)
