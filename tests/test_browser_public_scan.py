"""Public views leak nothing, checked from the outside, in headless Chromium.

Every public page is opened (also in projector mode) with the filters that put the most on screen, and
everything that reaches the browser is collected: the page's HTML, the content of every frame (the
maps, the brief's preview), every message the server sent over the websocket (decoded: metrics, the
Arrow data behind every table, the JSON behind every chart), and every file behind every download
button. All of it is searched for

* any referral's exact coordinates (as text: a latitude next to its longitude; as binary doubles),
* any referral, case-manager or peer id,
* any count from 1 to 4 where a count is shown: metric values, count columns of tables and CSV files,
  count series of charts (bars, their labels, their hover data), map cells.

What is a count is decided by what the column, axis or figure is called; dates, years, percentages,
ratios, averages, indexes and projections are not counts and are left out on purpose (listed below).

The same server lets staff sign in: the last test checks that staff-only elements appear only then.
"""

from __future__ import annotations

import csv
import io
import json
import re
import struct
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.conftest import STAFF_PASSWORD
from tests.helpers import download, open_page, page_drawn, screenshot, script_run, wait_idle

pytestmark = pytest.mark.browser

EAST, WEST = "proposal:east-of-downtown", "proposal:west-baltimore-st"
ALL_LAYERS = "referrals,arrests,neighbourhoods,districts,candidates,streets,pilot_zone"
# (url path, link parameters): every public page, with filters that fill it
VIEWS = [
    ("", {}),
    ("map", {"layers": ALL_LAYERS}),
    ("map", {"area": "nsa:Downtown", "layers": ALL_LAYERS}),
    ("referrals", {}),
    ("referrals", {"area": "pilot_zone"}),
    (
        "expansion",
        {"proposal": "pick", "nsas": "Washington Village/Pigtown,Carroll Park", "compare": f"{EAST},{WEST}"},
    ),
    ("brief", {"proposal": EAST}),
    ("equity", {}),
    (
        "equity",
        {"equity_area": "LEAD pilot zone", "equity_by": "Age", "equity_point": "% of eligible who enrolled"},
    ),
    ("impact", {}),  # the Impact page (issue #13): estimates, the public re-arrest curve, exits
]
PROJECTOR_VIEWS = [VIEWS[0], VIEWS[1], VIEWS[3], VIEWS[5], VIEWS[6], VIEWS[7], VIEWS[9]]

# A column, axis, series or figure is a count when its name says it counts people or records...
COUNT_NAME = re.compile(
    r"referr|arrest|enrol|people|participant|eligib|intake|exited|still active|engaged|caseload|followed|"
    r"records|^count$|^people$",
    re.IGNORECASE,
)
# ...and not when it is a rate, a date, an average or a projection, or counts staff (pairs on staff).
NOT_A_COUNT = re.compile(
    r"per 100|per year|a year|per km|%|share|index|ratio|rate|average|mean|km|trend|months? from|"
    r"months? since|starting|month-end|first over|last over|pairs|projected|case manager|peers|"
    r"per pair|at any time|assumption|cost",
    re.IGNORECASE,
)
SMALL = range(1, 5)


def is_count(name: str) -> bool:
    return bool(COUNT_NAME.search(name)) and not NOT_A_COUNT.search(name)


