"""Maps readable without colour or sight: each map's legends drawn beside it (not over it), its text
alternative (what it shows, in words, and its figures per area as a table), and frames the reader may
zoom. The Map page and the planner under AppTest show both."""

from __future__ import annotations

import json
import re
from datetime import date
from functools import partial

import folium
import pandas as pd
import pytest
from shapely.geometry import box, shape

import queries
from domain.privacy import SUPPRESSED_TEXT, is_small
from geo.density_map import density_map, legend_contents, scale_legend_html
from geo.layers import legend_boxes
from geo.map_page import (
    DEFAULT_LAYERS,
    MAP_LAYERS,
    MapFilters,
    area_choices,
    counts_by_neighbourhood,
    load_context,
    load_density_layers,
    map_description,
)
from geo.map_style import ARREST_DENSITY
from geo.offline_map import zoomable
from geo.planner_map import (
    comparison_legend_html,
    comparison_map,
    density_table,
    drawing_map_description,
    fill_period,
    period_values,
    planner_base_map,
)
from planning.projection import CASE_MANAGEMENT_SITE
from planning.tables import neighbourhood_densities
from screens import expansion as screen
from tests.test_map_page import open_map
from ui.maps import render_map

PERIOD = (date(2017, 1, 1), date(2024, 12, 31))


@pytest.fixture(scope="module")
def map_data(demo_db_path):
    """Context, public density layers and the whole-city choice of the demo database."""
    from store import connect

    con = connect(demo_db_path)
    try:
        run = partial(queries.run, con)
        context = load_context(run, "1959-2022")
        layers = load_density_layers(run, MapFilters(*PERIOD))
        area = area_choices(run("area_list", edition="1959-2022"), "1959-2022")["city"]
        ranked = run("expansion_ranking", **screen.ranking_params(*PERIOD))
        yield context, layers, area, ranked
    finally:
        con.close()


def test_the_map_page_map_has_no_legend_over_it_and_its_legends_go_beside_it(map_data):
    context, layers, area, _ = map_data
    over = density_map(context, layers, area, visible=list(MAP_LAYERS)).get_root().render()
    beside = density_map(context, layers, area, visible=list(MAP_LAYERS), legends=False)
    html = beside.get_root().render()
    assert "lead-legend" in over and "data-testid', 'map-legend'" in over  # the download keeps them
    assert "lead-legend" not in html  # no legend box over the map on the page
    contents = legend_contents(context, layers, area, list(MAP_LAYERS))
    # the same legends: each layer's colour scale, then the boundaries drawn
    assert contents[:2] == [scale_legend_html(layer) for layer in layers]
    assert contents[2].startswith("<h4>Boundaries</h4>") and "Expansion candidate" in contents[2]
    # a layer switched off leaves its legend out, as on the map
    assert len(legend_contents(context, layers, area, ["referrals"])) == 1
    page = legend_boxes(contents, under=True)
    assert page.count('data-testid="map-legend"') == 3 and "lead-legends under" in page


def test_the_map_table_holds_only_the_drawn_cells_summed_per_neighbourhood(map_data):
    context, layers, _, _ = map_data
    table = counts_by_neighbourhood(layers, context.neighborhoods, list(MAP_LAYERS), public=True)
    assert list(table.columns) == ["Neighbourhood", "Referrals", "Eligible arrests"]
    assert set(table["Neighbourhood"]) <= set(context.neighborhoods["name"])
    drawn = {layer.key: sum(f["properties"]["count"] for f in layer.cells["features"]) for layer in layers}
    for column, key in (("Referrals", "referrals"), ("Eligible arrests", "arrests")):
        counts = [int(text.replace(",", "")) for text in table[column]]
        assert not any(is_small(count) for count in counts)  # sums of published cells of 5 or more
        assert 0 < sum(counts) <= drawn[key]  # a cell centred outside every neighbourhood is left out
    referrals = [int(text.replace(",", "")) for text in table["Referrals"]]
    assert referrals == sorted(referrals, reverse=True)  # most first
    only_referrals = counts_by_neighbourhood(layers, context.neighborhoods, ["referrals"], public=True)
    assert list(only_referrals.columns) == ["Neighbourhood", "Referrals"]
    assert counts_by_neighbourhood(layers, context.neighborhoods, [], public=True).empty


def test_the_map_table_puts_a_cell_in_the_neighbourhood_its_centre_lies_in(map_data):
    context, layers, _, _ = map_data
    (referrals,) = [layer for layer in layers if layer.key == "referrals"]
    biggest = max(referrals.cells["features"], key=lambda f: f["properties"]["count"])
    centre = shape(biggest["geometry"]).centroid
    home = next(
        row.name
        for row in context.neighborhoods.itertuples()
        if shape(json.loads(row.geojson)).covers(centre)
    )
    table = counts_by_neighbourhood([referrals], context.neighborhoods, ["referrals"], public=True)
    row = table[table["Neighbourhood"] == home].iloc[0]
    assert int(row["Referrals"].replace(",", "")) >= biggest["properties"]["count"]


