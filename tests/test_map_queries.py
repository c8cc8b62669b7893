"""The Map page's queries against the demo database, recounted independently.

The recounts use the raw coordinates and the area polygons (spatial SQL, H3 computed in Python), not
the assignment columns the page's queries read, so a wrong assignment or filter would show up here.
"""

from collections import Counter
from datetime import date
from functools import partial

import duckdb
import h3.api.basic_int as h3
import pandas as pd
import pytest

import queries
from domain.figures import NO_VALUE, REFERRALS_PER_100, referrals_per_100
from geo.map_page import MapFilters, headline_figures, load_figures

PERIOD = (date(2017, 2, 1), date(2024, 12, 31))
CASES = [
    # (area, referral type, offense category)
    ("city", "any", "any"),
    ("pilot_zone", "any", "any"),
    ("district:1959-2022:Central", "arrest", "any"),
    ("district:2023:Central", "any", "cds_possession"),
    ("nsa:Downtown", "social_contact", "any"),
    ("nsa:Upton", "any", "larceny"),
]


def _in_area(alias: str, area_id: str) -> tuple[str, list]:
    """SQL condition: the record's point lies in the area polygon (the whole city: no condition)."""
    if area_id == "city":
        return "true", []
    return f"st_contains((select geom from areas where area_id = ?), {alias}.geom)", [area_id]


def _recount(con, area_id, referral_type, offense):
    start, end = PERIOD
    area_sql, area_args = _in_area("r", area_id)
    referrals, enrolled, referrals_unmapped = con.execute(
        f"""
        select count(*), count(enrolled_on), count(*) filter (where lat is null or lon is null)
        from referrals as r
        where referred_on >= ? and referred_on <= ?
          and (? = 'any' or referral_type = ?)
          and (? = 'any' or offense_category = ?)
          and {area_sql}
        """,
        [start, end, referral_type, referral_type, offense, offense, *area_args],
    ).fetchone()
    area_sql, area_args = _in_area("a", area_id)
    arrests, arrests_unmapped = con.execute(
        f"""
        select count(*), count(*) filter (where lat is null or lon is null)
        from arrests as a
        where arrest_date >= ? and arrest_date <= ?
          and lead_category in ('cds_possession', 'cds_distribution', 'prostitution', 'larceny',
                                'trespass', 'public_urination')
          and (? = 'any' or lead_category = ?)
          and {area_sql}
        """,
        [start, end, offense, offense, *area_args],
    ).fetchone()
    return referrals, enrolled, referrals_unmapped, arrests, arrests_unmapped


@pytest.mark.parametrize(("area_id", "referral_type", "offense"), CASES)
def test_headline_figures_equal_an_independent_recount(demo_con, area_id, referral_type, offense):
    filters = MapFilters(*PERIOD, area_id, referral_type, offense, public=False)
    figures = load_figures(partial(queries.run, demo_con), filters)
    referrals, enrolled, referrals_unmapped, arrests, arrests_unmapped = _recount(
        demo_con, area_id, referral_type, offense
    )
    assert figures["referrals"] == referrals
    assert figures["enrolled"] == enrolled
    assert figures["eligible_arrests"] == arrests
    assert figures["referrals_unmapped"] == referrals_unmapped
    assert figures["eligible_arrests_unmapped"] == arrests_unmapped


def test_the_demo_gives_the_recount_something_to_count(demo_con):
    """Guard against vacuous equality: the main cases hold records."""
    referrals, _, _, arrests, _ = _recount(demo_con, "pilot_zone", "any", "any")
    assert referrals > 0 and arrests > 0
    city = _recount(demo_con, "city", "any", "any")
    assert city[4] > 0  # some eligible arrests have no coordinates, as in BPD's data


def test_ratio_beside_the_map_is_a_dash_when_there_are_no_eligible_arrests(demo_con):
    filters = MapFilters(date(1990, 1, 1), date(1990, 12, 31))
    figures = load_figures(partial(queries.run, demo_con), filters)
    assert figures["eligible_arrests"] == 0 and figures["referrals"] == 0
    ratio = headline_figures(figures, public=False)[-1]
    assert (ratio.key, ratio.value) == (REFERRALS_PER_100.key, NO_VALUE)


def test_referrals_per_100_rounds_as_the_sql_ratio_does():
    """domain.figures gives the value ``round(100.0 * r / a, 1)`` gives in DuckDB (the ``diversion_ratio``
    some queries still return) for every pair, ties (0.25 -> 0.3, half away from zero) included."""
    pairs = duckdb.sql(
        """
        select r, a, round(100.0 * r / a, 1) as ratio
        from range(0, 401) as referrals(r), range(1, 1201) as arrests(a)
        union all
        select r, a, round(100.0 * r / a, 1)
        from (select (random() * 20000)::bigint as r, 1 + (random() * 2000000)::bigint as a from range(20000))
        """
    ).fetchall()
    assert [referrals_per_100(r, a) for r, a, _ in pairs] == [ratio for _, _, ratio in pairs]
    assert referrals_per_100(1, 400) == 0.3 and referrals_per_100(1, 8) == 12.5