def as_count(value) -> int | None:
    """A shown count as a number: 12, '1,234' or '27 (64%)' -> int; words, blanks, decimals -> None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() else None
    match = re.match(r"\s*(\d[\d,]*)(?:\s*\(\d+%\))?\s*$", str(value))
    return int(match[1].replace(",", "")) if match else None


@dataclass
class Collected:
    """Everything one page sent to the browser."""

    texts: list[str] = field(default_factory=list)
    binaries: list[bytes] = field(default_factory=list)
    metrics: list[tuple[str, str]] = field(default_factory=list)
    tables: list[pd.DataFrame] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    downloads: dict[str, bytes] = field(default_factory=dict)


def _decode(frames: list[bytes], into: Collected) -> None:
    for payload in frames:
        into.binaries.append(payload)
        message = ForwardMsg()
        try:
            message.ParseFromString(payload)
        except Exception:  # noqa: BLE001 — not every frame need be a ForwardMsg; its bytes are scanned anyway
            continue
        if not (message.HasField("delta") and message.delta.HasField("new_element")):
            continue
        element = message.delta.new_element
        kind = element.WhichOneof("type")
        if kind == "metric":
            into.metrics.append((element.metric.label, element.metric.body))
        elif kind in ("dataframe", "table"):
            data = getattr(element, kind).arrow_data.data
            if data:
                into.tables.append(pa.ipc.open_stream(data).read_all().to_pandas())
        elif kind == "plotly_chart":
            into.charts.append(json.loads(element.plotly_chart.spec))
        elif kind in ("markdown", "alert", "iframe", "component_instance"):
            into.texts.append(str(getattr(element, kind)))


def collect(page, url: str) -> Collected:
    """Open ``url`` and collect everything the page and its downloads hold."""
    frames: list[bytes] = []
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived", lambda data: frames.append(data if isinstance(data, bytes) else data.encode())
        ),
    )
    open_page(page, url)
    page.get_by_text("Demo data — synthetic").first.wait_for(timeout=60_000)
    expanders = page.locator('[data-testid="stMain"] [data-testid="stExpander"]')
    for index in range(expanders.count()):  # open every expander, so its download button can be clicked
        expander = expanders.nth(index)
        if expander.locator("details[open]").count():
            continue
        expander.locator("summary").click()
        # A data table's expander reruns the page to build its table: its content is that run's.
        expander.get_by_test_id("stExpanderDetails").get_by_test_id("stElementContainer").first.wait_for(
            timeout=60_000
        )
        wait_idle(page)
    # Only now is every download button there: each is drawn once its code has loaded, after the run.
    page_drawn(page)
    found = Collected()
    found.texts.append(page.content())
    for frame in page.frames[1:]:
        found.texts.append(frame.content())
    buttons = page.get_by_test_id("stDownloadButton").locator("button:visible")
    for index in range(buttons.count()):
        button = buttons.nth(index)
        saved = download(page, button, timeout=60_000)
        found.downloads[saved.suggested_filename] = saved.path().read_bytes()
    _decode(frames, found)
    return found


# --- what is searched ------------------------------------------------------------------------------------

_DATA_URI = re.compile(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+")
_NUMBER = re.compile(r"-?\d+\.\d+")


@pytest.fixture(scope="module")
def secrets(demo_con):
    """The referral coordinates and the ids no public view may contain (from the test database)."""
    points = demo_con.execute("select lat, lon from referrals where lat is not null").fetchall()
    ids = {
        row[0]
        for row in demo_con.execute(
            "select referral_id from referrals union select case_manager_id from case_managers "
            "union select peer_id from case_managers"
        ).fetchall()
    }
    lon_by_lat: dict[float, set[float]] = {}
    for lat, lon in points:
        lon_by_lat.setdefault(lat, set()).add(lon)
    assert len(points) > 100 and len(ids) > 100
    return lon_by_lat, ids


def coordinate_hits(text: str, lon_by_lat: dict[float, set[float]]) -> list[str]:
    """Referral points written out: a latitude and its longitude as neighbouring numbers, written with
    any number of decimals that reads back as exactly the stored value."""
    numbers = [(m.group(), float(m.group())) for m in _NUMBER.finditer(text)]
    hits = []
    for index, (written, value) in enumerate(numbers):
        lons = lon_by_lat.get(value)
        if not lons:
            continue
        near = numbers[max(0, index - 2) : index + 3]
        hits += [f"{written},{other}" for other, other_value in near if other_value in lons]
    return hits


def binary_coordinate_hits(payload: bytes, points: list[tuple[float, float]]) -> int:
    """Referral points as IEEE doubles (how Arrow would carry them): a latitude and its longitude."""
    return sum(struct.pack("<d", lat) in payload and struct.pack("<d", lon) in payload for lat, lon in points)


def id_hits(haystack: str, ids: set[str]) -> list[str]:
    return [identifier for identifier in ids if identifier in haystack]


def small_counts(found: Collected) -> tuple[list[str], int]:
    """Every count from 1 to 4 shown, and how many counts were looked at (a scan must look at some)."""
    bad: list[str] = []
    looked = 0

    def check(where: str, value) -> None:
        nonlocal looked
        number = as_count(value)
        if number is None:
            return
        looked += 1
        if number in SMALL:
            bad.append(f"{where}: {value!r}")

    for label, value in found.metrics:
        if is_count(label) or label in ("Eligible arrests",):
            check(f"metric {label}", value)
    for table in found.tables:
        _check_table(table, "table", check)
    for chart in found.charts:
        _check_chart(chart, check)
    for name, data in found.downloads.items():
        _check_download(name, data, check)
    return bad, looked


def _check_table(table: pd.DataFrame, where: str, check) -> None:
    columns = [str(c) for c in table.columns]
    if {"Figure", "Unit"} <= set(columns):  # the planner's comparison: one row per figure
        for _, row in table.iterrows():
            if row["Unit"] == "arrests" or is_count(str(row["Figure"])) and row["Unit"] in ("people",):
                for column in columns[2:]:
                    check(f"{where} {row['Figure']} / {column}", row[column])
        return
    if {"figure", "value"} <= set(columns):  # the map's figures: one row per figure
        for _, row in table.iterrows():
            if is_count(str(row["figure"])):
                check(f"{where} {row['figure']}", row["value"])
        return
    for column in columns:
        if is_count(column):
            for value in table[column].tolist():
                check(f"{where} column {column}", value)


def _axis_title(layout: dict, axis: str) -> str:
    name = axis.replace("x", "xaxis").replace("y", "yaxis")
    title = layout.get(name, {}).get("title", {})
    return title.get("text", "") if isinstance(title, dict) else str(title or "")


def _check_chart(chart: dict, check) -> None:
    layout = chart.get("layout", {})
    title = str(layout.get("title", {}).get("text", ""))
    for trace in chart.get("data", []):
        horizontal = trace.get("orientation") == "h"
        value_axis = _axis_title(layout, trace.get("xaxis", "x") if horizontal else trace.get("yaxis", "y"))
        name = f"{trace.get('name') or ''} {value_axis}"
        if trace.get("type") == "bar" or (is_count(name) and trace.get("mode", "") != "text"):
            if NOT_A_COUNT.search(f"{trace.get('name') or ''} {value_axis}"):
                continue
            for value in trace.get("x" if horizontal else "y") or []:
                check(f"chart {title} / {name}", value)
            for key in ("text", "customdata"):
                values = trace.get(key)
                for value in values if isinstance(values, list) else []:
                    check(f"chart {title} / {name} {key}", value[0] if isinstance(value, list) else value)


def _check_download(name: str, data: bytes, check) -> None:
    if name.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        _check_table(pd.DataFrame(rows[1:], columns=rows[0]), f"download {name}", check)
    elif name.endswith((".geojson", ".json")):
        collection = json.loads(data)
        for feature in collection.get("features", []):
            properties = feature.get("properties", {})
            for key in ("count", "count_text"):
                if key in properties:
                    check(f"download {name} cell {key}", properties[key])
    elif name.endswith(".html"):
        text = data.decode("utf-8")
        for count in re.findall(r'"count_text":\s*"([^"]+)"', text):  # map cells inside a saved map
            check(f"download {name} cell", count)
        for label, value in re.findall(r"<td>([^<]+)</td><td class=\"value\">([^<]+)</td>", text):
            if is_count(label):  # the brief's figures
                check(f"download {name} {label}", value)
        for label, value in re.findall(r"<span>([^<]+)</span><b>([^<]+)</b>", text):
            if is_count(label):  # the brief's proposal
                check(f"download {name} {label}", value)


# --- the scan ---------------------------------------------------------------------------------------------


@pytest.fixture
def public_page(browser, staff_app_server, request):
    """A 1280x720 page on the second server (saved proposals; staff sign-in set up, not used), offline."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith((staff_app_server, "data:", "blob:", "about:"))
            else route.abort()
        ),
    )
    page = context.new_page()
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        screenshot(page, f"FAILED-{request.node.name}")
    context.close()


