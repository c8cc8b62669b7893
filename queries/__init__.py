"""Every read of the database: one ``.sql`` file per question, loaded by name.

Each file declares its parameters in header lines of the form::

    -- @param start_date date 2017-02-01  first day of the period

The example value documents the parameter and lets the test suite run every file. Values are bound
by DuckDB as ``$name`` parameters, never formatted into the SQL text.
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
