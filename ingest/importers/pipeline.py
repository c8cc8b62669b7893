"""The steps every import takes, whatever the kind of file: read, check, place, de-duplicate, write.

All the work happens in temporary tables first; the database itself is touched only at the end, in
one transaction that replaces the synthetic demo rows of the target table, inserts the new rows and
records the import and its quarantine. A file rejected at any step, or a process killed at any
point, leaves the database exactly as it was.

Every step is a statement over whole tables, and no step updates a million-row table in place: the
checks build one table, places and charges are worked out once per distinct point and per distinct
charge, and one join assembles the rows to write (with their derived ids and duplicate marks).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from ingest.assign import ASSIGNED_COLUMNS, build_point_areas
from ingest.importers import validate as v
from ingest.importers.columns import ColumnMatch, Layout, describe_missing, known_header, match_columns
from ingest.importers.read import ImportRejected, StagedFile, clean_name, reject_if_mostly_broken, stage_file
from ingest.importers.report import ImportReport
from store import transaction
from store.connection import empty_table
from store.generations import BUILD_MEMORY_SETTING

SYNTHETIC_SOURCE = "synthetic-demo"
# Boundaries are generalised to 10 m and BPD rounds points to about 11 m, so a point this close
# outside the city line is taken as on it (kept, with no district) rather than quarantined.
CITY_EDGE_TOLERANCE_DEG = 0.0015  # about 130 m east-west, 165 m north-south at 39.3° N
EXAMPLES_SHOWN = 10
EXAMPLES_PER_REASON = 3
DERIVED_ID_PREFIX = "nokey-"

Progress = Callable[[float, str], None]
# Classifies the distinct charges of a table (arg 2) into a temp table (arg 3) of (code, description,
# lead_category); returns the most frequent unrecognised (code, description, count).
Classifier = Callable[[duckdb.DuckDBPyConnection, str, str], list[tuple[str | None, str | None, int]]]


@dataclass(frozen=True)
class Kind:
    """What differs between kinds of file; everything else is shared."""

    layout: Layout
    table: str
    id_column: str
    date_column: str
    columns: tuple[str, ...]  # target columns written, in order
    describe: Callable[[v.RowChecks, ColumnMatch, v.CityBox, dt.date], None]  # declares fields and checks
    derive_missing_ids: bool = False
    classify: Classifier | None = None


class _Temp:
    """Names of this import's temporary tables, dropped when the import ends."""

    def __init__(self, con: duckdb.DuckDBPyConnection, kind: str):
        self.con = con
        prefix = f"_import_{kind}"
        self.staged, self.checked = f"{prefix}_staged", f"{prefix}_checked"
        self.rows, self.problems = f"{prefix}_rows", f"{prefix}_problems"
        self.good = f"{prefix}_good"  # view: the checked rows with no problem
        self.points, self.charges = f"{prefix}_points", f"{prefix}_charges"  # per distinct point, charge
        self.derived = f"{prefix}_derived"  # ids made for rows that came without one
        self.duplicates = f"{prefix}_duplicates"  # (row_number, duplicate_of) of the rows not to load

    def drop(self) -> None:
        # a failing drop means the connection is going away, and its temp tables with it
        for view in (self.rows, self.good):
            with contextlib.suppress(duckdb.Error):
                self.con.execute(f"drop view if exists {view}")
        tables = (
            self.staged,
            self.checked,
            self.problems,
            self.points,
            self.charges,
            self.derived,
            self.duplicates,
        )
        for table in tables:
            with contextlib.suppress(duckdb.Error):
                self.con.execute(f"drop table if exists {table}")


