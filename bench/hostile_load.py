"""A hostile visitor's drawings against everyone else's pages: issue 16, point 4 ("bounded work").

Three sessions open the expansion planner and send its map, one after another without pause, a
self-crossing outline of 400 points (a new zig-zag each time, as a browser's streamlit-folium
component would send it: the map's value with ``all_drawings``). A fourth session reloads the
Overview as a visitor would (a new session each time, with a short pause) and its load times are
the measure (and, for comparison, the same reloads for a while before the others start): one
visitor's heavy requests must not stall the others. One of the hostile sessions
sends a single 100,000-point drawing as the others start, and one is sent to a quiet server
before; both answers are timed.

Only against this machine (127.0.0.1 / localhost), bounded in time and in drawings sent:

    python -m bench.hostile_load http://127.0.0.1:8501 --seconds 60
    python -m bench.hostile_load --db /tmp/demo.duckdb --seconds 60   # starts its own server
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import tempfile
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.client import RunResult, Viewer, ViewerError, run_coroutine
from bench.drive import summary_ms
from geo.proposal import MAX_VERTICES

PLANNER_PATH = "expansion"
RETURNED_DRAWINGS = "all_drawings"  # what the planner's drawing map reports back (pages/expansion.py)
MAP_COMPONENT = "streamlit_folium.st_folium"
HOSTILE_SESSIONS = 3
SCRIBBLE_POINTS = 400
HUGE_POINTS = 100_000
MAX_DRAWINGS = 2_000  # in all, whatever the duration: the test stops by itself
RELOAD_PAUSE_S = (0.3, 0.7)  # the Overview visitor between reloads
# Around the pilot zone (lon/lat): inside the city, so only the drawing's shape decides its answer.
SCRIBBLE_BOX = (-76.64, 39.28, -76.62, 39.30)
# West Baltimore (west, south, width, height in degrees): a comb here lies wholly inside the city.
COMB_PLACE = (-76.70, 39.29, 0.06, 0.05)
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# How the planner answered, by the words it showed (geo.proposal's messages).
ANSWERS = {
    "cross each other": "refused: too many crossings",
    "points; the planner takes at most": "refused: too many points",
    "rings and parts": "refused: too many points",
    "characters of text": "refused: too much text",
    "took more than": "refused: over the CPU budget",
    "crosses the city limits": "refused: too many crossings of the city line",
    "crossed itself": "repaired",
}


def scribble(points: int, rng: random.Random) -> dict:
    """A closed outline through ``points`` random points: it crosses itself again and again."""
    west, south, east, north = SCRIBBLE_BOX
    ring = [[rng.uniform(west, east), rng.uniform(south, north)] for _ in range(points)]
    ring.append(ring[0])
    return {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def comb(points: int, rng: random.Random) -> dict:
    """A valid outline of ``points`` points (closing one included) inside the city: long thin teeth
    side by side, every one crossing any line drawn across them. Nothing to repair, so it is accepted
    and the database tests every arrest in its bounding box against each of its edges: the costliest
    drawing the limits let through. Shifted a little each time, so no cached result helps."""
    west, south, width, height = COMB_PLACE
    west += rng.uniform(0, 0.002)
    teeth = (points - 3) // 2
    step = width / teeth
    ring = []
    for tooth in range(teeth):
        ring.append([west + tooth * step, south])
        ring.append([west + tooth * step + height * 0.8 + step * 0.5, south + height])
    ring += [[west + teeth * step + height * 0.8, south - 0.002], [west, south - 0.002]]
    ring.append(ring[0])
    return {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


DRAWINGS = {
    "scribble": lambda rng: scribble(SCRIBBLE_POINTS, rng),
    "comb": lambda rng: comb(MAX_VERTICES, rng),
}


class DrawingViewer(Viewer):
    """A viewer that can set the planner map's value, as the map component in a browser does, and
    keeps the alerts each run showed (to tell how a drawing was answered)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.map_id: str | None = None
        self.alerts: list[str] = []

    async def run(self, page: str | None = None, changes: dict[str, object] | None = None) -> RunResult:
        self.alerts = []
        return await super().run(page=page, changes=changes)

    async def draw(self, features: list[dict]) -> RunResult:
        """Send ``features`` as the planner map's drawings and wait for the page to finish."""
        if self.map_id is None:
            raise ViewerError("the planner map has not been seen: open the planner first")
        value = json.dumps({RETURNED_DRAWINGS: features}, separators=(",", ":"))
        self._values[self.map_id] = WidgetState(id=self.map_id, json_value=value)
        return await self.run()

    def _read_delta(self, message: ForwardMsg, result: RunResult, seen) -> None:
        super()._read_delta(message, result, seen)
        delta = message.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "alert":
            self.alerts.append(element.alert.body)
        elif kind == "component_instance" and _is_drawing_map(element.component_instance):
            self.map_id = element.component_instance.id


