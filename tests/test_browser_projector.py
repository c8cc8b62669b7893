"""Projector mode on every page, measured in headless Chromium at 1280x720.

* every piece of text on the page (paragraphs, captions, labels, metrics, buttons, tables, chart text)
  is drawn at 24 px or more;
* text is dark on a light ground at a contrast of at least 7:1 (WCAG AAA), counting faded ancestors;
* charts and map cells use colour-blind-safe palettes (Okabe & Ito; ColorBrewer sequential);
* the sidebar starts collapsed and the maps take the full width of the page;
* a picture of each page at 1280x720 is saved in test-artifacts/ (projector-*.png) to be looked at.
"""

from __future__ import annotations

import pytest

from tests.conftest import STAFF_PASSWORD
from tests.helpers import MAP_FRAME, map_frame, open_page, page_drawn, screenshot, script_run
from ui.charts import ALERT, HIDDEN_SPLIT, NEUTRAL, PALETTE

pytestmark = pytest.mark.browser

MIN_FONT_PX = 24
MIN_CONTRAST = 7.0
PAGES = ["", "map", "referrals", "expansion", "brief", "equity"]
EXTRA = {
    "expansion": "&proposal_mode=Pick+neighbourhoods&picked_nsas=Fells+Point&picked_nsas=Mondawmin"
}  # as tags
MAP_PAGES = {"map": 0, "expansion": 0}  # page -> which map frame must be full width
OKABE_ITO = {c.lower() for c in (*PALETTE, NEUTRAL, ALERT, HIDDEN_SPLIT)} | {"rgba(0,0,0,0)", "#1b1f24"}
CELL_PALETTES = {
    "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494",  # ColorBrewer YlGnBu (referrals)
    "#fee391", "#fec44f", "#fe9929", "#d95f0e", "#993404",  # ColorBrewer YlOrBr (eligible arrests)
}  # fmt: skip

# Every visible text node of the app (not inside a map or brief frame: those are separate documents),
# with its size and its colour against the ground it sits on, opacity of every ancestor included.
_TEXT_SCAN = """
() => {
  const parse = c => {
    const m = c.match(/[\\d.]+/g).map(Number);
    return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1];
  };
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ground = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0.5) return c;
    }
    return [255, 255, 255, 1];
  };
  const skip = '[data-testid="stIconMaterial"], .stTooltipIcon svg, [aria-hidden="true"], [disabled]';
  const main = document.querySelector('[data-testid="stMain"]');
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const out = [];
  let node;
  while ((node = walker.nextNode())) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest(skip)) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width < 1 || box.height < 1 || box.bottom < 0 || box.top > innerHeight) continue;
    if (style.visibility === 'hidden') continue;
    let alpha = parse(style.color)[3];
    for (let e = el; e; e = e.parentElement) alpha *= Number(getComputedStyle(e).opacity);
    const fg = parse(style.color), bg = ground(el);
    const mixed = fg.slice(0, 3).map((v, i) => v * alpha + bg[i] * (1 - alpha));
    const [a, b] = [lum(mixed), lum(bg)].sort((x, y) => y - x);
    out.push({text: text.slice(0, 50), size: parseFloat(style.fontSize), contrast: (a + 0.05) / (b + 0.05),
              where: (el.closest('[data-testid]') || {}).dataset?.testid || el.tagName});
  }
  return out;
}
"""
_CHART_COLOURS = """
() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(plot => plot.data.flatMap(t =>
  [t.marker && t.marker.color, t.line && t.line.color].filter(c => typeof c === 'string')))
"""


_SIDEBAR_CLOSED = """() => {
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  return !sidebar || sidebar.getBoundingClientRect().right <= 1;
}"""


def _open(page, base: str, path: str) -> None:
    open_page(page, f"{base}/{path}?projector=true{EXTRA.get(path, '')}")
    page.get_by_text("Demo data — synthetic").first.wait_for(timeout=60_000)
    page_drawn(page)  # every element, chart and map drawn: the text scan measures what is on screen


