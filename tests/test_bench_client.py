"""The benchmark's websocket viewer against a real app: pages, widget changes, bytes, and errors."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import drive, load
from bench.client import Viewer, ViewerError, run_coroutine
from bench.server import running_app, wait_healthy

FAILING_APP = """
    import streamlit as st

    choice = st.selectbox("Mode", ["fine", "explode", "page error"], key="mode")
    st.write("mode is", choice)
    if choice == "explode":
        raise RuntimeError("boom")
    if choice == "page error":
        st.error("Something went wrong while drawing this page.")
"""


def _run(coroutine):
    return run_coroutine(coroutine)


def test_viewer_opens_the_default_page_and_learns_pages_and_widgets(app_server):
    async def scenario():
        async with Viewer(app_server) as viewer:
            return viewer, await viewer.run()

    viewer, result = _run(scenario())
    assert result.finished and result.errors == []
    assert result.page == "Overview"
    assert {"", "map", "referrals"} <= set(viewer.pages)
    quarters = viewer.widgets["public_period_quarters"]  # the public view's period: whole quarters
    assert quarters.kind == "slider" and quarters.options[:2] == ("2014 Q1", "2014 Q2")
    assert result.bytes > 1000 and result.messages > 5
    # the overview's map is a picture drawn with the page: no map component is sent for it
    assert result.component_bytes.get(drive.MAP_COMPONENT, 0) == 0


def test_viewer_changes_a_filter_and_moves_between_pages(app_server):
    async def scenario():
        async with Viewer(app_server) as viewer:
            await viewer.run()
            changed = await viewer.run(changes={"public_period_quarters": ("2018 Q1", "2018 Q2")})
            on_map = await viewer.run(page="map")
            options = viewer.widgets["map_offense_category"].options
            recategorised = await viewer.run(changes={"map_offense_category": options[1]})
            return changed, on_map, recategorised

    changed, on_map, recategorised = _run(scenario())
    assert changed.finished and changed.page == "Overview"
    # the Map page draws its map through streamlit-folium: the payload is counted
    assert on_map.page == "Map" and on_map.component_bytes[drive.MAP_COMPONENT] > 1000
    assert recategorised.finished and recategorised.page == "Map"


def test_viewer_refuses_a_widget_the_page_does_not_draw(app_server):
    async def scenario():
        async with Viewer(app_server) as viewer:
            await viewer.run()
            with pytest.raises(ViewerError, match="no widget with key 'map_area'"):
                await viewer.run(changes={"map_area": "Whole city"})
            with pytest.raises(ViewerError, match="no page at /nowhere"):
                await viewer.run(page="nowhere")

    _run(scenario())


def test_viewer_reports_exceptions_and_page_errors(tmp_path, demo_db_path):
    script = tmp_path / "failing_app.py"
    script.write_text(textwrap.dedent(FAILING_APP))

    async def scenario(url):
        async with Viewer(url) as viewer:
            fine = await viewer.run()
            exploded = await viewer.run(changes={"mode": "explode"})
            page_error = await viewer.run(changes={"mode": "page error"})
            return fine, exploded, page_error

    with running_app(demo_db_path, log_path=tmp_path / "failing.log", script=str(script)) as app:
        fine, exploded, page_error = _run(scenario(app.url))
        logged = app.log_errors()
    assert fine.errors == []
    assert any("exception on page" in error for error in exploded.errors)
    assert any("page error shown" in error for error in page_error.errors)
    assert any("boom" in traceback for traceback in logged)


def test_drive_times_every_page_and_its_filter_changes(app_server):
    driven = drive.drive(app_server, changes_per_page=1)
    assert driven["first_page_cold"]["page"] == "Overview"
    assert {"", "map", "referrals", "expansion"} <= set(driven["pages"])
    the_map = driven["pages"]["map"]
    assert the_map["first_run_ms"] > 0 and the_map["filter_change"]["n"] == 1
    assert the_map["map_payload_bytes_max"] >= the_map["map_payload_bytes"] > 0
    assert driven["filter_change_all_pages"]["n"] >= 3


def test_load_test_stops_by_itself_and_counts_every_run(app_server):
    result = load.load_test(app_server, viewers=2, seconds=2.0, seed=1)
    assert result["viewers"] == 2
    # each viewer opened the default page at least, and every run is in exactly one of the two lists
    assert result["requests"] >= 2
    assert result["requests"] == result["filter_change"]["n"] + result["page_open"]["n"]
    assert result["all_runs"]["p95_ms"] >= result["all_runs"]["p50_ms"]
    assert isinstance(result["error_examples"], list)
    # bounded: ramp-up (up to 5 s) plus 2 s plus the last run in flight
    assert result["wall_seconds"] < 60


@contextmanager
def _health_endpoint(unhealthy_answers: int | None):
    """A local server whose /_stcore/health answers 503 ``unhealthy_answers`` times, then 200 (None:
    503 for ever); yields its URL and the list of statuses it sent."""
    sent: list[int] = []

    class Health(BaseHTTPRequestHandler):
        def do_GET(self):
            ready = unhealthy_answers is not None and len(sent) >= unhealthy_answers
            status = 200 if ready and self.path == "/_stcore/health" else 503
            sent.append(status)
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok" if status == 200 else b"warming up")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", sent
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def _idle_process():
    """A process that stays alive until the block ends (stands in for the server's process)."""
    process = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        yield process
    finally:
        process.kill()
        process.wait()


def test_wait_healthy_polls_until_the_health_check_answers_200():
    with _health_endpoint(unhealthy_answers=3) as (url, sent), _idle_process() as process:
        wait_healthy(url, process, timeout=30)
    assert sent == [503, 503, 503, 200]


def test_wait_healthy_gives_up_at_once_when_the_server_process_exits(tmp_path):
    log = tmp_path / "server.log"
    log.write_text("Starting\nError: port 8501 is already in use\n")
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    process.wait()
    # nothing listens at this URL; the dead process, not the timeout, ends the wait
    with pytest.raises(RuntimeError, match=r"exited with code 3(.|\n)*port 8501 is already in use"):
        wait_healthy("http://127.0.0.1:9", process, timeout=600, log_path=log)


def test_wait_healthy_times_out_on_a_server_that_never_gets_healthy(tmp_path):
    never = pytest.raises(TimeoutError, match="not healthy after 0.5 s")
    with _health_endpoint(unhealthy_answers=None) as (url, sent), _idle_process() as process, never:
        wait_healthy(url, process, timeout=0.5, log_path=tmp_path / "never-written.log")
    assert sent and set(sent) == {503}
