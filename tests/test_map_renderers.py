"""One map description, three renderers: the folium map on screen, the SVG picture and the PNG draw
each layer in the same colours, line widths and dashes, and list the same legend entries, because all
three read ``geo.map_style``. Each renderer's own output is read back here (the map page's script,
the SVG's attributes, the PNG's matplotlib artists), so a renderer that drifted would fail."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ElementTree
from datetime import date
from functools import partial
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.colors import to_hex
from shapely.geometry import box, mapping

import queries
from domain.privacy import COMPLEMENT_TEXT, SUPPRESSED_TEXT
from geo import static_map
from geo.density import HiddenCells, hidden_text
from geo.density_map import density_map
from geo.map_page import MAP_LAYERS, MapFilters, area_choices, load_context, load_density_layers
from geo.map_style import (
    ARREST_DENSITY,
    CELL_LAYERS,
    COMPARISON_COLOURS,
    DRAW_ORDER,
    GROUNDS,
    LAYERS,
    LEGEND_ORDER,
    STILL_LINE_SCALE,
    contrast,
    hidden_cells_legend,
)
from geo.maps import CENTRAL_AREA_ID, overview_map
from geo.overview_picture import ON_PAGE, overview_svg
from geo.planner_map import period_values, planner_base_map
from planning.projection import CASE_MANAGEMENT_SITE
from tests.conftest import REPO_ROOT

SVG = "{http://www.w3.org/2000/svg}"
ALL_LAYERS = list(MAP_LAYERS)
# The layers the Map page, its PNG and the brief's SVG all draw (proposals are drawn by the still maps only).
SHARED = (
    "neighbourhoods",
    "districts",
    "central_district",
    "candidates",
    "streets",
    "pilot_zone",
    "selected_area",
)
OVERVIEW_PATHS = {
    "pilot-zone": "pilot_zone",
    "central-district": "central_district",
    "other-districts": "districts",
}
RENDERERS = [
    "density_map.py",
    "static_map.py",
    "maps.py",
    "overview_picture.py",
    "planner_map.py",
    "layers.py",
]


# Reading colours back ----------------------------------------------------------------------------------


def _colour(css: str | None, opacity: float = 1.0) -> tuple[str | None, float]:
    """(#rrggbb, opacity) of a CSS colour: '#b2182b', 'rgba(178,24,43,0.15)', 'transparent', 'none'."""
    if css in (None, "none", "transparent"):
        return None, 0.0
    rgba = re.fullmatch(r"rgba\((\d+),(\d+),(\d+),([\d.]+)\)", css.replace(" ", ""))
    if rgba:
        red, green, blue, alpha = rgba.groups()
        return f"#{int(red):02x}{int(green):02x}{int(blue):02x}", round(float(alpha) * opacity, 3)
    return to_hex(css), round(opacity, 3)


def _mpl_colour(rgba) -> tuple[str | None, float]:
    if rgba is None or len(rgba) == 0 or rgba[3] == 0:
        return None, 0.0
    return to_hex(rgba[:3]), round(float(rgba[3]), 3)


def _dash_kind(lengths: tuple[float, ...] | None, width: float) -> str:
    """'solid', 'dashed' or 'dotted' from a dash pattern in the units of ``width``."""
    if not lengths:
        return "solid"
    return "dotted" if lengths[0] / width < 1 else "dashed"


def _relative_dashes(lengths, width: float) -> tuple[float, ...]:
    return tuple(round(length / width, 2) for length in lengths or ())


# What each renderer drew ------------------------------------------------------------------------------


def _folium_marks(page: str) -> dict[str, dict]:
    """Layer key -> the Leaflet path style the page's script gives it."""
    marks = {}
    for text in re.findall(r'\{"className": "layer-[^{}]*\}', page):
        style = json.loads(text)
        key = style["className"].removeprefix("layer-")
        stroke, stroke_alpha = _colour(style["color"], style.get("opacity", 1.0))
        fill, fill_alpha = (
            _colour(style["fillColor"], style["fillOpacity"]) if style["fillOpacity"] else (None, 0)
        )
        dashes = [float(d) for d in style.get("dashArray", "").split()]
        marks[key] = {
            "stroke": (stroke, stroke_alpha),
            "fill": (fill, fill_alpha),
            "width": style["weight"],
            "dashes": _relative_dashes(dashes, style["weight"]),
        }
    return marks


def _folium_legends(page: str) -> dict[str, tuple[list[tuple], list[str]]]:
    """Legend test id -> (its swatch rows, its other lines): a row is (text, stroke, fill, dash kind)."""
    legends = {}
    for test_id, content in re.findall(
        r"setAttribute\('data-testid', (.*?)\);\s*div.innerHTML = (.*?);\n", page
    ):
        content = json.loads(content)
        rows = []
        for fill, border, text in re.findall(
            r'<div><span class="swatch" style="background:([^;]*);border:([^"]*)"></span>(.*?)</div>', content
        ):
            width, kind, colour = border.split(" ", 2)
            rows.append((html.unescape(text), _colour(colour), _colour(fill), kind))
        notes = [html.unescape(text) for text in re.findall(r'<div class="note">([^<]*)</div>', content)]
        legends[test_id.strip("'\"")] = (rows, notes)
    return legends


def _svg_paint(element) -> dict:
    width = float(element.get("stroke-width", 0))
    dashes = [float(d) for d in element.get("stroke-dasharray", "").split(",") if d]
    fill = element.get("fill")
    return {
        "stroke": _colour(element.get("stroke"), float(element.get("stroke-opacity", 1))),
        "fill": _colour(fill, float(element.get("fill-opacity", 1))) if fill != "none" else (None, 0),
        "width": width,
        "dashes": _relative_dashes(dashes, width),
    }


def _svg_marks(svg: str) -> dict[str, dict]:
    root = ElementTree.fromstring(svg)
    return {
        path.get("data-layer"): _svg_paint(path) for path in root.iter(f"{SVG}path") if path.get("data-layer")
    }


def _svg_legend(svg: str) -> list[tuple]:
    """The still map's legend entries: (text, stroke, fill, dash kind), or (text,) for a heading."""
    root = ElementTree.fromstring(svg)
    entries = []
    for entry in root.iter(f"{SVG}g"):
        if entry.get("data-part") != "legend-entry":
            continue
        text = " ".join(t.text for t in entry.iter(f"{SVG}text"))
        swatches = [child for child in entry if child.tag in (f"{SVG}rect", f"{SVG}path")]
        if not swatches:
            entries.append((text,))
            continue
        paint = _svg_paint(swatches[0])
        kind = _dash_kind(paint["dashes"], 1)
        entries.append((text, paint["stroke"], paint["fill"], kind))
    return entries


def _png_figure(drawing):
    return static_map._png_figure(drawing, "Test", ["a note"], static_map.SIZE_INCHES, 40)


def _png_marks(figure) -> dict[str, dict]:
    from matplotlib.collections import LineCollection

    marks: dict[str, dict] = {}
    for collection in figure.axes[0].collections:
        mark = marks.setdefault(collection.get_gid(), {"fill": (None, 0)})
        if isinstance(collection, LineCollection) or collection.get_gid() == "cells":
            width = float(collection.get_linewidth()[0])
            offset_and_dashes = collection.get_dashes()[0]
            mark["stroke"] = _mpl_colour(collection.get_edgecolor()[0])
            mark["width"] = width
            mark["dashes"] = _relative_dashes(offset_and_dashes[1], width)
        if not isinstance(collection, LineCollection):
            mark["fill"] = _mpl_colour(collection.get_facecolor()[0])
    return marks


def _png_legend(figure) -> list[tuple]:
    from matplotlib.lines import Line2D

    (legend,) = figure.legends
    entries = []
    for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True):
        label = " ".join(text.get_text().split("\n"))
        width = handle.get_linewidth()
        if isinstance(handle, Line2D):
            stroke, fill = _mpl_colour(handle.get_color()), (None, 0)
        else:
            stroke, fill = _mpl_colour(handle.get_edgecolor()), _mpl_colour(handle.get_facecolor())
        if stroke[0] is None and fill[0] is None:
            entries.append((label,))
            continue
        dashes = handle._dash_pattern[1]  # matplotlib's scaled pattern: (offset, lengths)
        entries.append((label, stroke, fill, _dash_kind(dashes, width)))
    return entries


