"""A local stand-in for an ArcGIS FeatureServer layer, for tests and the fault benchmark (no network).

It speaks the part of the REST API that ``ingest/fetch.py`` uses: the layer description
(``GET <layer>?f=json``: name, fields, objectIdField, maxRecordCount) and ``GET <layer>/query``
with ``where`` (``1=1`` or ``<date field> >= TIMESTAMP 'YYYY-MM-DD HH:MM:SS'``), ``outFields``,
``orderByFields``, ``resultOffset`` / ``resultRecordCount`` (capped at maxRecordCount, with
``exceededTransferLimit`` when more rows follow) and ``f=json`` or ``f=geojson``. Dates are epoch
milliseconds in UTC, as ArcGIS stores them.

Its rows come from a classic-layout arrests CSV (the real Open Baltimore sample when ``../shared`` is
there, see :func:`rows_from_classic_csv`) or from :func:`synthetic_rows`. Faults are queued per page
offset and used once each: ``"500"`` (HTTP 500), ``"slow"`` (answers after ``slow_s``), ``"truncate"``
(half the body, then the connection closes), ``"error"`` (HTTP 200 with an ArcGIS error object).
``renamed`` renames a field in every answer (a service that changed its fields).

    python -m bench.fake_arcgis --csv FILE --port 8641     # serve until interrupted
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import re
import threading
import time
import urllib.parse
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("America/New_York")
LAYER_PATH = "/arcgis/rest/services/BPD_Arrests/FeatureServer/0"
FIELDS = (
    ("OBJECTID", "esriFieldTypeOID"),
    ("ArrestNumber", "esriFieldTypeString"),
    ("ArrestDateTime", "esriFieldTypeDate"),
    ("Age", "esriFieldTypeInteger"),
    ("Gender", "esriFieldTypeString"),
    ("Race", "esriFieldTypeString"),
    ("Charge", "esriFieldTypeString"),
    ("ChargeDescription", "esriFieldTypeString"),
    ("District", "esriFieldTypeString"),
    ("Neighborhood", "esriFieldTypeString"),
    ("Latitude", "esriFieldTypeDouble"),
    ("Longitude", "esriFieldTypeDouble"),
)
_WHERE = re.compile(r"^\s*(\w+)\s*>=\s*TIMESTAMP\s*'([0-9: -]+)'\s*$", re.IGNORECASE)


def _epoch_ms(local: dt.datetime) -> int:
    return int(local.replace(tzinfo=LOCAL).timestamp() * 1000)


def rows_from_classic_csv(path: Path, limit: int | None = None) -> list[dict]:
    """Attributes in the ArcGIS layout from rows of a classic Open Baltimore arrests CSV."""
    rows = []
    with open(path, newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            if limit is not None and len(rows) >= limit:
                break
            try:
                day = dt.datetime.strptime(record["ArrestDate"], "%m/%d/%Y")
                hour, minute = (int(x) for x in (record.get("ArrestTime") or "00:00").split(":")[:2])
                when = _epoch_ms(day.replace(hour=hour, minute=minute))
            except ValueError:
                when = None  # kept: the importer quarantines a row without a usable date, as from a file
            rows.append(
                {
                    "ArrestNumber": record["Arrest"] or None,
                    "ArrestDateTime": when,
                    "Age": int(record["Age"]) if (record.get("Age") or "").isdigit() else None,
                    "Gender": record.get("Sex") or None,
                    "Race": record.get("Race") or None,
                    "Charge": record.get("Charge") or None,
                    "ChargeDescription": record.get("ChargeDescription") or None,
                    "District": record.get("District") or None,
                    "Neighborhood": record.get("Neighborhood") or None,
                    "Latitude": float(record["Latitude"]) if record.get("Latitude") else None,
                    "Longitude": float(record["Longitude"]) if record.get("Longitude") else None,
                }
            )
    return rows


def synthetic_rows(
    count: int, start: dt.date = dt.date(2023, 1, 1), seed: int = 14, per_day: int = 3
) -> list[dict]:
    """``count`` plausible arrests inside the city, ``per_day`` a day from ``start`` (a fixed seed)."""
    chance = random.Random(seed)
    charges = (
        ("4 3550", "POSSESSION OF CONTROLLED DANGEROUS SUBSTANCE"),
        ("1 0521", "THEFT LESS THAN $100.00"),
        ("1 1415", "2ND DEG ASSAULT"),
        ("2 6000", "TRESPASS: PRIVATE PROPERTY"),
    )
    districts = ("Central", "Eastern", "Western", "Southern", "Northern")
    rows = []
    for n in range(count):
        when = dt.datetime.combine(
            start + dt.timedelta(days=n // per_day), dt.time(chance.randrange(24), chance.randrange(60))
        )
        code, description = chance.choice(charges)
        rows.append(
            {
                "ArrestNumber": f"23{n:06d}",
                "ArrestDateTime": _epoch_ms(when),
                "Age": chance.randrange(18, 70),
                "Gender": chance.choice("MF"),
                "Race": "U",
                "Charge": code,
                "ChargeDescription": description,
                "District": chance.choice(districts),
                "Neighborhood": "Downtown",
                # north of the harbour, well inside the city line
                "Latitude": round(chance.uniform(39.295, 39.315), 4),
                "Longitude": round(chance.uniform(-76.64, -76.60), 4),
            }
        )
    return rows


class FakeArcGIS:
    """The layer, served from a thread on 127.0.0.1; ``url`` is the layer's address."""

    def __init__(self, rows: list[dict], max_record_count: int = 1000, port: int = 0, slow_s: float = 3.0):
        self.rows = [{"OBJECTID": n + 1, **row} for n, row in enumerate(rows)]
        self.max_record_count = max_record_count
        self.slow_s = slow_s
        self.faults: dict[int, list[str]] = defaultdict(list)  # offset -> faults, used once each, in order
        self.renamed: dict[str, str] = {}
        self.requests: list[dict] = []  # every query asked: its parameters
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{LAYER_PATH}"

    def __enter__(self) -> FakeArcGIS:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_rows(self, rows: list[dict]) -> None:
        with self._lock:
            first = len(self.rows) + 1
            self.rows += [{"OBJECTID": first + n, **row} for n, row in enumerate(rows)]

    def asked_offsets(self) -> list[int]:
        return [int(r.get("resultOffset", 0)) for r in self.requests]

    # ------------------------------------------------------------------ the protocol
    def _fields(self) -> list[dict]:
        return [{"name": self.renamed.get(name, name), "type": kind, "alias": name} for name, kind in FIELDS]

    def _describe(self) -> dict:
        return {
            "name": "BPD Arrests",
            "type": "Feature Layer",
            "geometryType": "esriGeometryPoint",
            "objectIdField": "OBJECTID",
            "maxRecordCount": self.max_record_count,
            "supportsPagination": True,
            "fields": self._fields(),
        }

    def _query(self, params: dict) -> tuple[dict, int]:
        where = params.get("where", "1=1")
        with self._lock:
            rows = list(self.rows)
        match = _WHERE.match(where)
        if match:
            field, since = match.groups()
            if field != self.renamed.get("ArrestDateTime", "ArrestDateTime"):
                return {"error": {"code": 400, "message": f"Invalid field in where: {field}"}}, 200
            floor = int(dt.datetime.fromisoformat(since).replace(tzinfo=dt.UTC).timestamp() * 1000)
            rows = [r for r in rows if r["ArrestDateTime"] is not None and r["ArrestDateTime"] >= floor]
        elif where.strip() != "1=1":
            return {"error": {"code": 400, "message": "Unable to complete operation: bad where"}}, 200
        rows.sort(key=lambda r: r["OBJECTID"])
        offset = int(params.get("resultOffset", 0))
        count = min(int(params.get("resultRecordCount", self.max_record_count)), self.max_record_count)
        page, more = rows[offset : offset + count], offset + count < len(rows)
        renamed = [{self.renamed.get(k, k): v for k, v in r.items()} for r in page]
        if params.get("f") == "geojson":
            features = [
                {
                    "type": "Feature",
                    "id": r["OBJECTID"],
                    "geometry": {"type": "Point", "coordinates": [r["Longitude"], r["Latitude"]]}
                    if r["Latitude"] is not None
                    else None,
                    "properties": a,
                }
                for r, a in zip(page, renamed, strict=True)
            ]
            answer = {"type": "FeatureCollection", "features": features}
            if more:
                answer["properties"] = {"exceededTransferLimit": True}
            return answer, 200
        features = [
            {
                "attributes": a,
                "geometry": {"x": r["Longitude"], "y": r["Latitude"]} if r["Latitude"] is not None else None,
            }
            for r, a in zip(page, renamed, strict=True)
        ]
        answer = {
            "objectIdFieldName": "OBJECTID",
            "geometryType": "esriGeometryPoint",
            "spatialReference": {"wkid": 4326},
            "fields": self._fields(),
            "features": features,
        }
        if more:
            answer["exceededTransferLimit"] = True
        return answer, 200

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                split = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(split.query))
                if split.path.rstrip("/") == LAYER_PATH:
                    return self._send(json.dumps(fake._describe()).encode())
                if split.path != LAYER_PATH + "/query":
                    return self._send(b'{"error": {"code": 404, "message": "not found"}}', 404)
                with fake._lock:
                    fake.requests.append(params)
                    queue = fake.faults.get(int(params.get("resultOffset", 0)))
                    fault = queue.pop(0) if queue else None
                if fault == "500":
                    return self._send(b"<html>Internal Server Error</html>", 500)
                if fault == "error":
                    return self._send(b'{"error": {"code": 500, "message": "Unable to perform query"}}')
                if fault == "slow":
                    time.sleep(fake.slow_s)
                answer, status = fake._query(params)
                body = json.dumps(answer).encode()
                if fault == "truncate":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return None
                return self._send(body, status)

            def _send(self, body: bytes, status: int = 200) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a slow page)
                    pass

        return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, help="classic-layout arrests CSV (default: synthetic rows)")
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--page", type=int, default=1000, help="maxRecordCount")
    args = parser.parse_args(argv)
    rows = rows_from_classic_csv(args.csv, args.rows) if args.csv else synthetic_rows(args.rows)
    with FakeArcGIS(rows, args.page, args.port) as fake:
        print(fake.url, flush=True)
        threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
