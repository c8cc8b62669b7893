"""Issue 16, point 4, against the running app (a short run of bench/hostile_load.py): three sessions
sending the planner self-crossing drawings without pause do not stall another visitor's Overview."""

from __future__ import annotations

import pytest

from bench.hostile_load import HUGE_POINTS, hostile_load

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
    # the acceptance: another session's Overview p95 under 1 s
    overview = report["overview_load"]
    assert overview["n"] >= 10
    # (the report says what the Overview took alone on this machine, before the hostile sessions)
    assert overview["p95_ms"] < 1_000, report


@pytest.mark.parametrize("url", ["http://example.com:8501", "http://10.0.0.5:8501"])
def test_the_load_test_runs_only_against_this_machine(url):
    with pytest.raises(ValueError, match="only runs against this machine"):
        hostile_load(url, seconds=1)
