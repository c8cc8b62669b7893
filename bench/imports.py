"""Import throughput at each benchmark size, next to DuckDB's plain ``read_csv`` of the same file.

The file building, the plain read and the timed import are the importer's own benchmark
(:mod:`bench.import_throughput`); this module runs it at the harness's sizes and keeps the figures.
The classic-layout file is kept in the work folder: the fault test imports the largest one again.
"""

from __future__ import annotations

from pathlib import Path

from bench import import_throughput


def classic_csv(work: Path, rows: int) -> Path:
    """The classic-layout arrests file of ``rows`` rows in ``work`` (built once, then reused)."""
    path = work / f"arrests_classic_{rows}.csv"
    if not path.exists():
        partial = path.with_suffix(".partial")
        import_throughput.build_file(partial, rows)
        partial.rename(path)
    return path


def measure(work: Path, rows: int) -> dict:
    csv = classic_csv(work, rows)
    # The importer's benchmark returns (rows, wall s[, CPU s]) and (report[, CPU s], stages): CPU time was
    # added later, and tells more than wall time on a shared machine. Both shapes are read.
    counted, read_seconds, *read_cpu = import_throughput.plain_read(csv)
    db = work / f"import_{rows}.duckdb"
    for leftover in (db, db.with_name(db.name + ".wal")):
        leftover.unlink(missing_ok=True)
    report, *import_cpu, stages = import_throughput.full_import(csv, db)
    db.unlink(missing_ok=True)
    return {
        "rows": counted,
        "file_mb": round(csv.stat().st_size / 1e6, 1),
        "read_csv_s": round(read_seconds, 2),
        "read_csv_cpu_s": round(read_cpu[0], 2) if read_cpu else None,
        "read_csv_rows_per_s": round(counted / read_seconds),
        "import_s": round(report.seconds, 2),
        "import_cpu_s": round(import_cpu[0], 2) if import_cpu else None,
        "import_rows_per_s": round(counted / report.seconds),
        "rows_loaded": report.rows_loaded,
        "rows_quarantined": report.rows_quarantined,
        "rows_duplicate": report.rows_duplicate,
        "stages_s": {stage: round(seconds, 2) for stage, seconds in stages},
    }
