"""Lean map layers for folium maps that are rebuilt on every Streamlit rerun.

``folium.GeoJson`` does per-feature work in Python (a style map, a bounds walk over every coordinate),
every ``folium.Marker`` is several elements, and branca re-compiles each element's rendered script as a
Jinja template; a map with a few hundred polygons and a score of labels spends most of a rerun there.
These layers take GeoJSON as text, style features in the browser, draw all labels of a group from one
list, and hand their script to the page verbatim.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache

import folium
import pandas as pd
from branca.element import Element, MacroElement, Template
from folium.elements import ElementAddToElement

from domain.safe_text import NAME_LIMIT, html_text, script_safe_json

_SCRIPT = Template(
    """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJson({{ this.data_json }}, {
  style: {{ this.style_js }},
  interactive: {{ this.interactive | tojson }},
  pane: {{ this.pane | tojson }},
  onEachFeature: {% if this.tooltip_js %}function (feature, layer) {
    layer.bindTooltip(function () { return {{ this.tooltip_js }}; }, {sticky: true});
    layer.on('mouseover', function () { layer.setStyle({weight: 3, color: '#111111'}); });
    layer.on('mouseout', function () { {{ this.get_name() }}.resetStyle(layer); });
  }{% else %}null{% endif %}
}).addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
)


class _Verbatim(Element):
    """Text placed in the page as it is (branca would otherwise parse it as a Jinja template)."""

    def __init__(self, text: str):
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class VerbatimMacroElement(MacroElement):
    """A MacroElement whose rendered header, html and script go into the page without a second Jinja
    pass (a drop-in base class for custom map controls)."""

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            if part in macros:
                text = macros[part](self, kwargs)
                getattr(figure, part).add_child(_Verbatim(text), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class FeatureGroup(folium.FeatureGroup, VerbatimMacroElement):
    """folium's FeatureGroup, its script (and the line adding it to its parent) handed to the page
    verbatim: the same text, without compiling each rendered piece again as a Jinja template."""

    def render(self, **kwargs) -> None:
        # folium's Layer.render, with a verbatim add-to-parent line in place of ElementAddToElement
        if self.show:
            add = _AddToParent(self.get_name(), self._parent.get_name())
            self.add_child(add, name=self.get_name() + "_add")
        super(folium.map.Layer, self).render(**kwargs)


class _AddToParent(ElementAddToElement, VerbatimMacroElement):
    """folium's ``<layer>.addTo(<parent>);`` line, handed to the page verbatim."""


class CustomPane(folium.map.CustomPane, VerbatimMacroElement):
    """folium's CustomPane (a Leaflet map pane), its script handed to the page verbatim."""


class StaticElement(Element):
    """A fixed piece of page text (a ``<style>`` block, say) rendered exactly as ``folium.Element``
    renders it, with its template compiled once per text instead of once per map."""

    def __init__(self, text: str):
        super().__init__()
        self._template = _compiled(text)


@lru_cache(maxsize=32)
def _compiled(text: str) -> Template:
    return Template(text)


class GeoJsonLayer(VerbatimMacroElement):
    """GeoJSON text drawn by ``L.geoJson`` inside its parent (a map or a FeatureGroup).

    ``style`` is a Leaflet path style; ``colour_property`` names a feature property that overrides
    ``fillColor`` per feature. ``tooltip_js`` is a JavaScript expression over ``feature`` giving the
    tooltip HTML (sticky, shown on hover), and the hovered shape is outlined darker: text in it must be
    escaped already (``domain.safe_text.html_text``), in the properties as in the expression.

    >>> layer = GeoJsonLayer('{"type": "FeatureCollection", "features": []}', {"color": "#333"})
    """

    def __init__(
        self,
        data_json: str,
        style: dict,
        colour_property: str | None = None,
        tooltip_js: str | None = None,
        pane: str = "overlayPane",
        interactive: bool | None = None,
    ):
        super().__init__()
        self._name = "GeoJsonLayer"
        self._template = _SCRIPT
        # "</" inside a string would let data close the surrounding <script> element early.
        self.data_json = script_safe_json(data_json)
        self.pane = pane
        self.interactive = bool(tooltip_js) if interactive is None else interactive
        style_json = json.dumps(style)
        if colour_property:
            prop = json.dumps(colour_property)
            self.style_js = (
                f"function (feature) {{ return Object.assign({{}}, {style_json}, "
                f"{{fillColor: feature.properties[{prop}]}}); }}"
            )
        else:
            self.style_js = style_json
        self.tooltip_js = tooltip_js


_LABELS_SCRIPT = Template(
    """
{% macro script(this, kwargs) %}
{{ this.labels_json }}.forEach(function (label) {
  L.marker([label[0], label[1]], {
    icon: L.divIcon({html: label[2], className: '', iconSize: [0, 0]}),
    interactive: false, keyboard: false
  }).addTo({{ this._parent.get_name() }});
});
{% endmacro %}
"""
)


class TextLabels(VerbatimMacroElement):
    """Text pinned on the map, one ``(lat, lon, text, css_class)`` per label, as Leaflet divIcons.

    The text is escaped, never taken as HTML; labels are not interactive, so they never steal the
    pointer from the shapes underneath.
    """

    def __init__(self, labels: Iterable[tuple[float, float, str, str]]):
        super().__init__()
        self._name = "TextLabels"
        self._template = _LABELS_SCRIPT
        rows = [
            [
                round(lat, 6),
                round(lon, 6),
                f'<div class="{html_text(css)}">{html_text(text, NAME_LIMIT)}</div>',
            ]
            for lat, lon, text, css in labels
        ]
        self.labels_json = script_safe_json(json.dumps(rows, separators=(",", ":")))


def features_json(frame: pd.DataFrame, properties: Iterable[str] = ("name",)) -> str:
    """A FeatureCollection as compact text from rows with a ``geojson`` geometry column.

    The geometry text from DuckDB's ``st_asgeojson`` is spliced in as it is, never parsed.
    """
    properties = list(properties)
    missing = {"geojson", *properties} - set(frame.columns)
    if missing:
        raise ValueError(f"features_json: columns {sorted(missing)} missing (found: {list(frame.columns)})")
    features = []
    for row in frame[["geojson", *properties]].itertuples(index=False):
        values = {name: _plain(value) for name, value in zip(properties, row[1:], strict=True)}
        props = json.dumps(values, separators=(",", ":"))
        features.append(f'{{"type":"Feature","geometry":{row[0]},"properties":{props}}}')
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def _plain(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value