def _scan(page, server: str, path: str, params: dict, secrets) -> Collected:
    lon_by_lat, ids = secrets
    found = collect(page, f"{server}/{path}?{urlencode(params)}")
    texts = [_DATA_URI.sub("", text) for text in found.texts]
    texts += [_DATA_URI.sub("", data.decode("utf-8", "replace")) for data in found.downloads.values()]
    texts += [_DATA_URI.sub("", json.dumps(chart)) for chart in found.charts]
    texts += [table.to_csv(index=False) for table in found.tables]
    coordinates = [hit for text in texts for hit in coordinate_hits(text, lon_by_lat)]
    assert not coordinates, f"referral coordinates on {path or 'overview'}: {coordinates[:5]}"
    points = [(lat, lon) for lat, lons in lon_by_lat.items() for lon in lons]
    binaries = [*found.binaries, *found.downloads.values()]
    assert not [p for p in binaries if binary_coordinate_hits(p, points)], "referral coordinates as binary"
    leaked = {i for text in texts for i in id_hits(text, ids)}
    leaked |= {i for payload in binaries for i in ids if i.encode() in payload}
    assert not leaked, f"participant or staff ids on {path or 'overview'}: {sorted(leaked)[:5]}"
    bad, looked = small_counts(found)
    assert not bad, f"counts of 1-4 on {path or 'overview'}: {bad[:8]}"
    assert looked >= 3, f"the scan of {path or 'overview'} looked at only {looked} counts"
    return found


