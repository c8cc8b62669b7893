"""Checking, repairing, measuring and exporting drawn proposals (geo.proposal)."""

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box, mapping, shape

from geo.proposal import (
    MAX_CITY_SHARE,
    MIN_AREA_KM2,
    ProposalError,
    area_km2,
    check_proposal,
    feature_collection,
    from_wkb_hex,
    geometry_from_drawings,
    to_geojson_text,
    union_of_areas,
)
from ingest.areas import BOUNDARIES_DIR
from store import connect


@pytest.fixture(scope="module")
def city():
    """The city's land: the union of the shipped 1959-2022 police districts (EPSG:4326)."""
    districts = gpd.read_file(BOUNDARIES_DIR / "districts_1959_2022.geojson")
    return shapely.union_all(districts.geometry.values)


def drawn(geometry) -> dict:
    """A feature as Leaflet.draw's toGeoJSON() returns it."""
    return {"type": "Feature", "properties": {}, "geometry": mapping(geometry)}


WEST_SIDE = box(-76.640, 39.283, -76.626, 39.292)  # west of the pilot zone, about 1.2 km²


def test_a_plain_drawing_is_kept_as_it_is(city):
    checked = check_proposal(WEST_SIDE, city)
    assert checked.geometry.equals_exact(WEST_SIDE, 0)
    assert checked.notes == ()
    assert checked.area_km2 == pytest.approx(1.2, abs=0.1)


def test_area_is_measured_in_square_kilometres():
    """Agrees with the geodesic area on the WGS84 ellipsoid (pyproj) to 0.3%."""
    square = box(-76.62, 39.28, -76.61, 39.29)
    geodesic_km2 = abs(Geod(ellps="WGS84").geometry_area_perimeter(square)[0]) / 1e6
    assert geodesic_km2 == pytest.approx(0.958, abs=0.001)
    assert area_km2(square) == pytest.approx(geodesic_km2, rel=0.003)
    assert area_km2(Polygon()) == 0


@pytest.mark.parametrize("shipped", ["districts_1959_2022.geojson", "neighborhoods_2010.geojson"])
def test_area_agrees_with_the_state_plane_the_boundaries_are_measured_in(shipped, city):
    """Within 0.05 % of the Maryland state plane (EPSG:26985), as geopandas measured it before."""
    outlines = gpd.read_file(BOUNDARIES_DIR / shipped)
    drawings = [city, WEST_SIDE, box(-76.6, 39.3, -76.5999, 39.3001), *outlines.geometry]
    state_plane = gpd.GeoSeries(drawings, crs="EPSG:4326").to_crs("EPSG:26985").area / 1e6
    for drawing, expected in zip(drawings, state_plane, strict=True):
        assert area_km2(drawing) == pytest.approx(expected, rel=5e-4)


def test_measuring_a_proposal_loads_neither_geopandas_nor_pyproj():
    """The app measures drawings in its own process: geopandas and pyproj stay out of its memory."""
    code = "import sys, geo.proposal; print(sorted({'geopandas', 'pyproj'} & set(sys.modules)))"
    repo = Path(__file__).resolve().parent.parent
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


def test_a_self_crossing_outline_is_repaired_and_said_so(city):
    bowtie = Polygon([(-76.64, 39.283), (-76.626, 39.292), (-76.626, 39.283), (-76.64, 39.292)])
    assert not bowtie.is_valid
    checked = check_proposal(bowtie, city)
    assert checked.geometry.is_valid
    assert checked.geometry.geom_type == "MultiPolygon" and len(checked.geometry.geoms) == 2
    assert "crossed itself" in checked.notes[0] and "2 parts" in checked.notes[0]
    # the two triangles together cover half the bounding box
    assert checked.area_km2 == pytest.approx(area_km2(WEST_SIDE) / 2, rel=0.01)


def test_a_drawing_outside_the_city_is_refused(city):
    towson = box(-76.62, 39.39, -76.59, 39.41)
    with pytest.raises(ProposalError, match="outside Baltimore City"):
        check_proposal(towson, city)


