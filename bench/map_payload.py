"""Benchmark the Map page: how big is the map streamlit-folium sends, and how fast a filter change is.

    python -m ingest demo --arrests 1000000 --db /tmp/bench1m.duckdb
    python -m bench.map_payload --db /tmp/bench1m.duckdb

Budgets (issue 3): the map payload stays under 500 KB and a filter change recomputes in under 150 ms.

The payload is measured exactly: ``st_folium`` is called as the page calls it, with the component
function swapped for one that records its arguments, and the JSON of those arguments is what the
browser receives. A filter change is what the page redoes when a filter moves and the boundaries are
already cached (``st.cache_data``): the two cell counts and the figures in DuckDB, the hexagons, the
folium map and st_folium's rendering of it. Timings are wall-clock on this machine, median and worst
of every scenario run ``--repeat`` times, after one warm-up run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path

import streamlit_folium

import queries
from domain import program
from geo.density_map import density_map
from geo.map_page import MapFilters, area_choices, load_context, load_density_layers, load_figures
from store import connect

PAYLOAD_BUDGET_BYTES = 500 * 1024
RECOMPUTE_BUDGET_MS = 150.0
DEFAULT_DB = Path("/tmp/bench1m.duckdb")
EDITION = "1959-2022"
# (label, area, referral type, offense category, public view)
SCENARIOS = (
    ("city, all (page default)", "city", "any", "any", True),
    ("city, CDS possession", "city", "any", "cds_possession", True),
    ("city, social-contact referrals", "city", "social_contact", "any", True),
    ("pilot zone", "pilot_zone", "any", "any", True),
    ("Central District", f"district:{EDITION}:Central", "any", "any", True),
    ("Northeast District (largest)", f"district:{EDITION}:Northeast", "any", "any", True),
    ("NSA Downtown", "nsa:Downtown", "any", "larceny", True),
    ("staff: city", "city", "any", "any", False),
    ("staff: Northeast District", f"district:{EDITION}:Northeast", "any", "any", False),
)


def map_payload_bytes(folium_map) -> int:
    """Bytes of the arguments ``st_folium`` hands to its component (sent to the browser as JSON)."""
    captured: dict = {}
    original = streamlit_folium._component_func
    streamlit_folium._component_func = lambda **kwargs: captured.update(kwargs)
    try:
        streamlit_folium.st_folium(
            folium_map, height=600, use_container_width=True, returned_objects=[], key="density_map"
        )
    finally:
        streamlit_folium._component_func = original
    sent = {name: value for name, value in captured.items() if not callable(value)}
    return len(json.dumps(sent).encode())


def _remembering(run_query):
    """``run_query`` that answers a repeated call (same query, same parameters) from memory."""
    results = {}

    def run(name: str, **parameters):
        key = (name, tuple(sorted(parameters.items())))
        if key not in results:
            results[key] = run_query(name, **parameters)
        return results[key]

    return run


def _recompute(run_query, context, choices, filters: MapFilters) -> tuple[float, float, float, float, int]:
    """One filter change: (query ms, map build ms, render ms, CPU ms, payload bytes)."""
    cpu_started = time.process_time()
    started = time.perf_counter()
    run_query = _remembering(run_query)  # as the page's query cache: each query runs once per change
    layers = load_density_layers(run_query, filters)
    load_figures(run_query, filters)
    queried = time.perf_counter()
    folium_map = density_map(context, layers, choices[filters.area_id])
    built = time.perf_counter()
    size = map_payload_bytes(folium_map)
    rendered = time.perf_counter()
    cpu = (time.process_time() - cpu_started) * 1e3
    return (queried - started) * 1e3, (built - queried) * 1e3, (rendered - built) * 1e3, cpu, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.map_payload", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    if not args.db.is_file():
        build = f"python -m ingest demo --arrests 1000000 --db {args.db}"
        parser.error(f"{args.db} not found: build it with `{build}`")

    con = connect(args.db, read_only=True)
    run_query = partial(queries.run, con)
    arrests = con.sql("select count(*) from arrests").fetchone()[0]
    last = con.sql("select max(arrest_date) from arrests").fetchone()[0]
    start = program.PILOT_LAUNCH  # the page default: pilot launch to the latest data
    started = time.perf_counter()
    context = load_context(run_query, EDITION)
    choices = area_choices(run_query("area_list", edition=EDITION), EDITION)
    cold_ms = (time.perf_counter() - started) * 1e3
    print(f"{args.db}: {arrests:,} arrests; period {start} to {last}; boundaries loaded in {cold_ms:.0f} ms")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall-clock times rise with it)")
    header = f"{'scenario':<34} {'payload KB':>10} {'median ms':>10} {'worst ms':>9} {'CPU ms':>7}"
    print(f"{header}  median query / map / render ms")

    worst_size, worst_ms = 0, 0.0
    for label, area_id, referral_type, offense, public in SCENARIOS:
        filters = MapFilters(start, last, area_id, referral_type, offense, public)
        _recompute(run_query, context, choices, filters)  # warm-up: first query plans, imports
        runs = [_recompute(run_query, context, choices, filters) for _ in range(args.repeat)]
        totals = [sum(run[:3]) for run in runs]
        size = runs[-1][4]
        parts = " / ".join(f"{statistics.median(run[i] for run in runs):.0f}" for i in range(3))
        median, cpu = statistics.median(totals), statistics.median(run[3] for run in runs)
        print(f"{label:<34} {size / 1024:>10.1f} {median:>10.1f} {max(totals):>9.1f} {cpu:>7.1f}  {parts}")
        worst_size, worst_ms = max(worst_size, size), max(worst_ms, max(totals))

    size_ok = worst_size < PAYLOAD_BUDGET_BYTES
    time_ok = worst_ms < RECOMPUTE_BUDGET_MS
    print(
        f"largest payload {worst_size / 1024:.1f} KB (budget {PAYLOAD_BUDGET_BYTES / 1024:.0f} KB): "
        f"{'within' if size_ok else 'OVER'}; slowest filter change {worst_ms:.1f} ms "
        f"(budget {RECOMPUTE_BUDGET_MS:.0f} ms): {'within' if time_ok else 'OVER'}"
    )
    con.close()
    return 0 if size_ok and time_ok else 1


if __name__ == "__main__":
    sys.exit(main())
