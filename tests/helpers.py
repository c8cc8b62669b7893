"""Small helpers for the browser tests."""

from __future__ import annotations

from pathlib import Path

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
