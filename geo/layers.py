"""Map layers built from query results: outlines, labels and a legend.

Query results carry geometry as GeoJSON text (``st_asgeojson``); these helpers turn rows into
folium layers so pages never touch geometry themselves.
"""

from __future__ import annotations

import json

import folium
import pandas as pd
from branca.element import MacroElement, Template

from domain.safe_text import NAME_LIMIT, html_text

PILOT_ZONE_STYLE = {"color": "#b2182b", "weight": 4, "fillColor": "#b2182b", "fillOpacity": 0.12}
CENTRAL_STYLE = {"color": "#08306b", "weight": 3, "dashArray": "8 6", "fillOpacity": 0}
DISTRICT_STYLE = {"color": "#6b7785", "weight": 1.5, "fillOpacity": 0}


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
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def outline_layer(
    frame: pd.DataFrame, name: str, style: dict, tooltip: str | None = "name", show: bool = True
) -> folium.GeoJson:
    """One GeoJson layer of area outlines, with the area name on hover.

    Leaflet shows a tooltip's text as HTML: the ``tooltip`` column goes into the features escaped.
    """
    properties = [tooltip] if tooltip else []
    if tooltip:
        frame = frame.assign(**{tooltip: [html_text(text, NAME_LIMIT) for text in frame[tooltip]]})
    return folium.GeoJson(
        feature_collection(frame, properties),
        name=name,
        style_function=lambda _feature, style=style: style,
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
    )


_LEGEND_TEMPLATE = Template(
    """
{% macro html(this, kwargs) %}
<style>
  .lead-legend { background: rgba(255,255,255,0.94); padding: 8px 12px; border: 1px solid #555;
                 border-radius: 4px; font: 15px/1.4 sans-serif; color: #111; }
  .lead-legend h4 { margin: 0 0 4px; font-size: 15px; }
  .lead-legend .swatch { display: inline-block; width: 22px; height: 12px; margin-right: 6px;
                         vertical-align: middle; }
  .map-label { display: inline-block; white-space: nowrap; font: bold 14px sans-serif; color: #7a0c1c;
               text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff; transform: translate(-50%, -50%); }
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function() {
  var legend = L.control({position: {{ this.position | tojson }}});
  legend.onAdd = function () {
    var div = L.DomUtil.create('div', 'lead-legend');
    div.setAttribute('data-testid', 'map-legend');
    div.innerHTML = {{ this.legend_html | tojson }};
    return div;
  };
  legend.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
"""
)


class Legend(MacroElement):
    """A legend box on the map: a title and (colour swatch, label, border style) rows."""

    def __init__(self, title: str, items: list[tuple[str, str, str]], position: str = "bottomright"):
        super().__init__()
        self.position = position
        self._name = "Legend"
        self._template = _LEGEND_TEMPLATE
        rows = "".join(
            f'<div><span class="swatch" style="background:{html_text(fill)};'
            f'border:{html_text(border)}"></span>'
            f"{html_text(label, NAME_LIMIT)}</div>"
            for fill, label, border in items
        )
        self.legend_html = f"<h4>{html_text(title)}</h4>{rows}"
