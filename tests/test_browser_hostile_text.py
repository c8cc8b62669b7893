"""Hostile text in every stored and imported text field, shown on every page: no script runs, nothing is
fetched from another host, and every file offered for download holds the text as data.

The database: a copy of the demo one where

* every payload of ``tests.hostile_text`` is a saved proposal's name, author and note, saved directly
  through ``ingest.proposals.save_proposal`` (the 100 KB one is refused there: 80 characters for a
  name or author, 2,000 for a note);
* the demo arrests and referrals are exported and imported again through the importers, split into
  files whose names are the payloads (the importer keeps a name's first 120 characters and drops
  control characters), with payloads in the text fields the importers keep (arrests: charge code and
  description, district and neighbourhood as reported; referrals: exit reason) and in fields they check
  (arrest dates, offense categories: those rows are quarantined, their raw text kept for staff; a
  field over 1,000 characters quarantines its row too). A NUL byte cannot be in a file: the importer
  would take the file for binary, so the payloads go in without it.

The app runs on it with staff sign-in set up. The browser (Debian's Chromium) has every request routed:
anything not for the app is recorded and refused. In every frame of every page a payload that ran
would have set ``window.__pwned`` and called ``__hit`` (exposed to every frame); after every view both
are checked, with the links and resources drawn (none may point to another host or be a
``javascript:`` link), inline event handlers (none), and the text (no bidirectional override may
survive, no template may have been evaluated). Every tooltip and popup of every map frame is opened,
and the comparison map's shapes are hovered with the mouse.

"Escaped" in a download means in that file's own format: HTML and SVG hold the text as entities (and,
opened from disk in the same guarded browser, run nothing), CSV as a quoted field and JSON as a string
that read back as the text, the plain-text report cleaned of control characters.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from playwright.sync_api import Error as PlaywrightError
from shapely.geometry import box

from domain.safe_text import NAME_LIMIT, clean_text, html_text
from geo.offline_map import ONLINE_TILES_URL
from tests.conftest import ARTIFACTS, STAFF_PASSWORD, running_app
from tests.helpers import MAP_FRAME, download, open_page, page_drawn, screenshot, script_run, wait_idle
from tests.hostile_text import (
    BIDI_CONTROLS,
    LISTENER,
    MARKUP,
    PAYLOADS,
    PWNED,
    REMOTE_HOST,
    TEMPLATE_MARKERS,
)

pytestmark = pytest.mark.browser

TIMEOUT = 120_000  # ms; a busy 2-core machine draws the planner's maps slowly
# The maps' optional street basemap (geo.offline_map): the one other host the app itself asks for,
# whatever the data. Its requests are refused like any other; only they may be seen.
BASEMAP_HOST = re.compile(
    r"^[a-d]\." + re.escape(urlparse(ONLINE_TILES_URL.replace("{s}", "a")).hostname[2:]) + "$"
)
PROPOSAL_LIMIT = 80  # ingest.proposals keeps names and authors to 80 characters (notes to 2,000)
ARREST_COLUMNS = [
    "Arrest", "ArrestDate", "ArrestTime", "Age", "ChargeCode", "ChargeDescription", "District",
    "Neighborhood", "Latitude", "Longitude",
]  # fmt: skip
REFERRAL_COLUMNS = [
    "referral_id", "referred_on", "referral_type", "offense_category", "lat", "lon", "eligibility",
    "ineligible_reason", "intake_on", "enrolled_on", "case_manager_id", "exited_on", "exit_reason",
    "rearrested_on",
]  # fmt: skip
DOWNTOWN = (39.2905, -76.6205)


def file_name(payload: str, suffix: str = ".csv") -> str:
    """A file name made of a payload, as an uploader could name a file."""
    return payload + suffix


# ------------------------------------------------------------------------------------- the database


def _proposal_box(index: int):
    """Small squares in a grid over the city's middle, apart from each other."""
    row, column = divmod(index, 5)
    west, south = -76.66 + column * 0.018, 39.27 + row * 0.014
    return box(west, south, west + 0.01, south + 0.008)


