"""The shipped district and neighbourhood boundaries, and the generalisation that produced them."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from geo import build_boundaries, generalise

BOUNDARIES = Path(__file__).resolve().parent.parent / "data" / "boundaries"
METRIC_CRS = generalise.METRIC_CRS
DISTRICT_FILES = ("districts_1959_2022.geojson", "districts_2023.geojson")
FULL_NAMES = {
    "Central", "Southeastern", "Eastern", "Northeastern", "Northern",
    "Northwestern", "Western", "Southwestern", "Southern",
}  # fmt: skip
SHORT_NAMES = {
    "Central", "Southeast", "Eastern", "Northeast", "Northern",
    "Northwest", "Western", "Southwest", "Southern",
}  # fmt: skip
LEAD_NSAS = ("Old Goucher", "Washington Village/Pigtown", "Fells Point", "Mondawmin", "Downtown")
CITY_KM2 = 210.0  # land area covered by the city's district and NSA layers
# generalised at 10 m (districts) / 4 m (NSAs), then rounded to 5 decimals (< 1 m)
MAX_SHIFT_M = 12.0


def _coordinates(path: Path) -> list[float]:
    """Every coordinate number written in a GeoJSON file, read from the text itself."""

    def walk(node):
        if isinstance(node, list):
            for item in node:
                yield from walk(item)
        else:
            yield node

    data = json.loads(path.read_text())
    return [c for feature in data["features"] for c in walk(feature["geometry"]["coordinates"])]


@pytest.fixture(scope="module")
def districts() -> dict[str, gpd.GeoDataFrame]:
    """Both shipped district editions, keyed by file name."""
    return {name: gpd.read_file(BOUNDARIES / name) for name in DISTRICT_FILES}


@pytest.fixture(scope="module")
def neighborhoods() -> gpd.GeoDataFrame:
    """The shipped 2010 NSAs."""
    return gpd.read_file(BOUNDARIES / "neighborhoods_2010.geojson")


@pytest.fixture
def two_squares() -> gpd.GeoDataFrame:
    """Two 100 m squares sharing a wiggly edge (2 m bumps), in a metric CRS."""
    wiggle = [(100.0, y) for y in range(0, 101, 10)]
    wiggle = [(x + (2.0 if i % 2 else 0.0), y) for i, (x, y) in enumerate(wiggle)]
    west = Polygon([(0, 0), *wiggle, (0, 100)])
    east = Polygon([*wiggle, (200, 100), (200, 0)])
    return gpd.GeoDataFrame({"name": ["west", "east"]}, geometry=[west, east], crs=METRIC_CRS)


@pytest.mark.parametrize("name", DISTRICT_FILES)
def test_each_edition_has_the_nine_districts_with_both_name_forms(districts, name):
    frame = districts[name]
    assert list(frame.columns) == ["name", "short_name", "geometry"]
    assert set(frame["name"]) == FULL_NAMES
    assert set(frame["short_name"]) == SHORT_NAMES
    pairs = dict(zip(frame["name"], frame["short_name"], strict=True))
    assert pairs["Northeastern"] == "Northeast" and pairs["Central"] == "Central"


def test_neighborhoods_are_the_278_named_nsas(neighborhoods):
    assert list(neighborhoods.columns) == ["name", "geometry"]
    assert len(neighborhoods) == 278
    assert neighborhoods["name"].is_unique
    assert set(LEAD_NSAS) <= set(neighborhoods["name"])


@pytest.mark.parametrize("name", [*DISTRICT_FILES, "neighborhoods_2010.geojson"])
def test_shipped_layer_is_valid_small_and_covers_the_city(name):
    path = BOUNDARIES / name
    frame = gpd.read_file(path)
    assert frame.crs.to_epsg() == 4326
    assert shapely.is_valid(frame.geometry.values).all()
    assert set(frame.geom_type) <= {"Polygon", "MultiPolygon"}
    coords = np.array(_coordinates(path))
    assert np.all(np.round(coords, 5) == coords), "coordinates carry more than 5 decimals"
    assert path.stat().st_size < 300_000
    km2 = frame.to_crs(METRIC_CRS).area.sum() / 1e6
    assert km2 == pytest.approx(CITY_KM2, rel=0.02)
    # no overlaps between neighbours beyond rounding
    union_km2 = shapely.union_all(frame.to_crs(METRIC_CRS).geometry.values).area / 1e6
    assert union_km2 == pytest.approx(km2, rel=1e-4)


def test_old_goucher_lies_in_northern_before_2023_and_eastern_after(districts, neighborhoods):
    point = neighborhoods.loc[neighborhoods["name"] == "Old Goucher"].representative_point().iloc[0]
    found = {
        name: frame.loc[frame.contains(point), "short_name"].tolist() for name, frame in districts.items()
    }
    assert found == {"districts_1959_2022.geojson": ["Northern"], "districts_2023.geojson": ["Eastern"]}


def test_simplify_coverage_keeps_neighbours_edge_shared(two_squares):
    small = generalise.simplify_coverage(two_squares, tolerance_m=5.0)
    west, east = small.geometry
    assert shapely.get_num_coordinates(west) < shapely.get_num_coordinates(two_squares.geometry.iloc[0])
    assert west.intersection(east).area == pytest.approx(0.0, abs=1e-6)
    assert west.union(east).area == pytest.approx(200 * 100)
    assert shapely.hausdorff_distance(west, two_squares.geometry.iloc[0]) <= 5.0


def test_simplify_coverage_rejects_a_frame_without_crs(two_squares):
    with pytest.raises(ValueError, match="no CRS"):
        generalise.simplify_coverage(two_squares.set_crs(None, allow_override=True))


def test_round_coordinates_snaps_to_the_grid_and_stays_valid():
    # a unit square with a hair-thin spike that plain rounding folds into a self-intersection
    tip = [(0.500004, 1.000001), (0.500006, 3), (0.499996, 1.000002)]
    spike = Polygon([(0, 0), (1, 0), (1, 1), *tip, (0, 1)])
    frame = gpd.GeoDataFrame({"name": ["x"]}, geometry=[spike], crs="EPSG:4326")
    rounded = generalise.round_coordinates(frame).geometry.iloc[0]
    assert rounded.is_valid
    coords = shapely.get_coordinates(rounded)
    assert np.allclose(coords, np.round(coords, 5), atol=1e-12)
    assert rounded.area == pytest.approx(1.0, rel=1e-3)


def test_write_geojson_keeps_only_the_given_properties(tmp_path):
    frame = gpd.GeoDataFrame(
        {"name": ["a"]}, geometry=[Polygon([(0.123456789, 0), (1, 0), (1, 1)])], crs="EPSG:4326"
    )
    path = tmp_path / "out.geojson"
    generalise.write_geojson(frame, path)
    feature = json.loads(path.read_text())["features"][0]
    assert feature["properties"] == {"name": "a"}
    assert feature["geometry"]["coordinates"][0][0] == [0.12346, 0]


@pytest.mark.real_data
@pytest.mark.parametrize(
    ("shipped", "source"),
    [
        *build_boundaries.DISTRICT_SOURCES.items(),
        ("neighborhoods_2010.geojson", build_boundaries.NSA_SOURCE),
    ],
)
def test_generalised_layer_stays_close_to_the_original(shared_real, shipped, source):
    small = gpd.read_file(BOUNDARIES / shipped).to_crs(METRIC_CRS).set_index("name")
    original = gpd.read_file(shared_real / source).to_crs(METRIC_CRS).set_index("name")
    assert set(small.index) == set(original.index)
    original = original.loc[small.index]

    shift = shapely.hausdorff_distance(small.geometry.values, original.geometry.values)
    assert shift.max() <= MAX_SHIFT_M, f"{small.index[shift.argmax()]} moved {shift.max():.1f} m"
    ratio = small.area.to_numpy() / original.area.to_numpy()
    worst = np.abs(ratio - 1).argmax()
    assert abs(ratio[worst] - 1) <= 0.01, f"{small.index[worst]} area changed by {ratio[worst] - 1:.2%}"
    assert small.area.sum() == pytest.approx(original.area.sum(), rel=0.001)