def _words(entries: list[tuple]) -> list[tuple]:
    """Entries with their text on one line (the still maps wrap long entries)."""
    return [(" ".join(entry[0].split()), *entry[1:]) for entry in entries]


# Fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def drawn(demo_con):
    """The Map page's map, its PNG and the brief's SVG of every layer, zoomed to Downtown (so the picked
    area is outlined too), from the demo database."""
    run_query = partial(queries.run, demo_con)
    context = load_context(run_query, "1959-2022")
    layers = load_density_layers(run_query, MapFilters(date(2017, 2, 1), date(2024, 12, 31)))
    area = area_choices(run_query("area_list", edition="1959-2022"), "1959-2022")["nsa:Downtown"]
    page = density_map(context, layers, area, visible=ALL_LAYERS).get_root().render()
    svg = static_map.map_svg(context, layers, title="Test", area=area, visible=ALL_LAYERS)
    figure = _png_figure(static_map._drawing(context, layers, area, ALL_LAYERS, ()))
    return page, svg, figure, layers


# The three renderers agree -----------------------------------------------------------------------------


def test_every_layer_is_drawn_alike_on_screen_in_the_svg_and_in_the_png(drawn):
    page, svg, figure, _ = drawn
    on_screen, in_svg, in_png = _folium_marks(page), _svg_marks(svg), _png_marks(figure)
    for key in (*SHARED, "cells"):
        screen, picture, png = on_screen[key], in_svg[key], in_png[key]
        assert screen["stroke"] == picture["stroke"] == png["stroke"], key
        if key == "cells":  # filled per cell from its class (below); the opacity is the layer's
            assert screen["fill"][1] == picture["fill"][1] == png["fill"][1]
        else:
            assert screen["fill"] == picture["fill"] == png["fill"], key
        assert len(screen["dashes"]) == len(picture["dashes"]) == len(png["dashes"]), key
        assert screen["dashes"] == pytest.approx(picture["dashes"], abs=0.02) == png["dashes"], key
        # a still map's lines are thinner by one factor for every layer, so their weights compare alike
        assert picture["width"] == pytest.approx(screen["width"] * STILL_LINE_SCALE), key
        assert png["width"] == pytest.approx(screen["width"] * STILL_LINE_SCALE), key
    # each cell in its class colour: the colours the page's cells carry are those the pictures fill with
    root = ElementTree.fromstring(svg)
    svg_fills = {path.get("fill") for path in root.iter(f"{SVG}path") if path.get("data-layer") == "cells"}
    png_fills = {
        to_hex(rgba[:3])
        for c in figure.axes[0].collections
        if c.get_gid() == "cells"
        for rgba in c.get_facecolor()
    }
    page_fills = set(re.findall(r'"colour":"(#[0-9a-f]{6})"', page))
    assert svg_fills == png_fills == page_fills and len(page_fills) >= 5
    # and it is the description they agree on
    for key in SHARED:
        style = LAYERS[key]
        assert on_screen[key]["stroke"] == (style.stroke, style.stroke_opacity)
        assert on_screen[key]["fill"] == ((style.fill, style.fill_opacity) if style.fill else (None, 0))