def save_hostile_proposals(con) -> dict[str, str]:
    """One proposal per payload: name, author and note are the payload (key -> area id).

    Validated away: names and authors over 80 characters and notes over 2,000 are refused
    (``ingest.proposals``), so the 100 KB payload is not saved; refusing it is checked here.
    """
    from ingest.proposals import save_proposal

    saved = {}
    for index, (key, payload) in enumerate(PAYLOADS.items()):
        if len(payload) > PROPOSAL_LIMIT:
            with pytest.raises(ValueError, match="at most 80"):
                save_proposal(con, payload, _proposal_box(index), payload, payload)
            continue
        saved[key] = save_proposal(con, payload, _proposal_box(index), payload, payload)
    return saved


def _arrest_rows(con) -> list[list[str]]:
    rows = con.execute(
        """
        select arrest_id, strftime(arrest_date, '%m/%d/%Y'), coalesce(left(arrest_time::varchar, 5), ''),
               coalesce(age::varchar, ''), coalesce(charge_code, ''), coalesce(charge_description, ''),
               coalesce(district, ''), coalesce(neighborhood, ''),
               coalesce(lat::varchar, ''), coalesce(lon::varchar, '')
        from arrests order by arrest_id
        """
    ).fetchall()
    return [list(row) for row in rows]


def _hostile_arrests(start: int) -> list[list[str]]:
    """Rows carrying the payloads. Kept by the importer: charge code and description, district and
    neighbourhood as reported (text). Quarantined (raw text kept for staff): a payload as the
    arrest date, and any field over 1,000 characters (the 100 KB payload)."""
    lat, lon = DOWNTOWN
    rows = []
    for offset, payload in enumerate(PAYLOADS.values()):
        text = payload.replace("\x00", "")  # a NUL byte would make the file binary to the importer
        rows.append([f"H{start + offset:07d}", "03/01/2019", "10:00", "30", text[:40], text, text, text,
                     f"{lat:.4f}", f"{lon:.4f}"])  # fmt: skip
        rows.append([f"Q{start + offset:07d}", text, "10:00", "30", "", "CDS POSS", "", "", "", ""])
    return rows


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _referral_rows(con) -> list[list[str]]:
    columns = ", ".join(f"coalesce({name}::varchar, '')" for name in REFERRAL_COLUMNS)
    rows = [
        list(row) for row in con.execute(f"select {columns} from referrals order by referral_id").fetchall()
    ]
    exited = [row for row in rows if row[REFERRAL_COLUMNS.index("exited_on")]]
    # Kept as text; the 100 KB one (over 1,000 characters) quarantines its row instead.
    for row, payload in zip(exited, PAYLOADS.values(), strict=False):
        row[REFERRAL_COLUMNS.index("exit_reason")] = payload.replace("\x00", "")
    # Validated away: an offense category outside the program's set quarantines its row.
    for index, payload in enumerate(list(PAYLOADS.values())[:3]):
        bad = list(rows[index])
        bad[0] = f"QR{index:05d}"
        bad[REFERRAL_COLUMNS.index("offense_category")] = payload
        rows.append(bad)
    return rows


def import_hostile_files(con, folder: Path) -> list[str]:
    """The demo arrests and referrals imported again from files named by the payloads; returns the
    names as given (the importer stores them cleaned: control characters out, 120 characters at most)."""
    from ingest.importers import import_arrests, import_referrals

    arrests = _arrest_rows(con)
    names = [file_name(payload) for payload in PAYLOADS.values()]
    parts = len(names)
    for index, name in enumerate(names):
        rows = arrests[index::parts]
        if index == 0:
            rows += _hostile_arrests(start=1)
        path = _write_csv(folder / f"arrests-{index}.csv", ARREST_COLUMNS, rows)
        report = import_arrests(con, path, name=name)
        assert report.rows_loaded > 0, report.lines()
    referrals = _write_csv(folder / "referrals.csv", REFERRAL_COLUMNS, _referral_rows(con))
    referrals_name = file_name(PAYLOADS["svg"], " referrals.csv")
    report = import_referrals(con, referrals, name=referrals_name)
    assert report.rows_loaded > 0 and report.rows_quarantined == 3 + 1, report.lines()
    return [*names, referrals_name]


