"""The Map page under AppTest, and the pieces it is built from: area choices, figures, downloads, export."""

import json
import re
from datetime import date
from functools import partial

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import queries
from domain.figures import FIGURES, RATIO_HIDDEN_TEXT, referrals_per_100_text
from domain.program import EXPANSION_CANDIDATES
from geo.density_map import density_map
from geo.map_page import (
    MapFilters,
    area_choices,
    boundary_streets,
    cells_download,
    download_stem,
    figures_table,
    headline_figures,
    load_context,
    load_density_layers,
    load_figures,
    same_area_in_edition,
    unmapped_text,
)
from geo.standalone import standalone_html
from tests.conftest import REPO_ROOT

APP_TIMEOUT = 90
COUNT_IN_SCRIPT = re.compile(r'"count_text":"([\d,]+)"')


def open_map(db_path, monkeypatch, staff: bool = False) -> AppTest:
    """The home page, then the Map page (Streamlit builds the navigation, and the shared view with
    its public/staff flag, on app.py's first run)."""
    monkeypatch.setenv("LEAD_DB", str(db_path))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    if staff:
        at.session_state["staff_signed_in"] = True
    at.run()
    assert not at.exception
    return at.switch_page("pages/map.py")


@pytest.fixture
def app(demo_db_path, monkeypatch):
    """The public Map page against the session's demo database (not yet run)."""
    return open_map(demo_db_path, monkeypatch)


def _map_script(at) -> str:
    (component,) = at.get("component_instance")
    return json.loads(component.proto.json_args)["script"]


def _map_and_legends(at) -> str:
    """The map's script and the legends drawn beside it on the page."""
    return _map_script(at) + "".join(element.proto.body for element in at.get("html"))


def _metrics(at) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def _expected(demo_con, **filters) -> pd.Series:
    last = queries.run(demo_con, "data_sources")["last_date"].max().date()
    return load_figures(partial(queries.run, demo_con), MapFilters(date(2017, 2, 1), last, **filters))


def test_map_page_runs_and_shows_the_figures_of_the_default_view(app, demo_con):
    at = app.run()
    assert not at.exception
    assert not at.error
    expected = _expected(demo_con)
    metrics = _metrics(at)
    assert metrics["People referred"] == f"{int(expected.referrals):,}"
    assert metrics["Enrolled"] == f"{int(expected.enrolled):,}"
    assert metrics["LEAD-eligible arrests"] == f"{int(expected.eligible_arrests):,}"
    assert metrics["Referrals per 100 eligible arrests"] == referrals_per_100_text(
        expected.referrals, expected.eligible_arrests, public=True
    )
    assert metrics["Referrals per 100 eligible arrests"][0].isdigit()  # a ratio, not a dash
    assert [button.label for button in at.get("download_button")] == [
        "Map (standalone HTML)",
        "Map (PNG)",
        "Cells (GeoJSON)",
        "Figures (CSV)",
    ]
    # The layers chosen above the map are the ones drawn: eligible arrests start switched off.
    script = _map_and_legends(at)
    layers = ("Referrals per cell", "Expansion candidate", "LEAD pilot zone")
    assert all(layer in script for layer in layers)
    assert "Eligible arrests per cell" not in script
    at.pills(key="map_layers").set_value([*at.pills(key="map_layers").value, "arrests"]).run()
    assert "Eligible arrests per cell" in _map_and_legends(at)
    (component,) = at.get("component_instance")
    assert json.loads(component.proto.json_args)["returned_objects"] == []  # panning never reruns the page


def test_public_map_payload_has_no_small_cell_and_no_record_fields(app):
    script = _map_script(app.run())
    counts = [int(text.replace(",", "")) for text in COUNT_IN_SCRIPT.findall(script)]
    assert counts and min(counts) >= 5
    for field in ("referral_id", "arrest_id", "case_manager_id", "age", "enrolled_on", "lat", "lon"):
        assert f'"{field}"' not in script  # as a property key


def test_staff_map_shows_the_small_cells_public_views_hide(demo_db_path, monkeypatch):
    script = _map_script(open_map(demo_db_path, monkeypatch, staff=True).run())
    counts = [int(text.replace(",", "")) for text in COUNT_IN_SCRIPT.findall(script)]
    assert min(counts) < 5  # the demo has sparse cells: staff see them


