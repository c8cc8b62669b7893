"""Proposed expansion areas: checking and repairing drawn geometry, measuring it, exporting it.

A proposal is a polygon (or several) in EPSG:4326, drawn on the planner map or built from picked
neighbourhoods. ``check_proposal`` turns whatever arrived into a usable area or a ``ProposalError``
whose message can be shown as it is: repairs it can make (a self-crossing outline, parts outside the
city) are made and reported; drawings it cannot use (nothing polygonal, outside the city, too small,
city-sized) are refused with the reason.

A drawing is whatever a visitor's browser sends, so its work is bounded before any of it is done:
``geometry_from_drawings`` counts shapes, points and text on the GeoJSON as it arrived and refuses a
drawing over the limits before shapely builds anything from it; a self-crossing outline is repaired
only when it crosses itself in a few places (``MAX_CROSSINGS``), because repair time grows with the
crossings (a 400-point scribble took ``make_valid`` minutes and 9,901 parts); and every check runs
within a CPU budget (``CHECK_CPU_BUDGET_S``).

>>> from shapely.geometry import box
>>> city = box(-76.72, 39.19, -76.52, 39.38)
>>> checked = check_proposal(box(-76.63, 39.28, -76.61, 39.29), city)
>>> round(checked.area_km2, 2), checked.notes
(1.92, ())
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

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

# Limits on a drawing, checked on the GeoJSON before shapely sees it (issue 16: a self-crossing
# scribble of 400 points took make_valid minutes; 100,000 points ran GEOS out of memory). A
# neighbourhood traced click by click takes a few dozen to a few hundred points; the most detailed
# shipped neighbourhood outline has 465. Points also set what counting arrests in the area costs the
# database (every arrest in the area's bounding box is tested against every edge): a 1,000-point
# outline over eight years of a million arrests takes about 1.5 s of CPU, 2,000 points twice that.
MAX_SHAPES = 20
MAX_VERTICES = 1_000  # positions in all drawn shapes together, each ring's closing one included
# The coordinates as JSON text: 1,000 points at full float precision take about 40,000 characters.
MAX_DRAWING_CHARS = 50_000
# Repair time grows with the crossings, not the points (50 random points, ~300 crossings: 0.5 s;
# 400 points: 83 s and 8,936 parts). An outline that crosses itself once or twice, or two overlapping
# shapes, is repaired; a zig-zag scribble is refused.
MAX_CROSSINGS = 10
# Cutting a drawing to the city's land costs time that grows with the parts it falls into where its
# outline crosses the city line (a 2,000-point comb across the edge: 13,614 crossings, 3,559 parts,
# 1.7 s). A rectangle over the harbour crosses the shoreline 16 to 20 times. Picked neighbourhoods
# follow the city's own lines (hundreds of crossings, a few parts) and are not limited this way.
MAX_CITY_CROSSINGS = 100
# CPU one check may spend in this thread. The limits above keep every step well under it (about
# 0.15 s at most, tests/test_expansion_geometry.py); it stops the next step from starting if one
# somehow does not (a GEOS call cannot be interrupted).
CHECK_CPU_BUDGET_S = 1.0
# Picked areas come from the database, but how many of them is the visitor's choice: every shipped
# neighbourhood together is 278 outlines, 8,353 points, 184,000 characters (their union: 0.2 s).
MAX_AREA_VERTICES = 20_000
MAX_AREA_CHARS = 1_000_000
# GeoJSON geometry types and how deep their positions lie in "coordinates".
_POSITION_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}
_MAX_ORDINATE = 1e7  # largest number a position may hold (an altitude in metres is far below)
_EDGE_ROWS = 256  # edges compared with all later edges at once when counting crossings


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


def drawings_on_map(map_value: object) -> object:
    """The drawn features in the planner map's value (what streamlit-folium sends back), or None.

    The value comes from the visitor's browser and can be any JSON; ``geometry_from_drawings`` checks
    what is inside.
    """
    return map_value.get("all_drawings") if isinstance(map_value, dict) else None


def geometry_from_drawings(features: object) -> BaseGeometry | None:
    """The union of the polygons drawn on the map (GeoJSON features from Leaflet.draw), or None.

    Lines and markers have no area and are skipped here; ``check_proposal`` says so when nothing
    else is left. Raises ``ProposalError`` for a drawing over the limits (``MAX_SHAPES``,
    ``MAX_VERTICES``, ``MAX_DRAWING_CHARS``, ``MAX_CROSSINGS``), checked before any geometry is built.

    >>> square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    >>> geometry_from_drawings([{"type": "Feature", "geometry": square}]).area
    1.0
    """
    if not features:
        return None
    budget = _Budget()
    if not isinstance(features, list):
        raise ProposalError(_UNREADABLE.format(reason="the map sent something that is not a list of shapes"))
    if len(features) > MAX_SHAPES:
        raise ProposalError(
            f"There are {len(features):,} drawn shapes; the planner takes at most {MAX_SHAPES}. Delete "
            "some of them and try again (several shapes count as one area)."
        )
    raw = []
    for feature in features:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if geometry:
            raw.append(_raw_geometry(geometry))
    if not raw:
        return None
    points = sum(_count_positions(coordinates, _POSITION_DEPTH[kind]) for kind, coordinates in raw)
    if points > MAX_VERTICES:
        raise ProposalError(_too_many_points(points))
    for kind, coordinates in raw:
        _check_positions(coordinates, _POSITION_DEPTH[kind])
    chars = sum(len(json.dumps(coordinates)) for _, coordinates in raw)
    if chars > MAX_DRAWING_CHARS:
        raise ProposalError(
            f"The drawing's coordinates are {chars:,} characters of text; the planner takes at most "
            f"{MAX_DRAWING_CHARS:,}. Delete it and draw the area again with fewer points."
        )

    shapes = []
    for kind, coordinates in raw:
        try:
            shapes.append(shape({"type": kind, "coordinates": coordinates}))
        except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException) as error:
            raise ProposalError(_UNREADABLE.format(reason=error)) from error
    polygons = [s for s in shapes if s.geom_type in ("Polygon", "MultiPolygon") and not s.is_empty]
    if not polygons:
        return shapes[0]  # a line or point: check_proposal explains why it cannot be used
    if len(polygons) == 1:
        return polygons[0]  # check_proposal repairs a self-crossing outline, and says so
    # Merging shapes costs time that grows with the places where their lines cross.
    _refuse_many_crossings(polygons)
    budget.check()
    merged = _union(polygons)
    budget.check()
    return merged


_UNREADABLE = "A drawn shape could not be read ({reason}). Delete it and draw again."


def _raw_geometry(geometry: object) -> tuple[str, object]:
    """A drawn GeoJSON geometry's type and coordinates, if it is a type a proposal can come from."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in _POSITION_DEPTH:
        reason = f"a {kind} is not a drawing" if isinstance(kind, str) else "it has no geometry type"
        raise ProposalError(_UNREADABLE.format(reason=reason[:120]))
    return kind, geometry.get("coordinates")