def _is_drawing_map(instance) -> bool:
    # The map's widget id is a hash of its script; the drawing map is the one asked to report drawings.
    if instance.component_name != MAP_COMPONENT:
        return False
    try:
        returned = json.loads(instance.json_args or "{}").get("returned_objects") or []
    except ValueError:
        return False
    return RETURNED_DRAWINGS in returned


def answer(viewer: DrawingViewer, result: RunResult) -> str:
    """How the planner answered a drawing, in a few words."""
    if result.errors:
        return "error: " + result.errors[0][:80]
    for alert in viewer.alerts:
        for words, verdict in ANSWERS.items():
            if words in alert:
                return verdict
    return "accepted"


@dataclass
class Tally:
    drawings: list[float] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)
    overview_alone: list[float] = field(default_factory=list)
    overview: list[float] = field(default_factory=list)
    overview_errors: list[str] = field(default_factory=list)
    huge_quiet: dict | None = None
    huge_under_load: dict | None = None
    session_errors: list[str] = field(default_factory=list)

    def count(self, verdict: str) -> None:
        self.answers[verdict] = self.answers.get(verdict, 0) + 1


async def _send_huge(viewer: DrawingViewer, rng: random.Random) -> dict:
    huge = scribble(HUGE_POINTS, rng)
    size = len(json.dumps(huge))
    started = time.perf_counter()
    result = await viewer.draw([huge])
    return {
        "points": HUGE_POINTS,
        "json_bytes": size,
        "seconds": round(time.perf_counter() - started, 3),
        "answer": answer(viewer, result),
    }


@asynccontextmanager
async def planner_session(url: str):
    """A session on the expansion planner, its drawing map seen (ready for ``draw``)."""
    async with DrawingViewer(url) as viewer:
        await viewer.run()
        opened = await viewer.run(page=PLANNER_PATH)
        if opened.errors or viewer.map_id is None:
            raise ViewerError(f"the planner did not open with its drawing map: {opened.errors}")
        yield viewer


async def _hostile(
    number: int,
    url: str,
    drawing: str,
    deadline: float,
    tally: Tally,
    budget: list[int],
    rng: random.Random,
) -> None:
    try:
        async with planner_session(url) as viewer:
            if number == 0:
                tally.huge_under_load = await _send_huge(viewer, rng)
            while time.monotonic() < deadline and budget[0] > 0:
                budget[0] -= 1
                result = await viewer.draw([DRAWINGS[drawing](rng)])
                tally.drawings.append(result.seconds)
                tally.count(answer(viewer, result))
                if viewer._socket is None:  # the run timed out: this session is finished
                    break
    except Exception as error:  # noqa: BLE001 — a dropped session is a finding to report
        tally.session_errors.append(f"hostile {number}: {type(error).__name__}: {error}")


async def _overview_visitor(
    url: str, start: float, deadline: float, times: list[float], tally: Tally, rng: random.Random
) -> None:
    await asyncio.sleep(max(0.0, start - time.monotonic()))
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            async with Viewer(url) as viewer:  # a reload is a new session, as in a browser
                result = await viewer.run()
            if result.page != "Overview":
                tally.overview_errors.append(f"default page was {result.page!r}, not the Overview")
            tally.overview_errors += result.errors
        except Exception as error:  # noqa: BLE001
            tally.overview_errors.append(f"{type(error).__name__}: {error}")
        times.append(time.perf_counter() - started)
        await asyncio.sleep(rng.uniform(*RELOAD_PAUSE_S))