# The headline figures as one SQL row, as the page computed them before they were summed from the cell
# counts (the map's own scans): kept here to pin that both give the same figures.
FIGURES_IN_ONE_QUERY = """
with period_referrals as (
    select enrolled_on, h3_r8
    from referrals
    where referred_on between $start_date and $end_date
      and ($referral_type = 'any' or referral_type = $referral_type)
      and ($offense_category = 'any' or offense_category = $offense_category)
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),
period_eligible_arrests as (
    select h3_r8
    from arrests
    where arrest_date between $start_date and $end_date
      and lead_category is not null
      and ($offense_category = 'any' or lead_category = $offense_category)
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),
referral_counts as (
    select count(*) as referrals, count(enrolled_on) as enrolled,
           count(*) filter (where h3_r8 is null) as referrals_unmapped
    from period_referrals
),
arrest_counts as (
    select count(*) as eligible_arrests, count(*) filter (where h3_r8 is null) as eligible_arrests_unmapped
    from period_eligible_arrests
)
select referrals, enrolled, eligible_arrests, referrals_unmapped, eligible_arrests_unmapped
from referral_counts, arrest_counts
"""


@pytest.mark.parametrize(
    "period", [PERIOD, (date(2019, 3, 5), date(2019, 4, 20)), (date(2023, 6, 1), date(2023, 6, 1))]
)
@pytest.mark.parametrize(("area_id", "referral_type", "offense"), CASES)
def test_staff_figures_equal_the_figures_in_one_query(demo_con, area_id, referral_type, offense, period):
    """Exact (staff) figures; public ones are published per quarter (tests/test_differencing.py)."""
    filters = MapFilters(*period, area_id, referral_type, offense, public=False)
    parameters = {k: v for k, v in filters.referral_parameters().items() if k != "public"}
    expected = demo_con.execute(FIGURES_IN_ONE_QUERY, parameters).df().iloc[0].astype("float64")
    figures = load_figures(partial(queries.run, demo_con), filters)
    pd.testing.assert_series_equal(figures, expected)


def _cells_by_python(con, table, date_column, where, args, area_id, resolution):
    area_sql, area_args = _in_area("t", area_id)
    points = con.execute(
        f"""
        select lat, lon from {table} as t
        where {date_column} between ? and ? and lat is not null and lon is not null and {where}
          and {area_sql}
        """,
        [*PERIOD, *args, *area_args],
    ).fetchall()
    return Counter(h3.latlng_to_cell(lat, lon, resolution) for lat, lon in points)


@pytest.mark.parametrize(("area_id", "resolution"), [("city", 8), ("district:1959-2022:Central", 9)])
def test_referral_cells_match_h3_computed_from_coordinates(demo_con, area_id, resolution):
    cells = queries.run(
        demo_con,
        "map_referral_cells",
        start_date=PERIOD[0],
        end_date=PERIOD[1],
        area_id=area_id,
        referral_type="any",
        offense_category="any",
        resolution=resolution,
        public=False,
    )
    expected = _cells_by_python(demo_con, "referrals", "referred_on", "true", [], area_id, resolution)
    assert _located(cells) == dict(expected)
    assert sum(expected.values()) > 0


def test_arrest_cells_match_h3_computed_from_coordinates(demo_con):
    cells = queries.run(
        demo_con,
        "map_arrest_cells",
        start_date=PERIOD[0],
        end_date=PERIOD[1],
        area_id="nsa:Downtown",
        offense_category="cds_possession",
        resolution=9,
    )
    expected = _cells_by_python(
        demo_con, "arrests", "arrest_date", "lead_category = ?", ["cds_possession"], "nsa:Downtown", 9
    )
    assert _located(cells) == dict(expected)
    assert sum(expected.values()) > 0


def _located(cells) -> dict[int, int]:
    """The cells' counts by cell id, leaving out the null-cell row of records without coordinates."""
    located = cells[cells["cell"].notna()]
    return dict(zip(located["cell"].astype(int), located["records"], strict=True))


def test_records_without_coordinates_come_as_one_row_without_a_cell(demo_con):
    cells = queries.run(
        demo_con,
        "map_arrest_cells",
        start_date=PERIOD[0],
        end_date=PERIOD[1],
        area_id="city",
        offense_category="any",
        resolution=8,
    )
    unplaced = cells[cells["cell"].isna()]
    _, _, _, arrests, arrests_unmapped = _recount(demo_con, "city", "any", "any")
    assert len(unplaced) == 1 and unplaced["records"].item() == arrests_unmapped > 0
    assert cells["records_unmapped"].sum() == arrests_unmapped and cells["records"].sum() == arrests
    assert cells["cell"].iloc[-1] is pd.NA  # last: the drawn cells come first, in cell order


def test_an_unknown_resolution_gives_no_cells_rather_than_wrong_ones(demo_con):
    cells = queries.run(
        demo_con,
        "map_arrest_cells",
        start_date=PERIOD[0],
        end_date=PERIOD[1],
        area_id="city",
        offense_category="any",
        resolution=7,
    )
    assert cells["cell"].isna().all()  # every record counted, none placed in a cell


def test_a_hostile_area_id_is_bound_not_spliced(demo_con):
    filters = MapFilters(*PERIOD, area_id="nsa:x' or '1'='1")
    figures = load_figures(partial(queries.run, demo_con), filters)
    assert figures["referrals"] == 0 and figures["eligible_arrests"] == 0
