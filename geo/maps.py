"""Whole maps assembled from query results, ready for ``st_folium``."""

from __future__ import annotations

import json

import folium
import pandas as pd
from shapely.geometry import shape

from geo.layers import (
    CENTRAL_STYLE,
    DISTRICT_STYLE,
    PILOT_ZONE_STYLE,
    Legend,
    outline_layer,
    text_label,
)
from geo.offline_map import base_map, use_local_assets

CENTRAL_AREA_ID = "district:1959-2022:Central"


def _label_point(geojson: str) -> tuple[float, float]:
    point = shape(json.loads(geojson)).representative_point()
    return point.y, point.x


def overview_map(pilot_zone: pd.DataFrame, districts: pd.DataFrame) -> folium.Map:
    """The pilot zone inside the Central District (1959-2022), other districts as light context."""
    folium_map = base_map(zoom=14)
    others = districts[districts["area_id"] != CENTRAL_AREA_ID]
    central = districts[districts["area_id"] == CENTRAL_AREA_ID]
    outline_layer(others, "Other police districts (1959-2022)", DISTRICT_STYLE).add_to(folium_map)
    outline_layer(central, "Central District (1959-2022)", CENTRAL_STYLE).add_to(folium_map)
    outline_layer(pilot_zone, "LEAD pilot zone", PILOT_ZONE_STYLE).add_to(folium_map)
    for row in pilot_zone.itertuples():
        text_label(*_label_point(row.geojson), "LEAD pilot zone").add_to(folium_map)
    for row in districts.itertuples():
        lat, lon = _label_point(row.geojson)
        text_label(lat, lon, f"{row.name} District", css_class="map-label district-label").add_to(folium_map)
    Legend(
        "Boundaries",
        [
            ("rgba(178,24,43,0.25)", "LEAD pilot zone", "3px solid #b2182b"),
            ("transparent", "Central District", "3px dashed #08306b"),
            ("transparent", "Other districts", "2px solid #6b7785"),
        ],
    ).add_to(folium_map)
    folium.LayerControl(collapsed=True).add_to(folium_map)
    if not central.empty:
        min_lon, min_lat, max_lon, max_lat = shape(json.loads(central.iloc[0]["geojson"])).bounds
        folium_map.fit_bounds([(min_lat, min_lon), (max_lat, max_lon)])
    return use_local_assets(folium_map)
