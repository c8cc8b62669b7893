"""Proposed expansion areas: checking and repairing drawn geometry, measuring it, exporting it.

A proposal is a polygon (or several) in EPSG:4326, drawn on the planner map or built from picked
neighbourhoods. ``check_proposal`` turns whatever arrived into a usable area or a ``ProposalError``
whose message can be shown as it is: repairs it can make (a self-crossing outline, parts outside the
city) are made and reported; drawings it cannot use (nothing polygonal, outside the city, too small,
city-sized) are refused with the reason.

>>> from shapely.geometry import box
>>> city = box(-76.72, 39.19, -76.52, 39.38)
>>> checked = check_proposal(box(-76.63, 39.28, -76.61, 39.29), city)
>>> round(checked.area_km2, 2), checked.notes
(1.92, ())
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity, make_valid

# GRS 1980, the ellipsoid of NAD83 / Maryland (EPSG:26985), in which the boundary areas are measured.
_SEMI_MAJOR_M = 6_378_137.0
_ECCENTRICITY = math.sqrt(0.00669438002290)
# Smaller than about three downtown blocks: too small to plan a program around, and a drawing that
# small could single out a handful of addresses.
MIN_AREA_KM2 = 0.05
# A proposal covering more than half the city is not a neighbourhood expansion; the city-wide figures
# are on the overview page.
MAX_CITY_SHARE = 0.5
# Parts outside the city smaller than this share of the drawing are slivers along the edge, not worth a note.
OUTSIDE_NOTE_SHARE = 0.01


class ProposalError(ValueError):
    """A drawing that cannot be used as a proposal; the message is written for the person drawing."""


@dataclass(frozen=True)
class CheckedProposal:
    geometry: Polygon | MultiPolygon  # EPSG:4326, valid, inside the city
    area_km2: float
    notes: tuple[str, ...]  # repairs made, in plain words


def area_km2(geometry: BaseGeometry) -> float:
    """Area of a lon/lat geometry in square kilometres, on the GRS 1980 ellipsoid.

    Measured in Lambert's cylindrical equal-area projection of the ellipsoid, which keeps every area
    exactly (pure numpy: no pyproj or geopandas in the app); within 0.02 % of the Maryland state plane
    (EPSG:26985) over the city.

    >>> from shapely.geometry import box
    >>> round(area_km2(box(-76.62, 39.28, -76.61, 39.29)), 3)
    0.958
    """
    if geometry is None or geometry.is_empty:
        return 0.0
    return float(shapely.transform(geometry, _equal_area_metres).area) / 1e6


def _equal_area_metres(lon_lat: np.ndarray) -> np.ndarray:
    """Lambert cylindrical equal-area (true scale at the equator) of lon/lat pairs, in metres:
    x = a·λ, y = a·q(φ)/2 with q the authalic function of the ellipsoid (Snyder, Map Projections: A
    Working Manual, 1987, eq. 3-12 and 10-15)."""
    e = _ECCENTRICITY
    sin_lat = np.sin(np.radians(lon_lat[:, 1]))
    q = (1 - e * e) * (
        sin_lat / (1 - (e * sin_lat) ** 2) - np.log((1 - e * sin_lat) / (1 + e * sin_lat)) / (2 * e)
    )
    return np.column_stack((_SEMI_MAJOR_M * np.radians(lon_lat[:, 0]), _SEMI_MAJOR_M * q / 2))


def geometry_from_drawings(features: list[dict] | None) -> BaseGeometry | None:
    """The union of the polygons drawn on the map (GeoJSON features from Leaflet.draw), or None.

    Lines and markers have no area and are skipped here; ``check_proposal`` says so when nothing
    else is left.
    """
    if not features:
        return None
    shapes = []
    for feature in features:
        geometry = (feature or {}).get("geometry") if isinstance(feature, dict) else None
        if not geometry:
            continue
        try:
            shapes.append(shape(geometry))
        except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.GEOSException) as error:
            raise ProposalError(
                f"A drawn shape could not be read ({error}). Delete it and draw again."
            ) from error
    if not shapes:
        return None
    polygons = [s for s in shapes if s.geom_type in ("Polygon", "MultiPolygon")]
    if not polygons:
        return shapes[0]  # a line or point: check_proposal explains why it cannot be used
    return polygons[0] if len(polygons) == 1 else _union(polygons)


def union_of_areas(geojson_texts: list[str]) -> BaseGeometry | None:
    """The union of area outlines given as GeoJSON geometry text (picked neighbourhoods), or None."""
    shapes = [shape(json.loads(text)) for text in geojson_texts if text]
    if not shapes:
        return None
    return _union(shapes)


def _union(shapes: list[BaseGeometry]) -> BaseGeometry:
    # make_valid first: a self-crossing drawing makes unary_union raise a GEOS TopologyException.
    return shapely.union_all([s if s.is_valid else make_valid(s) for s in shapes])


def _polygonal_part(geometry: BaseGeometry) -> Polygon | MultiPolygon | None:
    """The polygons in ``geometry`` (make_valid can return a collection with stray lines)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return None if geometry.is_empty else geometry
    if geometry.geom_type == "GeometryCollection":
        parts = [_polygonal_part(part) for part in geometry.geoms]
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        merged = shapely.union_all(parts)
        return merged if merged.geom_type in ("Polygon", "MultiPolygon") and not merged.is_empty else None
    return None


