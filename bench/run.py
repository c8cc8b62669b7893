"""The whole benchmark, section by section; what ``make bench`` runs (through ``python -m bench``).

Every section is timed with the machine's load around it and kept even when another fails: a
section that breaks is recorded with its error and the run goes on, so one bad page does not hide
the figures of the rest.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import (
    browser,
    databases,
    drive,
    fault,
    import_processes,
    imports,
    load,
    machine,
    naive_map,
    query_timing,
    refresh,
)
from bench.server import running_app
from store.connection import REPO_ROOT

WORK = REPO_ROOT / "data" / "bench"
ARTIFACTS = REPO_ROOT / "test-artifacts"  # screenshots (git-ignored), next to the tests' own


@dataclass(frozen=True)
class Plan:
    """How much of everything to measure."""

    name: str
    sizes: tuple[int, ...]
    changes_per_page: int
    query_repeats: int
    naive_sizes: tuple[int, ...]
    load_viewers: int
    load_seconds: float
    fault_rows: int
    fault_base_size: int  # the demo database the fault test imports into (a copy of it)
    fetch_rows: int  # arrests fetched from the fake ArcGIS service into that database
    work: Path
    markdown: Path
    json_path: Path


FULL = Plan(
    name="full",
    sizes=(10_000, 100_000, 1_000_000),
    changes_per_page=8,
    query_repeats=20,
    naive_sizes=(1_000, 10_000, 50_000),
    load_viewers=20,
    load_seconds=60.0,
    fault_rows=1_000_000,
    fault_base_size=10_000,
    fetch_rows=100_000,
    work=WORK,
    markdown=REPO_ROOT / "BENCHMARKS.md",
    json_path=REPO_ROOT / "bench" / "results.json",
)
# A few minutes, for checking the harness itself; writes under data/bench/quick, never BENCHMARKS.md.
QUICK = Plan(
    name="quick",
    sizes=(2_000, 10_000),
    changes_per_page=3,
    query_repeats=5,
    naive_sizes=(200, 1_000),
    load_viewers=5,
    load_seconds=15.0,
    fault_rows=50_000,
    fault_base_size=2_000,
    fetch_rows=4_000,
    work=WORK / "quick",
    markdown=WORK / "quick" / "BENCHMARKS.md",
    json_path=WORK / "quick" / "results.json",
)


def _say(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


class Recorder:
    """Runs sections, keeping each one's result (or error) and the machine load around it."""

    def __init__(self):
        self.loads: dict[str, dict] = {}
        self.failures: dict[str, str] = {}

    def section(self, name: str, work: Callable[..., object], *args) -> object:
        """``work(*args)``, timed; its result, or None when it raised (the error is kept)."""
        _say(f"{name} ...")
        with machine.LoadMeter() as meter:
            try:
                result = work(*args)
            except Exception as error:  # noqa: BLE001 — recorded and reported; the other sections go on
                result = None
                self.failures[name] = f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=4)}"
                _say(f"{name} FAILED: {type(error).__name__}: {error}")
        self.loads[name] = meter.result.as_dict()
        _say(f"{name}: {meter.result.seconds:.0f} s ({meter.result.text()})")
        return result


def _page_scripts(db: Path, profile_scripts: list[str]) -> dict:
    """AppTest timings in a process of their own (the app's cached connection is per database)."""
    command = [sys.executable, "-m", "bench.page_scripts"]
    for script in profile_scripts:
        command += ["--profile", script]
    environment = {**os.environ, "LEAD_DB": str(db)}
    done = subprocess.run(
        command, cwd=REPO_ROOT, env=environment, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.page_scripts failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def _memory(db: Path) -> dict:
    command = [sys.executable, "-m", "bench.memory", str(db)]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench.memory failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


# A setting tried next to the defaults at the largest size: Streamlit's full garbage collection after
# every script run (``runner.postScriptGC``, on by default) showed up as the largest single cost of a
# rerun in py-spy profiles of the server; this measures the app without it.
NO_POST_SCRIPT_GC = ("--runner.postScriptGC", "false")


def _serve_and_drive(db: Path, changes_per_page: int, extra_args: tuple[str, ...] = ()) -> dict:
    log_path = db.with_suffix(".tuned.log" if extra_args else ".streamlit.log")
    with running_app(db, log_path=log_path, extra_args=extra_args) as app:
        started_rss = app.rss_mb()
        driven = drive.drive(app.url, changes_per_page, memory=app.rss_mb)
        in_browser = None
        if not extra_args:
            shot = ARTIFACTS / f"bench-overview-{db.stem.split('_')[-1]}.png"
            in_browser = browser.first_page_in_browser(app.url, screenshot=shot)
        return {
            **driven,
            "first_page_in_browser": in_browser,
            "rss_at_start_mb": round(started_rss, 1),
            "rss_after_mb": round(app.rss_mb(), 1),
            "peak_rss_mb": round(app.peak_rss_mb(), 1),
            "server_tracebacks": app.log_errors()[:5],
        }


def _map_scenarios(db: Path) -> dict:
    """``python -m bench.map_payload`` on ``db``: its own table, kept verbatim."""
    options = ["--repeat", "3"]
    command = [sys.executable, "-m", "bench.map_payload", "--db", str(db), *options]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):  # 1 = a budget exceeded, which the table itself says
        raise RuntimeError(f"bench.map_payload failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return {
        "command": " ".join(["python -m bench.map_payload --db DB", *options]),
        "output": done.stdout.strip(),
        "within_its_budgets": done.returncode == 0,
    }


