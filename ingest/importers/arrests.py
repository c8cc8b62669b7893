"""BPD arrests: the classic Open Baltimore CSV and the ArcGIS Hub export, into ``arrests``.

>>> # report = import_arrests(con, Path("BPD_Arrests.csv"))
>>> # print("\\n".join(report.lines()))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from ingest.classify import category_map, unclassified_from
from ingest.importers import people
from ingest.importers import validate as v
from ingest.importers.columns import ARRESTS_LAYOUT, ColumnMatch
from ingest.importers.pipeline import Kind, run_import
from ingest.importers.report import ImportReport

# BPD's open data starts in 2010; anything before 1990 is a typing or export error (Excel's 1900 epoch).
EARLIEST_ARREST = dt.date(1990, 1, 1)
MAX_AGE = 120
UNCLASSIFIED_SHOWN = 10
ARRESTS_COLUMNS = (
    "arrest_id",
    "arrest_date",
    "arrest_time",
    "age",
    "charge_code",
    "charge_description",
    "lead_category",
    "district",
    "neighborhood",
    "lat",
    "lon",
    "geom",
    "source",
    "in_pilot_zone",
    "district_1959",
    "district_2023",
    "nsa",
    "h3_r8",
    "h3_r9",
    "race",
    "sex",
)


def _describe(rows: v.RowChecks, match: ColumnMatch, box: v.CityBox, today: dt.date) -> None:
    at = match.position.get
    rows.text("arrest_id", at("arrest_id"))  # blank ids are derived later, not refused
    rows.date("arrest_date", at("arrest_date"), "arrest date", EARLIEST_ARREST, today, required=True)
    rows.time("arrest_time", at("arrest_time"), "arrest time")
    rows.integer("age", at("age"), "age", 0, MAX_AGE)
    people.describe(rows, match)  # race and sex: BPD's one-letter codes
    rows.text("charge_code", at("charge_code"))
    rows.text("charge_description", at("charge_description"))
    rows.text("district", at("district"))
    rows.text("neighborhood", at("neighborhood"))
    rows.coordinates(at("lat"), at("lon"), at("location"), box)


def _classify(
    con: duckdb.DuckDBPyConnection, table: str, into: str
) -> list[tuple[str | None, str | None, int]]:
    top = unclassified_from(category_map(con, table, into), n=UNCLASSIFIED_SHOWN)
    return [
        (_text(row.charge_code), _text(row.charge_description), int(row.arrests)) for row in top.itertuples()
    ]


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


ARRESTS = Kind(
    layout=ARRESTS_LAYOUT,
    table="arrests",
    id_column="arrest_id",
    date_column="arrest_date",
    columns=ARRESTS_COLUMNS,
    describe=_describe,
    # About 4% of BPD's rows ("Unknown Charge" bookings) have no arrest number; they are real
    # arrests, so they get a stable id from their content instead of being dropped.
    derive_missing_ids=True,
    classify=_classify,
)


def import_arrests(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    name: str | None = None,
    progress: Callable[[float, str], None] | None = None,
    today: dt.date | None = None,
) -> ImportReport:
    """Load a BPD arrests file in one transaction; return the report (also stored in ``imports``).

    ``name`` is the file name recorded as the rows' ``source`` (defaults to ``path.name``; the
    import page passes the uploaded file's name). Raises :class:`ImportRejected` when the file as a
    whole cannot be loaded; the database is then left exactly as it was.
    """
    return run_import(con, Path(path), ARRESTS, name=name, progress=progress, today=today)