@pytest.mark.parametrize(
    ("path", "params"), VIEWS, ids=[f"{p or 'overview'}-{i}" for i, (p, _) in enumerate(VIEWS)]
)
def test_public_page_sends_no_point_no_id_and_no_small_count(
    public_page, staff_app_server, path, params, secrets
):
    found = _scan(public_page, staff_app_server, path, {**params, "mode": "public"}, secrets)
    assert found.binaries and len(found.texts) >= 1
    if path in ("map", "referrals", "expansion", "brief", "equity", "impact"):
        assert found.downloads, f"{path}: no download was scanned"
    if path == "referrals":
        assert len(found.charts) >= 7 and found.tables
    if path == "impact":  # both charts, the tables and the PNGs were there to be scanned
        assert len(found.charts) >= 2 and len(found.tables) >= 4
        assert any(name.endswith(".png") for name in found.downloads)


@pytest.mark.parametrize(
    ("path", "params"), PROJECTOR_VIEWS, ids=[p or "overview" for p, _ in PROJECTOR_VIEWS]
)
def test_projector_page_sends_no_point_no_id_and_no_small_count(
    public_page, staff_app_server, path, params, secrets
):
    _scan(public_page, staff_app_server, path, {**params, "mode": "projector"}, secrets)


def test_the_scan_finds_what_it_looks_for(demo_con, secrets):
    """The detectors are not blind: a leaked point, id and small count are each caught."""
    lon_by_lat, ids = secrets
    lat, lon = demo_con.execute("select lat, lon from referrals where lat is not null limit 1").fetchone()
    assert coordinate_hits(json.dumps({"type": "Point", "coordinates": [lon, lat]}), lon_by_lat)
    assert coordinate_hits(f"lat,lon\n{lat:.6f},{lon:.6f}\n", lon_by_lat)
    assert not coordinate_hits(f"[{lon + 0.00001:.5f}, {lat + 0.00001:.5f}]", lon_by_lat)
    assert binary_coordinate_hits(
        pa.table({"lat": [lat], "lon": [lon]}).to_pandas().to_numpy().tobytes(), [(lat, lon)]
    )
    referral_id = next(iter(ids))
    assert id_hits(f"<td>{referral_id}</td>", ids)
    found = Collected(
        metrics=[("People referred", "3"), ("Referrals per 100 eligible arrests", "2.5")],
        tables=[pd.DataFrame({"Month starting": ["2019-01-01"], "Referrals": [2], "Share (%)": [3]})],
        charts=[{"data": [{"type": "bar", "y": [1, 12], "text": ["1", "12"]}], "layout": {}}],
        downloads={"x.csv": b"Offense category,Referrals\nLarceny,4\n"},
    )
    bad, looked = small_counts(found)
    assert len(bad) == 5 and looked == 7  # the ratio, the date and the share are not counts


# --- staff-only views ------------------------------------------------------------------------------------


def test_staff_only_views_appear_only_after_sign_in(public_page, staff_app_server):
    page = public_page
    open_page(page, f"{staff_app_server}/referrals")
    page.get_by_role("heading", name="Referrals", exact=True).wait_for(timeout=60_000)
    nav = page.get_by_test_id("stSidebarNav")
    assert not nav.get_by_text("Import data").count()
    page.get_by_text("Re-arrest detail is shown to signed-in staff only").wait_for(timeout=60_000)
    assert not page.get_by_text("Caseload of each case manager–peer pair").count()

    # The staff page's own URL leads nowhere in a public session.
    open_page(page, f"{staff_app_server}/import_data")
    page.get_by_text("Demo data — synthetic").first.wait_for()
    assert not page.get_by_role("heading", name="Import data").count()
    assert not page.get_by_text("Upload").count()

    # A wrong password is refused; the right one opens the staff views. Each click reruns the script,
    # and what the previous run drew stays on screen until the new run has finished: wait for that.
    open_page(page, f"{staff_app_server}/referrals")
    page.get_by_text("Staff sign-in").click()
    page.get_by_label("Password", exact=True).fill("not the password")
    with script_run(page):
        page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Wrong password").wait_for(timeout=30_000)
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    with script_run(page):
        page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Staff view — participant-level detail is visible.").wait_for(timeout=30_000)
    page.get_by_role("heading", name="Referrals", exact=True).wait_for(timeout=60_000)
    assert "staff" not in page.url.lower()
    assert nav.get_by_text("Import data").is_visible()
    page.get_by_text("Caseload of each case manager–peer pair").first.wait_for(timeout=60_000)
    assert not page.get_by_text("Re-arrest detail is shown to signed-in staff only").count()
    with script_run(page):
        nav.get_by_text("Import data").click()
    page.get_by_role("heading", name="Import data").wait_for(timeout=60_000)
    screenshot(page, "staff-import")

    # Signing out closes them again.
    with script_run(page):
        page.get_by_role("button", name="Sign out").click()
    page.get_by_text("Staff sign-in").wait_for(timeout=30_000)
    assert not nav.get_by_text("Import data").count()
    assert not page.get_by_role("heading", name="Import data").count()
