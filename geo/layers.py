"""The folium toolkit: the map description (``geo.map_style``) drawn as Leaflet layers, labels and
legends, for every map on screen (Map page, Overview, expansion planner).

Two kinds of layer, for two kinds of map:

* ``outline_layer`` / ``text_label``: folium's own GeoJson (a tooltip per feature) and Marker, for
  small maps rendered once and cached.
* ``GeoJsonLayer`` / ``TextLabels`` / ``FeatureGroup``: lean elements for maps rebuilt on a rerun.
  ``folium.GeoJson`` does per-feature work in Python (a style map, a bounds walk over every
  coordinate), every ``folium.Marker`` is several elements, and branca re-compiles each element's
  rendered script as a Jinja template; these take GeoJSON as text, style features in the browser, draw
  all labels of a group from one list, and hand their script to the page verbatim.

Both take their look from ``path_style`` and ``label_class``, and legends from ``legend_row``: no
colour, width or legend text of a described layer is written here or in the maps that use this.
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
from geo.map_style import DASHED, DRAW_ORDER, HALO, INK, LAYERS, LEGEND_MAX_WIDTH, TEXT, LayerStyle

# The CSS class of the names written on a layer (beside ``map-label``, which every name has).
LABEL_CLASSES = {
    "pilot_zone": "zone-label",
    "districts": "district-label",
    "central_district": "district-label central-label",
    "candidates": "candidate-label",
    "streets": "street-label",
    "proposal": "proposal-label",
    "comparison": "comparison-label",
}


# The description, in Leaflet's terms -----------------------------------------------------------------


def path_style(style: LayerStyle) -> dict:
    """Leaflet path options drawing ``style``; each path gets the class ``layer-<key>``.

    >>> path_style(LAYERS["central_district"])["dashArray"]
    '8.1 6'
    """
    options = {
        "className": f"layer-{style.key}",
        "color": style.stroke,
        "weight": style.width,
        "opacity": style.stroke_opacity,
        # An unfilled area still takes the pointer inside it (fill on, transparent): its tooltip answers.
        "fillColor": style.fill or style.stroke,
        "fillOpacity": style.fill_opacity if style.fill else 0,
    }
    if style.dash:
        options["dashArray"] = " ".join(f"{length:g}" for length in style.dash_lengths())
    if style.round_caps:
        options["lineCap"] = "round"
    return options


def css_colour(colour: str, opacity: float = 1.0) -> str:
    """``colour`` ('#rrggbb') at ``opacity`` as CSS.

    >>> css_colour("#b2182b", 0.15)
    'rgba(178,24,43,0.15)'
    """
    if opacity >= 1:
        return colour
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{opacity:g})"


def legend_row(style: LayerStyle, **fields: str) -> tuple[str, str, str]:
    """A legend row (swatch fill, text, swatch border) showing ``style`` as the map draws it."""
    fill = css_colour(style.fill, style.fill_opacity) if style.fill else "transparent"
    if not style.width:
        return fill, style.legend_text(**fields), "0 solid transparent"
    line = "dashed" if style.dash == DASHED else ("dotted" if style.dash else "solid")
    width = max(1, round(min(style.width, LEGEND_MAX_WIDTH)))
    return (
        fill,
        style.legend_text(**fields),
        f"{width}px {line} {css_colour(style.stroke, style.stroke_opacity)}",
    )


def label_class(key: str) -> str:
    """The CSS classes of a name written on layer ``key`` (coloured by ``LABEL_CSS``)."""
    return f"map-label {LABEL_CLASSES[key]}"


def _label_rules() -> str:
    rules = []
    for key in DRAW_ORDER:  # later layers' rules win, as their shapes are drawn over
        style = LAYERS[key]
        if key in LABEL_CLASSES and style.label:
            css = LABEL_CLASSES[key].split()[-1]
            italic = " font-style: italic;" if style.italic_label else ""
            rules.append(f"  .map-label.{css} {{ color: {style.label};{italic} }}")
    return "\n".join(rules)


# Every name on a map: bold, on a white rim, centred on its point; coloured as its layer says.
LABEL_CSS = f"""
<style>
  .map-label {{ display: inline-block; white-space: nowrap; font: bold 14px sans-serif; color: {TEXT};
               text-shadow: 0 0 3px {HALO}, 0 0 3px {HALO}, 0 0 3px {HALO};
               transform: translate(-50%, -50%); }}
{_label_rules()}
</style>
"""


def add_label_styles(folium_map: folium.Map) -> None:
    """Put ``LABEL_CSS`` in the page of ``folium_map`` (once)."""
    folium_map.get_root().header.add_child(StaticElement(LABEL_CSS), name="map_labels")


# folium's own layers: a tooltip per feature ----------------------------------------------------------


def feature_collection(frame: pd.DataFrame, properties: list[str]) -> dict:
    """GeoJSON FeatureCollection from rows with a ``geojson`` geometry column."""
    features = [
        {
            "type": "Feature",
            "geometry": json.loads(row["geojson"]),
            "properties": {name: _plain(row[name]) for name in properties},
        }
        for _, row in frame.iterrows()
    ]
    return {"type": "FeatureCollection", "features": features}


def _plain(value):
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value


def outline_layer(
    frame: pd.DataFrame, name: str, style: dict | LayerStyle, tooltip: str | None = "name", show: bool = True
) -> folium.GeoJson:
    """One GeoJson layer of area outlines, with the area name on hover.

    ``style``: a described layer, or Leaflet path options. Leaflet shows a tooltip's text as HTML: the
    ``tooltip`` column goes into the features escaped.
    """
    options = path_style(style) if isinstance(style, LayerStyle) else style
    properties = [tooltip] if tooltip else []
    if tooltip:
        frame = frame.assign(**{tooltip: [html_text(text, NAME_LIMIT) for text in frame[tooltip]]})
    return folium.GeoJson(
        feature_collection(frame, properties),
        name=name,
        style_function=lambda _feature, options=options: options,
        tooltip=folium.GeoJsonTooltip(fields=[tooltip], labels=False) if tooltip else None,
        show=show,
    )


def text_label(lat: float, lon: float, text: str, css_class: str = "map-label") -> folium.Marker:
    """A text label pinned on the map (a Leaflet divIcon: no image, no remote asset)."""
    return folium.Marker(
        location=(lat, lon),
        icon=folium.DivIcon(
            html=f'<div class="{html_text(css_class)}">{html_text(text, NAME_LIMIT)}</div>', icon_size=(0, 0)
        ),
        interactive=False,
        keyboard=False,  # a name, not a control: no Tab stop (Leaflet makes every marker one)
    )


# Legends ---------------------------------------------------------------------------------------------

# A legend box, on a map or beside it on the page (``legend_box``).
LEGEND_CSS = f"""
  .lead-legend {{ background: rgba(255,255,255,0.94); padding: 8px 12px; border: 1px solid #555;
                 border-radius: 4px; font: 15px/1.4 sans-serif; color: {INK}; }}
  .lead-legend h4 {{ margin: 0 0 4px; font-size: 15px; color: {INK}; }}
  .lead-legend .note {{ font-size: 12px; color: {TEXT}; }}
  .lead-legend .swatch {{ display: inline-block; width: 22px; height: 12px; margin-right: 6px;
                         vertical-align: middle; box-sizing: border-box; flex: none; }}
  .lead-legend.folding {{ padding: 4px 8px; font: 13px/1.35 sans-serif; max-width: 190px; }}
  .lead-legend.folding summary {{ font-weight: bold; cursor: pointer; }}
  .lead-legend.folding .swatch {{ width: 18px; height: 10px; margin-right: 5px; }}