def _count_positions(coordinates: object, depth: int, max_lists: int = MAX_VERTICES) -> int:
    """The number of positions in a GeoJSON ``coordinates`` array whose positions lie ``depth`` lists
    down, without looking at them: lists just above the positions are only measured. Refuses to look
    into more than ``max_lists`` lists (a legitimate drawing has fewer lists than points), so a
    drawing of a million points or of a million empty rings costs microseconds.

    >>> _count_positions([[[0, 0], [1, 0], [1, 1], [0, 0]]], depth=2)
    4
    """
    if depth == 0:
        return 1
    count, opened, stack = 0, 0, [(coordinates, depth)]
    while stack:
        node, level = stack.pop()
        if not isinstance(node, list | tuple):
            raise ProposalError(_UNREADABLE.format(reason="its coordinates are not nested lists"))
        opened += 1
        if opened > max_lists:
            raise ProposalError(
                f"The drawing is made of more than {max_lists:,} rings and parts; the planner takes at "
                f"most {max_lists:,} points in all. Delete it and draw the area again."
            )
        if level == 1:
            count += len(node)
        else:
            stack.extend((child, level - 1) for child in node)
    return count


def _check_positions(coordinates: object, depth: int) -> None:
    """Every position lies exactly ``depth`` lists down and is two or three finite numbers, longitude
    and latitude (called once the number of positions is known to be within the limit)."""
    stack = [(coordinates, depth)]
    while stack:
        node, level = stack.pop()
        if level == 0:
            _check_position(node)
        elif isinstance(node, list | tuple):
            stack.extend((child, level - 1) for child in node)
        else:
            raise ProposalError(_UNREADABLE.format(reason="its coordinates are not nested lists"))