def test_the_map_description_says_what_is_drawn(map_data):
    _, layers, area, _ = map_data
    text = map_description(layers, DEFAULT_LAYERS, area.label, "01 Jan 2017 – 31 Dec 2024")
    assert text.startswith(f"Map of {area.label}, 01 Jan 2017 – 31 Dec 2024: referrals counted per")
    (referrals,) = [layer for layer in layers if layer.key == "referrals"]
    assert f"{len(referrals.cells['features']):,} cells drawn" in text
    assert all(label in text for label in referrals.scale.labels())
    assert "eligible arrests counted" not in text  # switched off by default
    assert MAP_LAYERS["candidates"] in text


def test_the_planner_table_hides_what_the_map_hides(map_data):
    _, _, _, ranked = map_data
    densities = neighbourhood_densities(ranked, public=True)
    table = density_table(densities)
    assert len(table) == len(densities) == 278
    hidden = table[table[ARREST_DENSITY.unit] == "—"]
    assert len(hidden) == densities["eligible_per_year_km2"].isna().sum() > 0
    assert set(hidden["Legend class"]) == {ARREST_DENSITY.hidden_legend}
    assert SUPPRESSED_TEXT in ARREST_DENSITY.hidden_legend
    legend_words = {text for _, text, _ in _legend_rows(densities)}
    assert set(table["Legend class"]) <= legend_words | {"0.0"}
    shown = [float(v) for v in table[ARREST_DENSITY.unit] if v != "—"]
    assert shown == sorted(shown, reverse=True)
    assert set(table.loc[table["Expansion candidate"] == "yes", "Neighbourhood"]) == set(
        densities.loc[densities["is_candidate"], "name"]
    )
    text = drawing_map_description(densities, "01 Jan 2017 – 31 Dec 2024")
    assert "278 neighbourhoods" in text and "Fells Point" in text


def _legend_rows(densities: pd.DataFrame):
    """(swatch, words, border) of the planner legend's rows, read from its HTML."""
    html = period_values(densities).legend_html
    return [(s, w, "") for s, w in re.findall(r'style="([^"]*)"></span>([^<]*)</div>', html)]


def test_the_planner_map_drawn_without_its_legend_still_takes_the_period(map_data):
    context, _, _, ranked = map_data
    neighbourhoods = context.neighborhoods.assign(is_candidate=False)
    base = render_map(
        planner_base_map(
            context.pilot_zone, context.districts, neighbourhoods, CASE_MANAGEMENT_SITE, legend=False
        )
    )
    script = fill_period(base.script, neighbourhood_densities(ranked, public=True))
    assert "planner-period" not in script and "lead-legend" not in script
    assert "setAttribute('tabindex', '-1')" in script  # 278 shapes are not 278 Tab stops
    with pytest.raises(ValueError):
        fill_period(script, neighbourhood_densities(ranked, public=True))  # nothing left to fill


def test_the_comparison_legend_names_each_proposal_beside_the_map(map_data):
    context, *_ = map_data
    proposals = [
        ("East <b>side</b>", box(-76.60, 39.29, -76.59, 39.30)),
        ("West", box(-76.65, 39.28, -76.64, 39.29)),
    ]
    html = comparison_map(
        proposals, context.pilot_zone, context.districts, CASE_MANAGEMENT_SITE, legend=False
    )
    rendered = html.get_root().render()
    assert "lead-legend" not in rendered
    legend = comparison_legend_html([name for name, _ in proposals])
    assert "East &lt;b&gt;side&lt;/b&gt;" in legend and "<b>side" not in legend and "West" in legend


def test_map_frames_let_the_reader_zoom():
    page = folium.Map().get_root().render()
    assert "user-scalable=no" in page  # folium's own header forbids it
    assert "user-scalable" not in zoomable(page) and "maximum-scale" not in zoomable(page)
    assert zoomable(page).count('name="viewport"') == 1


def test_the_map_page_and_the_planner_draw_legends_and_tables_beside_their_maps(demo_db_path, monkeypatch):
    at = open_map(demo_db_path, monkeypatch)
    at.run()
    assert not at.exception
    labels = [expander.label for expander in at.expander]
    assert any(label.startswith("The map as a table (") for label in labels), labels
    legends = [element.proto.body for element in at.get("html")]
    assert any("Referrals per cell" in body and "map-legend" in body for body in legends)
    assert at.table and list(at.table[0].value.index.names) == ["Neighbourhood"]

    at.switch_page("pages/expansion.py").run()
    assert not at.exception
    legends = [element.proto.body for element in at.get("html")]
    assert any(ARREST_DENSITY.unit in body for body in legends)
    tables = [table.value for table in at.table]
    assert any("Legend class" in table.columns for table in tables)
