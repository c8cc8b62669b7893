"""First page ready as a person sees it: Chromium opens the app and waits until the map is drawn.

The server-side figures stop when the server has sent the page; this one runs until the browser
has run Streamlit's scripts, drawn the page and the Overview's map picture (an SVG image that comes
with the page), with every request outside 127.0.0.1 blocked (the app must work offline). Skipped
when Debian's Chromium is not installed. A screenshot of the page is kept next to the results.
"""

from __future__ import annotations

import time
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
MAP_IMAGE = 'img[alt^="Map: the LEAD pilot zone"]'
MAP_DRAWN = (
    f"() => {{ const image = document.querySelector('{MAP_IMAGE}');"
    " return image && image.complete && image.naturalWidth > 0; }"
)
READY_TIMEOUT_MS = 60_000
FIGURES_SHOWN = '[data-testid="stMetricValue"]'  # the headline figures: the page's own content


def _open_until_drawn(browser, url: str, screenshot: Path | None) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    blocked: list[str] = []

    def only_local(route):
        if route.request.url.startswith(url) or route.request.url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(FIGURES_SHOWN, timeout=READY_TIMEOUT_MS)
        shown = time.perf_counter() - started  # the figures are on screen; the map may still be coming
        page.wait_for_function(MAP_DRAWN, timeout=READY_TIMEOUT_MS)
        seconds = time.perf_counter() - started
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot))
        return {
            "seconds": round(seconds, 2),
            "page_shown_s": round(shown, 2),
            "blocked_requests": len(blocked),
        }
    finally:
        context.close()


def first_page_in_browser(url: str, screenshot: Path | None = None) -> dict | None:
    """Seconds from navigation to the default page's map drawn, for a first and a second visit
    (each in a fresh browser context: nothing cached); None without Chromium."""
    if not CHROMIUM.exists():
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            first = _open_until_drawn(browser, url, screenshot)
            second = _open_until_drawn(browser, url, None)
        finally:
            browser.close()
    return {
        "first_visit": first,
        "second_visit": second,
        "screenshot": str(screenshot) if screenshot else None,
    }
