"""Set-wise checks of staged text: each check is a SQL condition evaluated over every row at once.

A kind of file (arrests, referrals) declares its fields on a :class:`RowChecks`; :meth:`RowChecks.build`
then runs one statement in three steps:

1. *texts*: helper columns parsed once from the raw text (a date's leading token, latitude text);
2. *typed*: each field's typed value (``arrest_date``, ``lat``...), computed once from the texts;
3. *checks*: every :class:`Check` is a condition over the texts and typed values. Only rows that fail
   at least one check build their ``problems`` list of ``{column, reason, echo}`` and a JSON copy of
   the row, so a clean million-row file pays for booleans only.

A row with no problems may be loaded; the others go to quarantine with every reason that applies,
so a person fixing the file sees all of them at once. Reasons are fixed labels (reports count rows
per label); the offending values are quoted from the row copy.

Only SQL written here is spliced: staged columns are positional (``c0``, ``c1``...) and text from the
file is only ever a value, never part of a statement.

>>> rows = RowChecks()
>>> rows.date("arrest_date", 4, "arrest date", earliest=dt.date(1990, 1, 1), today=dt.date(2024, 1, 1))
>>> [c.reason for c in rows.checks][:2]
["'arrest date is not a date'", "'arrest date is not a real calendar date'"]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

MAX_FIELD_CHARS = 1_000  # longer than any charge text or id; a longer field means a broken row
MAX_RAW_VALUE_CHARS = 500  # per value in the quarantined copy of a row
DATE_TOKEN = r"^\s*([0-9]{1,4}[-/][0-9]{1,2}[-/][0-9]{1,4})"
DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%Y/%m/%d", "%m-%d-%Y")
TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M:%S %p")
# "(39.2902, -76.6121)" as BPD writes points; "POINT (-76.6121 39.2902)" as GIS tools do.
PAIR_PATTERN = r"^\(\s*(-?[0-9]+(?:\.[0-9]*)?)\s*,\s*(-?[0-9]+(?:\.[0-9]*)?)\s*\)$"
POINT_PATTERN = r"^POINT\s*\(\s*(-?[0-9]+(?:\.[0-9]*)?)\s+(-?[0-9]+(?:\.[0-9]*)?)\s*\)$"
EMPTY_PAIR_PATTERN = r"^\(?\s*,?\s*\)?$"
OUTSIDE_CITY = "outside Baltimore City"


@dataclass(frozen=True)
class Check:
    """A row is bad for ``reason`` when ``condition`` holds.

    ``reason`` is a SQL expression giving a fixed label (never the offending value); ``echo`` lists
    the header positions whose values a message quotes (default: ``column``).
    """

    column: int | None  # header position the problem is about; None for the row as a whole
    condition: str
    reason: str
    echo: tuple[int, ...] = ()
    screened: bool = False  # covered by one of RowChecks.screens, so left out of the any-problem test

    @property
    def shown(self) -> tuple[int, ...]:
        return self.echo or (() if self.column is None else (self.column,))


@dataclass(frozen=True)
class CityBox:
    """Bounding box of the city's districts, widened by a margin, as a cheap first out-of-city test."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


def sql_text(value: str) -> str:
    """A Python string as a SQL string literal (single quotes doubled; DuckDB has no backslash escapes)."""
    return "'" + value.replace("\x00", "").replace("'", "''") + "'"


def col(index: int) -> str:
    """The trimmed text of staged column ``index``; NULL when blank."""
    return f"nullif(trim(c{index}), '')"


def city_box(con: duckdb.DuckDBPyConnection, margin_degrees: float = 0.01) -> CityBox:
    """The 1959-2022 districts' extent plus ``margin_degrees`` (about 1 km) on each side."""
    row = con.sql(
        "select min(st_xmin(geom)), min(st_ymin(geom)), max(st_xmax(geom)), max(st_ymax(geom)) "
        "from areas where kind = 'district' and edition = '1959-2022'"
    ).fetchone()
    if row is None or row[0] is None:
        raise LookupError("no 1959-2022 police districts in the areas table")
    m = margin_degrees
    return CityBox(row[0] - m, row[1] - m, row[2] + m, row[3] + m)


def raw_row_expression(header: list[str]) -> str:
    """The row as it came, as a JSON object keyed by the file's own column names (values clipped)."""
    pairs = ", ".join(f"{sql_text(name)}, left(c{i}, {MAX_RAW_VALUE_CHARS})" for i, name in enumerate(header))
    return f"json_object({pairs})::varchar"


