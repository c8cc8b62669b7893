"""The LEAD pilot zone, built from Baltimore City DOT street centrelines.

The program describes the zone as "Franklin St to Pratt St, St. Paul St to Martin Luther King Jr Blvd".
The east side is St. Paul St (St. Paul Pl where it splits around Preston Gardens) north of Baltimore St
and Light St south of it. MLK Jr Blvd curves, so the zone follows its centreline rather than joining
four corners with straight lines.

MLK Jr Blvd and St. Paul Pl are divided roads whose carriageways run up to ~55 m apart. Each side of
the zone is therefore the road's *axis*: halfway between its outermost carriageway centrelines, which
for an undivided street is the centreline itself. Sampling the axis across the road, rather than
polygonizing the carriageways, also sidesteps the median faces and the gap where Franklin St stops
at one carriageway of St. Paul Pl and restarts at the other.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString, Point

METRIC_CRS = "EPSG:26985"  # NAD83 / Maryland, metres
ZONE_NAME = "LEAD pilot zone"
STREETS_SOURCE = "street_centerlines_downtown/streets_downtown.geojson"

# side -> (label shipped in boundary_streets.geojson, DOT `fullname` values, direction the road runs)
BOUNDARY_STREETS = {
    "north": ("Franklin St", ("W FRANKLIN ST", "E FRANKLIN ST"), "east-west"),
    "south": ("Pratt St", ("W PRATT ST", "E PRATT ST"), "east-west"),
    "east": ("St. Paul St / Light St", ("SAINT PAUL ST", "SAINT PAUL PL", "LIGHT ST"), "north-south"),
    "west": (
        "MLK Jr Blvd",
        ("N MARTIN LUTHER KING JR BLVD", "S MARTIN LUTHER KING JR BLVD"),
        "north-south",
    ),
}
# Ramps and alleys share the street names but are not the roadway that bounds the zone.
ROAD_SUBTYPE = "Paved Road"

# Corners from City DOT named intersections (mean of the points where a divided road gives several),
# WGS84 lon/lat. They set the working window and are checked against the result; the geometry itself
# comes from the centrelines.
CORNERS = {
    "NW": (-76.627981, 39.294634),  # Franklin St & MLK Jr Blvd
    "NE": (-76.613991, 39.295156),  # Franklin St & St. Paul Pl
    "SE": (-76.613559, 39.286557),  # Pratt St & Light St
    "SW": (-76.627474, 39.285986),  # Pratt St & MLK Jr Blvd
}
WINDOW_MARGIN_M = 200.0  # streets are read this far beyond the corners
AXIS_OVERSHOOT_M = 100.0  # axes run this far past the corners so that neighbouring sides cross
SAMPLE_STEP_M = 2.0  # spacing of the cross-sections that locate each road's axis
SMOOTH_M = 1.0  # drop sampling noise; far below the 5-decimal (~1 m) output precision
CORNER_TOLERANCE_M = 25.0  # a built corner must be this close to the DOT intersection
CONTEXT_BUFFER_M = 80.0  # boundary_streets.geojson shows the streets this far beyond the zone


def load_boundary_streets(path: Path) -> gpd.GeoDataFrame:
    """Read the DOT centrelines of the four boundary streets near the zone, in ``METRIC_CRS``.

    Returns one row per centreline segment with columns ``side``, ``name`` and ``geometry``.

    >>> streets = load_boundary_streets(Path("../shared/data/real") / STREETS_SOURCE)  # doctest: +SKIP
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: street centrelines not found")
    raw = gpd.read_file(path)
    missing = {"fullname", "subtype_label"} - set(raw.columns)
    if missing:
        raise ValueError(f"{path.name}: columns {sorted(missing)} missing (found: {list(raw.columns)})")
    window = _corner_window()
    raw = raw.to_crs(METRIC_CRS)
    raw = raw[(raw["subtype_label"] == ROAD_SUBTYPE) & raw.intersects(window)]

    side_of = {name: side for side, (_, fullnames, _) in BOUNDARY_STREETS.items() for name in fullnames}
    raw = raw[raw["fullname"].isin(side_of)]
    streets = gpd.GeoDataFrame(
        {"side": raw["fullname"].map(side_of).values},
        geometry=raw.geometry.intersection(window).values,
        crs=METRIC_CRS,
    )
    streets.insert(1, "name", streets["side"].map({side: spec[0] for side, spec in BOUNDARY_STREETS.items()}))
    for side, (_, fullnames, _) in BOUNDARY_STREETS.items():
        if not (streets["side"] == side).any():
            raise ValueError(f"{path.name}: no centrelines named {fullnames} near the pilot zone")
    return streets


