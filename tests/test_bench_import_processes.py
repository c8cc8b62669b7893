"""The whole-process import figures of issue #14 (bench/import_processes.py), on a small file."""

from __future__ import annotations

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