@dataclass
class RowChecks:
    """The fields of one kind of file, as SQL: helper texts, typed values and checks.

    Field methods take the header position of the field's column, or None when the file lacks it
    (the value is then NULL and nothing is checked).
    """

    texts: dict[str, str] = field(default_factory=dict)  # helper name -> SQL over c0, c1...
    values: dict[str, str] = field(default_factory=dict)  # field name -> SQL over texts and c0...
    checks: list[Check] = field(default_factory=list)  # conditions over values, texts and c0...
    # one cheap condition true whenever any of a group of screened checks is: a clean row pays for it
    # alone, and the group's checks run only on the rows it flags
    screens: list[str] = field(default_factory=list)

    def check(self, column: int | None, condition: str, reason: str, echo: tuple[int, ...] = ()) -> None:
        """A free-form check; ``condition`` may name any value already declared."""
        self.checks.append(Check(column, condition, sql_text(reason), echo))

    def text(self, name: str, index: int | None, label: str = "", required: bool = False) -> None:
        self.values[name] = "null::varchar" if index is None else col(index)
        if required and index is not None:
            self.check(index, f"{name} is null", f"{label} missing")

    def date(
        self,
        name: str,
        index: int | None,
        label: str,
        earliest: dt.date,
        today: dt.date,
        required: bool = False,
    ) -> None:
        """The date at the start of the field in any of ``DATE_FORMATS`` (a time after it is ignored).

        Checks: missing (when required), not a date, no such date (02/30), before ``earliest``,
        after ``today``.
        """
        if index is None:
            self.values[name] = "null::date"
            return
        token = f"_{name}_token"
        self.texts[token] = f"regexp_extract(c{index}, '{DATE_TOKEN}', 1)"
        tries = ", ".join(f"try_strptime({token}, '{fmt}')" for fmt in DATE_FORMATS)
        self.values[name] = f"coalesce({tries})::date"
        if required:
            self.check(index, f"{col(index)} is null", f"{label} missing")
        self.check(index, f"{col(index)} is not null and {token} = ''", f"{label} is not a date")
        self.check(index, f"{token} <> '' and {name} is null", f"{label} is not a real calendar date")
        self.check(index, f"{name} < DATE '{earliest.isoformat()}'", f"{label} before {earliest:%Y}")
        self.check(index, f"{name} > DATE '{today.isoformat()}'", f"{label} in the future")

    def time(self, name: str, index: int | None, label: str) -> None:
        if index is None:
            self.values[name] = "null::time"
            return
        tries = ", ".join(f"try_strptime({col(index)}, '{fmt}')" for fmt in TIME_FORMATS)
        self.values[name] = f"coalesce({tries})::time"
        self.check(index, f"{col(index)} is not null and {name} is null", f"{label} is not a time")

    def integer(self, name: str, index: int | None, label: str, low: int, high: int) -> None:
        if index is None:
            self.values[name] = "null::integer"
            return
        self.values[name] = (
            f"try_cast(regexp_extract({col(index)}, '^([0-9]{{1,3}})(\\.0+)?$', 1) as integer)"
        )
        self.check(
            index,
            f"{col(index)} is not null and ({name} is null or {name} not between {low} and {high})",
            f"{label} is not a whole number from {low} to {high}",
        )

    def choice(
        self,
        name: str,
        index: int | None,
        label: str,
        synonyms: dict[str, str],
        required: bool = False,
        blank: str | None = None,
        accepted: str | None = None,
    ) -> None:
        """A coded value: written forms (any case; spaces, hyphens or underscores) mapped to codes.

        ``blank``: the code of a blank value or a missing column (else NULL). ``accepted``: how the
        refusal names what the field may hold, when that is not simply the codes (e.g. BPD's letters).
        """
        if index is None:
            self.values[name] = "null::varchar" if blank is None else sql_text(blank)
            return
        key = f"trim(regexp_replace(lower({col(index)}), '[^a-z0-9]+', '_', 'g'), '_')"
        # A MAP lookup, not ``case key when ...``: DuckDB expands that into one comparison per written
        # form, each recomputing ``key``, which made this the slowest check of a million-row file.
        # Most values are already a written form but for case ('B', 'Male'): those skip the regex.
        codes = "map {" + ", ".join(f"{sql_text(k)}: {sql_text(v)}" for k, v in synonyms.items()) + "}"
        self.values[name] = f"coalesce({codes}[lower({col(index)})], {codes}[{key}])"
        if blank is not None:
            self.values[name] = (
                f"case when {col(index)} is null then {sql_text(blank)} else {self.values[name]} end"
            )
        allowed = accepted or ", ".join(sorted(set(synonyms.values())))
        if required:
            self.check(index, f"{col(index)} is null", f"{label} missing")
        self.check(index, f"{col(index)} is not null and {name} is null", f"{label} is not one of: {allowed}")

    def coordinates(
        self, lat_index: int | None, lon_index: int | None, pair_index: int | None, box: CityBox
    ) -> None:
        """``lat`` and ``lon`` from their columns, else from a '(lat, lon)' location field.

        Blank coordinates are fine (the record is unmapped). Otherwise one reason per row, the most
        specific first: (0, 0) before "swapped", swapped before "outside the city".
        """
        lat_text = col(lat_index) if lat_index is not None else "null::varchar"
        lon_text = col(lon_index) if lon_index is not None else "null::varchar"
        if pair_index is not None:
            pair = col(pair_index)
            blank = f"({lat_text} is null and {lon_text} is null)"
            lat_text = (
                f"case when {blank} then coalesce(nullif(regexp_extract({pair}, '{PAIR_PATTERN}', 1), ''), "
                f"nullif(regexp_extract({pair}, '{POINT_PATTERN}', 2), '')) else {lat_text} end"
            )
            lon_text = (
                f"case when {blank} then coalesce(nullif(regexp_extract({pair}, '{PAIR_PATTERN}', 2), ''), "
                f"nullif(regexp_extract({pair}, '{POINT_PATTERN}', 1), '')) else {lon_text} end"
            )
        self.texts["_lat_text"], self.texts["_lon_text"] = lat_text, lon_text
        self.values["lat"] = "try_cast(_lat_text as double)"
        self.values["lon"] = "try_cast(_lon_text as double)"
        if lat_index is None and lon_index is None and pair_index is None:
            return
        column = lat_index if lat_index is not None else pair_index
        echo = tuple(i for i in (lat_index, lon_index, pair_index) if i is not None)
        if pair_index is not None:
            # CASE, not AND: a row's conditions are all evaluated, and only a few rows need the regex
            self.check(
                pair_index,
                f"case when _lat_text is null and _lon_text is null and {col(pair_index)} is not null "
                f"then not regexp_matches({col(pair_index)}, '{EMPTY_PAIR_PATTERN}') end",
                "location is not a (lat, lon) pair",
            )
        lat_in = f"between {box.min_lat} and {box.max_lat}"
        lon_in = f"between {box.min_lon} and {box.max_lon}"
        cases = [
            ("(_lat_text is null) <> (_lon_text is null)", "only one of latitude and longitude given"),
            (
                "lat is null or lon is null or not isfinite(lat) or not isfinite(lon)",
                "coordinate is not a number",
            ),
            ("lat = 0 and lon = 0", "coordinates are (0, 0)"),
            (f"lon {lat_in} and lat {lon_in}", "latitude and longitude swapped"),
            ("lat = round(lat) and lon = round(lon)", "placeholder coordinates (whole degrees)"),
            (f"not (lat {lat_in} and lon {lon_in})", OUTSIDE_CITY),
        ]
        reason = "case " + " ".join(f"when {cond} then {sql_text(label)}" for cond, label in cases) + " end"
        given = "(_lat_text is not null or _lon_text is not null)"
        self.checks.append(Check(column, f"{given} and ({reason}) is not null", reason, echo))

    def field_lengths(self, width: int) -> None:
        """Any field longer than ``MAX_FIELD_CHARS`` marks the row as broken, whatever column it is in."""
        reason = sql_text(f"field longer than {MAX_FIELD_CHARS:,} characters")
        for i in range(width):
            self.checks.append(Check(i, f"length(c{i}) > {MAX_FIELD_CHARS}", reason, screened=True))
        if width:
            longest = ", ".join(f"coalesce(length(c{i}), 0)" for i in range(width))
            self.screens.append(f"greatest({longest}) > {MAX_FIELD_CHARS}")

    def problems_sql(self) -> tuple[str, str]:
        """(any problem?, list of ``{column, reason, echo}`` structs for the failing checks)."""
        if not self.checks:
            return "false", "[]::struct(column integer, reason varchar, echo integer[])[]"
        conditions = [f"coalesce({c.condition}, false)" for c in self.checks]
        tests = [f for c, f in zip(self.checks, conditions, strict=True) if not c.screened] + self.screens
        items = []
        for c, condition in zip(self.checks, conditions, strict=True):
            column = "null" if c.column is None else str(c.column)
            echo = "[" + ", ".join(str(i) for i in c.shown) + "]"
            problem = (
                f"{{'column': {column}::integer, 'reason': ({c.reason})::varchar, 'echo': {echo}::integer[]}}"
            )
            items.append(f"case when {condition} then {problem} end")
        return " or ".join(tests), f"list_filter([{', '.join(items)}], p -> p is not null)"

    def build(self, con: duckdb.DuckDBPyConnection, staged: str, into: str, header: list[str]) -> None:
        """Create temp table ``into``: row_number, every value, ``problems`` (list) and ``raw`` (JSON)."""
        width = len(header)
        raw_columns = ", ".join(f"c{i}" for i in range(width))
        texts = "".join(f", {expr} as {name}" for name, expr in self.texts.items())
        values = "".join(f", {expr} as {name}" for name, expr in self.values.items())
        names = ", ".join(self.values)
        any_problem, problems = self.problems_sql()
        con.execute(
            f"""
            create or replace temp table {into} as
            with texts as (
                select row_number, {raw_columns}{texts} from {staged}
            ),
            typed as (
                select *{values} from texts
            ),
            flagged as (
                select *, {any_problem} as _bad from typed
            )
            select
                row_number, {names},
                case when _bad then {problems} else [] end as problems,
                case when _bad then {raw_row_expression(header)} end as raw
            from flagged
            """
        )