def run_import(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: Kind,
    name: str | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> ImportReport:
    """Import one file of ``kind``; see :func:`ingest.importers.import_arrests` for the contract."""
    name = clean_name(name or path.name)
    what = f"{kind.layout.kind} file {name}"
    progress = progress or (lambda fraction, message: None)
    today = today or dt.date.today()
    started_at, clock = dt.datetime.now(), time.perf_counter()
    if not path.is_file():
        raise ImportRejected(f"{what}: no such file ({path})")
    box = _city_box(con, what)
    temp = _Temp(con, kind.layout.kind)
    try:
        progress(0.02, "reading the file")
        staged = stage_file(
            con, path, name, kind.layout.kind, temp.staged, lambda h: known_header(h, kind.layout)
        )
        match = match_columns(staged.header, kind.layout)
        if not match.complete:
            raise ImportRejected(f"{what}: {describe_missing(match, staged.header)}")
        reject_if_mostly_broken(staged, what)

        progress(0.30, f"checking {staged.rows_read:,} rows")
        rows = v.RowChecks()
        kind.describe(rows, match, box, today)
        rows.field_lengths(len(staged.header))
        rows.build(con, temp.staged, temp.checked, staged.header)
        _collect_problems(con, temp, staged)
        con.execute(
            f"create or replace temp view {temp.good} as select * from {temp.checked} where len(problems) = 0"
        )

        progress(0.45, "placing points in zone, districts, neighborhoods")
        try:
            build_point_areas(con, temp.good, temp.points)
        except ValueError as error:  # boundaries incomplete (no pilot zone, no NSAs...)
            raise ImportRejected(f"{what}: {error}") from error
        _quarantine_outside_city(con, temp, staged, match)
        if kind.derive_missing_ids:
            _derive_ids(con, temp, kind, staged)
        # the file's text is no longer needed (quarantined rows carry their copy): free it now
        con.execute(f"drop table {temp.staged}")

        progress(0.65, "classifying charges" if kind.classify else "checking for duplicates")
        unclassified = kind.classify(con, temp.good, temp.charges) if kind.classify else []
        _assemble_rows(con, temp, kind, list(rows.values))

        progress(0.80, "writing to the database")
        report = _write(con, temp, kind, name, staged, started_at, progress)
    except duckdb.OutOfMemoryException as error:
        raise ImportRejected(f"{what}: {_out_of_memory(con, error)}") from error
    except duckdb.IOException as error:  # e.g. no disk room for what DuckDB spills past its memory limit
        raise ImportRejected(
            f"{what}: the database could not write its working files ({_headline(error)}); "
            "check the disk room and the folder it names, and try again"
        ) from error
    finally:
        temp.drop()
    report.unclassified = unclassified
    report.seconds = time.perf_counter() - clock
    _describe_columns(report, match, kind.layout, staged)
    progress(1.0, "done")
    return report


def _city_box(con: duckdb.DuckDBPyConnection, what: str) -> v.CityBox:
    try:
        return v.city_box(con)
    except (LookupError, duckdb.CatalogException) as error:
        raise ImportRejected(
            f"{what}: the database has no boundaries to place records in ({error}); "
            "run `python -m ingest setup` first"
        ) from error


def _headline(error: Exception) -> str:
    """DuckDB's message without its advice lines (they name SQL settings a user of the importer has not)."""
    return str(error).splitlines()[0]


def _out_of_memory(con: duckdb.DuckDBPyConnection, error: duckdb.OutOfMemoryException) -> str:
    """Why an import stopped for want of memory, and the setting that gives it more."""
    with contextlib.suppress(duckdb.Error):
        limit = con.sql("select current_setting('memory_limit')").fetchone()[0]
        return (
            f"the import needed more memory than DuckDB may use here ({limit}; a refresh takes its "
            f"limit from {BUILD_MEMORY_SETTING}): raise it and try again"
        )
    return f"the import ran out of memory ({_headline(error)})"


def _collect_problems(con: duckdb.DuckDBPyConnection, temp: _Temp, staged: StagedFile) -> None:
    """One row per (row, reason) from the checks, plus the rows the reader could not split."""
    con.execute(
        f"""
        create or replace temp table {temp.problems} as
        select row_number, p.column as column_index, p.reason as reason, p.echo as echo,
               null::varchar as detail, raw
        from (select row_number, unnest(problems) as p, raw from {temp.checked} where len(problems) > 0)
        """
    )
    if staged.broken_rows:
        broken = pd.DataFrame(staged.broken_rows, columns=["row_number", "reason", "detail", "raw"])
        con.register("_broken_rows", broken)
        try:
            con.execute(
                f"insert into {temp.problems} "
                "select row_number, null, reason, []::integer[], detail, raw from _broken_rows"
            )
        finally:
            con.unregister("_broken_rows")


def _derive_ids(con: duckdb.DuckDBPyConnection, temp: _Temp, kind: Kind, staged: StagedFile) -> None:
    """Temp table of (row_number, derived_id) for the good rows that came without an id.

    Same content -> same id, so re-importing the file skips these rows as duplicates; the occurrence
    number keeps identical id-less rows within one file apart.
    """
    content = ", ".join(f"coalesce(s.c{i}, '')" for i in range(len(staged.header)))
    con.execute(
        f"""
        create or replace temp table {temp.derived} as
        select row_number,
               '{DERIVED_ID_PREFIX}' || content_key || '-'
               || row_number() over (partition by content_key order by row_number) as derived_id
        from (
            select s.row_number, left(md5(concat_ws(chr(31), {content})), 20) as content_key
            from {temp.staged} as s
            join {temp.good} as k on k.row_number = s.row_number and k.{kind.id_column} is null
        )
        """
    )


def _quarantine_outside_city(
    con: duckdb.DuckDBPyConnection, temp: _Temp, staged: StagedFile, match: ColumnMatch
) -> None:
    """Points in the city's bounding box but beyond its districts (e.g. Baltimore County): quarantine.

    Decided once per distinct point (``outside`` on the points table); the rows at those points go to
    quarantine with the row as it came, and :func:`_assemble_rows` leaves them out.
    """
    at = match.position.get
    column = next((i for i in (at("lat"), at("location"), at("lon")) if i is not None), None)
    echo = [i for i in (at("lat"), at("lon"), at("location")) if i is not None]
    con.execute(
        f"""
        create or replace temp table {temp.points} as
        with city as (
            select st_union_agg(geom) as geom from areas where kind = 'district' and edition = '1959-2022'
        )
        select p.*,
               p.district_1959 is null
               and st_distance(city.geom, p.geom) > {CITY_EDGE_TOLERANCE_DEG} as outside
        from {temp.points} as p, city
        """
    )
    con.execute(
        f"""
        insert into {temp.problems}
        select s.row_number, $column, $reason, $echo, null, {v.raw_row_expression(staged.header)}
        from {temp.staged} as s
        where s.row_number in (
            select g.row_number from {temp.good} as g
            join {temp.points} as p on p.lon = g.lon and p.lat = g.lat
            where p.outside
        )
        """,
        {"column": column, "reason": v.OUTSIDE_CITY, "echo": echo},
    )


def _assemble_rows(con: duckdb.DuckDBPyConnection, temp: _Temp, kind: Kind, names: list[str]) -> None:
    """View ``rows``: the rows to write, as one join of values, derived ids, places, LEAD category and
    ``duplicate_of`` — a view, so the million rows are not copied once more before they are written.

    ``duplicate_of`` is the earlier row of the file with the same id, or 0 when the id is already in
    the database (from an earlier import, not the demo); NULL for a row to load. Duplicates are few,
    so they are the one table built here.
    """
    key = kind.id_column
    row_key = f"coalesce(g.{key}, d.derived_id)" if kind.derive_missing_ids else f"g.{key}"
    values = ", ".join(f"{row_key} as {key}" if name == key else f"g.{name}" for name in names)
    derived = (
        f"left join {temp.derived} as d on d.row_number = g.row_number" if kind.derive_missing_ids else ""
    )
    places = ", ".join(f"p.{column}" for column in ASSIGNED_COLUMNS)
    # the rows kept: no problem, and not at a point outside the city (those are quarantined)
    kept = f"""
        from {temp.good} as g
        {derived}
        left join {temp.points} as p on p.lon = g.lon and p.lat = g.lat
    """
    outside = "p.outside is true"
    con.execute(
        f"""
        create or replace temp table {temp.duplicates} as
        with kept as (
            select g.row_number, {row_key} as id {kept} where not ({outside})
        ),
        repeated as (  -- ids that occur more than once in the file, and the row that came first
            select id, min(row_number) as first_row from kept group by id having count(*) > 1
        ),
        loaded as (
            select distinct {key} as id from {kind.table} where source <> '{SYNTHETIC_SOURCE}'
        )
        select k.row_number,
               (case when r.first_row <> k.row_number then r.first_row else 0 end)::bigint as duplicate_of
        from kept as k
        left join repeated as r on r.id = k.id
        left join loaded as e on e.id = k.id
        where r.first_row <> k.row_number or e.id is not null
        """
    )
    category, charges = "", ""
    if kind.classify:
        category = ", c.lead_category"
        charges = (
            f"left join {temp.charges} as c on c.code is not distinct from g.charge_code "
            "and c.description is not distinct from g.charge_description"
        )
    con.execute(
        f"""
        create or replace temp view {temp.rows} as
        select g.row_number, {values}, {places}{category}, x.duplicate_of
        {kept}
        left join {temp.duplicates} as x on x.row_number = g.row_number
        {charges}
        where not ({outside})
        """
    )


def _write(
    con: duckdb.DuckDBPyConnection,
    temp: _Temp,
    kind: Kind,
    name: str,
    staged: StagedFile,
    started_at: dt.datetime,
    progress: Progress,
) -> ImportReport:
    """The one transaction: replace synthetic rows, insert, record the import and its quarantine."""
    # one pass over the rows for every count (the rows are a join, so each pass costs)
    category = "coalesce(lead_category, 'not a LEAD offense')" if "lead_category" in kind.columns else "''"
    counts = con.sql(
        f"""
        select {category} as category, count(duplicate_of), count(*) filter (where duplicate_of is null),
               count(*) filter (where duplicate_of is null and geom is null), max({kind.date_column})
        from {temp.rows}
        group by all
        """
    ).fetchall()
    duplicates = sum(row[1] for row in counts)
    loaded = sum(row[2] for row in counts)
    unmapped = sum(row[3] for row in counts)
    as_of = max((row[4] for row in counts if row[4] is not None), default=None)
    categories = {}
    if "lead_category" in kind.columns:
        ranked = sorted(((row[0], row[2]) for row in counts if row[2]), key=lambda c: (-c[1], c[0]))
        categories = dict(ranked)
    quarantined = con.sql(f"select count(distinct row_number) from {temp.problems}").fetchone()[0]
    by_reason = dict(
        con.sql(
            f"select reason, count(distinct row_number) from {temp.problems} "
            "group by reason order by 2 desc, 1"
        ).fetchall()
    )
    examples = _problem_examples(con, temp, staged)
    duplicate_examples = _duplicate_examples(con, temp, kind) if duplicates else []
    report = ImportReport(
        kind=kind.layout.kind,
        source_file=name,
        import_id=0,
        rows_read=staged.rows_read,
        rows_loaded=loaded,
        rows_duplicate=duplicates,
        rows_quarantined=quarantined,
        rows_unmapped=unmapped,
        as_of=as_of,
        quarantined_by_reason=by_reason,
        examples=examples,
        duplicate_examples=duplicate_examples,
        categories=categories,
        notes=list(staged.notes),
    )
    if not report.balanced:  # a bug, not bad data: refuse to write a report that does not add up
        raise RuntimeError(f"{kind.layout.kind} file {name}: counts do not add up: {report.summary()}")

    try:
        with transaction(con):
            _store(con, temp, kind, name, staged, report, started_at, progress)
    except (duckdb.TransactionException, duckdb.ConstraintException, duckdb.IOException) as error:
        # e.g. two imports writing at once: the transaction rolled back, so nothing was written
        detail = _headline(error)
        raise ImportRejected(
            f"{kind.layout.kind} file {name}: the database did not accept the write ({detail}); try again"
        ) from error
    return report


def _store(
    con: duckdb.DuckDBPyConnection,
    temp: _Temp,
    kind: Kind,
    name: str,
    staged: StagedFile,
    report: ImportReport,
    started_at: dt.datetime,
    progress: Progress,
) -> None:
    """The writes of the one transaction: replace synthetic rows, insert, record import and quarantine."""
    good_rows = report.rows_loaded + report.rows_duplicate
    insert_columns = ", ".join(kind.columns)
    selected = ", ".join("$source" if c == "source" else c for c in kind.columns)
    if good_rows:
        # Real records replace the demo ones: the two are never mixed in one table.
        synthetic, total = con.execute(
            f"select count(*) filter (where source = '{SYNTHETIC_SOURCE}'), count(*) from {kind.table}"
        ).fetchone()
        # All synthetic, or empty: a table made in this transaction takes the rows. Deleting a million
        # rows took minutes, and DuckDB needs more memory to append to a table that already existed
        # (a million rows failed under a 100 MB bound that was enough for a new table).
        if synthetic == total:
            empty_table(con, kind.table)
        elif synthetic:
            con.execute(f"delete from {kind.table} where source = '{SYNTHETIC_SOURCE}'")
        report.replaced_synthetic = synthetic
    con.execute(
        f"insert into {kind.table} ({insert_columns}) "
        f"select {selected} from {temp.rows} where duplicate_of is null",
        {"source": name},
    )
    progress(0.90, "recording the import and its quarantine")
    report.import_id = con.execute(
        """
        insert into imports (source_file, kind, rows_read, rows_loaded, rows_duplicate, rows_quarantined,
                             rows_unmapped, status, message, as_of, started_at, finished_at)
        values ($source, $kind, $read, $loaded, $duplicates, $quarantined, $unmapped, 'loaded', $message,
                $as_of, $started_at, current_timestamp::timestamp)
        returning import_id
        """,
        {
            "source": name,
            "kind": kind.layout.kind,
            "read": report.rows_read,
            "loaded": report.rows_loaded,
            "duplicates": report.rows_duplicate,
            "quarantined": report.rows_quarantined,
            "unmapped": report.rows_unmapped,
            "message": report.summary(),
            "as_of": report.as_of,
            "started_at": started_at,
        },
    ).fetchone()[0]
    header = pd.DataFrame({"column_index": range(len(staged.header)), "field": staged.header})
    con.register("_import_header", header)
    try:
        con.execute(
            f"""
            insert into quarantine (import_id, source_file, row_number, field, reason, raw)
            select $import_id, $source, p.row_number, h.field, p.reason, p.raw
            from {temp.problems} as p
            left join _import_header as h on h.column_index = p.column_index
            order by p.row_number, p.reason
            """,
            {"import_id": report.import_id, "source": name},
        )
    finally:
        con.unregister("_import_header")


def _problem_examples(con: duckdb.DuckDBPyConnection, temp: _Temp, staged: StagedFile) -> list[str]:
    """The first quarantine entries as sentences naming the file's row, column and value."""
    # a few of each reason, in file order, so one frequent reason does not hide the others
    rows = con.sql(
        f"select row_number, column_index, reason, echo, detail, raw from {temp.problems} "
        f"qualify row_number() over (partition by reason order by row_number) <= {EXAMPLES_PER_REASON} "
        f"order by row_number, reason limit {EXAMPLES_SHOWN}"
    ).fetchall()
    lines = []
    for row_number, column_index, reason, echo, detail, raw in rows:
        where = f"row {row_number:,}"
        if column_index is not None:
            where += f", column {staged.header[column_index]!r}"
        line = f"{where}: {reason}"
        if detail:
            line += f" ({detail})"
        values = _echo_values(raw, [staged.header[i] for i in echo or []])
        if values:
            line += f" — {values}"
        elif column_index is None and raw and not raw.startswith("{"):
            line += f" — {_short(raw)}"
        lines.append(line)
    return lines


def _echo_values(raw: str | None, names: list[str]) -> str:
    if not raw or not names or not raw.startswith("{"):
        return ""
    try:
        record = json.loads(raw)
    except ValueError:
        return ""
    shown = [f"{name}={_short(record.get(name))}" for name in names]
    return ", ".join(shown)


def _short(value: object) -> str:
    if value is None:
        return "(blank)"
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _duplicate_examples(con: duckdb.DuckDBPyConnection, temp: _Temp, kind: Kind) -> list[str]:
    rows = con.sql(
        f"select row_number, {kind.id_column}, duplicate_of from {temp.rows} "
        f"where duplicate_of is not null order by row_number limit 5"
    ).fetchall()
    return [
        f"row {n:,}: {kind.id_column} {key!r} "
        + ("already loaded by an earlier import" if first == 0 else f"repeats row {first:,}")
        for n, key, first in rows
    ]


def _describe_columns(report: ImportReport, match: ColumnMatch, layout: Layout, staged: StagedFile) -> None:
    report.columns_used = {layout.field(f).label: header for f, header in match.source.items()}
    report.columns_missing = [f.label for f in match.missing_optional]
    report.columns_not_stored = match.not_stored
    report.columns_unknown = match.unknown
    if match.repeated:
        names = ", ".join(repr(n) for n in match.repeated)
        report.notes.append(f"repeated column names ({names}): the first of each was used")


__all__ = ["ImportRejected", "Kind", "run_import"]
