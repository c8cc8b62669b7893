"""Fetch new arrests from Open Baltimore's ArcGIS REST service (a FeatureServer layer's ``query``).

``python -m ingest fetch-arrests [--url URL]`` asks the layer for its fields, then for the arrests
on or after the last real arrest already loaded (every arrest when only the demo is loaded), a page
at a time (``resultOffset`` / ``resultRecordCount``, ordered by the layer's object id, until
``exceededTransferLimit`` is no longer set). Each page is written to a spool folder beside the
database as it arrives, so a fetch that stopped (offline, killed) resumes where it was. The rows
are then written as one CSV file in the ArcGIS Hub layout and imported like any file — the same
checks, quarantine and de-duplication (rows already loaded are skipped) — into a new generation
(store/generations.py), published when complete.

A page that fails (HTTP 5xx, a timeout, a body cut short, an ArcGIS error answer) is asked again,
with a growing pause, ``RETRIES`` times; then the fetch stops with a message that says what failed
and that the next run resumes. A service that no longer publishes a field the import needs stops the
fetch before anything is written, naming the field and what the service has instead.

    >>> # report = fetch_arrests(Path("data/lead.duckdb"), "https://.../FeatureServer/0")
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import http.client
import json
import os
import shutil
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from ingest.importers import import_arrests
from ingest.importers.columns import ARRESTS_LAYOUT, describe_missing, match_columns
from ingest.importers.pipeline import SYNTHETIC_SOURCE
from ingest.importers.report import ImportReport
from store import audit, connect, generations

# Open Baltimore's "BPD Arrests" layer (ArcGIS Online). Not reachable from the machine this was built
# on: check it against the dataset's "I want to use this" / API page, and set LEAD_ARRESTS_SERVICE.
DEFAULT_SERVICE_URL = os.environ.get(
    "LEAD_ARRESTS_SERVICE",
    "https://services1.arcgis.com/UWYHeuuJISiGmgXx/arcgis/rest/services/BPD_Arrests/FeatureServer/0",
)
PAGE_SIZE = 2000  # ArcGIS Online's usual maxRecordCount; a smaller one from the layer wins
TIMEOUT_S = 60.0
RETRIES = 4
BACKOFF_S = 2.0  # pause before the first retry; doubled each time
LOCAL_ZONE = ZoneInfo("America/New_York")
Progress = Callable[[float, str], None]


class FetchFailed(RuntimeError):
    """The service could not be read (offline, failing, or changed); nothing was published."""


@dataclass
class FetchSettings:
    url: str = DEFAULT_SERVICE_URL
    page_size: int = PAGE_SIZE
    timeout_s: float = TIMEOUT_S
    retries: int = RETRIES
    backoff_s: float = BACKOFF_S
    format: str = "json"  # or "geojson"


@dataclass
class FetchResult:
    since: dt.date | None
    pages: int
    pages_resumed: int
    rows: int
    retries: int
    report: ImportReport | None = None
    built: generations.Built | None = None
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        since = f"on or after {self.since:%Y-%m-%d}" if self.since else "all (no real arrests loaded yet)"
        lines = [
            f"fetched arrests {since}: {self.rows:,} rows in {self.pages} pages "
            f"({self.pages_resumed} kept from an interrupted fetch, {self.retries} retries)",
            *self.notes,
        ]
        if self.report:
            lines += self.report.lines()
        return lines


def spool_folder(db: Path) -> Path:
    return db.with_name(db.name + ".fetch")


def last_real_arrest(db: Path) -> dt.date | None:
    """The latest real (not synthetic) arrest date in the served database, or None."""
    if not db.exists():
        return None
    con = connect(db, read_only=True)
    try:
        return con.execute(
            "select max(arrest_date) from arrests where source <> ?", [SYNTHETIC_SOURCE]
        ).fetchone()[0]
    finally:
        con.close()


class _Service:
    """One layer of an ArcGIS FeatureServer, asked with retries."""

    def __init__(self, settings: FetchSettings, progress: Progress):
        self.settings, self.progress = settings, progress
        self.retries = 0

    def ask(self, path: str, params: dict, what: str) -> dict:
        url = f"{self.settings.url.rstrip('/')}{path}?{urllib.parse.urlencode(params)}"
        pause = self.settings.backoff_s
        for attempt in range(self.settings.retries + 1):
            try:
                return self._once(url)
            except _Retryable as problem:
                if attempt == self.settings.retries:
                    raise FetchFailed(
                        f"{what}: {problem} (asked {attempt + 1} times); the pages fetched so far are kept "
                        "and the next run resumes from there"
                    ) from None
                self.retries += 1
                self.progress(0.0, f"{what}: {problem}; asking again in {pause:.0f} s")
                time.sleep(pause)
                pause *= 2
        raise AssertionError("not reached")

    def _once(self, url: str) -> dict:
        request = urllib.request.Request(url, headers={"User-Agent": "lead-baltimore-dashboard"})
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout_s) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            if error.code >= 500 or error.code == 429:
                raise _Retryable(f"the service answered HTTP {error.code}") from None
            raise FetchFailed(f"the service refused the query: HTTP {error.code} at {url}") from None
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, TimeoutError | socket.timeout):
                raise _Retryable(f"no answer within {self.settings.timeout_s:.0f} s") from None
            raise _Retryable(
                f"cannot reach {urllib.parse.urlsplit(url).netloc} ({reason}); is this machine offline?"
            ) from None
        except TimeoutError:
            raise _Retryable(f"no answer within {self.settings.timeout_s:.0f} s") from None
        except (http.client.IncompleteRead, ConnectionError) as error:
            raise _Retryable(f"the answer was cut short ({type(error).__name__})") from None
        try:
            answer = json.loads(body)
        except ValueError:
            raise _Retryable(f"the answer was not complete JSON ({len(body):,} bytes, cut short?)") from None
        if isinstance(answer, dict) and "error" in answer:
            error = answer["error"] or {}
            code = error.get("code", 0)
            message = f"the service answered error {code}: {error.get('message', '')}".strip()
            if isinstance(code, int) and (code >= 500 or code == 429):
                raise _Retryable(message)
            raise FetchFailed(message)
        if not isinstance(answer, dict):
            raise _Retryable("the answer was not a JSON object")
        return answer


class _Retryable(Exception):
    pass


@dataclass(frozen=True)
class _Layer:
    name: str
    fields: dict[str, str]  # name -> esri type
    object_id: str
    date_field: str
    page_size: int
    stored_in_utc: bool


def _layer(service: _Service, settings: FetchSettings) -> _Layer:
    info = service.ask("", {"f": "json"}, "reading the layer's description")
    fields = {f["name"]: f.get("type", "") for f in info.get("fields") or [] if "name" in f}
    if not fields:
        raise FetchFailed(
            f"{settings.url} does not describe a layer with fields (is the URL a FeatureServer layer?)"
        )
    _check_fields(list(fields), settings.url)
    match = match_columns(list(fields), ARRESTS_LAYOUT)
    object_id = info.get("objectIdField") or next(
        (name for name, kind in fields.items() if kind == "esriFieldTypeOID"), None
    )
    if object_id is None:
        raise FetchFailed(f"{settings.url}: the layer names no object id field to page by")
    reference = (info.get("dateFieldsTimeReference") or {}).get("timeZone")
    return _Layer(
        name=str(info.get("name") or "ArcGIS layer"),
        fields=fields,
        object_id=object_id,
        date_field=match.source["arrest_date"],
        page_size=min(settings.page_size, int(info.get("maxRecordCount") or settings.page_size)),
        stored_in_utc=reference in (None, "UTC"),
    )


def _check_fields(names: list[str], url: str) -> None:
    match = match_columns(names, ARRESTS_LAYOUT)
    if not match.complete:
        raise FetchFailed(
            f"the service at {url} changed its fields: {describe_missing(match, names)}. Nothing was "
            "written; the importer's aliases (ingest/importers/columns.py) may need the new name"
        )


def _signature(settings: FetchSettings, where: str) -> str:
    key = json.dumps([settings.url, where, settings.format], sort_keys=True)
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def _prepare_spool(db: Path, signature: str) -> Path:
    """The spool of this query; a spool of another query (older data, another URL) is removed."""
    spool = spool_folder(db)
    marker = spool / "query.txt"
    if spool.exists() and (not marker.exists() or marker.read_text() != signature):
        shutil.rmtree(spool)
    spool.mkdir(parents=True, exist_ok=True)
    if not marker.exists():
        marker.write_text(signature)
    return spool


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


def _features(answer: dict, settings: FetchSettings) -> tuple[list[dict], bool]:
    """(attributes of each feature, with the point as Latitude/Longitude when the layer has a
    geometry; whether more pages follow) from a JSON or GeoJSON answer."""
    rows = []
    if settings.format == "geojson":
        more = bool(
            answer.get("exceededTransferLimit")
            or (answer.get("properties") or {}).get("exceededTransferLimit")
        )
        for feature in answer.get("features") or []:
            row = dict(feature.get("properties") or {})
            point = (feature.get("geometry") or {}).get("coordinates")
            if point and len(point) >= 2:
                row.setdefault("Longitude", point[0])
                row.setdefault("Latitude", point[1])
            rows.append(row)
        return rows, more
    for feature in answer.get("features") or []:
        row = dict(feature.get("attributes") or {})
        point = feature.get("geometry") or {}
        if "x" in point and "y" in point and point["x"] is not None:
            row.setdefault("Longitude", point["x"])
            row.setdefault("Latitude", point["y"])
        rows.append(row)
    return rows, bool(answer.get("exceededTransferLimit"))


def _as_text(value, kind: str, utc: bool) -> str:
    if value is None:
        return ""
    if kind == "esriFieldTypeDate" and isinstance(value, int | float):
        moment = dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)
        moment = moment.astimezone(LOCAL_ZONE) if utc else moment.replace(tzinfo=None)
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def fetch_pages(db: Path, settings: FetchSettings, progress: Progress) -> tuple[Path, FetchResult, _Layer]:
    """Fetch (or resume fetching) every page of new arrests into the spool; return the CSV written."""
    service = _Service(settings, progress)
    layer = _layer(service, settings)
    since = last_real_arrest(db)
    # on the last loaded day too: that day may have had more arrests since; ids already loaded are skipped
    where = f"{layer.date_field} >= TIMESTAMP '{since:%Y-%m-%d} 00:00:00'" if since else "1=1"
    spool = _prepare_spool(db, _signature(settings, where))
    result = FetchResult(since=since, pages=0, pages_resumed=0, rows=0, retries=0)
    offset, number = 0, 0
    while True:
        page = spool / f"page-{number:06d}.json"
        if page.exists():
            answer = json.loads(page.read_bytes())
            result.pages_resumed += 1
        else:
            progress(0.05, f"fetching page {number + 1} (rows from {offset:,})")
            answer = service.ask(
                "/query",
                {
                    "where": where,
                    "outFields": "*",
                    "orderByFields": f"{layer.object_id} ASC",
                    "resultOffset": offset,
                    "resultRecordCount": layer.page_size,
                    "returnGeometry": "true",
                    "outSR": 4326,
                    "f": settings.format,
                },
                f"page {number + 1} of the arrests (rows from {offset:,})",
            )
            if answer.get("fields"):
                _check_fields([f["name"] for f in answer["fields"] if "name" in f], settings.url)
            _write_atomically(page, json.dumps(answer).encode())
        rows, more = _features(answer, settings)
        result.pages += 1
        offset += len(rows)
        number += 1
        if not more or not rows:
            break
    result.retries = service.retries
    csv_path = spool / "arrests.csv"
    result.rows = _write_csv(spool, csv_path, layer, settings)
    return csv_path, result, layer


def _write_csv(spool: Path, csv_path: Path, layer: _Layer, settings: FetchSettings) -> int:
    pages = sorted(spool.glob("page-*.json"))
    header = [name for name in layer.fields if name != "Shape"]
    for extra in ("Latitude", "Longitude"):
        if extra not in header:
            header.append(extra)
    has_time = any(name.lower() in ("arresttime", "time") for name in header)
    if not has_time:
        header.append("ArrestTime")  # the time of ArrestDateTime, which the date column drops
    count = 0
    partial = csv_path.with_name(csv_path.name + ".partial")
    with open(partial, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for page in pages:
            rows, _ = _features(json.loads(page.read_bytes()), settings)
            for row in rows:
                values = {
                    name: _as_text(row.get(name), layer.fields.get(name, ""), layer.stored_in_utc)
                    for name in header
                }
                if not has_time and values.get(layer.date_field):
                    values["ArrestTime"] = values[layer.date_field][11:16]
                writer.writerow([values[name] for name in header])
                count += 1
    os.replace(partial, csv_path)
    return count


def fetch_arrests(
    db: Path, settings: FetchSettings | None = None, progress: Progress | None = None
) -> FetchResult:
    """Fetch new arrests and import them into a new generation of ``db``; see the module's docstring.

    Raises :class:`FetchFailed` (nothing published; pages kept for the next run) or
    ``ImportRejected`` (the fetched rows as a whole cannot be loaded).
    """
    db = Path(db)
    settings = settings or FetchSettings()
    progress = progress or (lambda fraction, message: None)
    csv_path, result, layer = fetch_pages(db, settings, progress)
    if result.rows == 0:
        result.notes.append("nothing new: the database is up to date with the service")
        shutil.rmtree(spool_folder(db), ignore_errors=True)
        return result
    name = f"{layer.name} (ArcGIS service, fetched {dt.date.today():%Y-%m-%d})"
    built = generations.Built()
    with generations.building(db, progress=progress, built=built) as con:
        result.report = import_arrests(con, csv_path, name=name, progress=progress)
        # the audit trail: the rows as fetched (the spooled CSV's hash) and where they came from
        audit.record(con, audit.cli_identity(), "import", subject=f"{name}: {settings.url}"[:500],
                     sha256=audit.file_sha256(csv_path), reason=result.report.summary())  # fmt: skip
    result.built = built
    shutil.rmtree(spool_folder(db), ignore_errors=True)  # published: the next fetch starts afresh
    return result
