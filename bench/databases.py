"""The benchmark databases: ``python -m ingest demo --arrests N --db PATH``, timed, at each size."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench import launch
from store.connection import REPO_ROOT

SEED = 2017


def database_path(work: Path, arrests: int) -> Path:
    return work / f"demo_{arrests}.duckdb"


def build(work: Path, arrests: int) -> dict:
    """Build a fresh demo database of ``arrests`` arrests; time it and the builder's peak memory."""
    work.mkdir(parents=True, exist_ok=True)
    db = database_path(work, arrests)
    for leftover in (db, db.with_name(db.name + ".wal")):
        leftover.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "ingest",
        "demo",
        "--arrests",
        str(arrests),
        "--seed",
        str(SEED),
        "--db",
        str(db),
    ]
    log = db.with_suffix(".build.log")
    started = time.perf_counter()
    usage_file = db.with_suffix(".usage.json")
    with open(log, "w") as output:
        # through bench.launch: the builder's own peak memory, not this harness's size at the fork
        process = subprocess.Popen(
            launch.usage_of(command, usage_file), cwd=REPO_ROOT, stdout=output, stderr=subprocess.STDOUT
        )
        process.wait()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"demo build of {arrests:,} arrests failed:\n{log.read_text()[-2000:]}")
    return {
        "arrests": arrests,
        "db": str(db.relative_to(REPO_ROOT)) if db.is_relative_to(REPO_ROOT) else str(db),
        "build_s": round(seconds, 1),
        "db_mb": round(db.stat().st_size / 1e6, 1),
        "builder_peak_rss_mb": round(launch.read(usage_file)["peak_mb"] * 1e6 / 2**20),  # MiB, as before
    }