def test_the_legends_list_the_same_entries_in_the_same_colours(drawn):
    page, svg, figure, layers = drawn
    in_svg, in_png = _words(_svg_legend(svg)), _words(_png_legend(figure))
    assert in_svg == in_png
    legends = _folium_legends(page)
    boundaries, _ = legends["map-legend"]
    cell_rows = [row for layer in layers for row in legends[f"density-legend-{layer.key}"][0]]
    swatches = [entry for entry in in_png if len(entry) > 1]
    assert swatches == cell_rows + boundaries
    # the boundaries, in the description's order and words
    fields = {"edition": "1959–2022", "label": "Downtown (neighbourhood)"}
    wanted = [LAYERS[key].legend_text(**fields) for key in LEGEND_ORDER if key in SHARED]
    assert [row[0] for row in boundaries] == wanted


def test_hidden_cells_are_explained_alike_in_every_legend(drawn):
    page, _, figure, layers = drawn
    (arrests,) = [layer for layer in layers if layer.key == "arrests"]
    assert arrests.hidden.cells  # the demo's public view hides sparse arrest cells
    note = hidden_cells_legend(bool(arrests.hidden.withheld))
    assert note in _folium_legends(page)["density-legend-arrests"][1]
    assert note in [entry[0] for entry in _png_legend(figure)]
    assert note.startswith(f"Cells with {SUPPRESSED_TEXT} ")


