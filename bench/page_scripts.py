"""Each page's script time under Streamlit's AppTest: the first run, and a rerun after a filter change.

Run in its own process per database (``LEAD_DB`` and the app's cached connection belong to one
database), as ``make bench`` does:

    LEAD_DB=data/bench/demo_1000000.duckdb python -m bench.page_scripts [--profile pages/map.py]

Prints JSON. The first run of each page starts with an empty query cache (the process has already
imported everything and opened the database once, on a warm-up run that is reported apart). The
"rerun" is the page run again with the period moved: the queries of the new period are not cached,
the rest (e.g. the launch window's) are, as after a filter change. AppTest drops the sidebar's
period once a session has switched pages, so the moved period is given to a new session before its
first run. ``--profile PAGE`` also profiles where that page's runs with moved periods spend their
time (see :mod:`bench.profiling`).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from datetime import date, timedelta

import streamlit as st
from streamlit.testing.v1 import AppTest

from bench.profiling import profiled_script_runs, summarise
from domain import disclosure
from store.connection import REPO_ROOT

APP_FILE = REPO_ROOT / "app.py"
TIMEOUT_S = 180
PROFILE_RERUNS = 8
_PAGE_LINE = re.compile(r"""st\.Page\(\s*["']([^"']+)["'][^)]*?title\s*=\s*["']([^"']+)["']""")


def app_pages() -> list[tuple[str, str]]:
    """(script path, title) of every page registered in app.py's PAGES, in order."""
    return _PAGE_LINE.findall(APP_FILE.read_text())


def _new_app() -> AppTest:
    return AppTest.from_file(str(APP_FILE), default_timeout=TIMEOUT_S)


def _timed_run(at: AppTest) -> float:
    started = time.perf_counter()
    at.run()
    return time.perf_counter() - started


def _problems(at: AppTest) -> list[str]:
    problems = [f"exception: {e.value}"[:300] for e in at.exception]
    problems += [f"error shown: {e.value}"[:300] for e in at.error]
    return problems


def _open_page(
    path: str, staff: bool = False, period: tuple[date, date] | None = None
) -> tuple[AppTest, tuple[date, date]]:
    """A new session on the default page (which draws the period box), then switched to ``path``
    (not run yet); with ``period`` given, the session starts with it.

    Returns the session and the period box's (start, end). After ``switch_page`` AppTest's element
    tree no longer lists the widgets app.py draws in the sidebar, and setting the period through
    session state then has no effect: a new period needs a new session.
    """
    at = _new_app()
    if staff:  # what signing in sets (ui.auth.STAFF_FLAG): staff pages are registered only then
        at.session_state["staff_signed_in"] = True
    if period is not None:
        at.session_state["period"] = period
    at.run()
    shown = tuple(at.session_state["period"])  # a date box for staff, a quarter slider for the public
    at.switch_page(path)
    return at, shown


def _moved(period: tuple[date, date], step: int) -> tuple[date, date]:
    """The period with its start ``step`` quarters later, same end: new figures on every page (whole
    quarters, as a public view counts them; domain/disclosure.py)."""
    start, end = period
    moved = start
    for _ in range(step):
        moved = disclosure.quarter_end(moved) + timedelta(days=1)
    return min(moved, disclosure.quarter_start(end)), end


def measure(pages: list[tuple[str, str]]) -> dict:
    warmup = _new_app()
    cold_process = _timed_run(warmup)  # imports, opens the database, first queries
    results = {"cold_process_first_run_ms": round(cold_process * 1000, 1), "pages": {}}
    for path, title in pages:
        view = "public"
        try:
            at, period = _open_page(path)
        except ValueError:  # a page app.py registers only for signed-in staff
            view = "staff"
            try:
                at, period = _open_page(path, staff=True)
            except ValueError:  # registered only for an admin signed in by single sign-on
                results["pages"][title] = {"script": path, "view": "admin", "problems": [], "skipped": True}
                continue
        st.cache_data.clear()
        first = _timed_run(at)
        problems = _problems(at)
        moved = _moved(period, 1)
        again, shown = _open_page(path, staff=view == "staff", period=moved)
        if shown != moved:
            problems.append(f"the period did not move: {shown} instead of {moved}")
        rerun = _timed_run(again)
        problems += _problems(again)
        results["pages"][title] = {
            "script": path,
            "view": view,
            "first_run_ms": round(first * 1000, 1),
            "rerun_after_filter_ms": round(rerun * 1000, 1),
            "problems": problems,
        }
    return results


def profile(path: str) -> dict:
    """cProfile the page's runs with moved periods (queries of other periods stay cached)."""
    at, period = _open_page(path)
    at.run()
    sessions = [_open_page(path, period=_moved(period, step))[0] for step in range(1, PROFILE_RERUNS + 1)]
    timings = []
    with profiled_script_runs() as profiler:
        for session in sessions:
            timings.append(_timed_run(session))
    return {
        "page": path,
        "reruns": PROFILE_RERUNS,
        "mean_rerun_ms_profiled": round(1000 * sum(timings) / len(timings), 1),
        **summarise(profiler, PROFILE_RERUNS),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--profile",
        metavar="PAGE",
        action="append",
        default=[],
        help="also profile this page's reruns (repeatable)",
    )
    args = parser.parse_args(argv)
    results = measure(app_pages())
    results["profiles"] = {path: profile(path) for path in args.profile}
    json.dump(results, sys.stdout, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