def test_filters_and_area_change_the_figures(app, demo_con):
    at = app.run()
    at.sidebar.selectbox(key="map_area").select("nsa:Downtown").run()
    at.sidebar.selectbox(key="map_referral_type").select("social_contact").run()
    at.sidebar.selectbox(key="map_offense_category").select("cds_possession").run()
    assert not at.exception
    expected = _expected(
        demo_con, area_id="nsa:Downtown", referral_type="social_contact", offense_category="cds_possession"
    )
    metrics = _metrics(at)
    assert metrics["LEAD-eligible arrests"] == f"{int(expected.eligible_arrests):,}"
    referred = int(expected.referrals)
    assert metrics["People referred"] == ("fewer than 5" if 0 < referred < 5 else f"{referred:,}")
    assert any("Downtown (neighbourhood)" in markdown.value for markdown in at.markdown)


def test_switching_district_edition_keeps_the_same_district(app):
    at = app.run()
    at.sidebar.selectbox(key="map_area").select("district:1959-2022:Central").run()
    at.sidebar.radio(key="map_edition").set_value("2023").run()
    assert not at.exception
    assert at.sidebar.selectbox(key="map_area").value == "district:2023:Central"
    assert "Other police districts (2023)" in _map_and_legends(at)  # the legend names the edition drawn


def test_an_area_with_no_referrals_draws_an_empty_layer_without_error(app, demo_con):
    filters = MapFilters(date(2017, 2, 1), date(2024, 12, 31), "district:1959-2022:Northeast")
    empty = load_figures(partial(queries.run, demo_con), filters)
    assert empty.referrals == 0  # the demo's referrals are all in the Central District
    at = app.run()
    at.sidebar.selectbox(key="map_area").select("district:1959-2022:Northeast").run()
    assert not at.exception
    assert _metrics(at)["People referred"] == "0"
    assert "No cells to draw for these filters." in _map_and_legends(at)


# The pieces -----------------------------------------------------------------------------------------


def test_area_choices_offer_city_pilot_zone_one_edition_and_every_neighbourhood(demo_con):
    choices = area_choices(queries.run(demo_con, "area_list", edition="2023"), "2023")
    ids = list(choices)
    assert ids[:2] == ["city", "pilot_zone"]
    assert sum(area.startswith("district:2023:") for area in ids) == 9
    assert not any(area.startswith("district:1959-2022:") for area in ids)
    assert sum(area.startswith("nsa:") for area in ids) == 278
    assert choices["district:2023:Central"].label == "Central District (2023)"
    (south, west), (north, east) = choices["nsa:Fells Point"].bounds
    assert south < north and west < east and -76.8 < west < -76.5
    assert same_area_in_edition("district:1959-2022:Central", "2023") == "district:2023:Central"
    assert same_area_in_edition("nsa:Fells Point", "2023") == "nsa:Fells Point"


def test_expansion_candidates_are_real_neighbourhood_names(demo_con):
    names = set(queries.run(demo_con, "areas_geojson", kind="neighborhood", edition="any")["name"])
    assert set(EXPANSION_CANDIDATES) <= names


def test_boundary_streets_are_the_four_named_streets():
    streets = boundary_streets()
    names = [feature["properties"]["name"] for feature in streets["features"]]
    assert len(names) == 4
    assert {"Franklin St", "Pratt St"} <= set(names)


def test_boundary_streets_absent_or_malformed(tmp_path):
    assert boundary_streets(tmp_path / "missing.geojson") is None
    bad = tmp_path / "streets.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}}]}')
    with pytest.raises(ValueError, match="a street has no 'name'"):
        boundary_streets(bad)


def _figures(referrals, enrolled, arrests):
    return pd.Series(
        {
            "referrals": referrals,
            "enrolled": enrolled,
            "eligible_arrests": arrests,
            "referrals_unmapped": 0,
            "eligible_arrests_unmapped": 3,
        }
    )


def test_headline_figures_suppress_small_counts_and_the_ratio_that_would_reveal_them():
    public = {f.key: f.value for f in headline_figures(_figures(3, 2, 400), public=True)}
    assert public == {
        "referrals": "fewer than 5",
        "enrolled": "fewer than 5",
        "eligible_arrests": "400",
        "referrals_per_100": RATIO_HIDDEN_TEXT,
    }
    staff = {f.key: f.value for f in headline_figures(_figures(3, 2, 400), public=False)}
    assert staff == {"referrals": "3", "enrolled": "2", "eligible_arrests": "400", "referrals_per_100": "0.8"}
    none = {f.key: f.value for f in headline_figures(_figures(0, 0, 0), public=True)}
    assert none == {"referrals": "0", "enrolled": "0", "eligible_arrests": "0", "referrals_per_100": "—"}