def test_the_overview_map_and_its_picture_draw_and_name_the_same_boundaries(demo_con):
    zone = queries.run(demo_con, "areas_geojson", kind="pilot_zone", edition="any")
    districts = queries.run(demo_con, "areas_geojson", kind="district", edition="1959-2022")
    page = overview_map(zone, districts).get_root().render()
    picture = overview_svg(zone, districts, CENTRAL_AREA_ID, None, ON_PAGE)
    on_screen = _folium_marks(page)
    in_picture = {OVERVIEW_PATHS[layer]: paint for layer, paint in _svg_marks(picture).items()}
    assert set(in_picture) == {"pilot_zone", "central_district", "districts"}
    for key, paint in in_picture.items():
        # laid out in screen pixels: the same widths and dashes as on screen
        assert paint == on_screen[key], key
    rows, _ = _folium_legends(page)["map-legend"]
    root = ElementTree.fromstring(picture)
    (legend,) = [g for g in root.iter(f"{SVG}g") if g.get("data-part") == "legend"]
    keys = [child for child in legend if child.tag in (f"{SVG}rect", f"{SVG}path")]
    names = [t.text for t in legend.iter(f"{SVG}text")][: len(keys)]
    drawn = [(name, _svg_paint(key)["stroke"]) for name, key in zip(names, keys, strict=True)]
    assert drawn == [(text, stroke) for text, stroke, _, _ in rows]


def test_the_planner_draws_candidates_and_neighbourhoods_as_the_map_page_does(drawn):
    """The drift this description ended: candidates magenta on one map and teal on another, and two
    greys for neighbourhood outlines."""
    page, svg, figure, _ = drawn
    outline = json.dumps(mapping(box(-76.62, 39.31, -76.61, 39.32)))
    zone = pd.DataFrame([{"area_id": "pilot_zone", "name": "LEAD pilot zone", "geojson": outline}])
    neighbourhoods = pd.DataFrame(
        [
            {
                "area_id": "nsa:A",
                "name": "A",
                "geojson": outline,
                "is_candidate": True,
                "eligible_per_year_km2": 3.0,
            }
        ]
    )
    planner = planner_base_map(zone, zone, neighbourhoods, CASE_MANAGEMENT_SITE).get_root().render()
    on_map_page, on_planner = _folium_marks(page), _folium_marks(planner)
    for key in ("candidates", "neighbourhoods", "pilot_zone", "districts"):
        assert on_planner[key]["stroke"] == on_map_page[key]["stroke"] == _svg_marks(svg)[key]["stroke"], key
    rows = {row[0]: row for row in _folium_legends(page)["map-legend"][0]}
    legend = re.findall(
        r'<div><span class="swatch" style="background:([^;]*);border:([^"]*)"></span>(.*?)</div>',
        period_values(neighbourhoods).legend_html,
    )
    planner_rows = {
        html.unescape(text): (_colour(border.split(" ", 2)[2]), _colour(fill))
        for fill, border, text in legend
    }
    for key in ("candidates", "pilot_zone"):
        text = LAYERS[key].legend
        assert planner_rows[text] == (rows[text][1], rows[text][2]), key
    assert planner_rows[ARREST_DENSITY.hidden_legend][1][0] == ARREST_DENSITY.no_data


