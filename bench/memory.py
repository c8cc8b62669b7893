"""What the app's memory is made of: the interpreter and its libraries, then DuckDB with the data.

Run in a fresh process (``python -m bench.memory DB``): resident memory after importing Streamlit,
after importing the libraries and project modules the pages use, and after opening the database
and running every query with its example parameters, with DuckDB's own account of its buffers
(``duckdb_memory()``). Set next to the app's peak it says how much is fixed cost and how much
grows with the data and the viewers.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

# The libraries the pages load (directly or through ui/ and geo/), dependencies before what needs
# them, so each figure is what that library itself adds. matplotlib (the Map page's PNG, drawn only
# when asked for) and geopandas/pyproj (build-time tools) are not among them.
LIBRARIES = (
    "numpy", "pandas", "pyarrow", "shapely", "duckdb", "h3",
    "branca", "folium", "streamlit_folium", "plotly.graph_objects",
)  # fmt: skip


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def measure(db: Path) -> dict:
    steps = {"python": _rss_mb()}
    importlib.import_module("streamlit")
    steps["streamlit imported"] = _rss_mb()
    by_library = {}
    for name in LIBRARIES:
        before = _rss_mb()
        importlib.import_module(name)
        by_library[name] = round(_rss_mb() - before, 1)  # what it adds beyond those imported before it
    from ui.serve import page_imports  # here, not at the top: it imports Streamlit

    for name in page_imports():  # what `python -m ui.serve` imports before the first viewer
        importlib.import_module(name)
    steps["libraries and project modules imported"] = _rss_mb()

    import queries
    from store import connect

    con = connect(db, read_only=True)
    steps["database opened"] = _rss_mb()
    failed = []
    for name in queries.names():
        try:
            queries.run(con, name, **queries.examples(name))
        except Exception as error:  # noqa: BLE001 — a broken query is reported by the query benchmark
            failed.append(f"{name}: {type(error).__name__}")
    steps["every query run once"] = _rss_mb()
    duckdb_total = con.sql("select sum(memory_usage_bytes) from duckdb_memory()").fetchone()[0] or 0
    tags = con.sql(
        "select tag, memory_usage_bytes from duckdb_memory() where memory_usage_bytes > 0 order by 2 desc"
    ).fetchall()
    con.close()
    return {
        "rss_mb_after": steps,
        "library_import_mb": by_library,
        "duckdb_buffers_mb": round(duckdb_total / 2**20, 1),
        "duckdb_by_tag_mb": {tag: round(size / 2**20, 1) for tag, size in tags},
        "queries_failed": failed,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    args = parser.parse_args(argv)
    json.dump(measure(args.db), sys.stdout, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
