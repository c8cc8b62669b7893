"""The overview page in headless Chromium with every non-local request blocked."""

import pytest

from tests.helpers import map_frame, open_page, screenshot

pytestmark = pytest.mark.browser


def test_overview_draws_pilot_zone_and_central_district_offline(offline_page, app_server):
    open_page(offline_page, app_server)
    frame = map_frame(offline_page)

    pilot_zone = frame.locator('path.leaflet-interactive[stroke="#b2182b"]')
    central = frame.locator('path.leaflet-interactive[stroke="#08306b"]')
    assert pilot_zone.count() == 1
    assert central.count() == 1
    assert pilot_zone.first.bounding_box()["width"] > 50  # drawn at a visible size, not a dot
    assert frame.get_by_test_id("map-legend").is_visible()
    assert "LEAD pilot zone" in frame.locator(".map-label").all_inner_texts()

    offline_page.wait_for_timeout(500)  # let tiles fail and late layers settle before the picture
    screenshot(offline_page, "overview")
    # Leaflet came from the app itself: the only blocked requests are the optional online basemap tiles.
    unexpected = [url for url in offline_page.blocked_requests if "basemaps.cartocdn.com" not in url]
    assert not unexpected
    assert not offline_page.failed_responses
    assert offline_page.get_by_text("Demo data — synthetic").is_visible()
