"""Generalise polygon coverages (districts, neighbourhoods) into small, valid, shippable GeoJSON.

Neighbouring polygons share their edges, so each polygon is not simplified on its own (that opens
slivers between neighbours). Instead the shared linework is simplified once and the faces are put back
together, which keeps the coverage gap- and overlap-free and bounds the deviation by the tolerance.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import mapping

METRIC_CRS = "EPSG:26985"  # NAD83 / Maryland (metres): distances and areas for Baltimore
OUTPUT_CRS = "EPSG:4326"
TOLERANCE_M = 10.0
DECIMALS = 5  # about 1 m at Baltimore's latitude, well under the simplification tolerance
# a face is given to a source polygon only if that polygon covers most of it; the rest are the source's
# own tiny gaps, which stay gaps
_MIN_FACE_SHARE = 0.5


def simplify_coverage(gdf: gpd.GeoDataFrame, tolerance_m: float = TOLERANCE_M) -> gpd.GeoDataFrame:
    """Simplify a polygon coverage along its shared edges, in a metric CRS.

    Returns a copy of ``gdf`` (same rows, same CRS) whose geometries are simplified with
    Douglas-Peucker at ``tolerance_m`` metres. Neighbours keep identical shared edges, so no slivers
    appear, and every boundary moves by at most about ``tolerance_m``.

    >>> small = simplify_coverage(districts, tolerance_m=10)  # doctest: +SKIP
    """
    if gdf.crs is None:
        raise ValueError("simplify_coverage: the GeoDataFrame has no CRS")
    metric = gdf.to_crs(METRIC_CRS)
    polygons = metric.geometry.values

    # Node all boundaries together, then merge runs between junctions into single edges so that
    # simplification keeps every junction (where three or more polygons meet) in place.
    linework = shapely.line_merge(shapely.union_all(shapely.boundary(polygons)))
    # Topology-preserving simplification of the whole network stops edges from crossing each other.
    simplified_lines = shapely.simplify(linework, tolerance_m, preserve_topology=True)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(simplified_lines)))

    owner = _face_owners(faces, polygons)
    geometries = []
    for i in range(len(polygons)):
        mine = faces[owner == i]
        if len(mine) == 0:
            raise ValueError(f"simplify_coverage: row {i} lost all its area at {tolerance_m} m")
        geometries.append(shapely.union_all(mine))

    out = metric.copy()
    out.geometry = gpd.GeoSeries(geometries, index=metric.index, crs=METRIC_CRS)
    return out.to_crs(gdf.crs)


def _face_owners(faces: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    """Index of the source polygon covering most of each face, or -1 for faces in gaps."""
    tree = shapely.STRtree(polygons)
    face_idx, poly_idx = tree.query(faces, predicate="intersects")
    shared = shapely.area(shapely.intersection(faces[face_idx], polygons[poly_idx]))
    owner = np.full(len(faces), -1)
    best = np.zeros(len(faces))
    for f, p, a in zip(face_idx, poly_idx, shared, strict=True):
        if a > best[f]:
            best[f], owner[f] = a, p
    owner[best < _MIN_FACE_SHARE * shapely.area(faces)] = -1
    return owner


def round_coordinates(gdf: gpd.GeoDataFrame, decimals: int = DECIMALS) -> gpd.GeoDataFrame:
    """Snap geometries to a ``10**-decimals`` grid in their own CRS, keeping them valid.

    ``shapely.set_precision`` rebuilds polygons on the grid, so rounding cannot create
    self-intersections; any remaining invalidity is repaired with ``make_valid``.
    """
    grid = 10.0**-decimals
    snapped = shapely.set_precision(gdf.geometry.values, grid)
    snapped = np.where(shapely.is_valid(snapped), snapped, shapely.make_valid(snapped))
    if shapely.is_empty(snapped).any():
        raise ValueError(f"round_coordinates: a geometry vanished when snapped to {grid}")
    out = gdf.copy()
    out.geometry = gpd.GeoSeries(snapped, index=gdf.index, crs=gdf.crs)
    return out


def write_geojson(gdf: gpd.GeoDataFrame, path: Path, decimals: int = DECIMALS) -> int:
    """Write ``gdf`` (EPSG:4326) as compact GeoJSON with rounded coordinates; return the byte size.

    Written by hand rather than through GDAL so the output is byte-stable between runs (small git
    diffs) and carries exactly the given properties.
    """
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise ValueError(f"{path.name}: expected EPSG:4326, got {gdf.crs}")
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    features = []
    for row, geom in zip(gdf[columns].itertuples(index=False), gdf.geometry, strict=True):
        features.append(
            {
                "type": "Feature",
                "properties": dict(zip(columns, row, strict=True)),
                "geometry": _round_nested(mapping(geom), decimals),
            }
        )
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")
    return path.stat().st_size


def _round_nested(obj, decimals: int):
    """Round every float inside a GeoJSON geometry mapping (tuples become lists)."""
    if isinstance(obj, float):
        return round(obj, decimals)
    if isinstance(obj, dict):
        return {k: _round_nested(v, decimals) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_round_nested(v, decimals) for v in obj]
    return obj
