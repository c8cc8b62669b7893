"""A real-file import as whole processes, next to DuckDB's own read_csv of the same file (issue #14).

Five processes, each timed from start to exit with its peak resident memory (its own, through
:mod:`bench.launch`):

1. ``read_csv``: a Python process that loads the file into a new DuckDB database file with DuckDB's
   own ``create table ... as select * from read_csv(FILE)`` (types detected) — what "DuckDB's own
   read_csv of the file" does when the file is to end up in a database; the issue's target is a ratio
   to this;
2. ``read_csv_scan``: a Python process that only counts the rows with ``read_csv(all_varchar)``:
   the parser alone, storing nothing, as a floor (its ratio is reported too);
3. ``import``: ``python -m ingest arrests FILE --db DB`` into a database holding only the boundaries
   — the whole refresh: a new generation is built (copy, import, checkpoint) and swapped in;
4. ``import_tight``: the same with the build's DuckDB memory held to ``TIGHT_BUILD_MEMORY_MB``
   (``LEAD_BUILD_MEMORY_MB``), to show what a lower bound saves and what it costs;
5. ``replace synthetic``: the same command with a two-row file into a copy of a demo database of
   ``demo_rows`` synthetic arrests — the first real import, which replaces every synthetic arrest.

    python -m bench.import_processes FILE [--demo-db DB] [--runs 3] [--tight-mb 128]   # prints JSON
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import launch
from bench.fault import _ProgressReader
from store import connect, create_schema, generations, transaction
from store.connection import REPO_ROOT
from store.generations import BUILD_MEMORY_SETTING

# The import is also measured with its build's memory held to this: where the peak memory target is
# met, and what that costs in time (BENCHMARKS.md).
TIGHT_BUILD_MEMORY_MB = 128

READ_CSV = (
    "import duckdb, sys; con = duckdb.connect(sys.argv[2]); con.execute('set enable_progress_bar = false'); "
    "con.execute('create table arrests as select * from read_csv($p)', {'p': sys.argv[1]}); "
    "print(con.execute('select count(*) from arrests').fetchone()[0]); con.close()"
)
READ_CSV_SCAN = (
    "import duckdb, sys; con = duckdb.connect(); con.execute('set enable_progress_bar = false'); "
    "print(con.execute('select count(*) from read_csv($p, all_varchar = true)', {'p': sys.argv[1]})"
    ".fetchone()[0])"
)


def run_process(command: list[str], env: dict[str, str] | None = None) -> dict:
    """Wall seconds, CPU seconds, peak memory (MB) and the progress stages of one process run to its
    end. It runs through :mod:`bench.launch`, so its memory is its own, not this harness's. ``env``:
    variables set for it on top of this process's."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "usage.json"
        process = subprocess.Popen(
            launch.usage_of(command, out),
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        reader = _ProgressReader(process.stdout, started)
        reader.start()
        process.wait()
        seconds = time.perf_counter() - started
        reader.join(timeout=5)
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {reader.text[-1500:]}")
        usage = launch.read(out)
    stages = [(round(at, 2), message) for at, message in reader.stages]
    return {
        "seconds": round(seconds, 2),
        "cpu_s": usage["cpu_s"],  # all threads: on a shared machine the steadier figure
        "peak_mb": usage["peak_mb"],
        "stages": stages,
    }


def boundaries_only(path: Path) -> Path:
    from ingest.areas import load_areas

    con = connect(path)
    create_schema(con)
    with transaction(con):
        load_areas(con)
    con.execute("checkpoint")
    con.close()
    return path


def _fresh(source: Path, target: Path) -> Path:
    shutil.rmtree(target.with_name(target.name + ".generations"), ignore_errors=True)
    target.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


def _median(runs: list[dict]) -> dict:
    middle = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "cpu_s": statistics.median(r["cpu_s"] for r in runs),
        "peak_mb": statistics.median(r["peak_mb"] for r in runs),
        "runs_s": [r["seconds"] for r in runs],
        "stages": middle["stages"],
    }


def measure(
    csv: Path,
    work: Path,
    demo_db: Path | None = None,
    runs: int = 3,
    tight_mb: int | None = TIGHT_BUILD_MEMORY_MB,
) -> dict:
    """Medians of ``runs`` alternated runs of each process (one session, same machine load); with
    ``tight_mb``, the import also runs with its build's DuckDB memory held to that many MB."""
    work.mkdir(parents=True, exist_ok=True)
    base = boundaries_only(work / "boundaries_only.duckdb")
    reads, scans, imports, replaces, tight = [], [], [], [], []
    import_command = [sys.executable, "-m", "ingest", "arrests", str(csv), "--db"]
    two_rows = work / "two_rows.csv"
    with open(csv, encoding="utf-8") as source:
        two_rows.write_text("".join(next(source) for _ in range(3)))
    for _ in range(runs):
        loaded = work / "read_csv.duckdb"
        for leftover in (loaded, loaded.with_name(loaded.name + ".wal")):
            leftover.unlink(missing_ok=True)
        reads.append(run_process([sys.executable, "-c", READ_CSV, str(csv), str(loaded)]))
        scans.append(run_process([sys.executable, "-c", READ_CSV_SCAN, str(csv)]))
        db = _fresh(base, work / "import.duckdb")
        imports.append(run_process([*import_command, str(db)]))
        if tight_mb:
            db = _fresh(base, work / "import.duckdb")
            tight.append(run_process([*import_command, str(db)], {BUILD_MEMORY_SETTING: str(tight_mb)}))
        if demo_db:
            db = _fresh(demo_db, work / "replace.duckdb")
            replaces.append(
                run_process([sys.executable, "-m", "ingest", "arrests", str(two_rows), "--db", str(db)])
            )
    read, scan, full = _median(reads), _median(scans), _median(imports)
    with open(csv, "rb") as handle:
        rows = sum(1 for _ in handle) - 1
    result = {
        "rows_file": rows,
        "file_mb": round(csv.stat().st_size / 1e6, 1),
        "read_csv": read,
        "read_csv_scan": scan,
        "import": full,
        "import_to_read_csv": round(full["seconds"] / read["seconds"], 2),
        "import_to_read_csv_cpu": round(full["cpu_s"] / read["cpu_s"], 2),
        "import_to_read_csv_scan": round(full["seconds"] / scan["seconds"], 2),
        "import_memory_to_read_csv": round(full["peak_mb"] / read["peak_mb"], 2),
        "load_average": round(os.getloadavg()[0], 1),
        "build_memory_mb": generations.BUILD_MEMORY_MB,  # the imports' bound (they inherit this env)
    }
    if replaces:
        result["replace_synthetic"] = _median(replaces)
    if tight:
        held = _median(tight)
        result["import_tight"] = held | {"build_memory_mb": tight_mb}
        result["import_tight_to_read_csv"] = round(held["seconds"] / read["seconds"], 2)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--demo-db", type=Path, default=None, help="a demo database (copied, never changed)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--tight-mb", type=int, default=TIGHT_BUILD_MEMORY_MB, help="0: skip that import")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        result = measure(args.csv, args.work or Path(scratch), args.demo_db, args.runs, args.tight_mb)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
