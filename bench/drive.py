"""One viewer at a time against a running app: first page ready, each page, filter changes, map payload.

Times are server side: from the moment the rerun request leaves the viewer to the moment the
server's ``script_finished`` arrives, on 127.0.0.1 (no browser rendering in it).
"""

from __future__ import annotations

import asyncio
import random
import statistics
from collections.abc import Callable

from bench.client import RunResult, Viewer, run_coroutine
from bench.filters import filters_for, random_value

MAP_COMPONENT = "streamlit_folium.st_folium"


def percentile(values: list[float], pct: float) -> float | None:
    """The ``pct`` percentile (nearest rank, as load-testing tools report it); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil without floats
    return ordered[int(rank) - 1]


def summary_ms(seconds: list[float]) -> dict:
    """Count, p50, p95 and max of durations, in milliseconds."""
    if not seconds:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "max_ms": None}
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "max_ms": round(max(ms), 1),
    }


async def first_page(url: str) -> dict:
    """Default page for a brand-new session: connect, ask, wait for the end (connect time included)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with Viewer(url) as viewer:
        result = await viewer.run()
    return {
        "seconds": round(loop.time() - started, 3),
        "bytes": result.bytes,
        "errors": result.errors,
        "page": viewer.current_page.name if viewer.current_page else None,
    }


async def drive_pages(
    url: str, changes_per_page: int, seed: int = 2017, memory: Callable[[], float] | None = None
) -> dict:
    """Open every page in turn and change its filters ``changes_per_page`` times; time each run.
    ``memory`` (the server's resident MiB, when it runs on this machine) is read after each page."""
    rng = random.Random(seed)
    pages: dict[str, dict] = {}
    missing_keys: dict[str, list[str]] = {}
    errors: list[str] = []
    every_change: list[float] = []
    async with Viewer(url) as viewer:
        await viewer.run()  # learn the pages
        for path in list(viewer.pages):
            if path == "" and any(p.is_default and p.url_pathname for p in viewer.pages.values()):
                continue  # the default page is also listed under its own path
            opened = await viewer.run(page=path)
            errors += [f"{opened.page}: {e}" for e in opened.errors]
            keys = [k for k in filters_for(path) if k in viewer.widgets]
            missing_keys[path] = [k for k in filters_for(path) if k not in viewer.widgets]
            changes: list[RunResult] = []
            current: dict[str, object] = {}
            for turn in range(changes_per_page if keys else 0):
                key = keys[turn % len(keys)]
                if key not in viewer.widgets:
                    continue
                value = random_value(viewer.widgets[key], current.get(key), rng)
                current[key] = value
                changed = await viewer.run(changes={key: value})
                changes.append(changed)
                errors += [f"{changed.page} after changing {key}: {e}" for e in changed.errors]
            every_change += [r.seconds for r in changes]
            map_bytes = [r.component_bytes.get(MAP_COMPONENT, 0) for r in (opened, *changes)]
            pages[path] = {
                "page": opened.page,
                "first_run_ms": round(opened.seconds * 1000, 1),
                "first_run_bytes": opened.bytes,
                "filter_change": summary_ms([r.seconds for r in changes]),
                "filter_change_bytes_max": max((r.bytes for r in changes), default=None),
                "map_payload_bytes": opened.component_bytes.get(MAP_COMPONENT),
                "map_payload_bytes_max": max(map_bytes) or None,
                "server_rss_mb_after": round(memory(), 1) if memory else None,
            }
    return {
        "pages": pages,
        "filter_change_all_pages": summary_ms(every_change),
        "errors": errors,
        "missing_filter_keys": {k: v for k, v in missing_keys.items() if v},
    }


def drive(url: str, changes_per_page: int, memory: Callable[[], float] | None = None) -> dict:
    """First viewer after start (cold), then every page with filter changes, then a new viewer (warm)."""
    cold = run_coroutine(first_page(url))
    driven = run_coroutine(drive_pages(url, changes_per_page, memory=memory))
    warm = run_coroutine(first_page(url))
    return {"first_page_cold": cold, "first_page_warm": warm, **driven}