# The palette -------------------------------------------------------------------------------------------


def test_every_mark_reaches_3_to_1_and_every_name_4_5_to_1_on_every_ground():
    """WCAG 1.4.11 (non-text contrast) for lines, at the opacity they are drawn with; 1.4.3 for names."""
    failing = []
    for style in LAYERS.values():
        for ground_name, ground in GROUNDS.items():
            if style.width and contrast(style.stroke, ground, style.stroke_opacity) < 3:
                failing.append(f"{style.key} line on {ground_name}")
            if style.label and contrast(style.label, ground) < 4.5:
                failing.append(f"{style.key} names on {ground_name}")
    for colour in COMPARISON_COLOURS:
        failing += [
            f"compared proposal {colour} on {name}" for name, g in GROUNDS.items() if contrast(colour, g) < 3
        ]
    assert failing == []


def test_the_contrast_check_would_catch_the_old_light_grey():
    """The neighbourhood grey the PNG used to draw, and the screen's grey at the opacity it had, fail:
    the check above can fail."""
    assert contrast("#9aa0a6", GROUNDS["offline ground"]) < 3
    assert contrast(LAYERS["neighbourhoods"].stroke, GROUNDS["offline ground"], 0.8) < 3
    assert contrast("#000000", "#ffffff") == pytest.approx(21)


# One source for colours and words -------------------------------------------------------------------------


def _described_colours() -> set[str]:
    colours = {c for s in LAYERS.values() for c in (s.stroke, s.fill, s.label) if c and c.startswith("#")}
    colours |= {c for style in CELL_LAYERS.values() for c in style.colours}
    return colours | set(ARREST_DENSITY.colours) | {ARREST_DENSITY.no_data} | set(COMPARISON_COLOURS)


def _code_lines(path: Path) -> list[str]:
    """The file's lines, doctest examples left out (they may show a colour to explain a function)."""
    return [
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.strip().startswith(">>>")
    ]


@pytest.mark.parametrize("name", RENDERERS)
def test_no_renderer_writes_a_described_colour_or_a_small_count_text_itself(name):
    code = "\n".join(_code_lines(REPO_ROOT / "geo" / name)).lower()
    written = set(re.findall(r"#[0-9a-f]{6}\b", code)) & _described_colours()
    assert written == set(), f"geo/{name} writes {written}: take them from geo.map_style"
    assert "fewer than" not in code and " withheld " not in code  # domain.privacy's words
    legends = {style.legend.lower() for style in LAYERS.values() if "{" not in style.legend}
    quoted = {text for text in legends if f'"{text}"' in code}
    assert quoted == set(), f"geo/{name} writes legend texts {quoted}: take them from geo.map_style"


def test_small_count_texts_follow_from_the_disclosure_rule():
    assert hidden_text(HiddenCells(cells=2, records=9), "referrals").startswith(
        f"2 cells with {SUPPRESSED_TEXT} "
    )
    withheld = hidden_text(HiddenCells(cells=2, records=9, withheld=1), "referrals")
    assert f"1 more cell {COMPLEMENT_TEXT}" in withheld
    assert hidden_cells_legend(True).endswith(f"nor cells {COMPLEMENT_TEXT} to protect them")
    assert ARREST_DENSITY.hidden_legend == f"Hidden ({SUPPRESSED_TEXT}) or {COMPLEMENT_TEXT}"
    assert ARREST_DENSITY.hidden_tooltip.startswith(SUPPRESSED_TEXT)


def test_the_draw_order_puts_context_under_the_program_and_the_reader_on_top():
    assert set(LEGEND_ORDER) == set(DRAW_ORDER) == set(LAYERS)
    order = {key: index for index, key in enumerate(DRAW_ORDER)}
    assert order["neighbourhoods"] < order["districts"] < order["central_district"] < order["pilot_zone"]
    assert order["pilot_zone"] < order["selected_area"] < order["proposal"]
    assert {
        LAYERS[key].title for key in ("neighbourhoods", "districts", "candidates", "streets", "pilot_zone")
    } <= set(MAP_LAYERS.values())
