"""Issue 16, point 4, against the running app (a short run of bench/hostile_load.py): three sessions
sending the planner self-crossing drawings without pause do not stall another visitor's Overview; and
the page-run limit that keeps a costly planner from taking every run (ui/chrome.py)."""

from __future__ import annotations

import threading

import pytest

from bench.hostile_load import HUGE_POINTS, hostile_load
from ui import chrome

TOO_MANY_POINTS = "refused: too many points"


def test_hostile_drawings_are_refused_and_the_overview_stays_quick(app_server):
    report = hostile_load(app_server, seconds=20, max_drawings=600, alone=6)

    assert report["session_errors"] == [] and report["overview_errors"] == []
    # 100,000 points, 4 MB of JSON: refused, on a quiet server and while the others are sending
    for huge in (report["huge_drawing_quiet"], report["huge_drawing_under_load"]):
        assert huge["points"] == HUGE_POINTS and huge["json_bytes"] > 4_000_000
        assert huge["answer"] == TOO_MANY_POINTS
    # End to end: 4 MB sent, parsed by Streamlit (~0.2 s of CPU), the page run. The check itself takes
    # microseconds (tests/test_expansion_geometry.py); before the limits this took the server 80 s.
    assert report["huge_drawing_quiet"]["seconds"] < 5
    # every 400-point scribble is answered in words, none repaired at length
    sent = report["drawings_sent"]
    assert sent >= 30
    assert report["drawing_answers"] == {"refused: too many crossings": sent}
    assert report["drawing_run"]["p95_ms"] < 5_000
    # Another session's Overview is not stalled (before the limits it took 270 s). The figure,
    # p95 under 1 s, is measured by `python -m bench.hostile_load` and reported, not asserted here:
    # speed is measured by the benchmarks, and this suite must stay green on a busy 2-core machine.
    overview = report["overview_load"]
    assert overview["n"] >= 10
    assert overview["p95_ms"] < 5_000, report


@pytest.mark.parametrize("url", ["http://example.com:8501", "http://10.0.0.5:8501"])
def test_the_load_test_runs_only_against_this_machine(url):
    with pytest.raises(ValueError, match="only runs against this machine"):
        hostile_load(url, seconds=1)


def test_the_planner_holds_at_most_one_page_run_so_other_pages_find_one_free():
    """ui/chrome.py: three planner runs at once take one of the two page runs; an Overview run started
    while they wait finishes first."""
    release = threading.Event()
    finished: list[str] = []

    class Page:
        def __init__(self, url_path: str):
            self.url_path, self.title = url_path, url_path or "Overview"

        def run(self):
            if self.url_path == "expansion":
                release.wait(timeout=10)
            finished.append(self.title)

    planners = [threading.Thread(target=chrome.run_page_safely, args=(Page("expansion"),)) for _ in range(3)]
    for thread in planners:
        thread.start()
    overview = threading.Thread(target=chrome.run_page_safely, args=(Page(""),))
    overview.start()
    overview.join(timeout=5)
    assert finished == ["Overview"]  # it did not wait behind the planner's runs
    release.set()
    for thread in planners:
        thread.join(timeout=10)
    assert finished.count("expansion") == 3
