"""The overview page in headless Chromium with every non-local request blocked: the map picture drawn
with the page, its download, and the interactive map behind the "Pan and zoom" switch."""

from pathlib import Path

import pytest

from tests.helpers import download, map_frame, open_page, screenshot, wait_idle

pytestmark = pytest.mark.browser

PICTURE = "svg.overview-map"
STREETS = {"Franklin St", "Pratt St", "MLK Jr Blvd"}  # and the east edge: St. Paul St / Light St


def _texts(locator) -> list[str]:
    return [text.strip() for text in locator.evaluate_all("nodes => nodes.map(n => n.textContent)")]


def test_overview_draws_the_map_picture_with_the_page_offline(offline_page, app_server):
    open_page(offline_page, app_server)
    offline_page.wait_for_selector(f'{PICTURE} path[data-layer="pilot-zone"]')
    picture = offline_page.locator(PICTURE)
    assert picture.count() == 1
    pilot_zone = picture.locator('path[data-layer="pilot-zone"]')
    central = picture.locator('path[data-layer="central-district"]')
    assert pilot_zone.count() == 1 and central.count() == 1
    zone_box, central_box = pilot_zone.bounding_box(), central.bounding_box()
    assert zone_box["width"] > 50  # drawn at a visible size, not a dot
    # the zone lies inside the district's outline as drawn
    assert (
        central_box["x"] <= zone_box["x"]
        and zone_box["x"] + zone_box["width"] <= central_box["x"] + central_box["width"]
    )
    assert (
        central_box["y"] <= zone_box["y"]
        and zone_box["y"] + zone_box["height"] <= central_box["y"] + central_box["height"]
    )

    district_names = _texts(picture.locator('text[data-label="district"]'))
    assert "Central District" in district_names and len(district_names) >= 3
    assert " ".join(_texts(picture.locator('text[data-label="pilot-zone"]'))) == "LEAD pilot zone"
    streets = " ".join(_texts(picture.locator('text[data-label="street"]')))
    assert all(name in streets for name in STREETS) and "Light St" in streets
    legend = picture.locator('g[data-part="legend"]')
    assert legend.is_visible()
    assert {"LEAD pilot zone", "Central District", "Other police districts"} <= set(
        _texts(legend.locator("text"))
    )
    assert _texts(picture.locator('g[data-part="scale"] text'))[0].endswith(("m", "km"))

    screenshot(offline_page, "overview")
    assert not offline_page.blocked_requests  # the picture needs nothing from outside
    assert not offline_page.failed_responses
    assert offline_page.get_by_text("Demo data — synthetic").is_visible()

    saved = download(offline_page, offline_page.get_by_role("button", name="Download the map picture (SVG)"))
    assert saved.suggested_filename.endswith(".svg")
    text = Path(saved.path()).read_text(encoding="utf-8")
    assert text.startswith("<svg") and 'data-layer="pilot-zone"' in text


def test_pan_and_zoom_switches_to_the_interactive_map_offline(offline_page, app_server):
    open_page(offline_page, app_server)
    offline_page.get_by_text("Pan and zoom").click()
    wait_idle(offline_page)
    frame = map_frame(offline_page)
    assert offline_page.locator(PICTURE).count() == 0  # one map at a time

    pilot_zone = frame.locator('path.leaflet-interactive[stroke="#b2182b"]')
    central = frame.locator('path.leaflet-interactive[stroke="#08306b"]')
    assert pilot_zone.count() == 1
    assert central.count() == 1
    assert pilot_zone.first.bounding_box()["width"] > 50
    assert frame.get_by_test_id("map-legend").is_visible()
    assert "LEAD pilot zone" in frame.locator(".map-label").all_inner_texts()

    offline_page.wait_for_timeout(500)  # let tiles fail and late layers settle before the picture
    screenshot(offline_page, "overview-interactive")
    # Leaflet came from the app itself: the only blocked requests are the optional online basemap tiles.
    unexpected = [url for url in offline_page.blocked_requests if "basemaps.cartocdn.com" not in url]
    assert not unexpected
    assert not offline_page.failed_responses
