"""The LEAD pilot zone: the shipped polygon, its boundary streets, and how it is built from centrelines."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point

from geo import generalise, pilot_zone

BOUNDARIES = Path(__file__).resolve().parent.parent / "data" / "boundaries"
METRIC_CRS = pilot_zone.METRIC_CRS

# Landmarks as (lon, lat), copied from City DOT named intersections
# (../shared/data/real/street_intersections/named_intersections.csv, id in brackets).
INSIDE = {
    "Lexington Market (N Eutaw St & W Lexington St) [92883]": (-76.621048, 39.291494),
    "W Baltimore St & Howard St [66503]": (-76.619423, 39.289347),
    "University of Maryland Medical Center (S Greene St & W Lombard St) [68120]": (-76.623593, 39.287416),
    "Hopkins Plaza (Hopkins Pl & W Lombard St) [67879]": (-76.617679, 39.287635),
    "N Charles St & E Lexington St [65055]": (-76.615215, 39.291090),
}
# One point just across each boundary street (distance measured from the street, ~55-80 m).
OUTSIDE = {
    "north of Franklin St: Cathedral St & W Hamilton St [61740]": (-76.616915, 39.295604),
    "south of Pratt St: Dover St & Emory St [69634]": (-76.624708, 39.285700),
    "east of Light St: E Redwood St & Grant St [66907]": (-76.612964, 39.288854),
    "west of MLK Jr Blvd: Scott St & W Lombard St [68482]": (-76.629059, 39.286980),
}
STREET_NAMES = {"Franklin St", "Pratt St", "St. Paul St / Light St", "MLK Jr Blvd"}
MAX_EDGE_TO_STREET_M = 25.0
# Street -> zone edge, per side. The zone runs down the middle of divided roads; around Preston Gardens
# the two St. Paul Pl roadways are up to 53 m apart, so each is up to ~27 m from the middle.
MAX_STREET_TO_EDGE_M = {"north": 25.0, "south": 25.0, "west": 25.0, "east": 27.5}
# Street sections are compared between the corners, less this much at each end, so that stubs of
# junctions (the MLK slip road leaving Franklin St beside the corner) are not counted as the side.
CORNER_TRIM_M = 10.0


@pytest.fixture(scope="module")
def zone() -> gpd.GeoDataFrame:
    """The shipped pilot zone, EPSG:4326."""
    return gpd.read_file(BOUNDARIES / "pilot_zone.geojson")


@pytest.fixture(scope="module")
def zone_metric(zone) -> shapely.Polygon:
    """The shipped pilot zone polygon in metres."""
    return zone.to_crs(METRIC_CRS).geometry.iloc[0]


@pytest.fixture(scope="module")
def streets(shared_real) -> gpd.GeoDataFrame:
    """DOT centrelines of the four boundary streets near the zone (real data), in metres."""
    return pilot_zone.load_boundary_streets(shared_real / pilot_zone.STREETS_SOURCE)


@pytest.fixture
def divided_road() -> gpd.GeoDataFrame:
    """Two straight north-south carriageways 40 m apart through the NW corner, in metres."""
    corner = pilot_zone.corner_points()["NW"]
    ys = (corner.y - 1500, corner.y + 500)
    lines = [LineString([(corner.x + dx, ys[0]), (corner.x + dx, ys[1])]) for dx in (-20.0, 20.0)]
    sides = {"side": ["west", "west"], "name": ["MLK Jr Blvd", "MLK Jr Blvd"]}
    return gpd.GeoDataFrame(sides, geometry=lines, crs=METRIC_CRS)


def _points(lonlat: dict[str, tuple[float, float]]) -> gpd.GeoSeries:
    return gpd.GeoSeries([Point(xy) for xy in lonlat.values()], index=list(lonlat), crs="EPSG:4326")


def test_zone_file_is_one_named_valid_polygon(zone, zone_metric):
    assert list(zone.columns) == ["name", "geometry"]
    assert zone["name"].tolist() == ["LEAD pilot zone"]
    assert zone.geom_type.tolist() == ["Polygon"]
    assert zone.geometry.iloc[0].is_valid
    coords = shapely.get_coordinates(zone.geometry.iloc[0])
    assert np.allclose(coords, np.round(coords, 5), atol=1e-9)
    # "about half a square mile" in the press; ~1.2 km² between the centrelines
    assert 1.0 < zone_metric.area / 1e6 < 1.3


def test_zone_follows_mlk_curve_not_a_quadrilateral(zone_metric):
    corners = pilot_zone.corner_points()
    quadrilateral = shapely.Polygon([(corners[c].x, corners[c].y) for c in ("NW", "NE", "SE", "SW")])
    assert shapely.get_num_coordinates(zone_metric) > 10
    # MLK bows west of the NW-SW chord by ~40 m; a straight west side would miss that strip
    assert zone_metric.difference(quadrilateral).area > 10_000


@pytest.mark.parametrize("name", list(INSIDE))
def test_landmark_inside_zone(zone, name):
    assert zone.geometry.iloc[0].contains(_points(INSIDE)[name])


@pytest.mark.parametrize("name", list(OUTSIDE))
def test_point_across_boundary_street_is_outside(zone, zone_metric, name):
    point = _points(OUTSIDE).to_crs(METRIC_CRS)[name]
    assert not zone.geometry.iloc[0].contains(_points(OUTSIDE)[name])
    assert 40 < zone_metric.distance(point) < 100  # really "just across", not far away


def test_zone_lies_in_the_1959_central_district(zone_metric):
    districts = gpd.read_file(BOUNDARIES / "districts_1959_2022.geojson").to_crs(METRIC_CRS)
    central = districts.loc[districts["name"] == "Central"].geometry.iloc[0]
    assert zone_metric.intersection(central).area / zone_metric.area >= 0.95


def test_boundary_streets_file_has_the_four_streets_around_the_zone(zone_metric):
    lines = gpd.read_file(BOUNDARIES / "boundary_streets.geojson")
    assert list(lines.columns) == ["name", "geometry"]
    assert set(lines["name"]) == STREET_NAMES and len(lines) == 4
    assert set(lines.geom_type) <= {"LineString", "MultiLineString"}
    metric = lines.to_crs(METRIC_CRS)
    # clipped a bit beyond the zone, and each street runs along it
    assert metric.distance(zone_metric.exterior).max() < 1.0
    assert zone_metric.buffer(pilot_zone.CONTEXT_BUFFER_M + 1).contains(metric.union_all())
    assert (metric.length > 500).all()


def test_road_axis_runs_between_divided_carriageways(divided_road):
    axis = pilot_zone.road_axis(divided_road, "west")
    corner = pilot_zone.corner_points()["NW"]
    assert np.allclose(shapely.get_coordinates(axis)[:, 0], corner.x)
    # reaches past both corners so that the neighbouring sides cross it
    assert axis.bounds[3] >= corner.y + pilot_zone.AXIS_OVERSHOOT_M - pilot_zone.SAMPLE_STEP_M


@pytest.mark.real_data
def test_zone_edge_stays_on_the_boundary_streets(streets, zone_metric):
    centrelines = shapely.union_all(streets.geometry.values)
    edge = shapely.points(shapely.get_coordinates(shapely.segmentize(zone_metric.exterior, 2.0)))
    assert shapely.distance(edge, centrelines).max() <= MAX_EDGE_TO_STREET_M


@pytest.mark.real_data
@pytest.mark.parametrize("side", list(pilot_zone.BOUNDARY_STREETS))
def test_each_boundary_street_stays_on_the_zone_edge(streets, zone_metric, side):
    corners = pilot_zone.corner_points()
    ends = {"north": ("NW", "NE"), "south": ("SW", "SE"), "east": ("SE", "NE"), "west": ("SW", "NW")}
    a, b = (corners[c] for c in ends[side])
    t, big = CORNER_TRIM_M, 1e7
    if side in ("north", "south"):
        between = shapely.box(min(a.x, b.x) + t, -big, max(a.x, b.x) - t, big)
    else:
        between = shapely.box(-big, min(a.y, b.y) + t, big, max(a.y, b.y) - t)
    section = shapely.intersection(shapely.union_all(streets.loc[streets["side"] == side].geometry), between)
    samples = shapely.points(shapely.get_coordinates(shapely.segmentize(section, 2.0)))
    assert len(samples) > 100
    assert shapely.distance(samples, zone_metric.exterior).max() <= MAX_STREET_TO_EDGE_M[side]


@pytest.mark.real_data
def test_rebuilding_from_the_centrelines_reproduces_the_shipped_zone(streets, zone):
    rebuilt = generalise.round_coordinates(pilot_zone.build_pilot_zone(streets))
    assert rebuilt.geometry.iloc[0].equals_exact(zone.geometry.iloc[0], tolerance=1e-9)


@pytest.mark.real_data
def test_zone_agrees_with_the_independently_derived_reference(shared_real, zone_metric):
    reference = gpd.read_file(shared_real / "lead_pilot_zone" / "lead_pilot_zone_derived.geojson")
    ref = reference.to_crs(METRIC_CRS).geometry.iloc[0]
    assert zone_metric.intersection(ref).area / zone_metric.union(ref).area > 0.95
