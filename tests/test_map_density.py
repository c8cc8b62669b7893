"""Density cells: resolutions, small-count hiding, colour classes and hexagon geometry."""

import random

import h3.api.basic_int as h3
import pandas as pd
import pytest
from shapely.geometry import Point, shape

from geo.density import (
    ARREST_PALETTE,
    REFERRAL_PALETTE,
    ColourScale,
    HiddenCells,
    _nice,
    cell_polygon,
    cell_resolution,
    cells_feature_collection,
    colour_scale,
    density_layer,
    hidden_text,
    split_small_cells,
)

DOWNTOWN = (39.2904, -76.6214)


@pytest.fixture
def cells() -> pd.DataFrame:
    """Six neighbouring resolution-8 cells around downtown with counts 1, 3, 4, 5, 40 and 900."""
    centre = h3.latlng_to_cell(*DOWNTOWN, 8)
    ring = sorted(h3.grid_disk(centre, 1))[:6]
    return pd.DataFrame({"cell": ring, "records": [1, 3, 4, 5, 40, 900]})


def test_referral_cells_are_never_finer_than_resolution_8_in_public():
    for area_id in ("city", "pilot_zone", "district:2023:Central", "nsa:Downtown"):
        assert cell_resolution(area_id, "referrals", public=True) <= 8
    assert cell_resolution("nsa:Downtown", "referrals", public=False) == 9
    assert cell_resolution("nsa:Downtown", "arrests", public=True) == 9
    assert cell_resolution("city", "arrests", public=False) == 8
    with pytest.raises(ValueError, match="unknown layer 'people'"):
        cell_resolution("city", "people", public=True)


def test_public_view_hides_cells_of_one_to_four_and_says_how_many(cells):
    shown, hidden = split_small_cells(cells, public=True)
    assert shown["records"].tolist() == [5, 40, 900]
    assert hidden == HiddenCells(cells=3, records=8)
    expected = "3 cells with fewer than 5 referrals not drawn (8 referrals in all)."
    assert hidden_text(hidden, "referrals") == expected


def test_staff_view_keeps_every_cell(cells):
    shown, hidden = split_small_cells(cells, public=False)
    assert len(shown) == len(cells)
    assert hidden == HiddenCells(0, 0)
    assert hidden_text(hidden, "referrals") is None


def test_a_hidden_total_of_one_to_four_is_itself_suppressed():
    text = hidden_text(HiddenCells(cells=1, records=2), "referrals")
    assert text == "1 cell with fewer than 5 referrals not drawn (fewer than 5 referrals in all)."


def test_cells_without_the_expected_columns_are_a_clear_error():
    with pytest.raises(ValueError, match=r"columns \['records'\] missing"):
        split_small_cells(pd.DataFrame({"cell": [1]}), public=True)


def test_colour_classes_have_round_bounds_and_end_on_the_darkest_colour(cells):
    scale = colour_scale(cells["records"][cells["records"] >= 5], REFERRAL_PALETTE)
    assert scale.lower_bounds[0] == 5
    assert list(scale.lower_bounds) == sorted(set(scale.lower_bounds))
    round_leads = {"1", "15", "2", "25", "3", "4", "5", "6", "7", "8", "9"}
    assert all(str(bound).rstrip("0") in round_leads for bound in scale.lower_bounds)
    assert scale.colour(900) == REFERRAL_PALETTE[1][-1]
    assert scale.colour(5) == scale.colours[0]
    assert scale.labels()[-1].endswith("or more")


def test_colour_scale_with_one_value_uses_the_darkest_colour_and_none_when_empty():
    single = colour_scale(pd.Series([7, 7, 7]), ARREST_PALETTE)
    assert single == ColourScale(ARREST_PALETTE[0], (7,), (ARREST_PALETTE[1][-1],))
    assert single.labels() == ["7 or more"]
    assert colour_scale(pd.Series([], dtype="int64"), ARREST_PALETTE) is None


def test_no_class_is_a_sliver():
    scale = colour_scale(pd.Series([5, 6, 7, 8, 9, 9, 10, 10, 11, 30, 60]), ARREST_PALETTE)
    low = scale.lower_bounds
    assert all(high >= 1.25 * below and high >= below + 2 for below, high in zip(low, low[1:], strict=False))