def _serve_and_load(db: Path, viewers: int, seconds: float, extra_args: tuple[str, ...] = ()) -> dict:
    """A freshly started app (so its peak memory is the load test's) and many viewers on it."""
    log_path = db.with_suffix(".tuned-load.log" if extra_args else ".load.log")
    with running_app(db, log_path=log_path, extra_args=extra_args) as app:
        result = load.load_test(app.url, viewers, seconds)
        return {
            "arrests": int(db.stem.split("_")[-1]),
            **result,
            "rss_after_mb": round(app.rss_mb(), 1),
            "peak_rss_mb": round(app.peak_rss_mb(), 1),
            "server_tracebacks": app.log_errors()[:5],
        }


def _fault_test(plan: Plan) -> dict:
    base_db = databases.database_path(plan.work, plan.fault_base_size)
    csv = imports.classic_csv(plan.work, plan.fault_rows)
    return {
        "base_database_arrests": plan.fault_base_size,
        **fault.kill_test(base_db, csv, plan.work / "fault"),
    }


def _refresh(plan: Plan) -> dict:
    base_db = databases.database_path(plan.work, plan.fault_base_size)
    csv = imports.classic_csv(plan.work, plan.fault_rows)
    return refresh.measure(base_db, csv, plan.work / "refresh", plan.fetch_rows, plan.fetch_rows // 20)


def _pages_by_slowness(served: dict | None) -> list[str]:
    """Script paths of the pages that have filters, slowest filter changes (p95) first."""
    from bench.page_scripts import app_pages

    if not served:
        return []
    scripts = {title: path for path, title in app_pages()}
    timed = [
        (v["filter_change"]["p95_ms"], v["page"]) for v in served["pages"].values() if v["filter_change"]["n"]
    ]
    return [scripts[title] for _, title in sorted(timed, reverse=True) if title in scripts]


def run(plan: Plan) -> dict:
    """Measure everything in ``plan``; return the results (JSON-ready)."""
    plan.work.mkdir(parents=True, exist_ok=True)
    recorder = Recorder()
    results: dict = {
        "plan": {k: (str(v) if isinstance(v, Path) else v) for k, v in plan.__dict__.items()},
        "started_at": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine.describe(),
        "busy_before": machine.other_processes(),
        "sizes": {},
    }
    largest = max(plan.sizes)
    for size in plan.sizes:
        label = f"{size:,} arrests"
        db = databases.database_path(plan.work, size)
        entry: dict = {}
        results["sizes"][str(size)] = entry
        entry["database"] = recorder.section(
            f"{label}: build demo database", databases.build, plan.work, size
        )
        if entry["database"] is None:
            continue
        entry["import"] = recorder.section(f"{label}: import throughput", imports.measure, plan.work, size)
        if size == largest:  # issue #14's targets: whole processes, and replacing the demo's arrests
            entry["import_processes"] = recorder.section(
                f"{label}: import and read_csv as whole processes",
                import_processes.measure,
                imports.classic_csv(plan.work, size),
                plan.work / "import_processes",
                db,
            )
        entry["queries"] = recorder.section(
            f"{label}: queries", query_timing.time_queries, db, plan.query_repeats
        )
        entry["served"] = recorder.section(
            f"{label}: app server, one viewer", _serve_and_drive, db, plan.changes_per_page
        )
        profiled = _pages_by_slowness(entry["served"]) if size == largest else []
        entry["page_scripts"] = recorder.section(
            f"{label}: page scripts (AppTest)", _page_scripts, db, profiled
        )
        if size == largest:
            entry["memory"] = recorder.section(f"{label}: memory breakdown", _memory, db)
            entry["map_scenarios"] = recorder.section(
                f"{label}: map payload per scenario", _map_scenarios, db
            )
            results["load_test"] = recorder.section(
                f"{label}: load test, {plan.load_viewers} viewers × {plan.load_seconds:.0f} s",
                _serve_and_load,
                db,
                plan.load_viewers,
                plan.load_seconds,
            )
            results["without_post_script_gc"] = {
                "streamlit_options": list(NO_POST_SCRIPT_GC),
                "served": recorder.section(
                    f"{label}: app server, one viewer, runner.postScriptGC off",
                    _serve_and_drive,
                    db,
                    plan.changes_per_page,
                    NO_POST_SCRIPT_GC,
                ),
                "load_test": recorder.section(
                    f"{label}: load test, runner.postScriptGC off",
                    _serve_and_load,
                    db,
                    plan.load_viewers,
                    plan.load_seconds,
                    NO_POST_SCRIPT_GC,
                ),
            }
    naive_db = databases.database_path(plan.work, largest)
    results["naive_map"] = recorder.section(
        "naive folium baseline", naive_map.measure, naive_db, plan.naive_sizes
    )
    results["fault_test"] = recorder.section(
        f"fault test: kill -9 while importing {plan.fault_rows:,} rows", _fault_test, plan
    )
    shutil.rmtree(plan.work / "fault", ignore_errors=True)
    results["refresh"] = recorder.section(
        f"refresh: fetch {plan.fetch_rows:,} arrests from the fake city service; kill -9 refreshes",
        _refresh,
        plan,
    )
    shutil.rmtree(plan.work / "refresh", ignore_errors=True)
    results["finished_at"] = dt.datetime.now().isoformat(timespec="seconds")
    results["section_load"] = recorder.loads
    results["section_failures"] = recorder.failures
    results["busy_after"] = machine.other_processes()
    return results
