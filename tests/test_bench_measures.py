"""The benchmark's measuring pieces on small inputs: queries, the naive map, page list, profiler, machine."""

from __future__ import annotations

import random
import shutil
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import queries
from bench import drive, machine, naive_map, query_timing
from bench.client import Widget
from bench.filters import random_period, random_value
from bench.page_scripts import app_pages
from bench.profiling import profiled_script_runs, summarise


def test_percentiles_use_the_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert drive.percentile(values, 50) == 50
    assert drive.percentile(values, 95) == 95
    assert drive.percentile([3.0], 95) == 3.0
    assert drive.percentile([], 95) is None
    summary = drive.summary_ms([0.1, 0.2, 0.3, 0.4])
    assert summary == {"n": 4, "p50_ms": 250.0, "p95_ms": 400.0, "max_ms": 400.0}


@pytest.fixture
def private_db(demo_db_path, tmp_path):
    """A copy of the demo database: the harness opens it read-only, which DuckDB refuses while an
    earlier in-process test (AppTest) still holds the shared file open read-write."""
    return Path(shutil.copy(demo_db_path, tmp_path / "bench.duckdb"))


def test_every_query_is_timed_with_its_examples(private_db):
    timings = query_timing.time_queries(private_db, repeats=2)
    assert set(timings) == set(queries.names())
    for name, timing in timings.items():
        assert "error" not in timing, f"{name}: {timing}"
        assert timing["n"] == 2 and timing["p95_ms"] >= timing["p50_ms"] > 0


def test_naive_map_draws_one_marker_per_point_and_grows_with_them(private_db):
    small, larger = naive_map.measure(private_db, (20, 200))
    assert (small["markers"], larger["markers"]) == (20, 200)
    assert larger["html_bytes"] > 5 * small["html_bytes"]
    html = naive_map.naive_map_html([(39.29, -76.61), (39.30, -76.62)])
    assert html.count("L.circleMarker(") == 2


def test_app_pages_lists_every_page_of_app_py():
    pages = dict(app_pages())
    assert pages["pages/overview.py"] == "Overview"
    assert pages["pages/map.py"] == "Map"
    assert len(pages) >= 4


def test_random_values_stay_inside_the_widget():
    rng = random.Random(3)
    period = Widget("$$ID-abc-period", "date_input", min="2014-01-01", max="2024-12-31")
    for _ in range(200):
        start, end = random_value(period, None, rng)
        assert date(2014, 1, 1) <= start < end <= date(2024, 12, 31)
        assert (end - start).days >= 30
    choice = Widget("$$ID-abc-map_area", "selectbox", options=("Whole city", "Pilot zone"))
    assert random_value(choice, "Whole city", rng) == "Pilot zone"
    assert choice.key == "map_area"
    toggle = Widget("$$ID-abc-rank_candidates_only", "checkbox")
    assert random_value(toggle, False, rng) is True
    assert random_period(date(2020, 1, 1), date(2020, 1, 10), rng)[1] <= date(2020, 1, 10)


def test_profiler_sees_the_script_thread():
    script = """
import streamlit as st

def slow_sum():
    return sum(i * i for i in range(200_000))

st.write(slow_sum())
"""
    at = AppTest.from_string(script, default_timeout=30)
    with profiled_script_runs() as profiler:
        at.run()
    summary = summarise(profiler, runs=1)
    names = [row["function"] for row in summary["top_cumulative"]]
    assert any(name.startswith("slow_sum ") for name in names)


def test_load_meter_and_machine_description():
    with machine.LoadMeter() as meter:
        sum(range(100_000))
    assert 0 <= meter.result.cpu_busy_pct <= 100
    assert "load" in meter.result.text()
    described = machine.describe()
    assert described["cpus"] >= 1 and described["duckdb"] and "MiB" in described["memory"]