@pytest.fixture(scope="module")
def hostile_db(demo_db_path, tmp_path_factory):
    """A copy of the demo database with the payloads in every stored and imported text field."""
    from store import connect, create_schema

    folder = tmp_path_factory.mktemp("hostile-db")
    path = folder / "hostile.duckdb"
    shutil.copy(demo_db_path, path)
    con = connect(path)
    try:
        create_schema(con)
        proposals = save_hostile_proposals(con)
        files = import_hostile_files(con, folder)
        stored = {
            "charge_description": con.execute(
                "select count(*) from arrests where charge_description = ?", [PAYLOADS["img"]]
            ).fetchone()[0],
            "sources": [row[0] for row in con.execute("select distinct source from arrests").fetchall()],
        }
        con.execute("checkpoint")
    finally:
        con.close()
    assert stored["charge_description"] == 1  # the importer kept the text as it came
    assert len(stored["sources"]) == len(PAYLOADS)
    return {"path": path, "proposals": proposals, "files": files}


# ---------------------------------------------------------------------------------- app and browser


@pytest.fixture(scope="module")
def hostile_app(hostile_db, tmp_path_factory):
    """The app on the hostile database, with staff sign-in set up (``STAFF_PASSWORD``)."""
    from ui.auth import ENV_VAR, hash_password

    staff_env = {ENV_VAR: hash_password(STAFF_PASSWORD, iterations=1_000)}
    with running_app(hostile_db["path"], tmp_path_factory.mktemp("hostile-app"), staff_env) as url:
        yield url


@pytest.fixture
def guarded(browser, hostile_app, request):
    """A page whose every request is routed: the app's own go through, anything else is recorded and
    refused; ``__hit`` (what a payload's script calls) is exposed to every frame and records calls."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    remote: list[str] = []
    hits: list[tuple[str, str]] = []

    def route(route):
        url = route.request.url
        scheme, host = urlparse(url).scheme, urlparse(url).hostname
        if scheme in ("data", "blob", "about", "file") or host == "127.0.0.1":
            route.continue_()
        else:
            remote.append(url)
            route.abort()

    context.route("**/*", route)
    context.expose_binding(LISTENER, lambda source, key=None: hits.append((source["frame"].url, str(key))))
    page = context.new_page()
    page.remote_requests, page.script_hits = remote, hits
    yield page
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()


# ------------------------------------------------------------------------------------------ checks

# In one frame: did a payload run, and what links, resources and text are there.
_FRAME_STATE = """(pwned) => ({
  pwned: typeof window[pwned] === 'undefined' ? null : String(window[pwned]),
  links: Array.from(document.querySelectorAll('a[href], area[href]')).map(a => a.getAttribute('href')),
  sources: Array.from(document.querySelectorAll(
      'img, iframe, frame, script[src], embed, object, source, link[href], image, use')
    ).map(e => e.getAttribute('src') || e.getAttribute('href') || e.getAttribute('data')
      || e.getAttribute('xlink:href') || ''),
  handlers: document.querySelectorAll('[onerror], [onload], [onmouseover], [onfocus]').length,
  text: document.body ? document.body.innerText : '',
})"""


def visible_text(text: str) -> str:
    """Text as read on screen: the word joiners that break autolinks (U+2060) are invisible."""
    return text.replace("\u2060", "")


def frame_states(page) -> list[dict]:
    states = []
    for frame in page.frames:
        state = frame.evaluate(_FRAME_STATE, PWNED)
        state["url"] = frame.url
        states.append(state)
    return states


def assert_clean(page, where: str) -> str:
    """Nothing a payload could do has happened in any frame of ``page``; returns the main frame's text."""
    states = frame_states(page)
    for state in states:
        frame = f"{where}, frame {state['url'][:80]}"
        assert state["pwned"] is None, f"{frame}: a payload ran ({PWNED} = {state['pwned']!r})"
        for link in state["links"]:
            assert REMOTE_HOST not in link and not link.strip().lower().startswith("javascript:"), (
                frame,
                link,
            )
        for source in state["sources"]:
            assert REMOTE_HOST not in source and not source.strip().lower().startswith("javascript:"), (
                frame,
                source,
            )
        assert not state["handlers"], f"{frame}: an element with an inline event handler"  # none of the app's
        text = state["text"]
        assert not any(mark in text for mark in BIDI_CONTROLS), f"{frame}: a bidirectional control is shown"
        assert not any(marker in text for marker in TEMPLATE_MARKERS), f"{frame}: a template was evaluated"
    assert not page.script_hits, f"{where}: a payload called {LISTENER}: {page.script_hits}"
    assert_no_remote_request(page, where)
    return visible_text(states[0]["text"])