def build_pilot_zone(streets: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Polygon enclosed by the four boundary streets' axes, as a one-row GeoDataFrame in EPSG:4326.

    ``streets`` is the output of :func:`load_boundary_streets`.
    """
    corners = corner_points()
    axes = [road_axis(streets, side) for side in BOUNDARY_STREETS]
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.union_all(axes))))
    inside = Point(np.mean([(p.x, p.y) for p in corners.values()], axis=0))
    containing = [f for f in faces if f.contains(inside)]
    if len(containing) != 1:
        raise ValueError(f"pilot zone: {len(containing)} faces contain the zone centre, expected 1")
    zone = shapely.simplify(containing[0], SMOOTH_M)

    for corner, point in corners.items():
        gap = shapely.distance(point, shapely.MultiPoint(shapely.get_coordinates(zone.exterior)))
        if gap > CORNER_TOLERANCE_M:
            raise ValueError(f"pilot zone: no vertex within {CORNER_TOLERANCE_M} m of {corner} ({gap:.0f} m)")

    return gpd.GeoDataFrame({"name": [ZONE_NAME]}, geometry=[zone], crs=METRIC_CRS).to_crs("EPSG:4326")


def road_axis(streets: gpd.GeoDataFrame, side: str) -> LineString:
    """Line halfway between the outermost carriageways of one boundary street, in ``METRIC_CRS``.

    The road is cut by cross-sections every ``SAMPLE_STEP_M`` (horizontal lines for a north-south
    road, vertical ones for an east-west road); the axis passes through the midpoint of the outermost
    crossings of each. Cross-sections that miss the road (a gap in the data) are skipped and the axis
    bridges them in a straight line.
    """
    _, _, direction = BOUNDARY_STREETS[side]
    lines = shapely.union_all(streets.loc[streets["side"] == side].geometry.values)
    corners = np.array([(p.x, p.y) for p in corner_points().values()])
    (xmin, ymin), (xmax, ymax) = corners.min(axis=0), corners.max(axis=0)
    across = 0 if direction == "north-south" else 1  # the coordinate that varies across the road
    lo, hi = (ymin, ymax) if direction == "north-south" else (xmin, xmax)
    stations = np.arange(lo - AXIS_OVERSHOOT_M, hi + AXIS_OVERSHOOT_M + SAMPLE_STEP_M, SAMPLE_STEP_M)

    span = (xmin - WINDOW_MARGIN_M, xmax + WINDOW_MARGIN_M, ymin - WINDOW_MARGIN_M, ymax + WINDOW_MARGIN_M)
    if direction == "north-south":
        cuts = [LineString([(span[0], s), (span[1], s)]) for s in stations]
    else:
        cuts = [LineString([(s, span[2]), (s, span[3])]) for s in stations]
    hits = shapely.intersection(lines, np.array(cuts, dtype=object))

    points = []
    for station, hit in zip(stations, hits, strict=True):
        coords = shapely.get_coordinates(hit)
        if len(coords) == 0:
            continue
        middle = (coords[:, across].min() + coords[:, across].max()) / 2
        points.append((middle, station) if direction == "north-south" else (station, middle))
    if len(points) < 2:
        raise ValueError(f"pilot zone: the {side} street does not cross the zone's window")
    return LineString(points)


def boundary_street_lines(streets: gpd.GeoDataFrame, zone: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The four boundary streets' carriageway centrelines near the zone, one row each, in EPSG:4326.

    Lines are clipped to ``CONTEXT_BUFFER_M`` around the zone, merged, lightly smoothed and rounded
    to 5 decimals, for use as labelled context on a map.
    """
    area = zone.to_crs(METRIC_CRS).geometry.iloc[0].buffer(CONTEXT_BUFFER_M)
    names, geometries = [], []
    for label, _, _ in BOUNDARY_STREETS.values():
        lines = shapely.union_all(streets.loc[streets["name"] == label].geometry.values)
        clipped = shapely.line_merge(shapely.intersection(lines, area))
        names.append(label)
        geometries.append(shapely.simplify(clipped, SMOOTH_M))
    out = gpd.GeoDataFrame({"name": names}, geometry=geometries, crs=METRIC_CRS).to_crs("EPSG:4326")
    # Unlike polygons, lines cannot turn invalid when snapped, so no repair step is needed here.
    out["geometry"] = shapely.set_precision(out.geometry.values, 1e-5)
    return out


def corner_points() -> dict[str, Point]:
    """The four ``CORNERS`` as points in ``METRIC_CRS``, keyed NW, NE, SE, SW."""
    lonlat = gpd.GeoSeries([Point(xy) for xy in CORNERS.values()], crs="EPSG:4326").to_crs(METRIC_CRS)
    return dict(zip(CORNERS, lonlat, strict=True))


def _corner_window() -> shapely.Polygon:
    xmin, ymin, xmax, ymax = shapely.MultiPoint(list(corner_points().values())).bounds
    return shapely.box(xmin, ymin, xmax, ymax).buffer(WINDOW_MARGIN_M, join_style="mitre")
