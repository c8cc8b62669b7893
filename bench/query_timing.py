"""Every ``queries/*.sql`` with its declared example parameters, run many times: p50 and p95.

The first run of each query is reported apart ("cold": DuckDB reads the columns from disk and
plans the query); the percentiles cover the repeats, as the app sees them after warming up. The
database is opened read-only so a running app or import is never disturbed.

    python -m bench.query_timing data/bench/demo_1000000.duckdb --repeats 20
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import queries
from bench.drive import summary_ms
from store import connect


def time_queries(db: Path, repeats: int = 20) -> dict[str, dict]:
    """{query name: {cold_ms, n, p50_ms, p95_ms, max_ms, rows}} (or {error: ...} for a query that fails)."""
    con = connect(db, read_only=True)
    con.execute("set enable_progress_bar = false")
    results: dict[str, dict] = {}
    try:
        for name in queries.names():
            params = queries.examples(name)
            try:
                started = time.perf_counter()
                frame = queries.run(con, name, **params)
                cold = time.perf_counter() - started
                repeated = []
                for _ in range(repeats):
                    started = time.perf_counter()
                    queries.run(con, name, **params)
                    repeated.append(time.perf_counter() - started)
            except Exception as error:  # noqa: BLE001 — one broken query must not hide the others' figures
                results[name] = {"error": f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"}
                continue
            results[name] = {"cold_ms": round(cold * 1000, 1), **summary_ms(repeated), "rows": len(frame)}
    finally:
        con.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args(argv)
    print(json.dumps(time_queries(args.db, args.repeats), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
