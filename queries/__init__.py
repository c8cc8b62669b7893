"""Every read of the database: one ``.sql`` file per question, loaded by name.

Each file declares its parameters in header lines of the form::

    -- @param start_date date 2017-02-01  first day of the period

The example value documents the parameter and lets the test suite run every file. Values are bound
by DuckDB as ``$name`` parameters, never formatted into the SQL text.

Each file also declares what its columns mean, one header line per returned column, in order::

    -- @column referrals count People referred

The kind (one of ``COLUMN_KINDS``) says how a value reads; the label is the plain words a table,
chart or download shows for it. The test suite checks the declared columns against what each file
returns, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from domain import disclosure

QUERY_DIR = Path(__file__).parent
_PARAM_LINE = re.compile(r"^--\s*@param\s+(\w+)\s+(\w+)\s+(\S+)(?:\s+(.*))?$")
_COLUMN_LINE = re.compile(r"^--\s*@column\s+(\w+)\s+(\w+)\s+(\S.*)$")
# What a column's values are, so a table or chart can format them without knowing the query.
COLUMN_KINDS = {
    "count": "a whole number of people, arrests or records",
    "rate": "an amount per unit of time or area (per year, per month, per km²)",
    "ratio": "one amount per 100 of another (an index where 100 is the baseline)",
    "percent": "a percentage, 0 to 100 (or a change in percent, which may be negative)",
    "share": "a fraction, 0 to 1",
    "number": "any other measure (kilometres, months, days)",
    "date": "a date or a timestamp",
    "flag": "true or false",
    "text": "words shown as they are (names, categories)",
    "id": "a key for joining or picking, not read by people",
    "geometry": "a shape or a coordinate for drawing (GeoJSON, WKB, bounding box)",
}
_CONVERTERS = {
    "date": date.fromisoformat,
    "int": int,
    "float": float,
    "str": str,
    "bool": lambda text: text.lower() == "true",
}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    example: object
    description: str


@dataclass(frozen=True)
class Column:
    """One returned column: its name in the result, its kind (a key of ``COLUMN_KINDS``) and label."""

    name: str
    kind: str
    label: str


@cache
def sql(name: str) -> str:
    """The text of ``queries/<name>.sql``."""
    path = QUERY_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no query named {name!r} (looked for {path.name} in {QUERY_DIR})")
    return path.read_text()


@cache
def params(name: str) -> tuple[Param, ...]:
    """The parameters a query declares, in order."""
    declared = []
    for line in sql(name).splitlines():
        match = _PARAM_LINE.match(line.strip())
        if match:
            pname, ptype, example, description = match.groups()
            if ptype not in _CONVERTERS:
                raise ValueError(f"query {name}: parameter {pname} has unknown type {ptype!r}")
            declared.append(Param(pname, ptype, _CONVERTERS[ptype](example), description or ""))
    return tuple(declared)


@cache
def columns(name: str) -> tuple[Column, ...]:
    """The columns a query declares, in the order it returns them.

    >>> [(c.name, c.kind, c.label) for c in columns("referral_by_offense")]
    [('offense_category', 'text', 'Offense'), ('referrals', 'count', 'People referred')]
    """
    return _parse_columns(name, sql(name))


def column_labels(name: str) -> dict[str, str]:
    """Column name → label for query ``name``, e.g. to rename a result's columns for a table.

    >>> column_labels("referral_by_offense")["referrals"]
    'People referred'
    """
    return {column.name: column.label for column in columns(name)}


def _parse_columns(name: str, text: str) -> tuple[Column, ...]:
    declared: list[Column] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("--") or "@column" not in stripped:
            continue
        match = _COLUMN_LINE.match(stripped)
        if not match:
            raise ValueError(
                f"query {name}: column line {stripped!r} is not '-- @column <name> <kind> <label>'"
            )
        cname, kind, label = match.groups()
        if kind not in COLUMN_KINDS:
            raise ValueError(
                f"query {name}: column {cname} has unknown kind {kind!r} (known: {', '.join(COLUMN_KINDS)})"
            )
        if any(column.name == cname for column in declared):
            raise ValueError(f"query {name}: column {cname} is declared twice")
        declared.append(Column(cname, kind, label.strip()))
    return tuple(declared)


def names() -> list[str]:
    """Every query in the folder."""
    return sorted(path.stem for path in QUERY_DIR.glob("*.sql"))


def examples(name: str) -> dict[str, object]:
    """The example value of every parameter of ``name``."""
    return {p.name: p.example for p in params(name)}


def run(con: duckdb.DuckDBPyConnection, name: str, **values) -> pd.DataFrame:
    """Run query ``name`` with its parameters bound; returns a DataFrame.

    Uses a cursor of ``con`` so a shared connection can serve several threads.
    """
    declared = {p.name for p in params(name)}
    missing = declared - values.keys()
    unknown = values.keys() - declared
    if missing or unknown:
        raise TypeError(
            f"query {name}: missing parameters {sorted(missing)}, unknown parameters {sorted(unknown)}"
        )
    _check_public_period(name, values)
    cursor = con.cursor()
    try:
        return cursor.execute(sql(name), values).df()
    finally:
        cursor.close()


def _check_public_period(name: str, values: dict) -> None:
    """A public count over a period that is not a run of whole quarters could be differenced against
    another (see domain/disclosure.py): refuse it here, whatever page asked."""
    if values.get("public") is not True or "start_date" not in values:
        return
    if values.get("step", "quarter") != "quarter":
        raise ValueError(f"query {name}: public figures are counted per quarter, not per {values['step']}")
    start, end = values["start_date"], values.get("end_date", values["start_date"])
    if not disclosure.is_public_period(start, end):
        raise ValueError(
            f"query {name}: public figures cover whole quarters; {start}..{end} is not one "
            "(snap it with domain.disclosure.PublicSpan.snap)"
        )
