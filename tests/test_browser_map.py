"""The Map page in headless Chromium with every non-local request blocked: layers, legend, exports."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.helpers import MAP_FRAME, download, map_frame, open_page, screenshot, script_run, wait_idle

pytestmark = pytest.mark.browser

REFERRAL_COLOURS = ("#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")
ARREST_COLOURS = ("#fee391", "#fec44f", "#fe9929", "#d95f0e", "#993404")
# layer name above the map -> what it draws (SVG paths in the map frame) and the least it must draw
REFERRAL_CELLS = ", ".join(f'.leaflet-density-pane path[fill="{c}"]' for c in REFERRAL_COLOURS)
ARREST_CELLS = ", ".join(f'.leaflet-density-pane path[fill="{c}"]' for c in ARREST_COLOURS)
LAYERS = {
    "Referrals per cell": (REFERRAL_CELLS, 3),
    "Eligible arrests per cell": (ARREST_CELLS, 3),
    "Neighbourhoods (NSA)": ('path[stroke="#7d848c"]', 278),
    "Police districts": ('path[stroke="#6b7785"], path[stroke="#08306b"]', 9),
    "Expansion candidates": ('path[stroke="#c51b7d"]', 4),
    "Boundary streets": ('path[stroke="#1b1f24"]', 4),
    "LEAD pilot zone": ('path[stroke="#b2182b"]', 1),
}
SCALE_LEGENDS = {"Referrals per cell", "Eligible arrests per cell"}  # layer -> its colour scale's title


def _legend(page, title):
    """The legend box titled ``title``, beside the map on the page (never over it, in its frame)."""
    return page.get_by_test_id("map-legend").filter(has=page.get_by_role("heading", name=title, exact=True))


def _cells(frame, colours) -> int:
    return sum(frame.locator(f'.leaflet-density-pane path[fill="{colour}"]').count() for colour in colours)


def _layer_pill(page, name):
    """The layer's switch above the map (a Streamlit pill: kept in the URL, unlike a control in the map)."""
    return page.get_by_test_id("stButtonGroup").get_by_role("button", name=name, exact=True)


def _switch(page, name, on: bool) -> None:
    """Click a layer's pill and wait for the run it starts to finish (the map it sends is a new frame)."""
    pill = _layer_pill(page, name)
    wait_idle(page)
    assert (pill.get_attribute("aria-pressed") == "true") != on, f"{name} already {'on' if on else 'off'}"
    with script_run(page):
        pill.click()
    expect(pill).to_have_attribute("aria-pressed", "true" if on else "false", timeout=1_000)
    map_frame(page)


def _open_map_page(page, app_server):
    open_page(page, f"{app_server}/map")  # a deep link runs through app.py (see ui/serve.py)
    page.get_by_text("Demo data — synthetic").wait_for(timeout=60_000)
    page.get_by_role("heading", name="Map: where LEAD works").wait_for(timeout=60_000)
    return map_frame(page)