def test_parts_outside_the_city_are_cut_off_and_said_so(city):
    across_the_west_edge = box(-76.72, 39.29, -76.70, 39.30)  # the city line runs near -76.711
    checked = check_proposal(across_the_west_edge, city)
    assert city.buffer(1e-9).covers(checked.geometry)
    assert checked.area_km2 < area_km2(across_the_west_edge)
    assert "outside the city" in checked.notes[0]


def test_a_tiny_drawing_is_refused_with_its_size(city):
    one_block = box(-76.6300, 39.2860, -76.6290, 39.2868)  # about 0.008 km²
    with pytest.raises(ProposalError, match=f"smaller than the {MIN_AREA_KM2:g} km² minimum"):
        check_proposal(one_block, city)


def test_a_city_sized_drawing_is_refused(city):
    whole_city = box(-76.72, 39.19, -76.52, 39.38)
    with pytest.raises(ProposalError, match=f"at most {MAX_CITY_SHARE:.0%} of the city"):
        check_proposal(whole_city, city)


@pytest.mark.parametrize(
    "geometry",
    [LineString([(-76.63, 39.28), (-76.62, 39.29)]), Point(-76.62, 39.29), Polygon()],
)
def test_shapes_without_area_are_refused(city, geometry):
    with pytest.raises(ProposalError, match="no area|Nothing is drawn"):
        check_proposal(geometry, city)


def test_nothing_drawn_is_a_message_not_an_error(city):
    assert geometry_from_drawings(None) is None
    assert geometry_from_drawings([]) is None
    with pytest.raises(ProposalError, match="Nothing is drawn yet"):
        check_proposal(None, city)


def test_coordinates_that_are_not_lon_lat_are_refused(city):
    projected = box(430000, 180000, 432000, 182000)  # metres, not degrees
    with pytest.raises(ProposalError, match="not longitude/latitude"):
        check_proposal(projected, city)


def test_several_drawn_shapes_count_as_one_area():
    east = box(-76.600, 39.295, -76.585, 39.305)
    features = [drawn(WEST_SIDE), drawn(east), drawn(LineString([(-76.6, 39.3), (-76.5, 39.3)]))]
    union = geometry_from_drawings(features)
    assert union.geom_type == "MultiPolygon"
    assert union.area == pytest.approx(WEST_SIDE.area + east.area)


def test_an_unreadable_drawing_is_a_message():
    broken = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": "nonsense"}}
    with pytest.raises(ProposalError, match="could not be read"):
        geometry_from_drawings([broken])


def test_picked_neighbourhoods_are_unioned():
    left, right = box(0, 0, 1, 1), box(1, 0, 2, 1)
    union = union_of_areas([json.dumps(mapping(left)), json.dumps(mapping(right))])
    assert union.equals(box(0, 0, 2, 1))
    assert union_of_areas([]) is None


def test_geojson_text_roundtrips_exactly_through_duckdb():
    """The query parameter carries every digit: DuckDB rebuilds the same coordinates."""
    awkward = Polygon(
        [(-76.61234567890123, 39.28765432109876), (-76.6, 39.2876), (-76.6054321, 39.29912345678)]
    )
    con = connect(":memory:")
    wkb_hex = con.execute("select st_ashexwkb(st_geomfromgeojson(?))", [to_geojson_text(awkward)]).fetchone()[
        0
    ]
    assert from_wkb_hex(wkb_hex).wkb == awkward.wkb


def test_geojson_export_is_a_feature_collection_with_properties():
    shapes = [
        (WEST_SIDE, {"name": "West side", "area_km2": 1.2}),
        (MultiPolygon([box(0, 0, 1, 1)]), {"name": "b"}),
    ]
    exported = json.loads(feature_collection(shapes))
    assert exported["type"] == "FeatureCollection"
    assert [f["properties"]["name"] for f in exported["features"]] == ["West side", "b"]
    assert shape(exported["features"][0]["geometry"]).equals_exact(WEST_SIDE, 0)