def _check_position(position: object) -> None:
    numbers = isinstance(position, list | tuple) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in position
    )
    if not numbers or not 2 <= len(position) <= 3:
        raise ProposalError(_UNREADABLE.format(reason="a point is not a pair of numbers"))
    # A huge integer would overflow math.isfinite: bound the size first (an altitude stays far below).
    finite = all(abs(v) <= _MAX_ORDINATE and math.isfinite(v) for v in position)
    if not finite or abs(position[0]) > 180 or abs(position[1]) > 90:
        raise ProposalError(
            "The drawing has coordinates that are not longitude/latitude. Delete it and draw again."
        )


def _too_many_points(points: int) -> str:
    return (
        f"The drawing has {points:,} points; the planner takes at most {MAX_VERTICES:,}. Delete it "
        "and draw the area again with fewer clicks (a neighbourhood's outline needs a few dozen), or "
        "pick neighbourhoods instead."
    )


def union_of_areas(geojson_texts: list[str]) -> BaseGeometry | None:
    """The union of area outlines given as GeoJSON geometry text (picked neighbourhoods), or None.

    The outlines come from the database, but how many are picked does not: their text and points are
    limited (``MAX_AREA_CHARS``, ``MAX_AREA_VERTICES``) before they are read.

    >>> union_of_areas(['{"type": "Point", "coordinates": [1, 2]}']).wkt
    'POINT (1 2)'
    """
    texts = [text for text in geojson_texts if text]
    if not texts:
        return None
    chars = sum(len(text) for text in texts)
    if chars > MAX_AREA_CHARS:
        raise ProposalError(
            f"The {len(texts):,} areas picked have {chars:,} characters of outline; at most "
            f"{MAX_AREA_CHARS:,} can be combined. Pick fewer areas."
        )
    shapes, points = [], 0
    for text in texts:
        try:
            kind, coordinates = _raw_geometry(json.loads(text))
            found = _count_positions(coordinates, _POSITION_DEPTH[kind], max_lists=MAX_AREA_VERTICES)
        except (ValueError, TypeError) as error:  # ProposalError is a ValueError
            raise ProposalError(f"An area's outline in the database could not be read ({error}).") from error
        points += found
        if points > MAX_AREA_VERTICES:
            raise ProposalError(
                f"The {len(texts):,} areas picked have more than {MAX_AREA_VERTICES:,} points together; "
                "that many cannot be combined. Pick fewer areas."
            )
        try:
            shapes.append(shape({"type": kind, "coordinates": coordinates}))
        except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException) as error:
            raise ProposalError(f"An area's outline in the database could not be read ({error}).") from error
    budget = _Budget()
    invalid = [s for s in shapes if not s.is_valid]
    if invalid:
        _refuse_many_crossings(invalid)
    merged = _union(shapes)
    budget.check()
    return merged


def _repair(geometry: BaseGeometry) -> BaseGeometry:
    """``geometry`` repaired by GEOS's "structure" method: the area its outline encloses, split where
    the outline crosses itself (a bow-tie becomes two triangles). The "linework" method, shapely's
    default, takes time that grows with the square of the points on outlines whose edges all overlap
    (a 1,000-point comb crossing itself 6 times: 0.5 s, against 0.04 s).

    >>> from shapely.geometry import Polygon
    >>> _repair(Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])).geom_type
    'MultiPolygon'
    """
    return shapely.make_valid(geometry, method="structure", keep_collapsed=False)


def _union(shapes: list[BaseGeometry]) -> BaseGeometry:
    # Repair first: a self-crossing drawing makes unary_union raise a GEOS TopologyException.
    # Callers have counted the crossings, so the repair is cheap.
    try:
        return shapely.union_all([s if s.is_valid else _repair(s) for s in shapes])
    except shapely.errors.GEOSException as error:
        raise ProposalError(
            f"The shapes could not be combined ({error}). Delete them and draw again without crossing lines."
        ) from error


