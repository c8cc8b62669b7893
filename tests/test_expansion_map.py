"""The planner's maps: drawing tools served locally, layers, legend and hidden densities."""

import json
import re
from unittest import mock

import pandas as pd
import pytest
import streamlit_folium as sf
from shapely.geometry import box, mapping

from domain.program import EXPANSION_CANDIDATES
from geo.map_style import ARREST_DENSITY, COMPARISON_COLOURS
from geo.offline_map import zoomable
from geo.planner_map import (
    _drawing_map,
    comparison_map,
    density_bins,
    fill_period,
    period_values,
    picked_layer,
    planner_base_map,
)
from planning.projection import CASE_MANAGEMENT_SITE
from ui.maps import render_map, show_map

CANDIDATE_LABEL = 'class=\\"map-label candidate-label\\"'  # a label's div, as it sits inside the map's script
DENSITY_COLOURS, NO_DATA_COLOUR = ARREST_DENSITY.colours, ARREST_DENSITY.no_data
HIDDEN_DENSITY_TEXT = ARREST_DENSITY.hidden_tooltip


def planner_map(pilot_zone, districts, neighbourhoods, site):
    """The drawing map as folium draws it with the period's values written in (no stand-ins)."""
    return _drawing_map(pilot_zone, districts, neighbourhoods, site, False, period_values(neighbourhoods))


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
    assert "map-legend" in html and "Hidden (fewer than 5) or withheld" in html
    assert HIDDEN_DENSITY_TEXT == "fewer than 5 arrests (hidden), or withheld to protect one"
    # each neighbourhood's colour and tooltip text, the hidden one in the no-data grey
    densities = period_values(layers[2]).densities
    assert densities["C"] == [NO_DATA_COLOUR, HIDDEN_DENSITY_TEXT]
    assert densities["B"][1] == "2.0 eligible arrests / year / km²" and densities["B"][0] in DENSITY_COLOURS
    assert json.dumps(densities["C"]).replace(" ", "") in html.replace(" ", "")


def _sent_by(call) -> dict:
    with mock.patch.object(sf, "_component_func") as component:
        call()
    (kwargs,) = [c.kwargs for c in component.call_args_list]
    return kwargs


def _without_ids(text: str) -> str:
    return re.sub(r"_?[0-9a-f]{32}", "", text)


@pytest.mark.parametrize("picked", [None, box(-76.62, 39.31, -76.61, 39.32)])
def test_the_map_rendered_once_sends_what_st_folium_sends_for_each_period(layers, picked):
    pilot_zone, districts, neighbourhoods = layers
    # rendered once, with another period's figures: only the outlines, names and candidates count
    base = render_map(
        planner_base_map(
            pilot_zone, districts, neighbourhoods.assign(eligible_per_year_km2=9.0), CASE_MANAGEMENT_SITE
        )
    )
    group = (lambda: picked_layer(picked)) if picked is not None else (lambda: None)
    by_st_folium = _sent_by(
        lambda: sf.st_folium(
            planner_map(*layers, CASE_MANAGEMENT_SITE),
            key="planner_map",
            height=560,
            use_container_width=True,
            returned_objects=["all_drawings"],
            feature_group_to_add=group(),
        )
    )
    by_cache = _sent_by(
        lambda: show_map(
            base,
            script=fill_period(base.script, neighbourhoods),
            returned=("all_drawings",),
            added_layer=group(),
            height=560,
            key="planner_map",
        )
    )
    # The key hashes the script with folium's random ids taken out: equal keys, equal maps.
    assert by_cache["key"] == by_st_folium["key"]
    # st_folium's header forbids zooming the frame; the cached map lets the reader zoom (WCAG 1.4.4)
    by_st_folium["header"] = zoomable(by_st_folium["header"])
    assert "user-scalable" not in by_cache["header"]
    for name in ("script", "header", "html", "feature_group"):
        assert _without_ids(by_cache[name] or "") == _without_ids(by_st_folium[name] or ""), name
    for name in ("height", "width", "returned_objects", "default", "css_links", "js_links", "zoom", "center"):
        assert by_cache[name] == by_st_folium[name], name
    assert (by_cache["feature_group"] is None) == (picked is None)


def densities_in(script: str) -> dict:
    return json.loads(re.search(r"var plannerDensity = (\{.*?\});", script).group(1))


def test_a_new_period_changes_only_the_colours_tooltips_and_legend(layers):
    pilot_zone, districts, neighbourhoods = layers
    script = render_map(planner_base_map(*layers, CASE_MANAGEMENT_SITE)).script
    busier = neighbourhoods.assign(eligible_per_year_km2=[40.0, 30.0, 2.0])
    before, after = fill_period(script, neighbourhoods), fill_period(script, busier)
    assert densities_in(before) == period_values(neighbourhoods).densities
    assert densities_in(after) == period_values(busier).densities
    assert densities_in(before)["C"][1] == HIDDEN_DENSITY_TEXT
    assert densities_in(after)["C"][1] == "2.0 eligible arrests / year / km²"
    assert "planner-period" not in before + after  # every stand-in was filled
    # the rest of the script is the same text
    changed = [(b, a) for b, a in zip(before.splitlines(), after.splitlines(), strict=True) if b != a]
    assert [b.split("=")[0].strip() for b, _ in changed] == ["var plannerDensity", "div.innerHTML"]
    with pytest.raises(ValueError, match="instead of one"):
        fill_period(before, neighbourhoods)  # a script whose stand-ins are gone cannot be filled again


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
    assert f'"color": "{COMPARISON_COLOURS[0]}"' in html and f'"color": "{COMPARISON_COLOURS[1]}"' in html
    assert html.count('class=\\"map-label comparison-label\\"') == 2  # each proposal labelled on the map
    # opened on the proposals, at neighbourhood scale (not the whole region)
    assert "center: [39.305, -76.605]" in html
    assert '"zoom": 13' in html