async def _scenario(
    url: str, drawing: str, seconds: float, max_drawings: int, seed: int, warmup: float, alone: float
) -> Tally:
    rng = random.Random(seed)
    tally = Tally()
    # A quiet server first: its first runs load modules and fill caches, then one huge drawing alone,
    # then the Overview alone (what this machine gives it without the hostile sessions).
    async with planner_session(url) as quiet:
        tally.huge_quiet = await _send_huge(quiet, rng)
    now = time.monotonic()
    await _overview_visitor(url, now, now + alone, tally.overview_alone, tally, random.Random(rng.random()))
    deadline = time.monotonic() + seconds
    budget = [max_drawings]
    hostile = [
        _hostile(n, url, drawing, deadline, tally, budget, random.Random(rng.random()))
        for n in range(HOSTILE_SESSIONS)
    ]
    # The Overview visitor starts once the hostile sessions are sending.
    visitor = _overview_visitor(
        url, time.monotonic() + warmup, deadline, tally.overview, tally, random.Random(rng.random())
    )
    await asyncio.gather(*hostile, visitor)
    return tally


def hostile_load(
    url: str,
    seconds: float = 60.0,
    max_drawings: int = MAX_DRAWINGS,
    drawing: str = "scribble",
    seed: int = 2017,
    warmup: float = 3.0,
    alone: float = 10.0,
) -> dict:
    """Run the scenario against ``url`` (this machine only) for ``seconds``, the hostile sessions
    sending ``drawing`` (``"scribble"``: the issue's 400-point self-crossing outline; ``"comb"``: the
    costliest valid outline); return the Overview's load times (``alone`` seconds of them before the
    hostile sessions start, for comparison) and how the drawings were answered."""
    host = urlparse(url).hostname
    if host not in LOCAL_HOSTS:
        raise ValueError(f"hostile_load only runs against this machine (127.0.0.1), not {host!r}")
    started = time.perf_counter()
    if drawing not in DRAWINGS:
        raise ValueError(f"drawing must be one of {sorted(DRAWINGS)}, not {drawing!r}")
    tally = run_coroutine(_scenario(url, drawing, seconds, max_drawings, seed, warmup, alone))
    return {
        "seconds": seconds,
        "wall_seconds": round(time.perf_counter() - started, 1),
        "hostile_sessions": HOSTILE_SESSIONS,
        "drawing": drawing,
        "drawing_points": SCRIBBLE_POINTS if drawing == "scribble" else MAX_VERTICES,
        "huge_drawing_quiet": tally.huge_quiet,
        "huge_drawing_under_load": tally.huge_under_load,
        "drawings_sent": len(tally.drawings),
        "drawing_answers": tally.answers,
        "drawing_run": summary_ms(tally.drawings),
        "overview_alone": summary_ms(tally.overview_alone),
        "overview_load": summary_ms(tally.overview),
        "overview_errors": tally.overview_errors[:10],
        "session_errors": tally.session_errors[:10],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", help="a running app on 127.0.0.1 (or give --db)")
    parser.add_argument("--db", type=Path, help="start the app on a copy of this database instead")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-drawings", type=int, default=MAX_DRAWINGS)
    parser.add_argument("--drawing", choices=sorted(DRAWINGS), default="scribble")
    args = parser.parse_args(argv)
    if args.url:
        report = hostile_load(args.url, args.seconds, args.max_drawings, args.drawing)
    elif args.db:
        from bench.server import running_app

        with tempfile.TemporaryDirectory() as work:
            copy = Path(work) / "app.duckdb"
            shutil.copy(args.db, copy)
            with running_app(copy) as app:
                report = hostile_load(app.url, args.seconds, args.max_drawings, args.drawing)
                report["server_peak_rss_mb"] = round(app.peak_rss_mb(), 1)
                report["server_tracebacks"] = len(app.log_errors())
    else:
        parser.error("give the URL of a running app or --db")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