class _Budget:
    """CPU time spent by this thread since it was made, checked between steps (a GEOS call cannot be
    interrupted; the limits keep each one short, this stops the next one from starting)."""

    def __init__(self, seconds: float | None = None):
        self.seconds = CHECK_CPU_BUDGET_S if seconds is None else seconds
        self.started = time.thread_time()

    def check(self) -> None:
        spent = time.thread_time() - self.started
        if spent > self.seconds:
            raise ProposalError(
                f"Checking the drawing took more than {self.seconds:g} s of computing and was stopped. "
                "Delete it and draw the area again with fewer points."
            )


def _refuse_many_crossings(polygons: list[BaseGeometry]) -> None:
    """Refuse shapes whose repair or merging would take long: too many points to count the crossings
    of, or too many crossings."""
    points = int(shapely.get_num_coordinates(np.asarray(polygons, dtype=object)).sum())
    if points > MAX_VERTICES:
        raise ProposalError(_too_many_points(points))
    found = count_crossings(polygons, stop_after=MAX_CROSSINGS)
    if found > MAX_CROSSINGS:
        raise ProposalError(
            f"The lines of the drawing cross each other in more than {MAX_CROSSINGS} places, too many "
            "to repair. Delete it and draw the area again, clicking around its edge in order (an "
            "outline that crosses itself once or twice is repaired)."
        )


def count_crossings(
    polygons: list[BaseGeometry], stop_after: int | None = None, against: BaseGeometry | None = None
) -> int:
    """How many pairs of edges of the polygons' rings touch or cross, not counting neighbouring edges
    of one ring (they share a corner); with ``against``, how many of their edges touch or cross an
    edge of that polygon's rings instead. Counting stops once it passes ``stop_after``.

    Pure numpy: two edges meet when their bounding boxes overlap and each one's ends are not both on
    the same side of the other's line. A block of edges is compared with every other edge at once:
    for 1,000 edges every pair takes about 0.04 s; a scribble is recognised in the first block.

    >>> from shapely.geometry import Polygon, box
    >>> count_crossings([Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])])  # a bow-tie
    1
    >>> count_crossings([box(0, 0, 2, 2)], against=box(1, 1, 3, 3))
    2
    """
    starts, ends, following = _edges(polygons)
    if against is None:
        other_starts, other_ends = starts, ends
    else:
        other_starts, other_ends, _ = _edges([against])
        # Only the other edges near the drawing can meet it.
        low, high = np.minimum(starts, ends).min(axis=0), np.maximum(starts, ends).max(axis=0)
        near = (np.maximum(other_starts, other_ends) >= low) & (np.minimum(other_starts, other_ends) <= high)
        other_starts, other_ends = other_starts[near.all(axis=1)], other_ends[near.all(axis=1)]
    if len(starts) == 0 or len(other_starts) == 0:
        return 0
    origin = starts.mean(axis=0)  # small numbers: less rounding in the side tests
    mine = _Lines.of(starts - origin, ends - origin)
    other = mine if against is None else _Lines.of(other_starts - origin, other_ends - origin)
    found = 0
    for first in range(0, len(starts), _EDGE_ROWS):
        i = np.arange(first, min(first + _EDGE_ROWS, len(starts)))[:, None]  # a block of edges, a column
        j = slice(first + 1 if against is None else 0, len(other_starts))  # the others, a row
        meet = (
            (mine.left[i] <= other.right[j])
            & (other.left[j] <= mine.right[i])
            & (mine.bottom[i] <= other.top[j])
            & (other.bottom[j] <= mine.top[i])
        )
        meet &= other.side(j, mine.x1[i], mine.y1[i]) * other.side(j, mine.x2[i], mine.y2[i]) <= 0
        meet &= mine.side(i, other.x1[j], other.y1[j]) * mine.side(i, other.x2[j], other.y2[j]) <= 0
        if against is None:  # each pair once, and not an edge with the next one on its ring
            later = np.arange(j.start, j.stop)[None, :]
            meet &= (later > i) & (later != following[i]) & (i != following[later])
        found += int(np.count_nonzero(meet))
        if stop_after is not None and found > stop_after:
            break
    return found


