"""The arrests store their closed sets (LEAD category, assigned police district) as DuckDB ENUMs: the
sets are exactly the classifier's categories and the shipped districts' short names, values outside
them are refused, and reading them back gives the same text."""

import duckdb
import pytest

from domain.program import LEAD_CATEGORIES
from geo.build_boundaries import DISTRICT_SHORT_NAMES
from store import connect, create_schema


@pytest.fixture
def con():
    con = connect(":memory:")
    create_schema(con)
    yield con
    con.close()


def _enum_values(con, column: str) -> set[str]:
    """The values the ``arrests`` column's ENUM type allows (fails if the column is not an ENUM)."""
    (type_name,) = con.execute(
        "select data_type from information_schema.columns where table_name = 'arrests' and column_name = ?",
        [column],
    ).fetchone()
    assert type_name.startswith("ENUM("), f"{column} is {type_name}"
    return {value for (value,) in con.execute(f"select unnest(enum_range(null::{type_name}))").fetchall()}


def test_enum_sets_are_the_classifier_categories_and_the_district_short_names(con):
    assert _enum_values(con, "lead_category") == set(LEAD_CATEGORIES)
    for column in ("district_1959", "district_2023"):
        assert _enum_values(con, column) == set(DISTRICT_SHORT_NAMES.values())


def test_values_outside_the_sets_are_refused_and_known_ones_read_back_as_text(con):
    insert = (
        "insert into arrests (arrest_id, arrest_date, source, lead_category, district_1959) "
        "values (?, date '2017-03-01', 'test', ?, ?)"
    )
    con.execute(insert, ["a1", "cds_possession", "Southeast"])
    with pytest.raises(duckdb.ConversionException):
        con.execute(insert, ["a2", "jaywalking", "Central"])
    with pytest.raises(duckdb.ConversionException):
        con.execute(insert, ["a3", "larceny", "Southeastern"])  # the long name is not what arrests carry
    row = con.execute(
        "select lead_category::varchar, district_1959::varchar, lead_category = 'cds_possession' from arrests"
    ).fetchall()
    assert row == [("cds_possession", "Southeast", True)]
    assert con.execute("select count(*) from arrests").fetchone()[0] == 1