def test_headline_figures_carry_the_one_label_and_help_of_each_figure():
    shown = headline_figures(_figures(40, 20, 1600), public=True)
    assert [(f.label, f.help) for f in shown] == [(FIGURES[f.key].label, FIGURES[f.key].help) for f in shown]
    assert shown[-1].value == "2.5"  # computed from the counts: there is no ratio in load_figures


def test_unmapped_counts_are_said_and_suppressed_when_small():
    assert unmapped_text(_figures(10, 5, 400), public=True) == (
        "fewer than 5 eligible arrests have no location: counted in the figures, not drawn on the map."
    )
    assert unmapped_text(_figures(10, 5, 400), public=False).startswith("3 eligible arrests")


def test_download_names_are_safe_file_names():
    filters = MapFilters(date(2017, 2, 1), date(2024, 12, 31), "nsa:Butcher's Hill")
    # a public view's period is whole quarters: 1 Feb 2017 is counted from 1 Jan
    assert download_stem(filters) == "lead-map-nsa-butcher-s-hill-2017-01-01-2024-12-31"


def test_figures_csv_holds_the_shown_values_and_what_they_cover():
    figures = headline_figures(_figures(3, 2, 400), public=True)
    table = figures_table(figures, {"Area": "Whole city", "Data": "Synthetic demo data, not real records"})
    csv = table.to_csv(index=False).splitlines()
    assert csv[0] == "figure,value"
    assert "People referred,fewer than 5" in csv
    assert "Data,Synthetic demo data, not real records" not in csv  # the comma is quoted
    assert 'Data,"Synthetic demo data, not real records"' in csv


@pytest.fixture
def built_map(demo_con):
    """The default public map of the demo database, with its layers."""
    run_query = partial(queries.run, demo_con)
    context = load_context(run_query, "1959-2022")
    layers = load_density_layers(run_query, MapFilters(date(2017, 2, 1), date(2024, 12, 31)))
    return density_map(context, layers), layers


def test_cells_download_is_what_the_map_draws(built_map):
    _, layers = built_map
    collection = cells_download(layers, {"Period": "01 Feb 2017 – 31 Dec 2024"})
    assert collection["type"] == "FeatureCollection"
    assert collection["metadata"]["Period"].startswith("01 Feb 2017")
    drawn = sum(len(layer.cells["features"]) for layer in layers)
    assert len(collection["features"]) == drawn > 0
    assert min(feature["properties"]["count"] for feature in collection["features"]) >= 5
    assert {feature["properties"]["layer"] for feature in collection["features"]} == {
        "Referrals",
        "Eligible arrests",
    }


def test_standalone_html_inlines_leaflet_and_names_what_it_shows(built_map):
    folium_map, _ = built_map
    page = standalone_html(folium_map, "LEAD Baltimore map", ["Demo data — synthetic", "Area: Whole city"])
    assert not re.search(r'(src|href)="/app/static', page)  # nothing loaded from the app's server
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r'<link[^>]+rel="stylesheet"', page)
    assert "Leaflet" in page and "L.map(" in page  # the library itself is inside
    assert "url(data:image/png;base64," in page  # the layer-control icon
    assert "<title>LEAD Baltimore map</title>" in page
    assert "Demo data — synthetic" in page and "Area: Whole city" in page
    assert "Referrals per cell" in page


def test_projector_mode_sets_the_map_type_larger(demo_con):
    run_query = partial(queries.run, demo_con)
    context = load_context(run_query, "1959-2022")
    normal = density_map(context, []).get_root().render()
    large = density_map(context, [], large_type=True).get_root().render()
    assert ".leaflet-container .map-label { font-size: 18px; }" in large
    assert "font-size: 18px" not in normal


def test_standalone_html_refuses_a_remote_asset(built_map):
    folium_map, _ = built_map
    folium_map.default_js = [*folium_map.default_js, ("cdn", "https://cdn.example.org/x.js")]
    with pytest.raises(ValueError, match="not one of the app's local files"):
        standalone_html(folium_map, "map")
