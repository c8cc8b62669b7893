"""bench.browser: the benchmark's first-page measurement finds what it waits for on the real page."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.browser import first_page_in_browser

pytestmark = pytest.mark.browser


def test_first_page_in_browser_times_the_figures_and_the_map_picture(app_server, tmp_path):
    # its own thread: the browser tests' Playwright already runs an event loop in this one
    with ThreadPoolExecutor(1) as thread:
        result = thread.submit(first_page_in_browser, app_server, tmp_path / "first.png").result()
    assert result is not None, "Chromium is missing"
    for visit in (result["first_visit"], result["second_visit"]):
        assert 0 < visit["page_shown_s"] < 60 and 0 < visit["seconds"] < 60
        assert visit["blocked_requests"] == 0  # the first page asks nothing of the internet
    assert (tmp_path / "first.png").stat().st_size > 10_000
