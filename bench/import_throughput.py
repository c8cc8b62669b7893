"""Import throughput: a million arrests in the classic BPD layout, next to DuckDB's plain read_csv.

    .venv/bin/python -m bench.import_throughput [--rows 1000000] [--keep DIR]

The test file is built in a temporary directory and deleted afterwards (never committed). It is the
real 2017-2018 sample (``../shared/data/real``) resampled with fresh arrest numbers when that folder
is present, else arrests drawn by the demo generator and written out in the classic layout. Both
keep the real file's mix of blank coordinates, repeated rows and placeholder points.

Prints one table: wall seconds, rows/s and CPU seconds for (1) ``read_csv(all_varchar=true)``
counting rows, (2) the whole import (read, check, place, classify, de-duplicate, write in one
transaction), then the wall time of each import stage. The machine's load average is printed too:
on a shared machine the CPU seconds are the steadier figure.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import duckdb

from ingest.areas import load_areas
from ingest.importers import import_arrests
from store import connect, create_schema, transaction
from store.connection import REPO_ROOT

SAMPLE = REPO_ROOT.parent / "shared" / "data" / "real" / "bpd_arrests_2017_2018_sample"
CLASSIC_COLUMNS = (
    "Arrest, Age, Sex, Race, ArrestDate, ArrestTime, ArrestLocation, IncidentOffense, IncidentLocation, "
    'Charge, ChargeDescription, District, Post, Neighborhood, Longitude, Latitude, "Location 1"'
)


def build_file(path: Path, rows: int) -> str:
    """Write ``rows`` classic-layout arrests to ``path``; return where they came from."""
    samples = sorted(SAMPLE.glob("BPD_Arrests_*.csv")) if SAMPLE.is_dir() else []
    con = _quiet(duckdb.connect())
    if samples:
        con.execute(
            "create table sample as select * from read_csv($p, all_varchar = true)", {"p": str(samples[0])}
        )
        origin = f"resampled from {samples[0].name}"
    else:
        _demo_as_classic(con, rows)
        origin = "drawn by the demo generator"
    count = con.sql("select count(*) from sample").fetchone()[0]
    repeats = -(-rows // count)
    # Fresh arrest numbers keep the rows distinct; blank numbers stay blank, as in the real file.
    con.execute(
        f"""
        copy (
            select * exclude (n) replace (
                case when Arrest is null then null else (30000000 + n)::varchar end as Arrest
            )
            from (
                select s.*, row_number() over () as n
                from sample as s, range({repeats})
            )
            limit {rows}
        ) to '{path}' (header, delimiter ',')
        """
    )
    con.close()
    return origin


def _demo_as_classic(con: duckdb.DuckDBPyConnection, rows: int) -> None:
    from ingest.demo import generate_demo

    with tempfile.TemporaryDirectory() as scratch:
        demo = connect(Path(scratch) / "demo.duckdb")
        create_schema(demo)
        with transaction(demo):
            load_areas(demo)
        generate_demo(demo, arrests=min(rows, 200_000), seed=2017)
        frame = demo.sql(
            """
            select arrest_id as Arrest, age::varchar as Age, 'M' as Sex, 'B' as Race,
                   strftime(arrest_date, '%m/%d/%Y') as ArrestDate,
                   strftime(arrest_time, '%H:%M') as ArrestTime,
                   null as ArrestLocation, 'Unknown Offense' as IncidentOffense, null as IncidentLocation,
                   charge_code as Charge, charge_description as ChargeDescription, district as District,
                   null as Post, neighborhood as Neighborhood,
                   lon::varchar as Longitude, lat::varchar as Latitude,
                   case when lat is not null then '(' || lat || ', ' || lon || ')' end as "Location 1"
            from arrests
            """
        ).df()
        demo.close()
    con.register("demo_frame", frame)
    con.execute(f"create table sample as select {CLASSIC_COLUMNS} from demo_frame")


def _quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No DuckDB progress bar in the middle of the printed table."""
    con.execute("set enable_progress_bar = false")
    return con


def plain_read(path: Path) -> tuple[int, float, float]:
    """Rows, wall seconds and CPU seconds (all threads) of DuckDB's plain read of the file."""
    con = _quiet(duckdb.connect())
    started, cpu = time.perf_counter(), time.process_time()
    count = con.sql(f"select count(*) from read_csv('{path}', all_varchar = true)").fetchone()[0]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    con.close()
    return count, seconds, cpu


def full_import(path: Path, db: Path) -> tuple[object, float, list[tuple[str, float]]]:
    con = _quiet(connect(db))
    create_schema(con)
    with transaction(con):
        load_areas(con)
    stages: list[tuple[str, float]] = []
    last = [time.perf_counter(), "start"]

    def record(fraction: float, message: str) -> None:
        now = time.perf_counter()
        stages.append((last[1], now - last[0]))
        last[0], last[1] = now, message

    cpu = time.process_time()
    report = import_arrests(con, path, progress=record)
    cpu = time.process_time() - cpu
    con.close()
    return report, cpu, stages[1:]


def _load() -> str:
    """The 1-minute load average: on a shared machine, wall times mean little without it."""
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--keep", type=Path, default=None, help="write the file and database here and keep them"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        csv_path, db_path = folder / "arrests_classic.csv", folder / "import_bench.duckdb"
        db_path.unlink(missing_ok=True)
        origin = build_file(csv_path, args.rows)
        size_mb = csv_path.stat().st_size / 1e6
        rows, read_seconds, read_cpu = plain_read(csv_path)
        report, import_cpu, stages = full_import(csv_path, db_path)
    print(f"{rows:,} classic-layout rows ({size_mb:.0f} MB), {origin}; {os.cpu_count()} CPUs, load {_load()}")
    print(f"{'work':<40}{'wall s':>8}{'rows/s':>12}{'CPU s':>8}")
    for label, seconds, cpu in (
        ("DuckDB read_csv(all_varchar=true), count", read_seconds, read_cpu),
        ("import_arrests, end to end", report.seconds, import_cpu),
    ):
        print(f"{label:<40}{seconds:>8.2f}{rows / seconds:>12,.0f}{cpu:>8.2f}")
    for stage, seconds in stages:
        print(f"  {stage:<38}{seconds:>8.2f}")
    print(report.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
