"""Classify arrests into LEAD offense categories with the rule table in ``rules/lead_charge_rules.csv``.

The rule table is data, so a reviewer can read and change it without touching code. Each row has a
``stage``; stages run in this order and, within a stage, the first matching row (in file order) wins:

``exclude``
    A description that names a violent, sex, weapon or burglary offense vetoes any LEAD category,
    whatever the code says (officers sometimes key a drug code with "HGV" as the description).
``code``
    Maryland CJIS charge code (BPD writes ``4 3550`` with a space; matching ignores whitespace).
    A code row may also carry a description regex to refine one code (``1 3605`` indecent exposure
    with "URINATION" is public urination). A code listed with an empty category is known non-LEAD:
    its description is never consulted.
``description``
    Fallback for records without a code or with a code the table does not list. Public urination
    usually has no code, only a description.

Patterns are Python regular expressions searched in the upper-cased, whitespace-collapsed
description. A record no row matches is *unrecognised* (``rule_id`` null): the import report lists
those, since they are where the table needs work. Known non-LEAD charges match a row with an empty
category and are not reported.

Classification runs on the distinct (code, description) pairs, a few thousand even for a million
arrests, and the result is joined back set-wise.

>>> classify_one("4 3550", "CDS POSS")
'cds_possession'
>>> classify_one(None, "PUBLIC URINATION")
'public_urination'
>>> classify_one("1 0521", "ROBBERY") is None
True
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from domain.program import LEAD_CATEGORIES

RULES_PATH = Path(__file__).with_name("rules") / "lead_charge_rules.csv"
STAGES = ("exclude", "code", "description")
RULE_COLUMNS = ("stage", "charge_code", "description_regex", "lead_category", "note")


@dataclass(frozen=True)
class Rule:
    rule_id: int  # data row number in the CSV (1 = first row after the header)
    stage: str
    code_key: str | None  # charge code with whitespace removed, upper case
    pattern: re.Pattern | None
    lead_category: str | None
    note: str


def normalise_code(code: object) -> str | None:
    """Charge code as a match key: whitespace removed, upper case; blank -> None.

    >>> normalise_code(" 4 3550 ")
    '43550'
    """
    if code is None or (isinstance(code, float) and np.isnan(code)):
        return None
    key = re.sub(r"\s+", "", str(code)).upper()
    return key or None


def normalise_description(description: object) -> str:
    """Description as matched: upper case, runs of whitespace collapsed; missing -> ''."""
    if description is None or (isinstance(description, float) and np.isnan(description)):
        return ""
    return re.sub(r"\s+", " ", str(description)).strip().upper()


def load_rules(path: Path = RULES_PATH) -> tuple[Rule, ...]:
    """Read and validate the rule table; rules come back in evaluation order."""
    return _load_rules_cached(str(Path(path).resolve()), Path(path).stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _load_rules_cached(path: str, _mtime: int) -> tuple[Rule, ...]:
    name = Path(path).name
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != RULE_COLUMNS:
            raise ValueError(
                f"rule table {name}: columns must be {RULE_COLUMNS} (found: {reader.fieldnames})"
            )
        rules = []
        for rule_id, row in enumerate(reader, start=1):
            where = f"rule table {name}, row {rule_id}"
            stage = row["stage"].strip()
            if stage not in STAGES:
                raise ValueError(f"{where}: stage {stage!r} is not one of {STAGES}")
            category = row["lead_category"].strip() or None
            if category is not None and category not in LEAD_CATEGORIES:
                raise ValueError(f"{where}: lead_category {category!r} is not one of {LEAD_CATEGORIES}")
            code_key = normalise_code(row["charge_code"])
            regex = row["description_regex"].strip()
            try:
                pattern = re.compile(regex) if regex else None
            except re.error as exc:
                raise ValueError(f"{where}: description_regex {regex!r} does not compile ({exc})") from exc
            if stage == "code" and code_key is None:
                raise ValueError(f"{where}: a code rule needs a charge_code")
            if stage != "code" and (code_key is not None or pattern is None):
                raise ValueError(f"{where}: an {stage} rule needs a description_regex and no charge_code")
            if stage == "exclude" and category is not None:
                raise ValueError(f"{where}: an exclude rule cannot carry a lead_category")
            rules.append(Rule(rule_id, stage, code_key, pattern, category, row["note"].strip()))
    return tuple(sorted(rules, key=lambda r: (STAGES.index(r.stage), r.rule_id)))


def _explain_pairs(codes: pd.Series, descriptions: pd.Series, rules: tuple[Rule, ...]) -> pd.DataFrame:
    """Category and matching rule for each (code, description) pair, one rule at a time over all pairs."""
    keys = codes.map(normalise_code)
    texts = descriptions.map(normalise_description)
    category = np.full(len(keys), None, dtype=object)
    rule_id = np.full(len(keys), -1, dtype=np.int64)
    open_ = np.ones(len(keys), dtype=bool)
    listed_codes = {r.code_key for r in rules if r.stage == "code"}
    code_listed = keys.isin(listed_codes).to_numpy()
    key_values = keys.to_numpy(dtype=object)
    for rule in rules:
        if not open_.any():
            break
        if rule.stage == "code":
            hit = open_ & (key_values == rule.code_key)
        elif rule.stage == "description":
            hit = open_ & ~code_listed
        else:
            hit = open_.copy()
        if rule.pattern is not None and hit.any():
            idx = np.flatnonzero(hit)
            matched = np.fromiter(
                (rule.pattern.search(texts.iat[i]) is not None for i in idx), bool, len(idx)
            )
            hit[idx] = matched
        category[hit] = rule.lead_category
        rule_id[hit] = rule.rule_id
        open_ &= ~hit
    return pd.DataFrame(
        {
            "lead_category": pd.Series(category, index=codes.index, dtype=object),
            "rule_id": pd.Series(rule_id, index=codes.index).where(lambda s: s >= 0).astype("Int64"),
        }
    )


def explain_frame(
    df: pd.DataFrame,
    code_col: str = "charge_code",
    description_col: str = "charge_description",
    rules: tuple[Rule, ...] | None = None,
) -> pd.DataFrame:
    """``lead_category`` and ``rule_id`` (null when no rule matched) for every row of ``df``.

    Work is done once per distinct (code, description) pair and mapped back to the rows.
    """
    for col in (code_col, description_col):
        if col not in df.columns:
            raise ValueError(f"classify: column {col!r} missing (found: {list(df.columns)})")
    rules = rules if rules is not None else load_rules()
    pairs = df[[code_col, description_col]].astype(object)
    pairs = pairs.where(pairs.notna(), None)
    codes_idx, uniques = pd.factorize(pd.MultiIndex.from_frame(pairs), use_na_sentinel=False)
    uniq = uniques.to_frame(index=False, name=["code", "description"])
    explained = _explain_pairs(uniq["code"], uniq["description"], rules)
    out = explained.iloc[codes_idx].reset_index(drop=True)
    out.index = df.index
    return out


def classify_frame(
    df: pd.DataFrame,
    code_col: str = "charge_code",
    description_col: str = "charge_description",
    rules: tuple[Rule, ...] | None = None,
) -> pd.Series:
    """LEAD category (or None) for every row of ``df``.

    >>> classify_frame(pd.DataFrame({"charge_code": ["3 0233", None],
    ...                              "charge_description": ["PWID HEROIN", "TRESSPASSING"]})).tolist()
    ['cds_distribution', 'trespass']
    """
    return explain_frame(df, code_col, description_col, rules)["lead_category"].rename("lead_category")


def classify_one(
    code: str | None, description: str | None, rules: tuple[Rule, ...] | None = None
) -> str | None:
    """LEAD category of one charge (for tests and the REPL; use the frame or DuckDB versions in bulk)."""
    frame = pd.DataFrame({"charge_code": [code], "charge_description": [description]}, dtype=object)
    return classify_frame(frame, rules=rules).iat[0]


def _distinct_pairs(con: duckdb.DuckDBPyConnection, table: str, code_col: str, description_col: str):
    code, description = sql_identifier(code_col), sql_identifier(description_col)
    return con.sql(
        f"select {code} as code, {description} as description, count(*) as arrests "
        f"from {sql_identifier(table)} group by all"
    ).df()


def category_map(
    con: duckdb.DuckDBPyConnection,
    table: str,
    into: str,
    code_col: str = "charge_code",
    description_col: str = "charge_description",
    rules: tuple[Rule, ...] | None = None,
) -> pd.DataFrame:
    """Temp table ``into`` (code, description, lead_category): every distinct charge of ``table`` that
    has a LEAD category. Join it on both columns with ``is not distinct from`` (either may be NULL).

    The rules run once per distinct charge, not per row. Returns the distinct charges with their
    ``arrests`` count, ``lead_category`` and ``rule_id`` (what :func:`unclassified_top` reads).
    """
    pairs = _distinct_pairs(con, table, code_col, description_col)
    explained = explain_frame(pairs, "code", "description", rules)
    pairs["lead_category"] = explained["lead_category"].to_numpy()
    pairs["rule_id"] = explained["rule_id"].to_numpy()
    mapping = pairs.loc[pairs["lead_category"].notna(), ["code", "description", "lead_category"]]
    con.register("_lead_category_map", mapping)
    try:
        con.execute(
            f"create or replace temp table {sql_identifier(into)} as "
            "select code::varchar as code, description::varchar as description, "
            "lead_category::varchar as lead_category from _lead_category_map"
        )
    finally:
        con.unregister("_lead_category_map")
    return pairs


def classify_in_duckdb(
    con: duckdb.DuckDBPyConnection,
    table: str,
    code_col: str = "charge_code",
    description_col: str = "charge_description",
    target_col: str = "lead_category",
    rules: tuple[Rule, ...] | None = None,
) -> dict[str, int]:
    """Set ``target_col`` of every row of ``table`` from its charge, set-wise; return counts per category.

    The column is created (VARCHAR) when missing. Rows with no LEAD category get NULL.

    >>> con = duckdb.connect()
    >>> _ = con.execute("create table t as select '2 2220' as charge_code, 'TRESPASS' as charge_description")
    >>> classify_in_duckdb(con, "t")
    {'trespass': 1}
    """
    pairs = category_map(con, table, "_lead_category_codes", code_col, description_col, rules)
    con.execute(
        f"alter table {sql_identifier(table)} add column if not exists {sql_identifier(target_col)} varchar"
    )
    try:
        con.execute(f"update {sql_identifier(table)} set {sql_identifier(target_col)} = null")
        con.execute(
            f"""
            update {sql_identifier(table)} as t
            set {sql_identifier(target_col)} = m.lead_category
            from _lead_category_codes as m
            where t.{sql_identifier(code_col)} is not distinct from m.code
              and t.{sql_identifier(description_col)} is not distinct from m.description
            """
        )
    finally:
        con.execute("drop table if exists _lead_category_codes")
    counts = pairs.dropna(subset=["lead_category"]).groupby("lead_category")["arrests"].sum()
    return {k: int(v) for k, v in counts.sort_index().items()}


def unclassified_from(pairs: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The ``n`` most frequent charges of :func:`category_map`'s ``pairs`` that no rule recognised."""
    unknown = pairs.loc[pairs["rule_id"].isna(), ["code", "description", "arrests"]]
    unknown = unknown.sort_values(["arrests", "code", "description"], ascending=[False, True, True])
    return (
        unknown.head(n)
        .rename(columns={"code": "charge_code", "description": "charge_description"})
        .reset_index(drop=True)
    )


def unclassified_top(
    con: duckdb.DuckDBPyConnection,
    table: str,
    n: int = 20,
    code_col: str = "charge_code",
    description_col: str = "charge_description",
    rules: tuple[Rule, ...] | None = None,
) -> pd.DataFrame:
    """The ``n`` most frequent charges no rule recognised: charge_code, charge_description, arrests.

    Charges the table knows to be non-LEAD (assault, failure to appear...) are not listed: these are
    the pairs a person should look at to extend the rule table.
    """
    pairs = _distinct_pairs(con, table, code_col, description_col)
    explained = explain_frame(pairs, "code", "description", rules)
    pairs["rule_id"] = explained["rule_id"].to_numpy()
    return unclassified_from(pairs, n)


def sql_identifier(name: str) -> str:
    """Quote an identifier (table or column name) for DuckDB."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name):
        raise ValueError(f"classify: {name!r} is not a plain table or column name")
    return ".".join(f'"{part}"' for part in name.split("."))
