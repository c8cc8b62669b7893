"""Every .sql file runs against a small generated database; the loader binds parameters safely."""

from datetime import date

import pytest

import queries


@pytest.mark.parametrize("name", queries.names())
def test_every_query_runs_with_its_example_parameters(demo_con, name):
    result = queries.run(demo_con, name, **queries.examples(name))
    assert list(result.columns), f"{name} returned no columns"


def test_missing_or_unknown_parameters_are_named():
    with pytest.raises(TypeError, match="missing parameters \\['end_date'\\]"):
        queries.run(None, "headline_counts", area_id="city", start_date=None, public=False)
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


def test_headline_counts_match_direct_sql(demo_con):
    start, end = date(2017, 2, 1), date(2024, 12, 31)
    figures = queries.run(
        demo_con, "headline_counts", area_id="pilot_zone", start_date=start, end_date=end, public=False
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
    assert figures.diversion_ratio == pytest.approx(round(100 * referrals / eligible, 1))