def assert_no_remote_request(page, where: str) -> None:
    unexpected = [url for url in page.remote_requests if not BASEMAP_HOST.match(urlparse(url).hostname or "")]
    assert not unexpected, f"{where}: requests left for other hosts: {unexpected}"


def assert_shown_as_text(text: str, payload: str, where: str, limit: int = NAME_LIMIT) -> None:
    """``payload`` is on screen as the characters typed (cleaned and shortened as the app shows it)."""
    shown = clean_text(payload, limit)
    assert " ".join(shown.split()) in " ".join(text.split()), f"{where}: {shown!r} is not shown as text"


def assert_banner_names_every_file(text: str, where: str, files: list[str]) -> None:
    from ingest.importers.read import clean_name

    for name in files:
        assert_shown_as_text(text, clean_name(name), f"{where} (data-source banner)")


# Every tooltip and popup of the map in this frame, opened: a tooltip bound to a group (folium's
# GeoJson) is opened on each of its shapes, as the mouse would (an event from the shape). Returns
# each one's HTML.
_OPEN_TOOLTIPS = """() => {
  const map = window.map;
  const shown = [];
  const read = (overlay) => {
    const element = overlay && overlay.getElement();
    if (element) shown.push(element.innerHTML);
  };
  const centre = (shape) => shape.getBounds ? shape.getBounds().getCenter() : shape.getLatLng();
  map.eachLayer(layer => {
    if (layer.getTooltip && layer.getTooltip()) {
      const shapes = layer.getLayers ? layer.getLayers() : [layer];
      shapes.forEach(shape => {
        shape.fire('mouseover', {latlng: centre(shape)}, true);
        read(layer.getTooltip());
      });
    }
    if (layer.getPopup && layer.getPopup()) {
      layer.openPopup();
      read(layer.getPopup());
    }
  });
  return shown;
}"""
# Where to point the mouse to hover each shape that has a tooltip: [x, y] in the frame, at a point of
# the shape that nothing else covers (a label or a marker may sit on part of it).
_HOVER_POINTS = """() => {
  const map = window.map;
  const points = [];
  const spots = [[0.5, 0.5], [0.3, 0.3], [0.7, 0.7], [0.3, 0.7], [0.7, 0.3], [0.15, 0.5], [0.85, 0.5]];
  map.eachLayer(layer => {
    if (!(layer.getTooltip && layer.getTooltip() && layer.getLayers)) return;
    layer.getLayers().filter(shape => shape.getBounds && shape._path).forEach(shape => {
      const bounds = shape.getBounds();
      for (const [across, up] of spots) {
        const point = map.latLngToContainerPoint([
          bounds.getSouth() + up * (bounds.getNorth() - bounds.getSouth()),
          bounds.getWest() + across * (bounds.getEast() - bounds.getWest()),
        ]);
        if (document.elementFromPoint(point.x, point.y) === shape._path) {
          points.push([point.x, point.y]);
          return;
        }
      }
    });
  });
  return points;
}"""


def as_text(content: str) -> str:
    """The text an HTML fragment shows (its tags are checked separately)."""
    return visible_text(html.unescape(re.sub(r"<[^>]*>", "", content)))


