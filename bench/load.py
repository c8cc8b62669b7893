"""A hearing room: many viewers on one running app at once, each changing filters for a while.

Every viewer is a :class:`bench.client.Viewer` (one websocket, no browser), all driven from one
event loop so twenty of them cost the machine little next to the server. Each viewer opens the
default page, then keeps going until its time is up: it opens a page, changes a few of its filters
one after another (random new values, so the query cache rarely helps), pauses like a person
reading, and moves to another page. The loop is bounded by the duration: it stops by itself.

    python -m bench.load http://127.0.0.1:8501 --viewers 20 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from dataclasses import dataclass, field

from bench.client import Viewer, run_coroutine
from bench.drive import summary_ms
from bench.filters import filters_for, random_value

CHANGES_PER_VISIT = (2, 5)  # filter changes a viewer makes on a page before moving on
THINK_SECONDS = (0.5, 1.5)  # pause between actions: reading the figures, reaching for the mouse
RAMP_SECONDS = 5.0  # viewers join over this long, as a room opens a shared link


@dataclass
class ViewerLog:
    viewer: int
    opens: list[float] = field(default_factory=list)
    changes: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)


async def _one_viewer(number: int, url: str, seconds: float, rng: random.Random) -> ViewerLog:
    log = ViewerLog(number)
    await asyncio.sleep(rng.uniform(0, RAMP_SECONDS))
    deadline = time.monotonic() + seconds
    try:
        async with Viewer(url) as viewer:
            first = await viewer.run()
            log.opens.append(first.seconds)
            log.errors += first.errors
            pages = [p for p in viewer.pages if filters_for(p)]
            while time.monotonic() < deadline:
                path = rng.choice(pages)
                opened = await viewer.run(page=path)
                log.opens.append(opened.seconds)
                log.errors += [f"opening {opened.page}: {e}" for e in opened.errors]
                log.pages[opened.page] = log.pages.get(opened.page, 0) + 1
                keys = [k for k in filters_for(path) if k in viewer.widgets]
                current: dict[str, object] = {}
                for _ in range(rng.randint(*CHANGES_PER_VISIT) if keys else 0):
                    if time.monotonic() >= deadline:
                        break
                    await asyncio.sleep(rng.uniform(*THINK_SECONDS))
                    key = rng.choice(keys)
                    if key not in viewer.widgets:
                        continue
                    current[key] = random_value(viewer.widgets[key], current.get(key), rng)
                    changed = await viewer.run(changes={key: current[key]})
                    log.changes.append(changed.seconds)
                    log.errors += [f"{changed.page}, {key} changed: {e}" for e in changed.errors]
                await asyncio.sleep(rng.uniform(*THINK_SECONDS))
    except Exception as error:  # noqa: BLE001 — a dropped connection is a result to report, not a crash
        log.errors.append(f"viewer {number} lost its session: {type(error).__name__}: {error}")
    return log


async def _room(url: str, viewers: int, seconds: float, seed: int) -> list[ViewerLog]:
    master = random.Random(seed)
    tasks = [_one_viewer(n, url, seconds, random.Random(master.random())) for n in range(viewers)]
    return await asyncio.gather(*tasks)


def load_test(url: str, viewers: int = 20, seconds: float = 60.0, seed: int = 2017) -> dict:
    """Run ``viewers`` sessions for ``seconds`` each; return counts, errors and response times."""
    started = time.perf_counter()
    logs = run_coroutine(_room(url, viewers, seconds, seed))
    wall = time.perf_counter() - started
    changes = [s for log in logs for s in log.changes]
    opens = [s for log in logs for s in log.opens]
    errors = [e for log in logs for e in log.errors]
    pages: dict[str, int] = {}
    for log in logs:
        for page, count in log.pages.items():
            pages[page] = pages.get(page, 0) + count
    return {
        "viewers": viewers,
        "seconds_each": seconds,
        "wall_seconds": round(wall, 1),
        "requests": len(changes) + len(opens),
        "requests_per_second": round((len(changes) + len(opens)) / wall, 2) if wall else None,
        "filter_change": summary_ms(changes),
        "page_open": summary_ms(opens),
        "all_runs": summary_ms(changes + opens),
        "errors": len(errors),
        "error_examples": errors[:10],
        "page_visits": pages,
        "think_seconds": list(THINK_SECONDS),
        "changes_per_visit": list(CHANGES_PER_VISIT),
        "ramp_seconds": RAMP_SECONDS,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Many viewers changing filters on one running app.")
    parser.add_argument("url")
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    print(json.dumps(load_test(args.url, args.viewers, args.seconds), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
