"""Refresh figures for BENCHMARKS.md (issue #14): fetching from the city's service, and kill -9.

Everything runs against the local fake ArcGIS layer (:mod:`bench.fake_arcgis`); no network.

1. ``fetch``: ``python -m ingest fetch-arrests`` as a whole process into a copy of the demo database,
   ``rows`` new arrests in pages of ``page_size``: wall time, CPU, peak memory, rows per second, pages;
2. ``fetch_again``: the next night's run after ``new_rows`` more arrests appear: only the new pages are
   asked for;
3. ``kills``: kill -9 at three moments of a file import and of a fetch
   (:func:`bench.fault.refresh_kill_test`): the served database unchanged, the next run completing
   as a clean one does, a fetch resuming from the pages it had.

    python -m bench.refresh DEMO_DB CSV [--rows 100000]   # prints JSON
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
from pathlib import Path

from bench import fault
from bench.fake_arcgis import FakeArcGIS, synthetic_rows
from bench.import_processes import run_process

PAGE_SIZE = 2_000  # Open Baltimore's layers allow 2,000 records a page
KILL_ROWS, KILL_PAGE_SIZE = 1_200, 400
KILL_FILE_ROWS = 3_000
FIRST_DAY = dt.date(2023, 1, 1)


def _fresh(source: Path, target: Path) -> Path:
    shutil.rmtree(target.with_name(target.name + ".generations"), ignore_errors=True)
    target.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


def _fetch(url: str, db: Path, page_size: int) -> dict:
    command = [sys.executable, "-m", "ingest", "fetch-arrests", "--url", url, "--db", str(db)]
    return run_process([*command, "--page-size", str(page_size), "--timeout", "30"])


def fetch_figures(demo_db: Path, work: Path, rows: int, new_rows: int, page_size: int = PAGE_SIZE) -> dict:
    """A first fetch of ``rows`` arrests, then a second after ``new_rows`` newer ones appear."""
    work.mkdir(parents=True, exist_ok=True)
    # spread over the years up to the last month, so no arrest is in the future
    days = (dt.date.today() - dt.timedelta(days=30) - FIRST_DAY).days
    everything = synthetic_rows(rows + new_rows, FIRST_DAY, per_day=max(3, -(-(rows + new_rows) // days)))
    db = _fresh(demo_db, work / "fetch.duckdb")
    with FakeArcGIS(everything[:rows], max_record_count=page_size) as fake:
        first = _fetch(fake.url, db, page_size)
        first_pages = len(fake.asked_offsets())
        fake.requests.clear()
        fake.add_rows(everything[rows:])
        again = _fetch(fake.url, db, page_size)
        again_pages = fake.asked_offsets()
    return {
        "rows": rows,
        "page_size": page_size,
        "fetch": {**first, "pages": first_pages, "rows_per_s": round(rows / first["seconds"])},
        "fetch_again": {**again, "new_rows": new_rows, "pages": len(again_pages), "offsets": again_pages},
    }


def kill_figures(demo_db: Path, csv: Path, work: Path) -> dict:
    """kill -9 at three moments of a file import and of a fetch, as tests/test_fault_kill.py does."""
    small = work / f"arrests_{KILL_FILE_ROWS}.csv"
    with open(csv, encoding="utf-8") as source:
        small.write_text("".join(line for _, line in zip(range(KILL_FILE_ROWS + 1), source, strict=False)))
    imported = fault.refresh_kill_test(demo_db, ["arrests", str(small)], work / "kill_import")
    with FakeArcGIS(synthetic_rows(KILL_ROWS), max_record_count=KILL_PAGE_SIZE) as fake:
        fetched = fault.refresh_kill_test(
            demo_db,
            ["fetch-arrests", "--url", fake.url, "--timeout", "5"],
            work / "kill_fetch",
            moments=fault.FETCH_MOMENTS,
            watch_rerun=(fake.requests.clear, lambda: {"pages_asked": fake.asked_offsets()}),
        )
    return {
        "file_rows": KILL_FILE_ROWS,
        "fetch_rows": KILL_ROWS,
        "fetch_page_size": KILL_PAGE_SIZE,
        "import": imported,
        "fetch": fetched,
    }


def measure(demo_db: Path, csv: Path, work: Path, rows: int, new_rows: int) -> dict:
    return {
        "demo_database": demo_db.name,
        **fetch_figures(demo_db, work / "fetch", rows, new_rows),
        "kills": kill_figures(demo_db, csv, work),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("demo_db", type=Path)
    parser.add_argument("csv", type=Path)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--new-rows", type=int, default=5_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        result = measure(args.demo_db, args.csv, Path(scratch), args.rows, args.new_rows)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