@dataclass(frozen=True)
class _Lines:
    """Edges as arrays: their ends, their bounding boxes and their lines a·x + b·y + c = 0."""

    x1: np.ndarray
    y1: np.ndarray
    x2: np.ndarray
    y2: np.ndarray
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    left: np.ndarray
    right: np.ndarray
    bottom: np.ndarray
    top: np.ndarray

    @classmethod
    def of(cls, starts: np.ndarray, ends: np.ndarray) -> _Lines:
        (x1, y1), (x2, y2) = starts.T, ends.T
        a, b = y1 - y2, x2 - x1
        return cls(
            x1, y1, x2, y2, a, b, -(a * x1 + b * y1),
            np.minimum(x1, x2), np.maximum(x1, x2), np.minimum(y1, y2), np.maximum(y1, y2),
        )  # fmt: skip

    def side(self, edges, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """-1, 0 or 1: on which side of each of ``edges``' lines the points (x, y) lie."""
        return np.sign(self.a[edges] * x + self.b[edges] * y + self.c[edges])


def _edges(polygons: list[BaseGeometry]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every edge of every ring as start and end points, and the index of the edge that follows it
    on its ring. Repeated points are dropped first: a zero-length edge is not a crossing."""
    parts = shapely.get_parts(np.asarray(polygons, dtype=object))
    rings = shapely.get_rings(parts)
    starts, ends, following, offset = [], [], [], 0
    for ring in rings:
        xy = shapely.get_coordinates(ring)
        xy = xy[np.r_[True, np.any(np.diff(xy, axis=0) != 0, axis=1)]]
        edges = len(xy) - 1
        if edges < 1:
            continue
        starts.append(xy[:-1])
        ends.append(xy[1:])
        following.append(offset + (np.arange(1, edges + 1) % edges))
        offset += edges
    if not starts:
        empty = np.empty((0, 2))
        return empty, empty, np.empty(0, dtype=int)
    return np.concatenate(starts), np.concatenate(ends), np.concatenate(following)


_POLYGONAL = ("Polygon", "MultiPolygon")


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
        np.isfinite(coords).all() and (abs(coords[:, 0]) <= 180).all() and (abs(coords[:, 1]) <= 90).all()
    )


def check_proposal(
    geometry: BaseGeometry | None,
    city: BaseGeometry,
    min_area_km2: float = MIN_AREA_KM2,
    max_city_share: float = MAX_CITY_SHARE,
    max_city_crossings: int | None = MAX_CITY_CROSSINGS,
) -> CheckedProposal:
    """Validate, repair and measure a proposed area; raise ``ProposalError`` with the reason if unusable.

    ``city`` is the city outline (EPSG:4326). Repairs, each reported in ``notes``: a self-crossing
    outline is made valid (split where it crosses) if it crosses itself in at most ``MAX_CROSSINGS``
    places; parts outside the city are cut off if the outline crosses the city line in at most
    ``max_city_crossings`` places (None: any number, for outlines taken from the city's own
    boundaries, such as picked neighbourhoods).
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
    budget = _Budget()
    if not geometry.is_valid:
        # Repair costs time that grows with the crossings: count them first (on a bounded outline).
        _refuse_many_crossings([p for p in shapely.get_parts(geometry) if p.geom_type in _POLYGONAL])
        reason = explain_validity(geometry)
        try:
            repaired = _polygonal_part(_repair(geometry))
        except shapely.errors.GEOSException as error:
            raise ProposalError(
                f"The outline could not be repaired ({error}). Delete it and draw it again without "
                "crossing lines."
            ) from error
        budget.check()
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
        # Cutting costs time that grows with the places where the outline crosses the city line.
        if max_city_crossings is not None:
            crossings = count_crossings([geometry], stop_after=max_city_crossings, against=city)
            if crossings > max_city_crossings:
                raise ProposalError(
                    f"The drawing crosses the city limits (the shoreline included) in more than "
                    f"{max_city_crossings} places, too many to cut it to the city. Draw the area again "
                    "with its edge inside the city, or crossing the city line in fewer places."
                )
            budget.check()
        try:
            inside = _polygonal_part(geometry.intersection(city))
        except shapely.errors.GEOSException as error:
            raise ProposalError(
                f"The drawing could not be cut to the city limits ({error}). Delete it and draw again."
            ) from error
        budget.check()
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
