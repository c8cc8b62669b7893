"""ui.maps: a folium map rendered once sends the browser what st_folium would, and is rebuilt only
when its inputs or the data change."""

import re
from unittest import mock

import pytest
import streamlit_folium as sf

from geo.maps import overview_map
from geo.offline_map import zoomable
from ui import maps
from ui.data import data_changed, query


@pytest.fixture
def boundaries(demo_db_path, monkeypatch):
    monkeypatch.setenv("LEAD_DB", str(demo_db_path))
    return (
        query("areas_geojson", kind="pilot_zone", edition="any"),
        query("areas_geojson", kind="district", edition="1959-2022"),
    )


def _without_ids(text: str) -> str:
    return re.sub(r"_?[0-9a-f]{32}", "", text)


def _sent_by(call) -> dict:
    with mock.patch.object(sf, "_component_func") as component:
        call()
    (kwargs,) = [c.kwargs for c in component.call_args_list]
    return kwargs


def test_show_map_sends_what_st_folium_sends(boundaries):
    by_st_folium = _sent_by(
        lambda: sf.st_folium(
            overview_map(*boundaries), key="m", height=500, use_container_width=True, returned_objects=[]
        )
    )
    rendered = maps.render_map(overview_map(*boundaries))  # a second build: new random element ids
    by_cache = _sent_by(lambda: maps.show_map(rendered, key="m", height=500))
    # The key hashes the script with folium's random ids taken out: equal keys, equal maps.
    assert by_cache["key"] == by_st_folium["key"]
    for name in ("height", "width", "returned_objects", "css_links", "js_links", "default", "feature_group"):
        assert by_cache[name] == by_st_folium[name], name
    assert len(by_cache["script"]) == len(by_st_folium["script"])
    # st_folium's header forbids zooming the frame; the cached map lets the reader zoom (WCAG 1.4.4)
    assert "user-scalable=no" in by_st_folium["header"] and "user-scalable" not in by_cache["header"]
    by_st_folium["header"] = zoomable(by_st_folium["header"])
    for name in ("header", "html"):
        assert _without_ids(by_cache[name]) == _without_ids(by_st_folium[name]), name
    assert all(link.startswith("/app/static/") for link in by_cache["js_links"] + by_cache["css_links"])


def test_a_map_is_built_once_per_inputs_and_again_after_the_data_changed(boundaries):
    data_changed()
    builds = []

    def build():
        builds.append(1)
        return overview_map(*boundaries)

    first = maps.cached_map(("test", 1), build)
    assert maps.cached_map(("test", 1), build) is first
    assert len(builds) == 1
    maps.cached_map(("test", 2), build)
    assert len(builds) == 2
    data_changed()
    assert maps.cached_map(("test", 1), build) is not first
    assert len(builds) == 3
