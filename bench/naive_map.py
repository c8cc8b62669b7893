"""The naive baseline: a folium map with one CircleMarker per arrest, as a first attempt would draw it.

Time to build and render the HTML, and its size, at a few sizes; the app's own map payload sits
next to it in BENCHMARKS.md so the ratio is visible. Points are real arrest locations from a
benchmark database (the first N arrests with coordinates, in id order), never a participant.

    python -m bench.naive_map data/bench/demo_100000.duckdb --sizes 1000 10000 50000
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import folium

from store import connect

SIZES = (1_000, 10_000, 50_000)
BALTIMORE = (39.2992, -76.6094)


def arrest_points(db: Path, limit: int) -> list[tuple[float, float]]:
    con = connect(db, read_only=True)
    try:
        return con.execute(
            "select lat, lon from arrests where lat is not null order by arrest_id limit $limit",
            {"limit": limit},
        ).fetchall()
    finally:
        con.close()


def naive_map_html(points: list[tuple[float, float]]) -> str:
    """One folium CircleMarker per point, rendered to a standalone HTML page."""
    m = folium.Map(location=BALTIMORE, zoom_start=12)
    for lat, lon in points:
        folium.CircleMarker(location=(lat, lon), radius=3, weight=1, fill=True).add_to(m)
    return m.get_root().render()


def measure(db: Path, sizes: tuple[int, ...] = SIZES) -> list[dict]:
    """[{markers, seconds, html_bytes}] for each size (fewer when the database has fewer points)."""
    points = arrest_points(db, max(sizes))
    results = []
    for size in sizes:
        chosen = points[:size]
        started = time.perf_counter()
        html = naive_map_html(chosen)
        seconds = time.perf_counter() - started
        results.append(
            {"markers": len(chosen), "seconds": round(seconds, 2), "html_bytes": len(html.encode())}
        )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.db, tuple(args.sizes)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
