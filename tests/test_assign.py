"""Spatial assignment: hand-built boxes for the mechanics, the shipped boundaries for known places."""

from __future__ import annotations

import h3
import pandas as pd
import pytest

from ingest.assign import ASSIGNED_COLUMNS, assign_areas, build_point_areas, h3_cells
from store import connect, create_schema

# (name, lon, lat) of places whose areas are known
KNOWN_PLACES = pd.DataFrame(
    [
        ("lexington_market", -76.6216, 39.2918),
        ("city_hall", -76.6105, 39.2909),
        ("sandtown", -76.6434, 39.3010),
        ("fells_point", -76.5929, 39.2823),
        ("towson", -76.6019, 39.4015),
        ("no_coordinates", None, None),
    ],
    columns=["name", "lon", "lat"],
)


def _box(x0, y0, x1, y1):
    return f"POLYGON(({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))"


@pytest.fixture
def box_con():
    """Areas as unit boxes: a pilot zone inside district A, districts A|B, NSAs West|East, 2023 = one box."""
    con = connect(":memory:")
    create_schema(con)
    areas = [
        ("pilot_zone", "pilot_zone", "Pilot", None, _box(0.2, 0.2, 0.4, 0.4)),
        ("district:1959-2022:Alpha", "district", "Alphaern", "1959-2022", _box(0, 0, 1, 1)),
        ("district:1959-2022:Beta", "district", "Betaern", "1959-2022", _box(1, 0, 2, 1)),
        ("district:2023:Gamma", "district", "Gamma", "2023", _box(0, 0, 2, 1)),
        ("nsa:West", "neighborhood", "West", "2010", _box(0, 0, 0.5, 1)),
        ("nsa:East", "neighborhood", "East", "2010", _box(0.5, 0, 2, 1)),
    ]
    for area in areas:
        con.execute(
            "insert into areas (area_id, kind, name, edition, geom) values (?, ?, ?, ?, st_geomfromtext(?))",
            list(area),
        )
    yield con
    con.close()


def _points_table(con, frame: pd.DataFrame, name: str = "pts") -> None:
    con.register("frame", frame)
    con.execute(f"create table {name} as select * from frame")
    con.unregister("frame")


def test_assign_boxes(box_con):
    """Each point gets the box it lies in; districts by short name from the area id; no coords -> nulls."""
    frame = pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5, 6],
            "lon": [0.3, 0.3, 0.7, 1.5, 5.0, None],
            "lat": [0.3, 0.3, 0.5, 0.5, 5.0, None],
        }
    )
    _points_table(box_con, frame)
    stats = assign_areas(box_con, "pts")
    assert stats == {"rows": 6, "points": 4, "mapped": 5, "outside_city": 1}
    got = box_con.sql(
        "select id, in_pilot_zone, district_1959, district_2023, nsa, st_astext(geom) from pts order by id"
    ).fetchall()
    assert got == [
        (1, True, "Alpha", "Gamma", "West", "POINT (0.3 0.3)"),
        (2, True, "Alpha", "Gamma", "West", "POINT (0.3 0.3)"),
        (3, False, "Alpha", "Gamma", "East", "POINT (0.7 0.5)"),
        (4, False, "Beta", "Gamma", "East", "POINT (1.5 0.5)"),
        (5, False, None, None, None, "POINT (5 5)"),
        (6, None, None, None, None, None),
    ]


def test_point_on_shared_edge_gets_one_area(box_con):
    """A point on the Alpha|Beta edge matches both polygons but gets exactly one district and one NSA."""
    _points_table(box_con, pd.DataFrame({"lon": [1.0, 0.5], "lat": [0.5, 0.5]}))
    assert build_point_areas(box_con, "pts") == 2
    got = box_con.sql("select lon, district_1959, nsa from point_areas order by lon").fetchall()
    assert got == [(0.5, "Alpha", "East"), (1.0, "Alpha", "East")]


def test_assign_adds_every_contract_column(box_con):
    """A staging table with only lon/lat ends with every assigned column of the schema."""
    _points_table(box_con, pd.DataFrame({"lon": [0.3], "lat": [0.3]}))
    assign_areas(box_con, "pts")
    columns = dict(box_con.sql("select column_name, data_type from information_schema.columns "
                               "where table_name = 'pts'").fetchall())  # fmt: skip
    for column in ASSIGNED_COLUMNS:
        assert column in columns
    assert columns["h3_r8"] == "UBIGINT"


def test_missing_areas_named_in_error():
    """Without loaded boundaries the error says which areas are missing and how to load them."""
    con = connect(":memory:")
    create_schema(con)
    _points_table(con, pd.DataFrame({"lon": [0.3], "lat": [0.3]}))
    with pytest.raises(ValueError, match="pilot_zone.*load_areas"):
        assign_areas(con, "pts")


def test_h3_cells_match_h3_library():
    """h3_cells gives h3's own ids as integers, 0 for missing coordinates."""
    cells = h3_cells([39.2918, float("nan")], [-76.6216, -76.6], 9)
    assert int(cells[0]) == h3.str_to_int(h3.latlng_to_cell(39.2918, -76.6216, 9))
    assert int(cells[1]) == 0


def test_known_places_with_shipped_boundaries(empty_con):
    """Lexington Market is in the pilot zone, Central and Downtown; Fells Point moved to Central in 2023."""
    _points_table(empty_con, KNOWN_PLACES)
    assign_areas(empty_con, "pts")
    got = {
        row[0]: row[1:]
        for row in empty_con.sql(
            "select name, in_pilot_zone, district_1959, district_2023, nsa, h3_r8, h3_r9 from pts"
        ).fetchall()
    }
    assert got["lexington_market"][:4] == (True, "Central", "Central", "Downtown")
    assert got["city_hall"][:4] == (False, "Central", "Central", "Downtown")
    assert got["sandtown"][:4] == (False, "Western", "Western", "Sandtown-Winchester")
    assert got["fells_point"][:4] == (False, "Southeast", "Central", "Fells Point")
    assert got["towson"][:4] == (False, None, None, None)
    assert got["no_coordinates"] == (None, None, None, None, None, None)
    assert got["lexington_market"][4] == h3.str_to_int(h3.latlng_to_cell(39.2918, -76.6216, 8))
    assert got["lexington_market"][5] == h3.str_to_int(h3.latlng_to_cell(39.2918, -76.6216, 9))
