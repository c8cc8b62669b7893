"""Small helpers for the browser tests."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def open_page(page, url: str, timeout: float = 60_000) -> None:
    """Open an app URL and wait until Streamlit has finished running the script."""
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelector('[data-testid=\"stMainBlockContainer\"]')",
        timeout=timeout,
    )


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit is not running the script (its status widget is gone)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout
    )


def download(page, button, timeout: float = 30_000, attempts: int = 3):
    """Click a download button and return Playwright's Download.

    On a busy machine a click that lands while the page is still settling can be lost (CI saw one
    such timeout in ~700 tests): the page is let settle and the button clicked again, at most
    `attempts` times, so a button that never downloads still fails.
    """
    for attempt in range(1, attempts + 1):
        wait_idle(page)
        button.scroll_into_view_if_needed()
        try:
            with page.expect_download(timeout=timeout) as event:
                button.click()
            return event.value
        except PlaywrightTimeoutError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


def map_frame(page, timeout: float = 60_000):
    """The Leaflet map inside the streamlit-folium iframe, once its vector layers are drawn."""
    page.wait_for_selector(MAP_FRAME, timeout=timeout)
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=timeout)
    return frame


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