def open_every_tooltip(page, index: int, where: str) -> list[str]:
    """Open every tooltip and popup of the ``index``-th map and return their HTML, checked: each is
    text (no element a payload would make)."""
    iframe = page.locator(MAP_FRAME).nth(index).element_handle(timeout=TIMEOUT)
    shown = iframe.content_frame().evaluate(_OPEN_TOOLTIPS)
    made = re.compile(r"<(img|svg|iframe|script|a|object|embed)\b", re.IGNORECASE)
    for content in shown:
        assert not made.search(content), f"{where}: a tooltip holds an element: {content}"
    return shown


def hover_every_shape(page, index: int, where: str, shot: str | None = None) -> list[str]:
    """Move the mouse over every shape of the ``index``-th map that has a tooltip, as a reader does;
    returns each tooltip's text. ``shot``: a picture of the map with the last tooltip, by that name."""
    from tests.helpers import map_frame

    map_frame(page, index, TIMEOUT)
    handle = page.locator(MAP_FRAME).nth(index)
    handle.scroll_into_view_if_needed()
    frame = handle.element_handle().content_frame()
    origin = handle.bounding_box()
    texts = []
    for x, y in frame.evaluate(_HOVER_POINTS):
        page.mouse.move(origin["x"] + x, origin["y"] + y)
        tooltip = page.frame_locator(MAP_FRAME).nth(index).locator(".leaflet-tooltip").last
        tooltip.wait_for(timeout=TIMEOUT)
        texts.append(visible_text(tooltip.inner_text()))
    if shot:
        ARTIFACTS.mkdir(exist_ok=True)
        handle.screenshot(path=str(ARTIFACTS / f"{shot}.png"))
    page.mouse.move(0, 0)
    assert texts, f"{where}: no shape with a tooltip to hover"
    return texts


# --------------------------------------------------------------------------------------- downloads


def check_download(page, saved, expected: list[str] = ()) -> bytes:
    """A downloaded file holds hostile text only as data, in its own format's escaping: HTML and SVG
    as entities (and opened in the browser they run no payload), CSV as quoted fields and JSON as
    strings that read back as the text, a text report cleaned of control characters. ``expected``:
    payloads the file must carry (as the app writes them)."""
    name = saved.suggested_filename
    data = Path(saved.path()).read_bytes()
    where = f"download {name}"
    if name.endswith(".png"):
        assert data.startswith(b"\x89PNG"), where
        return data
    text = data.decode("utf-8")
    assert "\x00" not in text and not any(mark in text for mark in BIDI_CONTROLS), where
    if name.endswith((".html", ".svg")):
        for key in MARKUP:
            assert PAYLOADS[key][:NAME_LIMIT] not in text, f"{where}: {key} payload written as markup"
        for payload in expected:
            assert html_text(payload, NAME_LIMIT) in text, f"{where}: {payload!r} is not in it, escaped"
        opened = page.context.new_page()
        opened.remote_requests, opened.script_hits = page.remote_requests, page.script_hits
        target = Path(saved.path()).with_suffix(Path(name).suffix)
        shutil.copy(saved.path(), target)
        opened.goto(target.as_uri(), wait_until="load")
        assert_clean(opened, where)
        opened.close()
    elif name.endswith(".csv"):
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        for payload in expected:
            assert any(cell == payload or payload in _json_strings(cell) for cell in cells), (where, payload)
    elif name.endswith((".geojson", ".json")):
        strings = _json_strings(text)
        for payload in expected:
            assert payload in strings, (where, payload)
    else:
        for payload in expected:
            assert clean_text(payload, NAME_LIMIT) in text, (where, payload)
    return data


