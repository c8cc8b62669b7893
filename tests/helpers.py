"""Small helpers for the browser tests.

Every wait here is for something the page shows, never for a length of time: a busy CI machine can
be many times slower than a laptop, and a sleep that is long enough on one is too short on the other.

* ``wait_idle``: Streamlit has finished its script run and every element it sent is drawn. Streamlit
  writes the run's state on its root element (``data-test-script-state``: "initial" before the first
  run, "running", "notRunning"). Its status widget does not say this: it appears only once a run has
  lasted 500 ms, so it is absent before a run starts and during short runs. And a finished run is not
  yet a drawn page: an element whose code Streamlit loads on demand (download buttons, charts, tables,
  components) shows a skeleton until that code has arrived, which on a busy machine takes seconds.
* ``script_run``: around a click that reruns the script. Right after the click the page still looks
  idle (the run starts when the server answers), so this waits for the server's "script finished".
* ``map_frame`` / ``page_drawn``: Leaflet has drawn a map and its tile layers have stopped loading
  (offline, the basemap tiles have failed); every chart has drawn; every frame has loaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from google.protobuf.message import DecodeError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
STREAM = "/_stcore/stream"  # Streamlit's websocket

SETTLED = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.dataset.testConnectionState === 'CONNECTED'
    && app.dataset.testScriptState === 'notRunning'
    && !!document.querySelector('[data-testid="stMainBlockContainer"]')
    && !document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]');
}"""
CHARTS_DRAWN = """() => Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'))
  .every(chart => chart.querySelector('.js-plotly-plot .main-svg'))"""
# Inside a streamlit-folium frame. The component names the map `window.map` once the map's whole
# script has run (every layer added); Leaflet sets `_loaded` when the map has its view; a tile layer
# is loading until each of its tiles has arrived or failed; a failed image is `complete` too.
MAP_DRAWN = """() => {
  const map = window.map;
  if (!map || !map._loaded) return false;
  let loading = false;
  map.eachLayer(layer => {
    loading = loading || (typeof layer.isLoading === 'function' && layer.isLoading());
  });
  return !loading && Array.from(document.images).every(image => image.complete);
}"""


def open_page(page, url: str, timeout: float = 60_000) -> None:
    """Open an app URL and wait until Streamlit has run the script to its end and drawn what it sent.

    A run can end early for a rerun (a link in an older form is rewritten first, a page opened without
    the app's frame is rerun inside it); between those runs the page looks idle for a moment, so this
    waits for the server's "script finished" of a run that was not cut short, then for the drawing.
    """
    finished: list[bool] = []

    def watch(socket) -> None:
        if socket.url.endswith(STREAM):
            socket.on(
                "framereceived", lambda payload: finished.append(True) if _ends_a_run(payload) else None
            )

    page.on("websocket", watch)
    try:
        with page.expect_websocket(lambda socket: socket.url.endswith(STREAM), timeout=timeout) as socket:
            page.goto(url, timeout=timeout)
        page.streamlit_socket = socket.value  # for script_run
        # Playwright's sync API hands events over only inside its own calls, so nothing can arrive
        # between this check and the wait below.
        if not finished:
            socket.value.wait_for_event("framereceived", predicate=_ends_a_run, timeout=timeout)
    finally:
        page.remove_listener("websocket", watch)
    wait_idle(page, timeout)


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit's script run has finished and every element it sent is drawn."""
    page.wait_for_function(SETTLED, timeout=timeout)


def _ends_a_run(payload: bytes | str) -> bool:
    if isinstance(payload, str):
        return False
    message = ForwardMsg()
    try:
        message.ParseFromString(payload)
    except DecodeError:
        return False
    # the new-data watcher (ui/data.py) runs on its own every few seconds: its end is no page's end
    return message.WhichOneof("type") == "script_finished" and message.script_finished not in (
        ForwardMsg.FINISHED_EARLY_FOR_RERUN,
        ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
    )


@contextmanager
def script_run(page, timeout: float = 60_000) -> Iterator[None]:
    """Around an action that reruns the script (a widget changed): when the block ends, that run has
    finished and what it sent is drawn. The page must have been opened with ``open_page``."""
    socket = getattr(page, "streamlit_socket", None)
    if socket is None:
        raise RuntimeError("script_run needs a page opened with open_page (it watches the websocket)")
    wait_idle(page, timeout)  # an earlier run's end must not be taken for this one's
    with socket.expect_event("framereceived", predicate=_ends_a_run, timeout=timeout):
        yield
    wait_idle(page, timeout)


def download(page, button, timeout: float = 30_000, attempts: int = 3):
    """Click a download button and return Playwright's Download.

    The page is let finish its run first: a download whose file is made when clicked asks the server
    for the file the button's last run registered, and a rerun replaces that registration. A rerun
    can still land between the wait and the click (the data watcher reruns open pages every 20 s),
    and then no download comes: the page is let settle again and the button clicked again.
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


def map_frame(page, index: int = 0, timeout: float = 60_000):
    """The Leaflet map in the ``index``-th streamlit-folium iframe, once it is drawn and its tiles
    have stopped loading."""
    wait_idle(page, timeout)  # a rerun may replace the frame (a changed map is a new component)
    iframe = page.locator(MAP_FRAME).nth(index).element_handle(timeout=timeout)
    iframe.content_frame().wait_for_function(MAP_DRAWN, timeout=timeout)
    return page.frame_locator(MAP_FRAME).nth(index)


def page_drawn(page, timeout: float = 60_000) -> None:
    """Wait until the run has finished and everything it sent is drawn: elements, charts, maps and
    the content of every other frame (the brief's preview)."""
    wait_idle(page, timeout)
    page.wait_for_function(CHARTS_DRAWN, timeout=timeout)
    for index in range(page.locator(MAP_FRAME).count()):
        map_frame(page, index, timeout)
    for iframe in page.locator("iframe").element_handles():
        iframe.content_frame().wait_for_load_state("load", timeout=timeout)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
