"""Exports: the map as a still picture (PNG, drawn on the server; SVG for the printed brief), and every
chart as PNG (plotly's own button, drawn in the browser with no internet) and CSV."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from datetime import date
from functools import partial
from io import BytesIO

import numpy as np
import pytest
from PIL import Image
from shapely.geometry import box

import queries
from geo.map_page import (
    DEFAULT_LAYERS,
    MAP_LAYERS,
    MapFilters,
    area_choices,
    load_context,
    load_density_layers,
)
from geo.static_map import PILOT_ZONE, PROPOSAL, map_png, map_svg
from tests.conftest import REPO_ROOT
from tests.helpers import ARTIFACTS, download, open_page, screenshot

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FILTERS = MapFilters(date(2017, 2, 1), date(2024, 12, 31))


@pytest.fixture(scope="module")
def map_inputs(demo_con):
    run_query = partial(queries.run, demo_con)
    context = load_context(run_query, "1959-2022")
    layers = load_density_layers(run_query, FILTERS)
    choices = area_choices(run_query("area_list", edition="1959-2022"), "1959-2022")
    return context, layers, choices


def _pixels(png: bytes, colour: str) -> int:
    """Pixels of exactly ``colour`` ('#rrggbb') in a PNG."""
    image = np.asarray(Image.open(BytesIO(png)).convert("RGB"))
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return int((image == rgb).all(axis=2).sum())


def test_map_png_is_a_picture_of_the_chosen_layers(map_inputs):
    context, layers, choices = map_inputs
    notes = ["Whole city · 01 Feb 2017 – 31 Dec 2024", "Demo data — synthetic"]
    with_zone = map_png(context, layers, title="LEAD Baltimore map", notes=notes, visible=DEFAULT_LAYERS)
    assert with_zone.startswith(PNG_SIGNATURE)
    assert Image.open(BytesIO(with_zone)).size == (1650, 1200)
    without_zone = map_png(
        context,
        layers,
        title="LEAD Baltimore map",
        notes=notes,
        visible=[k for k in DEFAULT_LAYERS if k != "pilot_zone"],
    )
    assert _pixels(with_zone, PILOT_ZONE) > 50  # the outline, and its swatch in the legend
    assert _pixels(without_zone, PILOT_ZONE) == 0
    nothing = map_png(context, layers, title="LEAD Baltimore map", visible=[])
    assert _pixels(nothing, "#f4f1ea") > 0.2 * 1650 * 1200  # the empty map ground, nothing on it


def test_map_png_zooms_to_the_area_and_outlines_a_proposal(map_inputs):
    context, layers, choices = map_inputs
    pilot = choices["pilot_zone"]
    zoomed = map_png(context, layers, title="Pilot zone", area=pilot, visible=["pilot_zone"])
    city = map_png(context, layers, title="City", visible=["pilot_zone"])
    assert _pixels(zoomed, PILOT_ZONE) > 3 * _pixels(city, PILOT_ZONE)  # the zone fills the frame
    proposal = box(-76.600, 39.295, -76.585, 39.305)
    with_proposal = map_png(context, layers, title="City", visible=[], proposals=[("East side", proposal)])
    assert _pixels(with_proposal, PROPOSAL) > 50
    assert set(MAP_LAYERS) >= set(DEFAULT_LAYERS)


SVG = "{http://www.w3.org/2000/svg}"


def test_map_svg_draws_what_the_png_draws(map_inputs):
    """The brief's vector map: the same layers, cells, legend, notes and proposals as the PNG."""
    context, layers, choices = map_inputs
    notes = ["Whole city · 01 Feb 2017 – 31 Dec 2024", "Demo data — synthetic"]
    with_zone = map_svg(context, layers, title="LEAD Baltimore map", notes=notes, visible=DEFAULT_LAYERS)
    root = ElementTree.fromstring(with_zone)
    assert root.get("viewBox") == "0 0 792.0 576.0"  # 11 x 8 inches, in points
    texts = list(root.itertext())
    for text in ("LEAD Baltimore map", "Legend", "LEAD pilot zone", "Expansion candidate", *notes):
        assert text in texts
    (referrals,) = [layer for layer in layers if layer.key == "referrals"]
    hexagons = [path.get("d").count("M") for path in root.iter(f"{SVG}path") if path.get("stroke") == "white"]
    assert sum(hexagons) == len(referrals.cells["features"]) > 0  # every drawn cell, no hidden one
    without_zone = map_svg(
        context, layers, title="LEAD", notes=notes, visible=[k for k in DEFAULT_LAYERS if k != "pilot_zone"]
    )
    assert f'stroke="{PILOT_ZONE}"' in with_zone and PILOT_ZONE not in without_zone
    proposal = box(-76.600, 39.295, -76.585, 39.305)
    pilot = choices["pilot_zone"]
    with_proposal = map_svg(context, layers, title="City", visible=[], proposals=[("East side", proposal)])
    assert f'stroke="{PROPOSAL}"' in with_proposal and "Proposal: East side" in with_proposal
    zoomed = map_svg(context, layers, title="Pilot zone", area=pilot, visible=["pilot_zone"], size=(7.4, 3.5))
    assert ElementTree.fromstring(zoomed).get("viewBox") == "0 0 532.8 252.0"


def test_matplotlib_is_loaded_only_to_draw_a_png():
    """matplotlib takes about 30 MB of the app's memory: importing the map's picture module (as the Map
    page does for its PNG button) must not load it; drawing the PNG does."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys, geo.static_map; print('matplotlib' in sys.modules)"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"


@pytest.mark.browser
def test_map_page_png_download(offline_page, app_server):
    open_page(offline_page, f"{app_server}/map?layers=referrals,pilot_zone")
    offline_page.get_by_role("heading", name="Map: where LEAD works").wait_for(timeout=60_000)
    saved = download(offline_page, offline_page.get_by_role("button", name="Map (PNG)"))
    png = saved.path().read_bytes()
    assert png.startswith(PNG_SIGNATURE)
    assert Image.open(BytesIO(png)).size == (1650, 1200)
    assert saved.suggested_filename.endswith(".png")
    assert _pixels(png, PILOT_ZONE) > 50
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "map-export.png").write_bytes(png)  # to be looked at


@pytest.mark.browser
def test_every_chart_downloads_as_png_offline_and_as_csv(offline_page, app_server):
    """The chart toolbar's picture button renders the chart in the browser: no server, no internet."""
    page = offline_page
    open_page(page, f"{app_server}/referrals")
    page.locator(".js-plotly-plot").nth(7).wait_for(timeout=60_000)
    charts = page.get_by_test_id("stElementContainer").filter(has=page.locator(".js-plotly-plot"))
    assert charts.count() == 8
    for index in range(charts.count()):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        chart.hover()
        with page.expect_download(timeout=30_000) as event:
            chart.get_by_role("button", name="Download plot as a PNG").click()
        png = event.value.path().read_bytes()
        assert png.startswith(PNG_SIGNATURE), f"chart {index}: not a PNG"
        width, height = Image.open(BytesIO(png)).size
        assert width >= 500 and height >= 280, f"chart {index}: {width}x{height}"
        if index == 0:
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / "chart-export.png").write_bytes(png)  # to be looked at
    expander = page.get_by_test_id("stMain").get_by_test_id("stExpander").first
    expander.locator("summary").click()
    csv = download(page, expander.get_by_role("button", name="Download CSV")).path().read_text()
    assert csv.startswith("Quarter starting,")  # public figures are counted per quarter
    assert page.blocked_requests == []  # nothing was fetched from outside
    screenshot(page, "referrals-chart-export")
