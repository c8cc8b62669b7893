"""Every palette against the ground it is drawn on: marks (bars, lines, outlines, legend swatch edges,
the focus ring) reach 3:1 (WCAG 1.4.11), text reaches 4.5:1 (1.4.3); and every class a legend shows
by colour is also said in words.

The map's outlines and names on every map ground are checked in ``test_map_renderers.py``; the maps'
data-class fills (density cells, neighbourhood densities) are exempt as the map description says:
each class is written in the legend, each cell's count is in its tooltip, and the map's table (its
text alternative) holds every figure.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import h3.api.basic_int as h3
import pandas as pd
import pytest

from geo.density import ColourScale, HiddenCells, density_layer
from geo.density_map import scale_legend_html
from geo.layers import LEGEND_CSS
from geo.map_style import (
    ARREST_DENSITY,
    CELL_LAYERS,
    COMPARISON_COLOURS,
    FOCUS_RING,
    GROUNDS,
    INK,
    KEY_EDGE,
    LAYERS,
    TEXT,
    contrast,
)
from geo.planner_map import period_values
from ui import charts, chrome

THEME = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text())[
    "theme"
]
PAGE_GROUNDS = {"page": THEME["backgroundColor"], "sidebar": THEME["secondaryBackgroundColor"]}
LEGEND_GROUND = "#ffffff"  # a legend box: white at 0.94 over the map or the page, as near white as counts
MARK, WORDS = 3.0, 4.5


def _failing(colours: dict[str, str], grounds: dict[str, str], least: float) -> list[str]:
    return [
        f"{name} {colour} on {ground_name} {ground}: {contrast(colour, ground):.2f}:1"
        for name, colour in colours.items()
        for ground_name, ground in grounds.items()
        if contrast(colour, ground) < least
    ]


def test_chart_marks_reach_3_to_1_and_chart_text_4_5_to_1_on_the_chart_ground():
    ground = {"chart": charts.CHART_GROUND}
    marks = {f"palette[{i}]": colour for i, colour in enumerate(charts.PALETTE)}
    marks |= {"neutral": charts.NEUTRAL, "alert": charts.ALERT, "hidden split": charts.HIDDEN_SPLIT}
    assert _failing(marks, ground, MARK) == []
    assert _failing({"chart text": charts.HOUSE_LAYOUT["font"]["color"]}, ground, WORDS) == []


def test_page_text_and_controls_reach_their_contrast_on_the_page_and_the_sidebar():
    text = {"caption": chrome.CAPTION_TEXT, "code in a caption": chrome.CAPTION_CODE}
    text |= {"widget label": chrome.LABEL_TEXT, "theme text": THEME["textColor"]}
    assert _failing(text, PAGE_GROUNDS, WORDS) == []
    marks = {"focus ring": FOCUS_RING, "toggle edge": chrome.CONTROL_EDGE, "primary": THEME["primaryColor"]}
    assert _failing(marks, PAGE_GROUNDS, MARK) == []
    assert FOCUS_RING in chrome.WCAG_CSS and chrome.CAPTION_TEXT in chrome.WCAG_CSS


def test_the_focus_ring_shows_on_every_map_ground():
    assert _failing({"focus ring": FOCUS_RING}, GROUNDS, MARK) == []


def test_legend_text_and_swatch_edges_reach_their_contrast():
    assert _failing({"legend title": INK, "legend note": TEXT}, {"legend": LEGEND_GROUND}, WORDS) == []
    assert INK in LEGEND_CSS and TEXT in LEGEND_CSS
    edges = {"class swatch edge": KEY_EDGE} | {f"comparison {c}": c for c in COMPARISON_COLOURS}
    edges |= {f"{key} line": style.stroke for key, style in LAYERS.items() if style.width}
    assert _failing(edges, {"legend": LEGEND_GROUND}, MARK) == []


def test_the_check_can_fail():
    """Okabe & Ito's own orange and yellow, and Streamlit's faded caption grey, fall short."""
    assert _failing({"orange": "#E69F00", "yellow": "#F0E442"}, {"chart": "#ffffff"}, MARK)
    assert _failing({"faded caption": "#76797c"}, PAGE_GROUNDS, WORDS)


# Every class in words ---------------------------------------------------------------------------------


def _rows(html: str) -> list[tuple[str, str]]:
    """(swatch style, the words after it) per legend row."""
    return re.findall(r'<span class="swatch" style="([^"]*)"></span>([^<]*)</div>', html)


@pytest.mark.parametrize("key", sorted(CELL_LAYERS))
def test_every_density_class_is_said_in_words(key):
    ring = sorted(h3.grid_disk(h3.latlng_to_cell(39.29, -76.61, 8), 1))[:6]  # six cells downtown
    cells = pd.DataFrame({"cell": ring, "records": [5, 9, 14, 30, 80, 200]})
    layer = density_layer(key, cells, "2020", 8, public=False)
    assert isinstance(layer.scale, ColourScale) and layer.hidden == HiddenCells(0, 0)
    rows = _rows(scale_legend_html(layer))
    assert len(rows) == len(layer.scale.colours)
    for (_, words), label in zip(rows, layer.scale.labels(), strict=True):
        assert words == f"{label} {CELL_LAYERS[key].noun}"  # "15–24 referrals": a range and a noun


def test_every_neighbourhood_density_class_is_said_in_words():
    frame = pd.DataFrame({"name": list("ABCDEFG"), "eligible_per_year_km2": [0.5, 1, 2, 4, 8, 16, None]})
    rows = _rows(period_values(frame).legend_html)
    words = [text for _, text in rows]
    assert ARREST_DENSITY.hidden_legend in words
    ranges = [text for text in words if re.fullmatch(r"[\d.,]+–[\d.,]+", text)]
    assert len(ranges) == len(ARREST_DENSITY.colours)
    assert all(text.strip() for text in words), words  # no swatch without words
