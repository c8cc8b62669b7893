"""The overview page in headless Chromium with every non-local request blocked: the map picture that
comes with the page, its download, and the interactive map behind the "Pan and zoom" switch."""

import base64
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from bench.browser import MAP_DRAWN, MAP_IMAGE
from geo.overview_picture import ON_PROJECTOR
from tests.helpers import download, map_frame, open_page, screenshot, script_run

pytestmark = pytest.mark.browser

PICTURE = MAP_IMAGE
SVG = "{http://www.w3.org/2000/svg}"
DATA_URI = "data:image/svg+xml;base64,"


def _drawn_picture(page):
    """The picture once the browser has decoded it: its box on screen, the SVG it shows, and that SVG
    parsed."""
    page.wait_for_function(MAP_DRAWN, timeout=60_000)
    image = page.locator(PICTURE)
    assert image.count() == 1
    source = image.get_attribute("src")
    assert source.startswith(DATA_URI)  # no request: it came with the page
    svg = base64.b64decode(source[len(DATA_URI) :]).decode()
    return image.bounding_box(), svg, ElementTree.fromstring(svg)


def _texts(root, **attributes) -> list[str]:
    return [
        element.text
        for element in root.iter(f"{SVG}text")
        if all(element.get(name) == value for name, value in attributes.items())
    ]


def test_overview_draws_the_map_picture_with_the_page_offline(offline_page, app_server):
    open_page(offline_page, app_server)
    box, svg, root = _drawn_picture(offline_page)
    assert box["width"] > 300 and box["height"] > 300  # the map column's width, not a thumbnail
    layers = [path.get("data-layer") for path in root.iter(f"{SVG}path") if path.get("data-layer")]
    assert sorted(layers) == ["central-district", "other-districts", "pilot-zone"]
    districts = _texts(root, **{"data-label": "district"})
    assert "Central District" in districts and len(districts) >= 3
    assert " ".join(_texts(root, **{"data-label": "pilot-zone"})) == "LEAD pilot zone"
    streets = " ".join(_texts(root, **{"data-label": "street"}))
    assert all(name in streets for name in ("Franklin St", "Pratt St", "MLK Jr Blvd", "Light St"))
    (legend,) = [group for group in root.iter(f"{SVG}g") if group.get("data-part") == "legend"]
    assert {"LEAD pilot zone", "Central District", "Other police districts"} <= set(_texts(legend))

    # beside the picture: the pilot zone's and the Central District's four figures each
    headings = offline_page.get_by_role("heading")
    assert headings.filter(has_text="Pilot zone").count() == 1
    assert headings.filter(has_text="Central District (1959–2022)").count() == 1
    labels = offline_page.get_by_test_id("stMetricLabel").all_inner_texts()
    assert labels.count("Referrals per 100 eligible arrests") == 2 and len(labels) == 8

    screenshot(offline_page, "overview")
    assert not offline_page.blocked_requests  # the picture needs nothing from outside
    assert not offline_page.failed_responses
    assert offline_page.get_by_text("Demo data — synthetic").is_visible()

    saved = download(offline_page, offline_page.get_by_role("button", name="Download the map picture (SVG)"))
    assert saved.suggested_filename.endswith(".svg")
    assert Path(saved.path()).read_text(encoding="utf-8") == svg  # the picture on screen, as a file


def test_projector_picture_type_is_24_px_or_more_on_screen(offline_page, app_server):
    """The picture scales with the page: its smallest type, times the scale it is drawn at, is what a
    projector shows (the rest of the page is measured by tests/test_browser_projector.py)."""
    open_page(offline_page, f"{app_server}/?mode=projector")
    box, _, root = _drawn_picture(offline_page)
    assert root.get("viewBox") == f"0 0 {ON_PROJECTOR.width} {ON_PROJECTOR.height}"
    smallest = min(float(text.get("font-size")) for text in root.iter(f"{SVG}text"))
    assert smallest * box["width"] / ON_PROJECTOR.width >= 24


def test_pan_and_zoom_switches_to_the_interactive_map_offline(offline_page, app_server):
    open_page(offline_page, app_server)
    with script_run(offline_page):
        offline_page.get_by_text("Pan and zoom").click()
    frame = map_frame(offline_page)
    assert offline_page.locator(PICTURE).count() == 0  # one map at a time

    pilot_zone = frame.locator('path.leaflet-interactive[stroke="#b2182b"]')
    central = frame.locator('path.leaflet-interactive[stroke="#08306b"]')
    assert pilot_zone.count() == 1
    assert central.count() == 1
    assert pilot_zone.first.bounding_box()["width"] > 50
    assert frame.get_by_test_id("map-legend").is_visible()
    assert "LEAD pilot zone" in frame.locator(".map-label").all_inner_texts()

    map_frame(offline_page)  # every layer drawn and the (blocked) basemap tiles failed: a settled picture
    screenshot(offline_page, "overview-interactive")
    # Leaflet came from the app itself: the only blocked requests are the optional online basemap tiles.
    unexpected = [url for url in offline_page.blocked_requests if "basemaps.cartocdn.com" not in url]
    assert not unexpected
    assert not offline_page.failed_responses
