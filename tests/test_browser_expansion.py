"""The Expansion planner in headless Chromium, offline: draw a polygon, read its figures, save, compare."""

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
import shapely
from shapely.geometry import shape

from domain.disclosure import quarter_end
from geo.planner_map import PROPOSAL_COLOUR
from tests.conftest import STAFF_PASSWORD
from tests.helpers import MAP_FRAME, map_frame, open_page, screenshot, script_run

pytestmark = pytest.mark.browser

# East of downtown (Jonestown / Oldtown / Middle East): busy in the demo data, clear of the map's
# legend (bottom left) and layer switcher (top right) at the planner's opening view.
CORNERS = [(39.3050, -76.6000), (39.3050, -76.5850), (39.2950, -76.5850), (39.2950, -76.6000)]
NAME = "Browser-drawn east side"
# Leaflet.draw ignores a click for 50 ms after placing a vertex (its guard against double taps), by
# setting a flag on the polygon tool that a timer clears: the next click waits for that flag.
READY_FOR_A_VERTEX = """() => Object.keys(window).filter(name => name.startsWith('draw_control'))
  .every(name => !window[name]._toolbars.draw._modes.polygon.handler._disableMarkers)"""


def open_planner(page, url: str) -> None:
    open_page(page, url)
    with script_run(page):
        page.locator('[data-testid="stSidebarNav"] a', has_text="Expansion planner").click()
    page.get_by_role("heading", name="Expansion planner").wait_for()


def period_in_url(url: str) -> tuple[date, date]:
    """The period a link names: a staff link's two days, or a public link's first and last quarters
    (``public_period_quarters=2017+Q1&public_period_quarters=2024+Q4``) from the first one's first day
    to the last one's last."""
    params = parse_qs(urlsplit(url).query)
    if "period" in params:
        start, end = map(date.fromisoformat, params["period"])
        return start, end
    first, last = (date(int(year), 3 * int(quarter) - 2, 1) for year, quarter in
                   (label.split(" Q") for label in params["public_period_quarters"]))  # fmt: skip
    return first, quarter_end(last)


def metric_value(page, label: str) -> str:
    metric = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))
    return metric.get_by_test_id("stMetricValue").inner_text()


def eligible_inside(con, geometry, start: date, end: date) -> int:
    points = con.execute(
        "select lon, lat from arrests where lead_category is not null and geom is not null "
        "and arrest_date between ? and ?",
        [start, end],
    ).df()
    return int(shapely.contains_xy(geometry, points.lon.to_numpy(), points.lat.to_numpy()).sum())


def sign_in(page) -> None:
    page.get_by_test_id("stSidebarUserContent").get_by_text("Staff sign-in", exact=True).click()
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    with script_run(page):
        page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Staff view — participant-level detail is visible.").wait_for(timeout=60_000)
    page.get_by_role("heading", name="Expansion planner").wait_for()


@pytest.fixture
def staff_page(browser, staff_app_server, request):
    """A 1280x720 page on the server with staff sign-in; non-local requests blocked."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.blocked_requests = []

    def only_local(route):
        if route.request.url.startswith((staff_app_server, "data:", "blob:", "about:")):
            route.continue_()
        else:
            page.blocked_requests.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        screenshot(page, f"FAILED-{request.node.name}")
    context.close()


def test_draw_a_polygon_read_its_figures_save_and_compare(staff_page, staff_app_server, demo_con):
    page = staff_page
    open_planner(page, staff_app_server)
    sign_in(page)  # only staff save proposals; signing in reruns the planner in the same session
    frame = map_frame(page)
    leaflet = frame.locator(".leaflet-container").first
    leaflet.scroll_into_view_if_needed()
    assert page.get_by_test_id("map-legend").first.is_visible()  # under the map, not over it
    assert not frame.locator(".lead-legend").count()
    assert frame.locator(".candidate-label").count() == 4

    # draw: the polygon tool, a click on each corner, and a last click on the first corner to close
    frame.locator("a.leaflet-draw-draw-polygon").click()
    draw = page.locator(MAP_FRAME).first.element_handle().content_frame()
    to_pixels = "(el, cs) => cs.map(c => { const p = map_div.latLngToContainerPoint(c); return [p.x, p.y]; })"
    pixels = leaflet.evaluate(to_pixels, [list(corner) for corner in CORNERS])
    origin = leaflet.bounding_box()
    vertices = frame.locator(".leaflet-editing-icon")
    for placed, (x, y) in enumerate(pixels, start=1):
        page.mouse.click(origin["x"] + x, origin["y"] + y)
        vertices.nth(placed - 1).wait_for()
        draw.wait_for_function(READY_FOR_A_VERTEX)
    # Closing the shape sends the drawing to the app, which reruns with the proposal's figures.
    with script_run(page):
        page.mouse.click(origin["x"] + pixels[0][0], origin["y"] + pixels[0][1])
    frame.locator(f'path.leaflet-interactive[stroke="{PROPOSAL_COLOUR}"]').first.wait_for()
    drawn = leaflet.evaluate("() => drawnItems.toGeoJSON()")
    assert len(drawn["features"]) == 1
    polygon = shape(drawn["features"][0]["geometry"])
    assert polygon.geom_type == "Polygon" and len(polygon.exterior.coords) == 5

    # its figures, counted independently over the same polygon and the period the page uses (its link
    # names it: a public view's whole quarters, kept after signing in)
    page.get_by_test_id("stMetric").filter(has=page.get_by_text("Case managers", exact=True)).wait_for()
    start, end = period_in_url(page.url)
    expected = eligible_inside(demo_con, polygon, start, end)
    assert expected >= 5
    assert metric_value(page, "Eligible arrests") == f"{expected:,}"
    assert metric_value(page, "Area").endswith("km²")
    assert int(metric_value(page, "Case managers")) >= 1
    page.get_by_role("heading", name="This proposal", exact=True).scroll_into_view_if_needed()
    screenshot(page, "expansion-drawn")

    # save it under a name
    page.get_by_role("textbox", name="Name").fill(NAME)
    with script_run(page):
        page.get_by_role("button", name="Save proposal").click()
    page.get_by_text(f"Saved “{NAME}”").wait_for()

    # and find it in the comparison: picked in the selector, drawn on the comparison map, in the table
    page.get_by_role("heading", name="Compare proposals").scroll_into_view_if_needed()
    selector = page.get_by_test_id("stMultiSelect").filter(has_text="Proposals to compare")
    assert NAME in selector.inner_text()
    comparison_map = map_frame(page, 1)
    assert comparison_map.locator(".leaflet-container").count() == 1
    assert page.get_by_test_id("map-legend").filter(has_text=NAME).count() == 1  # its legend, under it
    table = page.get_by_test_id("stDataFrame").filter(has_text="Figure")
    table.scroll_into_view_if_needed()
    assert NAME in table.text_content()  # the grid draws on a canvas; its accessible table has the text
    screenshot(page, "expansion-compare")

    # Leaflet and Leaflet.draw came from the app: only the optional online basemap tiles were blocked
    assert all("basemaps.cartocdn.com" in url for url in page.blocked_requests), page.blocked_requests