"""
# Beside the map on the page: the boxes stack, full width of their column, rows wrap under the swatch.
BESIDE_CSS = """
  .lead-legend.beside { margin: 0 0 10px; max-width: none; padding: 8px 10px; }
  .lead-legend.beside > div, .lead-legend.beside details > div { display: flex; align-items: baseline;
                                                                 gap: 0; margin: 2px 0; }
  .lead-legend.beside .swatch { transform: translateY(1px); }
  .lead-legend.beside.large { font-size: 24px; }
  .lead-legend.beside.large h4, .lead-legend.beside.large summary,
  .lead-legend.beside.large .note { font-size: 24px; }
  .lead-legend.beside.large .swatch { width: 30px; height: 18px; }
  .lead-legends.under { display: flex; flex-wrap: wrap; gap: 0 12px; align-items: flex-start; }
  .lead-legends.under .lead-legend { flex: 1 1 18em; }
  .lead-legends.under details { column-width: 16em; column-gap: 24px; }
  .lead-legends.under summary { column-span: all; }
"""

_LEGEND_TEMPLATE = Template(
    """
{% macro html(this, kwargs) %}
<style>"""
    + LEGEND_CSS
    + """</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function() {
  var legend = L.control({position: {{ this.position | tojson }}});
  legend.onAdd = function () {
    var div = L.DomUtil.create('div', {{ this.css_class | tojson }});
    div.setAttribute('data-testid', 'map-legend');
    div.innerHTML = {{ this.legend_html | tojson }};
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  legend.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
"""
)


def legend_rows_html(items: Iterable[tuple[str, str, str]]) -> str:
    """Legend rows: a swatch (fill colour, border) and its text, per (fill, text, border)."""
    return "".join(
        f'<div><span class="swatch" style="background:{html_text(fill)};'
        f'border:{html_text(border)}"></span>'
        f"{html_text(label, NAME_LIMIT)}</div>"
        for fill, label, border in items
    )


def legend_html(title: str, items: Iterable[tuple[str, str, str]], folding: bool = False) -> str:
    """A legend's content: a title, then its rows; ``folding``: the title folds the rows away."""
    rows = legend_rows_html(items)
    if folding:
        return f"<details open><summary>{html_text(title)}</summary>{rows}</details>"
    return f"<h4>{html_text(title)}</h4>{rows}"


def legend_boxes(contents: Iterable[str], large_type: bool = False, under: bool = False) -> str:
    """Legends as boxes of their own on the page (each ``content`` from ``legend_html``), with their
    style: the look they have on a map. Stacked, for a column beside the map; ``under``: side by side
    in a row under it, their rows flowing into columns."""
    box_class = "lead-legend beside large" if large_type else "lead-legend beside"
    boxes = "".join(f'<div class="{box_class}" data-testid="map-legend">{text}</div>' for text in contents)
    row_class = "lead-legends under" if under else "lead-legends"
    return f'<style>{LEGEND_CSS}{BESIDE_CSS}</style><div class="{row_class}">{boxes}</div>'


class Legend(MacroElement):
    """A legend box on the map: a title and (swatch fill, text, swatch border) rows (``legend_row``).

    ``folding``: a compact legend whose title folds it away, for a small map that is drawn on.
    ``html``: content made beforehand (``legend_html``, or a stand-in filled in later) in place of
    ``title`` and ``items``.
    """

    def __init__(
        self,
        title: str = "",
        items: Iterable[tuple[str, str, str]] = (),
        position: str = "bottomright",
        *,
        folding: bool = False,
        html: str | None = None,
    ):
        super().__init__()
        self.position = position
        self._name = "Legend"
        self._template = _LEGEND_TEMPLATE
        self.css_class = "lead-legend folding" if folding else "lead-legend"
        self.legend_html = legend_html(title, items, folding) if html is None else html


# Lean elements ---------------------------------------------------------------------------------------

_GEOJSON_SCRIPT = Template(
    """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJson({{ this.data_json }}, {
  style: {{ this.style_js }},
  interactive: {{ this.interactive | tojson }},
  pane: {{ this.pane | tojson }},
  onEachFeature: {% if this.tooltip_js %}function (feature, layer) {
    layer.bindTooltip(function () { return {{ this.tooltip_js }}; }, {sticky: true});
    layer.on('mouseover', function () { layer.setStyle({weight: 3, color: {{ this.hover | tojson }}}); });
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

    ``style`` is a described layer or Leaflet path options; ``colour_property`` names a feature
    property that overrides ``fillColor`` per feature. ``tooltip_js`` is a JavaScript expression over
    ``feature`` giving the tooltip HTML (sticky, shown on hover), and the hovered shape is outlined
    darker: text in it must be escaped already (``domain.safe_text.html_text``), in the properties as
    in the expression.

    >>> layer = GeoJsonLayer('{"type": "FeatureCollection", "features": []}', {"color": "#333"})
    """

    def __init__(
        self,
        data_json: str,
        style: dict | LayerStyle,
        colour_property: str | None = None,
        tooltip_js: str | None = None,
        pane: str = "overlayPane",
        interactive: bool | None = None,
    ):
        super().__init__()
        self._name = "GeoJsonLayer"
        self._template = _GEOJSON_SCRIPT
        # "</" inside a string would let data close the surrounding <script> element early.
        self.data_json = script_safe_json(data_json)
        self.pane = pane
        self.interactive = bool(tooltip_js) if interactive is None else interactive
        style_json = json.dumps(path_style(style) if isinstance(style, LayerStyle) else style)
        if colour_property:
            prop = json.dumps(colour_property)
            self.style_js = (
                f"function (feature) {{ return Object.assign({{}}, {style_json}, "
                f"{{fillColor: feature.properties[{prop}]}}); }}"
            )
        else:
            self.style_js = style_json
        self.tooltip_js = tooltip_js
        self.hover = INK


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