def _check_text(page, name: str) -> int:
    texts = page.evaluate(_TEXT_SCAN)
    small = [t for t in texts if t["size"] < MIN_FONT_PX - 0.5]
    faint = [t for t in texts if t["contrast"] < MIN_CONTRAST]
    assert not small, f"{name}: text under {MIN_FONT_PX} px: {small[:6]}"
    assert not faint, f"{name}: text under {MIN_CONTRAST}:1 contrast: {faint[:6]}"
    return len(texts)


@pytest.fixture
def projector_page(browser, app_server):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("path", PAGES, ids=[p or "overview" for p in PAGES])
def test_projector_mode_is_large_high_contrast_and_full_width(projector_page, app_server, path):
    page = projector_page
    name = path or "overview"
    _open(page, app_server, path)
    # collapsed: the sidebar sits off screen, and the button to open it shows
    assert page.get_by_test_id("stExpandSidebarButton").is_visible()
    sidebar = page.get_by_test_id("stSidebar").bounding_box()
    assert sidebar is None or sidebar["x"] + sidebar["width"] <= 1
    screenshot(page, f"projector-{name}")

    # Every text on the page, scrolled through screen by screen (the page is fully drawn, and scrolling
    # lays it out again at once: nothing to wait for between screens).
    checked = 0
    main = page.get_by_test_id("stMain")
    for _ in range(40):
        checked += _check_text(page, name)
        moved = main.evaluate(
            "m => { const before = m.scrollTop; m.scrollTop += 600; return m.scrollTop - before; }"
        )
        if moved <= 0:
            break
    assert checked >= 8, f"{name}: only {checked} pieces of text were measured"

    colours = {c.lower().replace(" ", "") for c in page.evaluate(_CHART_COLOURS)}
    assert colours <= OKABE_ITO, (
        f"{name}: chart colours outside the colour-blind-safe palette: {colours - OKABE_ITO}"
    )

    if path in MAP_PAGES:
        frame = page.locator(MAP_FRAME).nth(MAP_PAGES[path])
        frame.scroll_into_view_if_needed()
        width = frame.bounding_box()["width"]
        content = page.get_by_test_id("stMainBlockContainer").bounding_box()["width"]
        assert width >= 0.9 * content and width >= 1100, f"{name}: map {width:.0f} px wide of {content:.0f}"
        cells = page.frame_locator(MAP_FRAME).nth(MAP_PAGES[path]).locator(".leaflet-density-pane path")
        fills = {cells.nth(i).get_attribute("fill") for i in range(min(cells.count(), 200))}
        assert fills <= CELL_PALETTES, (
            f"{name}: map cells outside the ColorBrewer palettes: {fills - CELL_PALETTES}"
        )
        map_frame(page, MAP_PAGES[path])  # drawn, its (offline: failed) tiles settled
        screenshot(page, f"projector-{name}-map")


def test_projector_import_page_for_signed_in_staff(browser, staff_app_server):
    """The staff-only page too, after signing in (sidebar opened for the sign-in, then closed)."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        open_page(page, f"{staff_app_server}/?mode=projector")  # a link made before the binding
        page.get_by_test_id("stExpandSidebarButton").click()
        page.get_by_text("Staff sign-in").click()
        page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
        with script_run(page):
            page.get_by_role("button", name="Sign in").click()
        with script_run(page):  # the run writes the URL at its end
            page.get_by_test_id("stSidebarNav").get_by_text("Import data").click()
        page.get_by_role("heading", name="Import data").wait_for(timeout=60_000)
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        page.wait_for_function(_SIDEBAR_CLOSED, timeout=30_000)  # slid off screen
        assert "projector=true" in page.url and "mode=" not in page.url
        _check_text(page, "import_data")
        screenshot(page, "projector-import_data")
    finally:
        context.close()
