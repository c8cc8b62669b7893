"""The whole-process import figures of issue #14 (bench/import_processes.py), on a small file."""

from __future__ import annotations

import sys

import duckdb

from bench import import_processes, import_throughput


def test_whole_processes_are_timed_and_the_demo_is_replaced(tmp_path, demo_db_path):
    csv = tmp_path / "arrests.csv"
    import_throughput.build_file(csv, 2_000)
    result = import_processes.measure(csv, tmp_path / "work", demo_db_path, runs=1)
    assert result["rows_file"] == 2_000
    assert result["read_csv"]["seconds"] > 0 and result["import"]["seconds"] > result["read_csv"]["seconds"]
    assert result["import_to_read_csv"] == round(
        result["import"]["seconds"] / result["read_csv"]["seconds"], 2
    )
    assert result["import_to_read_csv_scan"] == round(
        result["import"]["seconds"] / result["read_csv_scan"]["seconds"], 2
    )
    # the baseline loads the file into a database of its own, which holds every row
    with duckdb.connect(str(tmp_path / "work" / "read_csv.duckdb"), read_only=True) as con:
        assert con.sql("select count(*) from arrests").fetchone()[0] == 2_000
    assert result["import"]["peak_mb"] > 50  # wait4's figure for the child, not this process
    stages = [message for _, message in result["import"]["stages"]]
    assert "writing to the database" in stages and stages[-1] == "generation 2 published"
    replaced = [message for _, message in result["replace_synthetic"]["stages"]]
    assert replaced[-1] == "generation 2 published"


def test_a_process_peak_memory_is_its_own_not_the_harness_size():
    """wait4 on a direct child reports at least the parent's size at the fork; through bench.launch the
    figure is the child's own, however large the harness has grown."""
    ballast = bytearray(300 * 1024 * 1024)  # the harness holds 300 MB, touched
    for offset in range(0, len(ballast), 4096):
        ballast[offset] = 1
    small = import_processes.run_process([sys.executable, "-c", "x = bytearray(30 * 2**20); print('done')"])
    assert 30 < small["peak_mb"] < 150, small
    assert small["cpu_s"] >= 0 and small["seconds"] > 0
    del ballast