def test_many_classes_span_the_data():
    scale = colour_scale(pd.Series(range(5, 1000)), ARREST_PALETTE)
    assert scale.lower_bounds == (5, 200, 400, 600, 800)
    assert scale.colours == ARREST_PALETTE[1]
    assert scale.labels() == ["5–199", "200–399", "400–599", "600–799", "800 or more"]


def test_cell_polygon_is_a_closed_hexagon_containing_its_centre():
    cell = h3.latlng_to_cell(*DOWNTOWN, 9)
    polygon = cell_polygon(cell)
    ring = polygon["coordinates"][0]
    assert len(ring) == 7 and ring[0] == ring[-1]
    lat, lng = h3.cell_to_latlng(cell)
    assert shape(polygon).contains(Point(lng, lat))  # x = longitude: not swapped


def test_feature_collection_carries_count_period_and_colour(cells):
    shown, _ = split_small_cells(cells, public=True)
    scale = colour_scale(shown["records"], REFERRAL_PALETTE)
    collection = cells_feature_collection(shown, "Referrals", "01 Feb 2017 – 31 Dec 2024", scale, 8)
    properties = [feature["properties"] for feature in collection["features"]]
    assert [p["count"] for p in properties] == [5, 40, 900]
    assert properties[-1]["count_text"] == "900"
    assert {p["period"] for p in properties} == {"01 Feb 2017 – 31 Dec 2024"}
    assert properties[-1]["colour"] == REFERRAL_PALETTE[1][-1]
    assert properties[0]["cell"] == h3.int_to_str(int(shown["cell"][0]))


def test_density_layer_in_public_draws_only_counts_of_five_or_more(cells):
    layer = density_layer("referrals", cells, "period", 8, public=True)
    counts = [feature["properties"]["count"] for feature in layer.cells["features"]]
    assert min(counts) >= 5
    assert layer.hidden.records == 8
    assert layer.show and layer.title == "Referrals per cell"
    assert not density_layer("arrests", cells, "period", 8, public=True).show  # off until switched on


def test_density_layer_with_no_cells_draws_nothing_without_error():
    empty = pd.DataFrame({"cell": pd.Series([], dtype="uint64"), "records": pd.Series([], dtype="int64")})
    layer = density_layer("referrals", empty, "period", 8, public=True)
    assert layer.cells["features"] == [] and layer.scale is None


def _bounds_the_straightforward_way(counts: pd.Series) -> tuple[int, ...]:
    """The class bounds with one pandas quantile per class, as colour_scale first computed them."""
    values = pd.Series(counts, dtype="float64").dropna()
    values = values[values > 0]
    bounds = [int(values.min())]
    for share in (0.2, 0.4, 0.6, 0.8):
        bound = _nice(values.quantile(share))
        if bound >= max(bounds[-1] * 1.25, bounds[-1] + 2) and bound <= values.max():
            bounds.append(bound)
    return tuple(bounds)


def test_colour_classes_equal_those_from_pandas_quantiles():
    """colour_scale takes all four quantiles in one numpy call: the same bounds as pandas gives."""
    rng = random.Random(8)
    for _ in range(400):
        size = rng.choice([1, 2, 3, 7, 40, 130, 600])
        top = rng.choice([6, 40, 5_000])
        counts = pd.Series([rng.randint(0, top) for _ in range(size)] + [5], dtype="int64")
        assert colour_scale(counts, ARREST_PALETTE).lower_bounds == _bounds_the_straightforward_way(counts)


def test_hiding_withheld_cells_matches_cell_ids_exactly(cells):
    """H3 ids are above 2**53: a withheld id must match its own cell only, never a float-rounded one."""
    neighbour = int(cells["cell"][5]) + 1  # not a cell on the map, equal to cell 5 once rounded to float
    assert float(neighbour) == float(cells["cell"][5])
    shown, hidden = split_small_cells(cells.astype({"cell": "uint64"}), public=True, withheld={neighbour})
    assert hidden == HiddenCells(3, 8, 0) and shown["records"].tolist() == [5, 40, 900]
    shown, hidden = split_small_cells(cells, public=True, withheld={int(cells["cell"][4])})
    assert hidden == HiddenCells(3, 48, 1) and shown["records"].tolist() == [5, 900]
