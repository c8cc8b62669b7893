"""geo.overview_picture: the Overview's map picture puts every boundary where it is, names what it
draws where the name belongs, and keeps its type, legend and labels where they can be read."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from shapely.geometry import Point, Polygon, shape

import queries
from geo.map_page import boundary_streets
from geo.overview_picture import ON_PAGE, ON_PROJECTOR, PictureSize, overview_svg

SVG = "{http://www.w3.org/2000/svg}"
EDITIONS = {"1959-2022": "district:1959-2022:Central", "2023": "district:2023:Central"}


@pytest.fixture(scope="module")
def outlines(demo_con):
    zone = queries.run(demo_con, "areas_geojson", kind="pilot_zone", edition="any")
    districts = {
        edition: queries.run(demo_con, "areas_geojson", kind="district", edition=edition)
        for edition in EDITIONS
    }
    return zone, districts


def _picture(outlines, size: PictureSize = ON_PAGE, edition: str = "1959-2022", streets=True):
    zone, districts = outlines
    text = overview_svg(
        zone, districts[edition], EDITIONS[edition], boundary_streets() if streets else None, size
    )
    return text, ElementTree.fromstring(text)


def _rings(path) -> list[np.ndarray]:
    return [
        np.array([[float(v) for v in pair.split(",")] for pair in ring.strip().split()])
        for ring in re.findall(r"M([^MZ]+)Z", path.get("d"))
    ]


def _layer(root, name: str):
    (path,) = [p for p in root.iter(f"{SVG}path") if p.get("data-layer") == name]
    return path


def _labels(root, kind: str) -> list:
    return [t for t in root.iter(f"{SVG}text") if t.get("data-label") == kind]


def _to_lonlat(zone_lonlat, zone_pixels):
    """The picture's projection, recovered from the zone's bounds in both systems: (x, y) -> (lon, lat)."""
    west, south, east, north = zone_lonlat.bounds
    x0, y0 = zone_pixels[:, 0].min(), zone_pixels[:, 1].min()
    x1, y1 = zone_pixels[:, 0].max(), zone_pixels[:, 1].max()

    def back(x: float, y: float) -> tuple[float, float]:
        return west + (x - x0) / (x1 - x0) * (east - west), north - (y - y0) / (y1 - y0) * (north - south)

    return back


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_the_zone_and_the_central_district_are_drawn_where_they_are(outlines, edition):
    _, root = _picture(outlines, edition=edition)
    zone_lonlat = shape(json.loads(outlines[0]["geojson"].iloc[0]))
    zone_pixels = np.vstack(_rings(_layer(root, "pilot-zone")))
    back = _to_lonlat(zone_lonlat, zone_pixels)
    # north up, east right, and the same scale both ways (east-west shortened by the cosine of latitude)
    (width_px, height_px) = np.ptp(zone_pixels, axis=0)
    west, south, east, north = zone_lonlat.bounds
    expected_ratio = (east - west) * np.cos(np.radians((south + north) / 2)) / (north - south)
    assert width_px / height_px == pytest.approx(expected_ratio, rel=0.01)
    # every point of the drawn Central District maps back onto the real boundary (within 0.5 px)
    central = shape(json.loads(outlines[1][edition].set_index("area_id").loc[EDITIONS[edition], "geojson"]))
    metres_per_px = (north - south) * 111_132 / height_px
    for ring in _rings(_layer(root, "central-district")):
        for x, y in ring[:: max(1, len(ring) // 50)]:
            lon, lat = back(x, y)
            distance_m = central.boundary.distance(Point(lon, lat)) * 111_132
            assert distance_m <= metres_per_px * 0.5 + 1
    # the share of the zone inside the district is the same drawn as on the ground
    central_drawn = Polygon(max(_rings(_layer(root, "central-district")), key=len))
    zone_drawn = Polygon(zone_pixels)
    drawn_share = central_drawn.intersection(zone_drawn).area / zone_drawn.area
    assert drawn_share == pytest.approx(central.intersection(zone_lonlat).area / zone_lonlat.area, abs=0.01)


@pytest.mark.parametrize("size", [ON_PAGE, ON_PROJECTOR], ids=["page", "projector"])
def test_names_sit_in_what_they_name_inside_the_frame_clear_of_each_other(outlines, size):
    _, root = _picture(outlines, size)
    frame = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "none"][0]
    frame_width, frame_height = float(frame.get("width")), float(frame.get("height"))
    zone_lonlat = shape(json.loads(outlines[0]["geojson"].iloc[0]))
    back = _to_lonlat(zone_lonlat, np.vstack(_rings(_layer(root, "pilot-zone"))))
    districts = outlines[1]["1959-2022"]
    by_name = {f"{row.name} District": shape(json.loads(row.geojson)) for row in districts.itertuples()}
    names = _labels(root, "district")
    assert "Central District" in [t.text for t in names] and len(names) >= 3
    for label in names:
        x, y = float(label.get("x")), float(label.get("y"))
        assert 0 < x < frame_width and 0 < y < frame_height, label.text
        assert by_name[label.text].contains(Point(back(x, y - float(label.get("font-size")) * 0.35))), (
            label.text
        )
    zone_words = " ".join(t.text for t in _labels(root, "pilot-zone"))
    assert zone_words == "LEAD pilot zone"
    streets = " ".join(t.text for t in _labels(root, "street"))
    for name in ("Franklin St", "Pratt St", "MLK Jr Blvd", "Light St"):
        assert name in streets
    # no two labels share a baseline spot (a crude overlap check independent of the layout's estimate)
    spots = [
        (round(float(t.get("x")) / 20), round(float(t.get("y")) / 10))
        for t in root.iter(f"{SVG}text")
        if t.get("data-label")
    ]
    assert len(spots) == len(set(spots))


def test_projector_picture_has_no_type_under_24_px_and_its_legend_beside_the_map(outlines):
    _, root = _picture(outlines, ON_PROJECTOR)
    sizes = [float(t.get("font-size")) for t in root.iter(f"{SVG}text")]
    assert min(sizes) >= 24
    frame = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "none"][0]
    legend = [g for g in root.iter(f"{SVG}g") if g.get("data-part") == "legend"][0]
    legend_x = [float(t.get("x")) for t in legend.iter(f"{SVG}text")]
    assert min(legend_x) > float(frame.get("width"))  # a column to the right: nothing covers the map


def test_page_picture_keeps_its_legend_under_the_map_and_leaves_streets_out_when_not_shipped(outlines):
    text, root = _picture(outlines, ON_PAGE, streets=False)
    assert not _labels(root, "street")
    frame = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "none"][0]
    legend = [g for g in root.iter(f"{SVG}g") if g.get("data-part") == "legend"][0]
    names = [t.text for t in legend.iter(f"{SVG}text")]
    assert names[:3] == ["LEAD pilot zone", "Central District", "Other police districts"]
    assert min(float(t.get("y")) for t in legend.iter(f"{SVG}text")) > float(frame.get("height"))
    assert max(float(t.get("y")) for t in legend.iter(f"{SVG}text")) < ON_PAGE.height
    assert text.startswith("<svg") and 'viewBox="0 0 460 560"' in text
