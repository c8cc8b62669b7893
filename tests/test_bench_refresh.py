"""The fetch figures of BENCHMARKS.md (bench/refresh.py), on a small layer of the fake service."""

from __future__ import annotations

import datetime as dt

from bench import refresh
from store import connect


def test_a_first_fetch_and_the_next_nights_run_are_measured(tmp_path, demo_db_path):
    result = refresh.fetch_figures(demo_db_path, tmp_path, rows=600, new_rows=150, page_size=200)
    first, again = result["fetch"], result["fetch_again"]
    assert (
        first["seconds"] > 0
        and first["peak_mb"] > 50
        and first["rows_per_s"] == round(600 / first["seconds"])
    )
    assert first["pages"] >= 3  # 600 rows in pages of 200
    assert first["stages"][-1][1].startswith("generation")
    # the next run asks only for what is newer than the last arrest it loaded: one page of 150
    assert again["pages"] == 1 and again["new_rows"] == 150
    with connect(tmp_path / "fetch.duckdb", read_only=True) as con:
        fetched, newest = con.sql(
            "select count(*), max(arrest_date) from arrests where source <> 'synthetic-demo'"
        ).fetchone()
    assert fetched == 750
    assert newest <= dt.date.today()  # spread so that no arrest is in the future (it would be refused)
