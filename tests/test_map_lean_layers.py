"""The lean map elements render exactly the text of the folium elements they stand in for."""

import itertools

import folium
import pytest
from branca.element import Element

from geo.layers import CustomPane, FeatureGroup, GeoJsonLayer, StaticElement

CSS = "<style>\n  .map-label { color: #4a525c; }\n</style>\n"
EMPTY = '{"type":"FeatureCollection","features":[]}'


@pytest.fixture
def numbered_ids(monkeypatch):
    """Element ids 0, 1, 2... instead of random ones, so two maps built alike render alike."""

    def reset():
        counter = itertools.count()
        monkeypatch.setattr(Element, "_generate_id", classmethod(lambda cls: f"{next(counter):032x}"))

    return reset


def _rendered(numbered_ids, group_class, pane_class, css_class) -> tuple[str, list[str]]:
    """A map with a custom pane, a shown and a hidden group holding a layer each, and a style block:
    its page (rendered twice, as ``ui.maps`` renders a map) and the names of the two groups."""
    numbered_ids()
    folium_map = folium.Map(tiles=None)
    folium_map.get_root().header.add_child(css_class(CSS), name="labels")
    pane_class("density", z_index=350, pointer_events=True).add_to(folium_map)
    groups = []
    for name, show in (("Shown", True), ("Hidden", False)):
        group = group_class(name=name, show=show).add_to(folium_map)
        GeoJsonLayer(EMPTY, {"color": "#333"}).add_to(group)
        groups.append(group.get_name())
    folium_map.render()
    return folium_map.get_root().render(), groups


def test_lean_group_pane_and_style_render_what_folium_renders(numbered_ids):
    lean, (shown, hidden) = _rendered(numbered_ids, FeatureGroup, CustomPane, StaticElement)
    plain, _ = _rendered(numbered_ids, folium.FeatureGroup, folium.map.CustomPane, folium.Element)
    assert lean == plain
    assert f"{shown}.addTo(map_" in lean and f"{hidden}.addTo(" not in lean  # a hidden group waits
    assert ".createPane(" in lean and ".map-label { color: #4a525c; }" in lean
