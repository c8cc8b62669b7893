"""The planner's maps: drawing tools served locally, layers, legend and hidden densities."""

import json
import re

import pandas as pd
import pytest
from shapely.geometry import box, mapping

from geo.planner_map import (
    DENSITY_COLOURS,
    NO_DATA_COLOUR,
    comparison_map,
    density_bins,
    picked_layer,
    planner_map,
)
from planning.projection import CASE_MANAGEMENT_SITE, EXPANSION_CANDIDATES

CANDIDATE_LABEL = 'class=\\"candidate-label\\"'  # a label's div, as it sits inside the map's script


def outline(row_id: str, name: str, geometry, **extra) -> dict:
    return {"area_id": row_id, "name": name, "geojson": json.dumps(mapping(geometry)), **extra}


@pytest.fixture
def layers():
    """A pilot zone, one district and three neighbourhoods (one hidden, one a named candidate)."""
    pilot_zone = pd.DataFrame(
        [outline("pilot_zone", "LEAD pilot zone", box(-76.628, 39.286, -76.614, 39.295))]
    )
    districts = pd.DataFrame(
        [outline("district:1959-2022:Central", "Central", box(-76.64, 39.28, -76.59, 39.31))]
    )
    old_goucher = box(-76.62, 39.31, -76.61, 39.32)
    neighbourhoods = pd.DataFrame(
        [
            outline(
                "nsa:Old Goucher",
                EXPANSION_CANDIDATES[0],
                old_goucher,
                is_candidate=True,
                eligible_per_year_km2=40.0,
            ),
            outline(
                "nsa:B", "B", box(-76.60, 39.31, -76.59, 39.32), is_candidate=False, eligible_per_year_km2=2.0
            ),
            outline(
                "nsa:C",
                "C",
                box(-76.58, 39.31, -76.57, 39.32),
                is_candidate=False,
                eligible_per_year_km2=None,
            ),
        ]
    )
    return pilot_zone, districts, neighbourhoods


def rendered(folium_map) -> str:
    return folium_map.get_root().render()


def test_drawing_tools_and_leaflet_come_from_the_app_itself(layers):
    html = rendered(planner_map(*layers, CASE_MANAGEMENT_SITE))
    assert "L.Control.Draw" in html
    assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
    assert "/app/static/vendor/leaflet-draw/leaflet.draw.js" in assets
    assert "/app/static/vendor/leaflet-draw/leaflet.draw.css" in assets
    assert "/app/static/vendor/leaflet/leaflet.js" in assets
    assert all(url.startswith("/app/static/vendor/") for url in assets), assets


def test_a_map_without_candidates_still_renders(layers):
    pilot_zone, districts, neighbourhoods = layers
    others = neighbourhoods[~neighbourhoods.is_candidate]
    assert CANDIDATE_LABEL not in rendered(planner_map(pilot_zone, districts, others, CASE_MANAGEMENT_SITE))


def test_only_polygons_and_rectangles_can_be_drawn(layers):
    html = rendered(planner_map(*layers, CASE_MANAGEMENT_SITE))
    start = html.index("draw: {")
    options = html[start : html.index("edit:", start)]
    for tool in ("polyline", "circle", "circlemarker", "marker"):
        assert f'"{tool}": false' in options
    assert '"polygon": {' in options and '"rectangle": {' in options


def test_map_shows_candidates_site_legend_and_hidden_densities(layers):
    html = rendered(planner_map(*layers, CASE_MANAGEMENT_SITE))
    assert html.count(CANDIDATE_LABEL) == 1 and EXPANSION_CANDIDATES[0] in html
    assert "Case management" in html and "site-label" in html
    assert "map-legend" in html and "Hidden (fewer than 5)" in html
    assert "fewer than 5 arrests (hidden)" in html  # the tooltip of the hidden neighbourhood
    assert NO_DATA_COLOUR in html


def test_density_classes_are_quantiles_of_positive_values():
    values = pd.Series([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, None])
    assert density_bins(values, classes=2) == [5.5, 10.0]
    assert len(density_bins(values)) == len(DENSITY_COLOURS)
    assert density_bins(pd.Series([0, None])) == []


def test_picked_areas_are_a_separate_layer():
    group = picked_layer(box(-76.62, 39.31, -76.61, 39.32))
    assert len(group._children) == 1
    assert len(picked_layer(None)._children) == 0


def test_comparison_map_draws_each_proposal_in_its_own_colour(layers):
    pilot_zone, districts, _ = layers
    proposals = [("North", box(-76.62, 39.31, -76.61, 39.32)), ("East", box(-76.60, 39.29, -76.59, 39.30))]
    html = rendered(comparison_map(proposals, pilot_zone, districts, CASE_MANAGEMENT_SITE))
    assert "#1b9e77" in html and "#d95f02" in html
    assert html.count('class=\\"candidate-label proposal-label\\"') == 2  # each proposal labelled on the map
    # opened on the proposals, at neighbourhood scale (not the whole region)
    assert "center: [39.305, -76.605]" in html
    assert '"zoom": 13' in html
