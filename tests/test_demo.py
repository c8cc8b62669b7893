"""The synthetic demo data: published program figures and invariants hold; same seed, same data."""

from __future__ import annotations

import pytest

from domain.program import CASELOAD_CAP_BALTIMORE, DISTRICT_WIDE_FROM, INELIGIBLE_REASONS, PILOT_LAUNCH
from ingest.demo import SOURCE, generate_demo
from store import connect, create_schema

FIRST_YEAR_END = PILOT_LAUNCH.replace(year=PILOT_LAUNCH.year + 1)


def one(con, sql, params=None):
    return con.execute(sql, params or {}).fetchone()[0]


def test_every_row_is_synthetic(demo_con):
    """Arrests and referrals all carry source 'synthetic-demo'; case managers all use synthetic ids."""
    assert one(demo_con, "select count(*) from arrests") == 20_000
    assert one(demo_con, "select count(*) from arrests where source <> $s", {"s": SOURCE}) == 0
    assert one(demo_con, "select count(*) from referrals where source <> $s", {"s": SOURCE}) == 0
    assert one(demo_con, "select count(*) from referrals") > 0
    assert (
        one(demo_con, "select count(*) from case_managers where not starts_with(case_manager_id, 'DCM')") == 0
    )
    assert one(demo_con, "select count(*) from arrests where not starts_with(arrest_id, 'D')") == 0


def test_arrest_dates_trend_and_coordinates(demo_con):
    """Dates span 2014-2024 and fall over the decade; about half the arrests are unmapped, mostly non-LEAD."""
    first, last = demo_con.sql("select min(arrest_date), max(arrest_date) from arrests").fetchone()
    assert first.year == 2014 and last.year == 2024
    by_year = dict(demo_con.sql("select year(arrest_date), count(*) from arrests group by all").fetchall())
    assert by_year[2014] > 2 * by_year[2022]
    unmapped, unmapped_lead, geom_mismatch = demo_con.sql(
        """
        select avg((lon is null)::int), avg((lon is null)::int) filter (where lead_category is not null),
               count(*) filter (where (lon is null) <> (geom is null) or (lon is null) <> (lat is null))
        from arrests
        """
    ).fetchone()
    assert 0.35 < unmapped < 0.65
    assert unmapped_lead < 0.2
    assert geom_mismatch == 0


def test_drug_arrests_mostly_possession(demo_con):
    """About three quarters of drug arrests are possession (2014 figure, damped 2020-22)."""
    share = one(
        demo_con,
        "select avg((lead_category = 'cds_possession')::int) from arrests where lead_category like 'cds_%'",
    )
    assert 0.7 < share < 0.8


def test_district_and_neighborhood_match_spatial_assignment(demo_con):
    """BPD-style district/neighborhood come from the point: 1959 districts before 2023, 2023 after."""
    mismatches = one(
        demo_con,
        """
        select count(*) from arrests
        where lon is not null
          and (neighborhood is distinct from nsa
               or district is distinct from case when arrest_date < date '2023-01-01'
                                                 then district_1959 else district_2023 end)
        """,
    )
    assert mismatches == 0
    assert one(demo_con, "select count(*) from arrests where lon is not null and district_1959 is null") == 0
    assert one(demo_con, "select count(*) from arrests where in_pilot_zone") > 0


def test_first_months_referrals(demo_con):
    """More than 40 referrals in February-June 2017; the April 2017 account of 5 arrest / 15 social."""
    assert one(demo_con, "select count(*) from referrals where referred_on < $d", {"d": PILOT_LAUNCH}) == 0
    assert (
        one(
            demo_con, "select count(*) from referrals where referred_on between '2017-02-01' and '2017-06-30'"
        )
        > 40
    )
    early = dict(
        demo_con.sql(
            """
            select case when eligibility = 'ineligible' then 'ineligible' else referral_type end, count(*)
            from referrals where referred_on <= '2017-04-30' group by all
            """
        ).fetchall()
    )
    assert early == {"arrest": 5, "social_contact": 15, "ineligible": 5}


def test_first_year_enrolment_and_rearrests(demo_con):
    """About 60 enrolled in the first program year, two of them re-arrested; re-arrests stay few overall."""
    enrolled = one(demo_con, "select count(*) from referrals where enrolled_on < $d", {"d": FIRST_YEAR_END})
    assert 50 <= enrolled <= 75
    rearrested_y1 = one(
        demo_con,
        "select count(*) from referrals where enrolled_on < $d and rearrested_on is not null",
        {"d": FIRST_YEAR_END},
    )
    assert rearrested_y1 == 2
    total_enrolled, rearrested = demo_con.sql(
        "select count(enrolled_on), count(rearrested_on) from referrals"
    ).fetchone()
    assert 0 < rearrested < 0.1 * total_enrolled


def test_referral_types_reasons_and_exits(demo_con):
    """Both referral types, every documented ineligible reason, exits with a reason."""
    types = {r[0] for r in demo_con.sql("select distinct referral_type from referrals").fetchall()}
    assert types == {"arrest", "social_contact"}
    reasons = {r[0] for r in demo_con.sql("select distinct ineligible_reason from referrals "
                                          "where ineligible_reason is not null").fetchall()}  # fmt: skip
    assert reasons == set(INELIGIBLE_REASONS)
    assert one(demo_con, "select count(*) from referrals where (eligibility = 'ineligible') <> "
                         "(ineligible_reason is not null)") == 0  # fmt: skip
    assert (
        one(demo_con, "select count(*) from referrals where (exited_on is null) <> (exit_reason is null)")
        == 0
    )
    assert one(demo_con, "select count(distinct exit_reason) from referrals") >= 4