def _coordinates_ok(geometry: BaseGeometry) -> bool:
    coords = shapely.get_coordinates(geometry)
    if len(coords) == 0:
        return False
    return bool(
        all(math.isfinite(v) for v in coords.ravel())
        and (abs(coords[:, 0]) <= 180).all()
        and (abs(coords[:, 1]) <= 90).all()
    )


def check_proposal(
    geometry: BaseGeometry | None,
    city: BaseGeometry,
    min_area_km2: float = MIN_AREA_KM2,
    max_city_share: float = MAX_CITY_SHARE,
) -> CheckedProposal:
    """Validate, repair and measure a proposed area; raise ``ProposalError`` with the reason if unusable.

    ``city`` is the city outline (EPSG:4326). Repairs, each reported in ``notes``: a self-crossing
    outline is made valid (split where it crosses); parts outside the city are cut off.
    """
    if geometry is None or geometry.is_empty:
        raise ProposalError("Nothing is drawn yet: use the polygon or rectangle tool on the map.")
    if geometry.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        raise ProposalError(
            f"A {geometry.geom_type.lower()} has no area: draw a polygon or rectangle around the area "
            "instead."
        )
    if not _coordinates_ok(geometry):
        raise ProposalError(
            "The drawing has coordinates that are not longitude/latitude. Delete it and draw again."
        )

    notes: list[str] = []
    if not geometry.is_valid:
        reason = explain_validity(geometry)
        repaired = _polygonal_part(make_valid(geometry))
        if repaired is None or area_km2(repaired) == 0:
            raise ProposalError(
                f"The outline could not be repaired ({reason}). Delete it and draw it again without "
                "crossing lines."
            )
        parts = len(getattr(repaired, "geoms", [repaired]))
        notes.append(
            "The outline crossed itself; it was repaired by splitting it where the lines cross "
            f"({parts} part{'s' if parts != 1 else ''})."
        )
        geometry = repaired
    else:
        polygonal = _polygonal_part(geometry)
        if polygonal is None:
            raise ProposalError("The drawing has no area: draw a polygon or rectangle around the area.")
        geometry = polygonal

    drawn_km2 = area_km2(geometry)
    if not city.covers(geometry):
        inside = _polygonal_part(geometry.intersection(city))
        if inside is None or area_km2(inside) == 0:
            raise ProposalError(
                "The drawing lies outside Baltimore City. Draw the proposed area inside the city limits."
            )
        outside_km2 = drawn_km2 - area_km2(inside)
        if drawn_km2 > 0 and outside_km2 / drawn_km2 >= OUTSIDE_NOTE_SHARE:
            notes.append(f"{outside_km2:.2f} km² outside the city's land (water or county) was left out.")
        geometry = inside

    size = area_km2(geometry)
    if size < min_area_km2:
        raise ProposalError(
            f"The area is {size:.3f} km², smaller than the {min_area_km2:g} km² minimum "
            "(about three downtown blocks). Draw a larger area."
        )
    city_km2 = area_km2(city)
    if city_km2 > 0 and size > max_city_share * city_km2:
        raise ProposalError(
            f"The area is {size:.0f} km², {size / city_km2:.0%} of the city. The planner is for "
            f"neighbourhood-scale expansion (at most {max_city_share:.0%} of the city); city-wide "
            "figures are on the Overview page."
        )
    return CheckedProposal(geometry=geometry, area_km2=size, notes=tuple(notes))


def to_geojson_text(geometry: BaseGeometry) -> str:
    """Compact GeoJSON geometry text (full float precision) for a query parameter."""
    return json.dumps(mapping(geometry), separators=(",", ":"))


def from_wkb_hex(wkb_hex: str) -> BaseGeometry:
    """A geometry from hex WKB, the exact form the database returns (``st_ashexwkb``)."""
    return shapely.from_wkb(bytes.fromhex(wkb_hex))


def feature_collection(rows: list[tuple[BaseGeometry, dict]]) -> str:
    """A GeoJSON FeatureCollection (text) of (geometry, properties) pairs, for download.

    >>> from shapely.geometry import box
    >>> json.loads(feature_collection([(box(0, 0, 1, 1), {"name": "a"})]))["features"][0]["properties"]
    {'name': 'a'}
    """
    features = [
        {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}
        for geometry, properties in rows
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, indent=1, default=str)