def test_every_layer_draws_switches_off_and_the_legend_shows_offline(offline_page, app_server):
    page = offline_page
    frame = _open_map_page(page, app_server)
    screenshot(page, "map")  # what a projector shows first: figures and the top of the map

    # The eligible-arrest layer starts switched off; every other layer is drawn at once.
    assert _cells(frame, ARREST_COLOURS) == 0
    assert not _legend(page, "Eligible arrests per cell").count()
    _switch(page, "Eligible arrests per cell", on=True)
    _legend(page, "Eligible arrests per cell").wait_for(timeout=30_000)
    # the layers are in the shareable URL, as the words on their switches (Streamlit's own binding)
    assert set(parse_qs(urlsplit(page.url).query)["map_layers"]) == set(LAYERS)
    page.locator(MAP_FRAME).scroll_into_view_if_needed()
    assert _cells(frame, ARREST_COLOURS) >= 3
    assert _cells(frame, REFERRAL_COLOURS) >= 3
    for name, (selector, least) in LAYERS.items():
        assert _layer_pill(page, name).get_attribute("aria-pressed") == "true", name
        assert frame.locator(selector).count() >= least, f"{name}: fewer than {least} shapes drawn"
    labels = frame.locator(".map-label").all_inner_texts()
    for label in ("LEAD pilot zone", "Central District", "Fells Point", "Mondawmin", "Old Goucher"):
        assert label in labels
    for title in ("Boundaries", "Referrals per cell", "Eligible arrests per cell"):
        assert _legend(page, title).is_visible(), title
    assert not frame.locator(".lead-legend").count()  # beside the map, nothing over it
    map_frame(page)  # drawn, and the (blocked) basemap tiles have failed: a settled picture
    screenshot(page, "map-layers")

    # Switching a layer off removes what it drew (and its colour scale); switching it on brings it back.
    for name, (selector, _) in LAYERS.items():
        before = frame.locator(selector).count()
        _switch(page, name, on=False)
        expect(frame.locator(selector)).to_have_count(0, timeout=30_000)
        if name in SCALE_LEGENDS:
            assert not _legend(page, name).count()
        if name == "Expansion candidates":
            assert "Fells Point" not in frame.locator(".map-label").all_inner_texts()
        _switch(page, name, on=True)
        expect(frame.locator(selector)).to_have_count(before, timeout=30_000)
    _switch(page, "Eligible arrests per cell", on=False)
    expect(frame.locator(ARREST_CELLS)).to_have_count(0, timeout=30_000)

    # A cell's tooltip gives its count and the period; the neighbourhood under the pointer is named.
    expect(page.locator(MAP_FRAME)).to_have_count(1, timeout=30_000)  # one map, however often redrawn
    page.locator(MAP_FRAME).scroll_into_view_if_needed()
    frame = map_frame(page)  # the last map, drawn: its cells no longer move
    darkest = frame.locator(f'.leaflet-density-pane path[fill="{REFERRAL_COLOURS[-1]}"]').first
    tooltip = frame.locator(".leaflet-tooltip")
    box = darkest.bounding_box()
    # From outside the map onto the cell, so Leaflet sees the pointer enter it.
    page.mouse.move(0, 0)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
    tooltip.wait_for(timeout=30_000)
    assert "Referrals:" in tooltip.inner_text()
    shown = page.get_by_text(re.compile(r"^Whole city · ")).inner_text()  # the period above the map
    assert shown.removeprefix("Whole city · ") in tooltip.inner_text()
    assert frame.get_by_test_id("hover-name").inner_text().startswith("Neighbourhood: ")
    screenshot(page, "map-hover")

    # Leaflet and everything drawn came from the app: only the optional basemap tiles were blocked.
    assert page.blocked_requests
    assert all("basemaps.cartocdn.com" in url for url in page.blocked_requests)


def test_area_picker_zooms_and_names_the_boundary_streets(offline_page, app_server):
    frame = _open_map_page(offline_page, app_server)
    street_labels = frame.locator(".street-label")
    assert street_labels.count() == 4
    assert not street_labels.first.is_visible()  # the whole city: too small to name four streets

    offline_page.get_by_label("Area (zooms the map; the figures cover it)").click()
    offline_page.keyboard.type("LEAD pilot zone")
    with script_run(offline_page):
        offline_page.keyboard.press("Enter")
    offline_page.get_by_text("LEAD pilot zone ·").wait_for(timeout=60_000)
    frame = map_frame(offline_page)
    frame.locator(".street-label").first.wait_for(state="visible", timeout=30_000)
    names = frame.locator(".street-label").all_inner_texts()
    assert {"Franklin St", "Pratt St", "MLK Jr Blvd"} <= set(names)
    zone = frame.locator('path[stroke="#b2182b"]').first.bounding_box()
    assert zone["width"] > 250  # zoomed in: the zone fills a good part of the map
    offline_page.locator(MAP_FRAME).scroll_into_view_if_needed()
    screenshot(offline_page, "map-pilot-zone")


def test_standalone_map_download_opens_from_disk_offline(offline_page, app_server, browser, tmp_path):
    _open_map_page(offline_page, app_server)
    saved = tmp_path / "map.html"
    download(offline_page, offline_page.get_by_role("button", name="Map (standalone HTML)")).save_as(saved)

    context = browser.new_context(viewport={"width": 1280, "height": 720})
    requested: list[str] = []

    def only_the_file(route):
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            requested.append(url)
            route.abort()

    context.route("**/*", only_the_file)
    page = context.new_page()
    try:
        page.goto(saved.as_uri())
        page.locator(".leaflet-density-pane path").first.wait_for(timeout=30_000)
        assert page.locator('path[stroke="#b2182b"]').count() == 1
        assert page.locator('path[stroke="#7d848c"]').count() >= 278
        assert page.get_by_test_id("map-legend").is_visible()
        assert page.get_by_text("Demo data — synthetic").is_visible()
        assert all("basemaps.cartocdn.com" in url for url in requested)
        screenshot(page, "map-standalone")
    finally:
        context.close()
