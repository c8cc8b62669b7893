"""Every .sql file runs against a small generated database; the loader binds parameters safely."""

import doctest
from datetime import date

import pytest

import queries
from domain.figures import FIGURES


@pytest.mark.parametrize("name", queries.names())
def test_every_query_runs_with_its_example_parameters(demo_con, name):
    result = queries.run(demo_con, name, **queries.examples(name))
    assert list(result.columns), f"{name} returned no columns"


@pytest.mark.parametrize("name", queries.names())
def test_declared_columns_are_the_columns_returned(demo_con, name):
    """Every column a query returns is declared, in order, with a label; nothing else is declared."""
    result = queries.run(demo_con, name, **queries.examples(name))
    assert [column.name for column in queries.columns(name)] == list(result.columns)
    assert all(column.label and column.kind in queries.COLUMN_KINDS for column in queries.columns(name))


def test_headline_figure_columns_carry_the_figures_labels():
    """A column named for a headline figure is labelled exactly as domain/figures.py labels it."""
    checked = 0
    for name in queries.names():
        for column in queries.columns(name):
            if column.name in FIGURES:
                assert column.label == FIGURES[column.name].label, f"{name}.{column.name}"
                checked += 1
    assert checked >= 10
    assert queries.column_labels("eligible_arrests_vs_referrals_over_time") == {
        "period_start": "Period starting",
        "eligible_arrests": "LEAD-eligible arrests",
        "referrals": "People referred",
    }


def test_column_kinds_say_how_values_read():
    kinds = {column.name: column.kind for column in queries.columns("expansion_ranking")}
    assert kinds["eligible_arrests"] == "count"
    assert kinds["eligible_per_year"] == "rate"
    assert kinds["possession_share"] == "share"
    assert kinds["trend_pct_per_year"] == "percent"
    assert kinds["area_id"] == "id"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("-- @column referrals tally People referred", "column referrals has unknown kind 'tally'"),
        ("-- @column referrals count", "is not '-- @column <name> <kind> <label>'"),
        (
            "-- @column referrals count People\n-- @column referrals count Again",
            "referrals is declared twice",
        ),
    ],
)
def test_bad_column_lines_are_refused_with_the_query_named(line, message):
    with pytest.raises(ValueError, match=f"query q: .*{message}"):
        queries._parse_columns("q", line + "\nselect 1 as referrals")


def test_column_docstring_examples_hold():
    results = doctest.testmod(queries)
    assert results.attempted >= 2
    assert results.failed == 0


def test_missing_or_unknown_parameters_are_named():
    with pytest.raises(TypeError, match="missing parameters \\['end_date'\\]"):
        queries.run(None, "referral_headline", area_id="city", start_date=None, public=False)
    with pytest.raises(TypeError, match="unknown parameters \\['colour'\\]"):
        queries.run(None, "areas_geojson", kind="district", edition="any", colour="red")


def test_unknown_query_name_is_a_clear_error():
    with pytest.raises(KeyError, match="no query named 'nope'"):
        queries.sql("nope")


def test_parameters_are_bound_not_spliced(demo_con):
    """An injection string is just a name that matches nothing."""
    hostile = "x' or '1'='1"
    result = queries.run(demo_con, "areas_geojson", kind=hostile, edition="any")
    assert result.empty


def test_referral_headline_matches_direct_sql(demo_con):
    start, end = date(2017, 2, 1), date(2024, 12, 31)
    figures = queries.run(
        demo_con, "referral_headline", area_id="pilot_zone", start_date=start, end_date=end, public=False
    )
    figures = figures.iloc[0]
    referrals = demo_con.execute(
        "select count(*) from referrals r join areas a on a.area_id = 'pilot_zone' "
        "where st_contains(a.geom, r.geom) and referred_on between ? and ?",
        [start, end],
    ).fetchone()[0]
    eligible = demo_con.execute(
        "select count(*) from arrests r join areas a on a.area_id = 'pilot_zone' "
        "where st_contains(a.geom, r.geom) and lead_category is not null and arrest_date between ? and ?",
        [start, end],
    ).fetchone()[0]
    assert figures.referrals == referrals > 0
    assert figures.eligible_arrests == eligible > 0
