"""Each page's script time under Streamlit's AppTest: the first run, and a rerun after a filter change.

Run in its own process per database (``LEAD_DB`` and the app's cached connection belong to one
database), as ``make bench`` does:

    LEAD_DB=data/bench/demo_1000000.duckdb python -m bench.page_scripts [--profile pages/map.py]

Prints JSON. The first run of each page starts with an empty query cache (the process has already
imported everything and opened the database once, on a warm-up run that is reported apart); the
rerun moves the sidebar period, so its figures are new too. ``--profile PAGE`` also profiles where
that page's reruns spend their time (see :mod:`bench.profiling`).
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


def _open_page(path: str, staff: bool = False) -> tuple[AppTest, tuple[date, date]]:
    """A new session on the default page (which draws the period box), then switched to ``path``.

    Returns the session and the period box's (start, end). After ``switch_page`` AppTest's element
    tree no longer lists the widgets app.py draws in the sidebar, so the period is read here and
    later set through session state, which the app reads the same way.
    """
    at = _new_app()
    if staff:  # what signing in sets (ui.auth.STAFF_FLAG): staff pages are registered only then
        at.session_state["staff_signed_in"] = True
    at.run()
    period = at.date_input(key="period").value
    at.switch_page(path)
    return at, tuple(period)


def _set_period(at: AppTest, period: tuple[date, date], step: int) -> None:
    """Move the period's start ``step`` × 90 days later, same end: new figures on every page."""
    start, end = period
    at.session_state["period"] = (min(start + timedelta(days=90 * step), end - timedelta(days=30)), end)


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
            at, period = _open_page(path, staff=True)
        st.cache_data.clear()
        first = _timed_run(at)
        problems = _problems(at)
        _set_period(at, period, 1)
        rerun = _timed_run(at)
        problems += _problems(at)
        results["pages"][title] = {
            "script": path,
            "view": view,
            "first_run_ms": round(first * 1000, 1),
            "rerun_after_filter_ms": round(rerun * 1000, 1),
            "problems": problems,
        }
    return results


def profile(path: str) -> dict:
    """cProfile the page's reruns after period changes (the query cache cleared before each)."""
    at, period = _open_page(path)
    at.run()
    timings = []
    with profiled_script_runs() as profiler:
        for step in range(1, PROFILE_RERUNS + 1):
            st.cache_data.clear()
            _set_period(at, period, step)
            timings.append(_timed_run(at))
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