def _json_strings(text: str) -> list[str]:
    """Every string value in a JSON document (none if it is not JSON)."""
    try:
        document = json.loads(text)
    except ValueError:
        return []
    found, stack = [], [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            found.append(item)
    return found


def download_all(page, expected: dict[str, list[str]] | None = None) -> dict[str, bytes]:
    """Click every visible download button of the page and check each file (``expected``: payloads a
    file must carry, by a pattern its file name starts with)."""
    files = {}
    page_drawn(page, TIMEOUT)
    buttons = page.get_by_test_id("stDownloadButton").locator("button:visible")
    for index in range(buttons.count()):
        saved = download(page, buttons.nth(index), timeout=TIMEOUT)
        wanted = [
            payload
            for start, payloads in (expected or {}).items()
            if re.match(start, saved.suggested_filename)
            for payload in payloads
        ]
        files[saved.suggested_filename] = check_download(page, saved, wanted)
    return files


# ------------------------------------------------------------------------------------------- tests


def open_drawn(page, url: str) -> None:
    open_page(page, url, TIMEOUT)
    page_drawn(page, TIMEOUT)


def test_public_pages_show_stored_and_imported_text_as_text(guarded, hostile_app, hostile_db):
    """Overview (picture and interactive map), Map (every layer, every tooltip, every download) and
    Referrals: the files' names in the data-source banner are text, nothing runs, nothing is fetched."""
    from geo.map_page import MAP_LAYERS

    page, files = guarded, hostile_db["files"]
    open_drawn(page, hostile_app)
    text = assert_clean(page, "overview")
    assert_banner_names_every_file(text, "overview", files)
    screenshot(page, "hostile-banner")
    download_all(page)
    with script_run(page, TIMEOUT):
        page.get_by_text("Pan and zoom").click()
    page_drawn(page, TIMEOUT)
    assert open_every_tooltip(page, 0, "overview map")
    assert_clean(page, "overview map")

    open_drawn(page, f"{hostile_app}/map?layers={','.join(MAP_LAYERS)}")
    assert open_every_tooltip(page, 0, "map")
    assert_banner_names_every_file(assert_clean(page, "map"), "map", files)
    download_all(page)
    assert_clean(page, "map, after its downloads")

    open_drawn(page, f"{hostile_app}/referrals")
    assert_banner_names_every_file(assert_clean(page, "referrals"), "referrals", files)


def test_link_settings_are_quoted_as_text(guarded, hostile_app):
    """Every payload as the value of the link settings ``area``, ``layers`` and ``period`` (Map) and
    ``proposal`` and ``paper`` (Hearing brief), some as ``proposal`` and ``compare`` (planner): each
    warning quotes it as text."""
    page = guarded
    for key, payload in PAYLOADS.items():
        if key == "huge":
            continue  # below
        value = quote(payload, safe="")
        views = [
            ("map", f"area={value}&layers={value}&period={value}", 3),
            ("brief", f"proposal={value}&paper={value}", 2),
        ]
        if key in ("img", "markdown_image", "rtl"):
            views.append(("expansion", f"proposal={value}&compare={value}", 2))
        for path, query, settings in views:
            where = f"/{path} with {key} in {settings} settings"
            open_page(page, f"{hostile_app}/{path}?{query}", TIMEOUT)
            warnings = page.get_by_text("This link had a setting that could not be used")
            warnings.nth(settings - 1).wait_for(timeout=TIMEOUT)
            page_drawn(page, TIMEOUT)
            assert_shown_as_text(assert_clean(page, where), payload, where)
            if key == "markdown_image" and path == "map":
                warnings.first.scroll_into_view_if_needed()
                screenshot(page, "hostile-link-warnings")


def test_a_100_kb_link_setting_runs_nothing(guarded, hostile_app):
    """The 100 KB payload as one link setting at a time. The web server may refuse a request line that
    long outright (uvicorn answers 400 when it arrives in more than one piece); when it is let through,
    the warning quotes 120 characters of it and the page stays a normal size."""
    value = quote(PAYLOADS["huge"], safe="")
    settings = ("map", "area"), ("map", "layers"), ("map", "period"), ("brief", "proposal")
    for path, name in (*settings, ("expansion", "compare")):
        where = f"/{path} with the 100 KB payload as {name}"
        # A page of its own: no 100 KB Referer from the last one, no error page still on its way.
        page = guarded.context.new_page()
        page.remote_requests, page.script_hits = guarded.remote_requests, guarded.script_hits
        try:
            response = page.goto(f"{hostile_app}/{path}?{name}={value}")
            refused = response is not None and response.status == 400
        except PlaywrightError as error:  # Chromium's word for the same 400, at times
            assert "ERR_HTTP_RESPONSE_CODE_FAILURE" in str(error), where
            refused = True
        if refused:  # no page of the app was served: nothing of it can run; nothing may have been fetched
            assert not page.script_hits, where
            assert_no_remote_request(page, where)
        else:
            page.get_by_text("This link had a setting that could not be used").first.wait_for(timeout=TIMEOUT)
            page_drawn(page, TIMEOUT)
            text = assert_clean(page, where)
            assert_shown_as_text(text, PAYLOADS["huge"], where)
            assert len(text) < 50_000, f"{where}: the page holds {len(text):,} characters"
        page.close()


def test_planner_comparison_shows_hostile_names_as_text(guarded, hostile_app, hostile_db):
    """Every hostile proposal compared (four at a time): each shape hovered with the mouse and every
    tooltip opened on the comparison map, its labels and legend read, its downloads checked."""
    page = guarded
    saved = list(hostile_db["proposals"].items())
    for start in range(0, len(saved), 4):
        group = saved[start : start + 4]
        where = f"planner comparing {[key for key, _ in group]}"
        open_drawn(page, f"{hostile_app}/expansion?compare={','.join(area_id for _, area_id in group)}")
        comparison = page.locator(MAP_FRAME).count() - 1  # the comparison map is the page's last map
        shot = None if start else "hostile-planner-comparison"
        hovered = hover_every_shape(page, comparison, where, shot)
        opened = open_every_tooltip(page, comparison, where)
        map_text = visible_text(page.frame_locator(MAP_FRAME).nth(comparison).locator("body").inner_text())
        text = assert_clean(page, where)
        for key, _ in group:
            name = clean_text(PAYLOADS[key], NAME_LIMIT)
            assert any(name in shown for shown in hovered), f"{where}: hovering {key} did not show its name"
            assert any(name in as_text(content) for content in opened), f"{where}: {key} tooltip"
            assert_shown_as_text(map_text, PAYLOADS[key], f"{where}: map labels and legend")
            assert_shown_as_text(text, PAYLOADS[key], f"{where}: chosen proposals")
        if start == 0:
            page.get_by_text("Proposals to compare").scroll_into_view_if_needed()
            screenshot(page, "hostile-planner-page")
        names = [PAYLOADS[key] for key, _ in group]
        download_all(
            page,
            expected={
                "expansion-comparison": [clean_text(name, NAME_LIMIT) for name in names],
                "expansion-proposals": names,
            },
        )
        assert_clean(page, f"{where}, after its downloads")


def test_the_brief_shows_each_hostile_proposal_as_text(guarded, hostile_app, hostile_db):
    """The hearing brief with each hostile proposal: its preview (a frame that runs script) and the
    downloaded document show name, author and note as text; opened from disk, the file runs nothing."""
    page = guarded
    for key, area_id in hostile_db["proposals"].items():
        where = f"brief with the {key} proposal"
        open_drawn(page, f"{hostile_app}/brief?proposal={area_id}")
        assert_clean(page, where)
        preview = next(
            (state["text"] for state in frame_states(page) if "Proposed expansion" in state["text"]), None
        )
        assert preview is not None, f"{where}: the preview shows no proposal"
        assert_shown_as_text(visible_text(preview), PAYLOADS[key], f"{where}: preview")
        if key == "iframe":
            page.locator("iframe").last.scroll_into_view_if_needed()
            screenshot(page, "hostile-brief")
        download_all(page, expected={"lead-hearing-brief": [PAYLOADS[key]]})
        assert_clean(page, f"{where}, after its download")


def _sign_in(page) -> None:
    page.get_by_text("Staff sign-in").click()
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Staff view — participant-level detail is visible.").wait_for(timeout=TIMEOUT)
    wait_idle(page, TIMEOUT)


def _go_to(page, title: str, heading: str) -> None:
    """Another page through the sidebar's navigation (a new link would start a session signed out)."""
    with script_run(page, TIMEOUT):
        page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    page.get_by_role("heading", name=heading).first.wait_for(timeout=TIMEOUT)
    page_drawn(page, TIMEOUT)


def _hostile_upload() -> bytes:
    """A small arrests file: payloads as charge descriptions (loaded; the report lists them as charges
    no rule recognises) and as dates (quarantined; the report quotes them)."""
    lat, lon = DOWNTOWN
    rows = []
    for index, payload in enumerate(PAYLOADS.values()):
        text = payload.replace("\x00", "")[:900]  # under the importer's 1,000-character cap
        rows.append([f"U{index:05d}", "06/01/2019", "", "", "", text, "", "", f"{lat}", f"{lon}"])
        rows.append([f"V{index:05d}", text, "", "", "", "CDS POSS", "", "", "", ""])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ARREST_COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode()


def test_staff_pages_and_an_upload_show_hostile_text_as_text(guarded, hostile_app, hostile_db):
    """Signed in: the staff views, the planner's delete button, and an arrests file uploaded under a
    hostile name with hostile text in it, whose import report is read, opened and downloaded."""
    page, files = guarded, hostile_db["files"]
    open_drawn(page, f"{hostile_app}/referrals")
    _sign_in(page)
    page_drawn(page, TIMEOUT)
    assert_banner_names_every_file(assert_clean(page, "staff referrals"), "staff referrals", files)

    _go_to(page, "Expansion planner", "Expansion planner")
    saved = page.get_by_test_id("stMain").get_by_test_id("stExpander").filter(has_text="Saved proposals")
    saved.locator("summary").click()
    doomed = clean_text(PAYLOADS["img"], NAME_LIMIT)
    with script_run(page, TIMEOUT):
        page.get_by_label("Delete a proposal (staff only)").click()
        page.keyboard.type("__hit('img')")  # the list shows a few options at a time: narrow it down
        page.get_by_role("option", name=doomed, exact=True).click()
    button = page.get_by_role("button", name=f"Delete “{doomed}”")
    button.wait_for(timeout=TIMEOUT)
    assert_clean(page, "staff planner")

    _go_to(page, "Import data", "Import data")
    # Browsers write a '"' in an uploaded file's name as "%22": this one needs none to run, if shown as HTML
    name = file_name(f"{PAYLOADS['issue_file_name']} <img src=x onerror={PWNED}=1,{LISTENER}(1)>")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": _hostile_upload()}]
    )
    page.get_by_text(name[:20]).first.wait_for(timeout=TIMEOUT)
    wait_idle(page, TIMEOUT)
    with script_run(page, TIMEOUT):
        page.get_by_role("button", name="Import").click()
    page.get_by_text("rows read").first.wait_for(timeout=TIMEOUT)
    report = page.get_by_test_id("stMain").get_by_test_id("stExpander").filter(has_text="Full import report")
    report.locator("summary").click()
    page_drawn(page, TIMEOUT)
    text = assert_clean(page, "import report")
    assert_shown_as_text(text, name, "import report: the file's name")
    quoted = ("iframe", "markdown_image", "issue_file_name")  # quarantined dates, quoted by the report
    for key in quoted:
        assert_shown_as_text(text, PAYLOADS[key][:30], f"import report: {key} quoted")
    page.get_by_text("rows read").first.scroll_into_view_if_needed()
    screenshot(page, "hostile-import-report")
    newest = int(re.search(r"Import #(\d+)", page.get_by_test_id("stCode").inner_text())[1])
    with script_run(page, TIMEOUT):  # the quarantined rows of the import just made
        page.get_by_label("Quarantined rows of import").click()
        page.keyboard.type(f"#{newest}")
        page.get_by_role("option", name=f"#{newest}", exact=True).click()
    download_all(
        page,
        expected={
            r"import_\d+_report": [name],
            r"import_\d+_quarantine": [PAYLOADS[key] for key in quoted],
        },
    )
    assert_clean(page, "import report, after its downloads")