def test_referral_dates_in_order(demo_con):
    """referred <= intake <= enrolled <= exited; re-arrest after enrolment; everything by 2024-12-31."""
    bad = one(
        demo_con,
        """
        select count(*) from referrals
        where intake_on < referred_on or enrolled_on < intake_on or exited_on < enrolled_on
           or rearrested_on < enrolled_on or rearrested_on > exited_on
           or (enrolled_on is not null and (intake_on is null or case_manager_id is null))
           or (enrolled_on is null and (exited_on is not null or case_manager_id is not null))
           or greatest(referred_on, intake_on, enrolled_on, exited_on, rearrested_on) > date '2024-12-31'
        """,
    )
    assert bad == 0


def test_referral_points_inside_the_area_in_force(demo_con):
    """Before district-wide expansion every referral is in the pilot zone, after it in Central (1959)."""
    before_outside = one(
        demo_con,
        "select count(*) from referrals where referred_on < $d and not coalesce(in_pilot_zone, false)",
        {"d": DISTRICT_WIDE_FROM},
    )
    assert before_outside == 0
    assert one(demo_con, "select count(*) from referrals where district_1959 is distinct from 'Central'") == 0
    after_outside_zone = one(
        demo_con, "select count(*) from referrals where referred_on >= $d and not in_pilot_zone",
        {"d": DISTRICT_WIDE_FROM},
    )  # fmt: skip
    assert after_outside_zone > 0


def test_caseload_never_above_cap_on_month_ends(demo_con):
    """Active participants per case-manager/peer pair at each month end, counted in SQL, stay <= 28."""
    worst, pairs_used, outside_tenure = demo_con.sql(
        """
        with month_ends as (
            select last_day(m::date) as d
            from generate_series(date '2017-02-01', date '2024-12-01', interval 1 month) as g(m)
        ),
        loads as (
            select me.d, r.case_manager_id, count(*) as active
            from month_ends as me
            join referrals as r
              on r.enrolled_on <= me.d and (r.exited_on is null or r.exited_on > me.d)
            group by all
        )
        select
            (select max(active) from loads),
            (select count(distinct case_manager_id) from loads),
            (select count(*) from referrals as r join case_managers as c using (case_manager_id)
             where r.enrolled_on < c.start_on or r.exited_on > c.end_on
                or (c.end_on is not null and r.exited_on is null))
        """
    ).fetchone()
    assert worst <= CASELOAD_CAP_BALTIMORE
    assert pairs_used >= 2
    assert outside_tenure == 0
    assert one(demo_con, "select count(*) from case_managers where peer_id is null") == 0


def _snapshot(con):
    return {
        "arrests": con.sql("select * exclude (geom), st_astext(geom) from arrests order by 1").fetchall(),
        "referrals": con.sql("select * exclude (geom), st_astext(geom) from referrals order by 1").fetchall(),
        "case_managers": con.sql("select * from case_managers order by 1").fetchall(),
    }


@pytest.fixture
def two_fresh_dbs(tmp_path):
    """Two empty databases with schema and boundaries."""
    from ingest.areas import load_areas

    cons = []
    for name in ("a", "b"):
        con = connect(tmp_path / f"{name}.duckdb")
        create_schema(con)
        load_areas(con)
        cons.append(con)
    yield cons
    for con in cons:
        con.close()


def test_same_seed_same_data_and_rerun_replaces(two_fresh_dbs):
    """Same seed -> identical rows; a second run replaces the synthetic rows instead of adding to them."""
    a, b = two_fresh_dbs
    generate_demo(a, arrests=3_000, seed=11)
    generate_demo(b, arrests=1_000, seed=99)
    steps = []
    counts = generate_demo(b, arrests=3_000, seed=11, progress=lambda f, m: steps.append(f))
    assert counts["arrests"] == 3_000
    assert steps[0] == 0.0 and steps[-1] == 1.0 and steps == sorted(steps)
    assert _snapshot(a) == _snapshot(b)
    generate_demo(b, arrests=3_000, seed=12)
    assert _snapshot(a)["arrests"] != _snapshot(b)["arrests"]


def test_demo_never_mixes_into_a_table_holding_real_records(two_fresh_dbs):
    """Regenerating the demo after a real import leaves the real table alone and adds nothing to it."""
    con, _ = two_fresh_dbs
    con.execute(
        "insert into arrests (arrest_id, arrest_date, source) "
        "values ('17201066', date '2017-12-23', 'real.csv')"
    )
    written = generate_demo(con, arrests=500, seed=1)
    assert written["kept_real"] == ["arrests"]
    assert written["arrests"] == 0
    assert con.sql("select source, count(*) from arrests group by source").fetchall() == [("real.csv", 1)]
    assert con.sql("select distinct source from referrals").fetchall() == [(SOURCE,)]
