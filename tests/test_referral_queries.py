"""Every figure on the Referrals page, recomputed from the database without the page's queries.

The recomputations place records by testing their points against the area outlines (``st_contains``)
rather than the precomputed assignment columns and the ``in_area`` macro the queries use, and count
with plain SQL or pandas, so a mistake in a query cannot be repeated here by construction.
"""

from datetime import date

import pandas as pd
import pytest

import queries
from store import connect, create_schema

CENTRAL = "district:1959-2022:Central"
FULL = (date(2017, 2, 1), date(2024, 12, 31))
ONE_YEAR = (date(2018, 1, 1), date(2018, 12, 31))
BEFORE_LAUNCH = (date(2015, 1, 1), date(2015, 12, 31))
PERIODS = [FULL, ONE_YEAR, BEFORE_LAUNCH]
ROUNDING = 0.0501  # figures are rounded to one decimal in SQL (half away from zero): allow half a unit
AREAS = ["city", "pilot_zone", CENTRAL]

# Referrals of an area, placed by their point (every referral counts for the whole city).
AREA_REFERRALS = """
    select r.*
    from referrals r
    where $area_id = 'city'
       or st_contains((select geom from areas where area_id = $area_id), r.geom)
"""
AREA_ELIGIBLE_ARRESTS = """
    select a.*
    from arrests a
    where a.lead_category is not null
      and ($area_id = 'city'
           or st_contains((select geom from areas where area_id = $area_id), a.geom))
"""


def _one(con, sql: str, **params):
    return con.execute(sql, params).fetchone()


def _frame(con, sql: str, **params) -> pd.DataFrame:
    return con.execute(sql, params).df()


@pytest.fixture(scope="module")
def referral_rows(demo_con) -> pd.DataFrame:
    """Every referral with flags for the pilot zone and the 1959-2022 Central District, by point."""
    return demo_con.execute(
        """
        select r.*,
               coalesce(st_contains((select geom from areas where area_id = 'pilot_zone'), r.geom), false)
                   as by_point_pilot,
               coalesce(st_contains((select geom from areas where area_id = $central), r.geom), false)
                   as by_point_central
        from referrals r
        """,
        {"central": CENTRAL},
    ).df()


def test_demo_database_has_referrals_to_check(demo_con):
    """The figures below are only meaningful if the demo data has referrals in every stage."""
    referred, enrolled, exited, rearrested = _one(
        demo_con,
        "select count(*), count(enrolled_on), count(exited_on), count(rearrested_on) from referrals",
    )
    assert referred > 100 and enrolled > 50 and exited > 10 and rearrested > 0


@pytest.mark.parametrize("area_id", AREAS)
@pytest.mark.parametrize("period", PERIODS, ids=["full", "2018", "before-launch"])
def test_headline_figures(demo_con, area_id, period):
    start, end = period
    figures = queries.run(
        demo_con, "referral_headline", area_id=area_id, start_date=start, end_date=end, public=False
    )
    got = figures.iloc[0]
    referrals, eligible, enrolled, rearrested = _one(
        demo_con,
        f"""
        select count(*),
               sum(case when eligibility = 'eligible' then 1 else 0 end),
               sum(case when enrolled_on is null then 0 else 1 end),
               sum(case when enrolled_on is not null and rearrested_on >= enrolled_on then 1 else 0 end)
        from ({AREA_REFERRALS})
        where referred_on >= $start and referred_on <= $end
        """,
        area_id=area_id,
        start=start,
        end=end,
    )
    (active,) = _one(
        demo_con,
        f"""
        select count(*) from ({AREA_REFERRALS})
        where enrolled_on <= $end and coalesce(exited_on, date '9999-12-31') > $end
        """,
        area_id=area_id,
        end=end,
    )
    (eligible_arrests,) = _one(
        demo_con,
        f"select count(*) from ({AREA_ELIGIBLE_ARRESTS}) where arrest_date >= $start and arrest_date <= $end",
        area_id=area_id,
        start=start,
        end=end,
    )
    assert got.referrals == referrals
    assert got.found_eligible == (eligible or 0)
    assert got.enrolled == (enrolled or 0)
    assert got.rearrested == (rearrested or 0)
    assert got.active_caseload == active
    assert got.eligible_arrests == eligible_arrests
    assert "diversion_ratio" not in got.index  # the ratio is computed once, in domain/figures.py


def test_headline_is_not_trivially_zero(demo_con):
    """Guards the parametrised test above against passing on an empty database."""
    got = queries.run(
        demo_con, "referral_headline", area_id=CENTRAL, start_date=FULL[0], end_date=FULL[1], public=False
    )
    row = got.iloc[0]
    assert row.referrals > row.found_eligible > row.enrolled > row.active_caseload > 0
    assert row.eligible_arrests > 0
    before = queries.run(
        demo_con,
        "referral_headline",
        area_id=CENTRAL,
        start_date=BEFORE_LAUNCH[0],
        end_date=BEFORE_LAUNCH[1],
        public=False,
    ).iloc[0]
    assert before.referrals == 0 and before.eligible_arrests > 0


@pytest.mark.parametrize("step", ["month", "quarter"])
def test_referrals_by_type_over_time(demo_con, referral_rows, step):
    start, end = FULL
    got = queries.run(
        demo_con,
        "referral_by_type_over_time",
        area_id=CENTRAL,
        start_date=start,
        end_date=end,
        step=step,
        public=False,
    )
    rows = referral_rows[
        referral_rows.by_point_central
        & (referral_rows.referred_on >= pd.Timestamp(start))
        & (referral_rows.referred_on <= pd.Timestamp(end))
    ]
    freq = "MS" if step == "month" else "QS"
    expected = (
        rows.assign(period_start=rows.referred_on.dt.to_period(freq[0]).dt.start_time)
        .pivot_table(index="period_start", columns="referral_type", values="referral_id", aggfunc="count")
        .reindex(pd.date_range(pd.Timestamp(start).to_period(freq[0]).start_time, end, freq=freq))
        .fillna(0)
    )
    assert len(got) == len(expected)  # every step of the period, empty ones as zero
    assert list(got.period_start) == list(expected.index)
    assert got.arrest.tolist() == expected["arrest"].astype(int).tolist()
    assert got.social_contact.tolist() == expected["social_contact"].astype(int).tolist()
    assert (got.total == got.arrest + got.social_contact).all()
    assert got.total.sum() == len(rows)


def test_steps_other_than_month_or_quarter_give_no_rows(demo_con):
    got = queries.run(
        demo_con,
        "referral_by_type_over_time",
        area_id=CENTRAL,
        start_date=FULL[0],
        end_date=FULL[1],
        step="day",
        public=False,
    )
    assert got.empty


@pytest.mark.parametrize("area_id", AREAS)
def test_funnel(demo_con, area_id):
    start, end = FULL
    got = queries.run(
        demo_con, "referral_funnel", area_id=area_id, start_date=start, end_date=end, public=False
    ).iloc[0]
    rows = _frame(
        demo_con,
        f"select * from ({AREA_REFERRALS}) where referred_on between $start and $end",
        area_id=area_id,
        start=start,
        end=end,
    )
    enrolled = rows[rows.enrolled_on.notna()]
    assert got.referred == len(rows) > 0
    assert got.eligibility_confirmed == (rows.eligibility == "eligible").sum()
    assert got.intake == rows.intake_on.notna().sum()
    assert got.enrolled == len(enrolled)
    assert got.still_active == enrolled.exited_on.isna().sum()
    assert got.exited == enrolled.exited_on.notna().sum()
    # A funnel narrows: each stage is a subset of the one before, and the outcomes split the enrolled.
    assert got.referred >= got.eligibility_confirmed >= got.intake >= got.enrolled
    assert got.still_active + got.exited == got.enrolled


def test_funnel_stages_are_nested_in_the_data(demo_con):
    """The funnel counts stages independently; that is only a funnel if every record is in order."""
    out_of_order = _one(
        demo_con,
        """
        select count(*) filter (where intake_on is not null and eligibility <> 'eligible'),
               count(*) filter (where enrolled_on is not null and intake_on is null),
               count(*) filter (where exited_on is not null and enrolled_on is null),
               count(*) filter (where enrolled_on < intake_on or intake_on < referred_on)
        from referrals
        """,
    )
    assert out_of_order == (0, 0, 0, 0)


def test_not_eligible_reasons(demo_con):
    start, end = FULL
    got = queries.run(
        demo_con,
        "referral_not_eligible_reasons",
        area_id=CENTRAL,
        start_date=start,
        end_date=end,
        public=False,
    )
    expected = _frame(
        demo_con,
        f"""
        select coalesce(ineligible_reason, 'reason_not_recorded') as reason, count(*) as people
        from ({AREA_REFERRALS})
        where referred_on between $start and $end and eligibility = 'ineligible'
        group by 1
        union all
        select 'pending', count(*) from ({AREA_REFERRALS})
        where referred_on between $start and $end and eligibility = 'pending'
        """,
        area_id=CENTRAL,
        start=start,
        end=end,
    ).set_index("reason")["people"]
    got = got.set_index("reason")["people"]
    assert set(got.index) == {*expected.index, "reason_not_recorded", "pending"} | {
        "under_supervision", "disqualifying_record", "public_safety_threat", "open_case", "open_warrant",
        "outside_area", "declined",
    }  # fmt: skip
    for reason, people in got.items():
        assert people == expected.get(reason, 0), reason
    funnel = queries.run(
        demo_con, "referral_funnel", area_id=CENTRAL, start_date=start, end_date=end, public=False
    ).iloc[0]
    assert got.sum() == funnel.referred - funnel.eligibility_confirmed > 0


def test_referrals_by_offense(demo_con, referral_rows):
    start, end = ONE_YEAR
    got = queries.run(
        demo_con, "referral_by_offense", area_id=CENTRAL, start_date=start, end_date=end, public=False
    )
    rows = referral_rows[
        referral_rows.by_point_central
        & referral_rows.referred_on.between(pd.Timestamp(start), pd.Timestamp(end))
    ]
    expected = rows.offense_category.fillna("not_recorded").value_counts()
    got = got.set_index("offense_category")["referrals"]
    assert len(got) == 7
    for category, referrals in got.items():
        assert referrals == expected.get(category, 0), category
    assert got.sum() == len(rows) > 0


def test_referrals_by_area(demo_con, referral_rows):
    start, end = FULL
    got = queries.run(demo_con, "referral_by_area", start_date=start, end_date=end, public=False).set_index(
        "area_group"
    )
    rows = referral_rows[referral_rows.referred_on.between(pd.Timestamp(start), pd.Timestamp(end))]
    located = rows.geom.notna()
    assert got.loc["pilot_zone", "referrals"] == rows.by_point_pilot.sum()
    assert got.loc["rest_of_central", "referrals"] == (rows.by_point_central & ~rows.by_point_pilot).sum()
    assert got.loc["elsewhere", "referrals"] == (located & ~rows.by_point_central).sum()
    assert got.loc["location_not_recorded", "referrals"] == (~located).sum()
    assert got.referrals.sum() == len(rows)


@pytest.mark.parametrize("step", ["month", "quarter"])
def test_eligible_arrests_next_to_referrals(demo_con, step):
    start, end = FULL
    got = queries.run(
        demo_con,
        "eligible_arrests_vs_referrals_over_time",
        area_id="pilot_zone",
        start_date=start,
        end_date=end,
        step=step,
        public=False,
    )
    unit = "%Y-%m" if step == "month" else "quarter"
    bucket = {
        "%Y-%m": "strftime({col}, '%Y-%m')",
        "quarter": "cast(year({col}) as varchar) || '-Q' || cast(quarter({col}) as varchar)",
    }[unit]
    arrests = _frame(
        demo_con,
        f"""select {bucket.format(col="arrest_date")} as k, count(*) as n from ({AREA_ELIGIBLE_ARRESTS})
            where arrest_date between $start and $end group by 1""",
        area_id="pilot_zone",
        start=start,
        end=end,
    ).set_index("k")["n"]
    referrals = _frame(
        demo_con,
        f"""select {bucket.format(col="referred_on")} as k, count(*) as n from ({AREA_REFERRALS})
            where referred_on between $start and $end group by 1""",
        area_id="pilot_zone",
        start=start,
        end=end,
    ).set_index("k")["n"]
    keys = (
        got.period_start.dt.strftime("%Y-%m")
        if step == "month"
        else got.period_start.dt.year.astype(str) + "-Q" + got.period_start.dt.quarter.astype(str)
    )
    for key, row in zip(keys, got.itertuples(), strict=True):
        assert row.eligible_arrests == arrests.get(key, 0), key
        assert row.referrals == referrals.get(key, 0), key
    assert got.eligible_arrests.sum() == arrests.sum() > 0
    assert got.referrals.sum() == referrals.sum() > 0


@pytest.fixture(scope="module")
def mapped_eligible_arrests(demo_con) -> pd.DataFrame:
    return demo_con.execute(
        """
        select date_trunc('month', arrest_date) as month,
               case when st_contains(pilot.geom, arrests.geom) then 'pilot_zone'
                    when st_contains(central.geom, arrests.geom) then 'rest_of_central'
                    else 'elsewhere' end as area_group
        from arrests,
             (select geom from areas where area_id = 'pilot_zone') as pilot,
             (select geom from areas where area_id = $central) as central
        where lead_category is not null and arrests.geom is not null
        """,
        {"central": CENTRAL},
    ).df()


@pytest.mark.parametrize("window", [12, 24])
def test_eligible_arrests_around_launch(demo_con, mapped_eligible_arrests, window):
    launch = pd.Timestamp("2017-02-01")
    got = queries.run(
        demo_con, "eligible_arrests_around_launch", launch_on=launch.date(), window_months=window
    )
    months = pd.date_range(launch - pd.DateOffset(months=window), periods=2 * window, freq="MS")
    counts = mapped_eligible_arrests.groupby(["area_group", "month"]).size()
    assert len(got) == 3 * len(months)  # the demo data cover both windows completely
    for group in ("pilot_zone", "rest_of_central", "elsewhere"):
        mine = got[got.area_group == group].set_index("month")
        expected = counts[group].reindex(months, fill_value=0)
        assert mine.eligible_arrests.tolist() == expected.tolist(), group
        base = expected[expected.index < launch].mean()
        assert mine.index_to_before.tolist() == pytest.approx((100 * expected / base).tolist(), abs=ROUNDING)
        assert mine.months_from_launch.tolist() == list(range(-window, window))

    summary = queries.run(
        demo_con, "eligible_arrests_before_after_launch", launch_on=launch.date(), window_months=window
    ).set_index("area_group")
    for group in ("pilot_zone", "rest_of_central", "elsewhere"):
        expected = counts[group].reindex(months, fill_value=0)
        before, after = expected[expected.index < launch].mean(), expected[expected.index >= launch].mean()
        row = summary.loc[group]
        assert (row.months_before, row.months_after) == (window, window)
        assert row.before_per_month == pytest.approx(before, abs=ROUNDING)
        assert row.after_per_month == pytest.approx(after, abs=ROUNDING)
        assert row.change_pct == pytest.approx(100 * (after - before) / before, abs=ROUNDING)


def test_window_beyond_the_loaded_arrests_keeps_only_covered_months(demo_con):
    first, last = _one(demo_con, "select min(arrest_date), max(arrest_date) from arrests")
    got = queries.run(
        demo_con, "eligible_arrests_around_launch", launch_on=date(2017, 2, 1), window_months=240
    )
    assert got.month.min() >= pd.Timestamp(first)
    assert (got.month + pd.offsets.MonthEnd(0)).max() <= pd.Timestamp(last)
    summary = queries.run(
        demo_con, "eligible_arrests_before_after_launch", launch_on=date(2017, 2, 1), window_months=240
    )
    assert (summary.months_before == (got.months_from_launch < 0).sum() / 3).all()


def _month_ends(start: date, end: date) -> list[pd.Timestamp]:
    ends = list(pd.date_range(start, end, freq="ME"))
    if not ends or ends[-1] != pd.Timestamp(end):
        ends.append(pd.Timestamp(end))
    return ends


def _caseloads_by_hand(con, start: date, end: date) -> pd.DataFrame:
    """Caseload per case manager at each snapshot, counted participant by participant in pandas."""
    staff = con.execute("select * from case_managers").df()
    people = con.execute(
        "select case_manager_id, enrolled_on, exited_on from referrals where enrolled_on is not null"
    ).df()
    rows = []
    for snapshot in _month_ends(start, end):
        on_staff = staff[(staff.start_on <= snapshot) & (staff.end_on.isna() | (staff.end_on >= snapshot))]
        active = people[
            (people.enrolled_on <= snapshot) & (people.exited_on.isna() | (people.exited_on > snapshot))
        ]
        for pair in on_staff.itertuples():
            rows.append(
                (snapshot, pair.case_manager_id, int((active.case_manager_id == pair.case_manager_id).sum()))
            )
    return pd.DataFrame(rows, columns=["snapshot_on", "case_manager_id", "caseload"])


def test_caseload_per_pair_and_its_public_summary(demo_con):
    start, end = date(2017, 2, 1), date(2019, 6, 15)  # ends mid-month: the last snapshot is the 15th
    by_hand = _caseloads_by_hand(demo_con, start, end)
    got = queries.run(demo_con, "caseload_by_pair_month", start_date=start, end_date=end, cap=28)
    assert got.snapshot_on.max() == pd.Timestamp(end)
    merged = got.merge(by_hand, on=["snapshot_on", "case_manager_id"], suffixes=("", "_by_hand"), how="outer")
    assert merged.caseload.tolist() == merged.caseload_by_hand.tolist()
    assert (got.over_cap == (got.caseload > 28)).all()
    assert got.caseload.max() > 0

    summary = queries.run(
        demo_con, "caseload_summary_by_month", start_date=start, end_date=end, cap=28, public=False
    )
    assert "case_manager_id" not in summary.columns and "peer_id" not in summary.columns
    per_snapshot = by_hand.groupby("snapshot_on").caseload
    summary = summary.set_index("snapshot_on")
    assert summary.pairs.to_dict() == per_snapshot.size().to_dict()
    assert summary.max_caseload.to_dict() == per_snapshot.max().to_dict()
    assert summary.assigned_participants.to_dict() == per_snapshot.sum().to_dict()
    assert summary.mean_caseload.tolist() == pytest.approx(per_snapshot.mean().tolist(), abs=ROUNDING)
    assert (summary.pairs_over_cap == per_snapshot.apply(lambda c: int((c > 28).sum()))).all()


def test_rearrest_after_enrolment(demo_con):
    start, end = FULL
    as_of = date(2024, 12, 31)
    got = queries.run(
        demo_con,
        "referral_rearrest_after_enrolment",
        area_id=CENTRAL,
        start_date=start,
        end_date=end,
        as_of=as_of,
        max_months=24,
    )
    people = _frame(
        demo_con,
        f"""select enrolled_on, rearrested_on from ({AREA_REFERRALS})
            where referred_on between $start and $end and enrolled_on is not null""",
        area_id=CENTRAL,
        start=start,
        end=end,
    )
    assert got.months_since_enrolment.tolist() == list(range(1, 25))
    for row in got.itertuples():
        horizon = people.enrolled_on + pd.DateOffset(months=row.months_since_enrolment)
        followed = people[horizon <= pd.Timestamp(as_of)]
        followed_horizon = horizon[horizon <= pd.Timestamp(as_of)]
        rearrested = (followed.rearrested_on >= followed.enrolled_on) & (
            followed.rearrested_on < followed_horizon
        )
        assert row.followed == len(followed) > 0
        assert row.rearrested == rearrested.sum()
        assert row.rearrested_pct == pytest.approx(100 * rearrested.sum() / len(followed), abs=ROUNDING)
    assert got.rearrested.max() > 0


# --- A hand-built database for what the demo data never shows -------------------------------------------


@pytest.fixture
def tiny_con():
    """Three case managers, one of them over the cap of 28 for two month-ends; no areas needed."""
    con = connect(":memory:")
    create_schema(con)
    con.execute(
        """
        insert into case_managers (case_manager_id, peer_id, team, start_on, end_on) values
            ('CM-A', 'PEER-A', 'team 1', '2020-01-01', null),
            ('CM-B', 'PEER-B', 'team 1', '2020-01-01', '2020-02-10'),
            ('CM-C', 'PEER-C', 'team 2', '2020-03-01', null)
        """
    )
    # CM-A: 30 participants enrolled in January, 5 of them exit on 15 March -> 30, 30, 25.
    # CM-B: 3 participants; CM-B leaves on 10 February. One participant has no case manager.
    con.execute(
        """
        insert into referrals (referral_id, referred_on, referral_type, eligibility, intake_on, enrolled_on,
                               case_manager_id, exited_on, source)
        select 'A' || i, date '2020-01-02', 'arrest', 'eligible', date '2020-01-03', date '2020-01-05',
               'CM-A', case when i <= 5 then date '2020-03-15' end, 'test'
        from range(1, 31) t(i)
        union all
        select 'B' || i, date '2020-01-02', 'social_contact', 'eligible', date '2020-01-03',
               date '2020-01-06', 'CM-B', null, 'test'
        from range(1, 4) t(i)
        union all
        select 'X', date '2020-01-02', 'arrest', 'eligible', date '2020-01-03', date '2020-01-04', null, null,
               'test'
        """
    )
    yield con
    con.close()


def test_pairs_over_the_cap_are_flagged(tiny_con):
    period = {"start_date": date(2020, 1, 1), "end_date": date(2020, 3, 31), "cap": 28}
    pairs = queries.run(tiny_con, "caseload_by_pair_month", **period)
    table = {(r.snapshot_on.date(), r.case_manager_id): (r.caseload, r.over_cap) for r in pairs.itertuples()}
    assert table == {
        (date(2020, 1, 31), "CM-A"): (30, True),
        (date(2020, 1, 31), "CM-B"): (3, False),
        (date(2020, 2, 29), "CM-A"): (30, True),  # CM-B left on 10 February
        (date(2020, 3, 31), "CM-A"): (25, False),
        (date(2020, 3, 31), "CM-C"): (0, False),  # on staff with nobody yet
    }
    assert set(pairs.pair) == {"CM-A + PEER-A", "CM-B + PEER-B", "CM-C + PEER-C"}

    over = queries.run(tiny_con, "caseload_pairs_over_cap", **period)
    assert over.to_dict("records") == [
        {
            "case_manager_id": "CM-A",
            "peer_id": "PEER-A",
            "snapshots_over_cap": 2,
            "max_caseload": 30,
            "first_over_on": pd.Timestamp("2020-01-31"),
            "last_over_on": pd.Timestamp("2020-02-29"),
        }
    ]

    summary = queries.run(tiny_con, "caseload_summary_by_month", **period, public=False).set_index(
        "snapshot_on"
    )
    assert summary.pairs.tolist() == [2, 1, 2]
    assert summary.pairs_over_cap.tolist() == [1, 1, 0]
    assert summary.max_caseload.tolist() == [30, 30, 25]
    assert summary.mean_caseload.tolist() == [16.5, 30.0, 12.5]
    # The participant without a case manager, and CM-B's three once CM-B has left, are not lost.
    assert summary.unassigned_participants.tolist() == [1, 4, 4]


def test_an_empty_database_gives_zeros_not_errors(tiny_con):
    tiny_con.execute("delete from referrals; delete from case_managers")
    where_when = {"area_id": "city", "start_date": date(2020, 1, 1), "end_date": date(2020, 12, 31)}
    headline = queries.run(tiny_con, "referral_headline", **where_when, public=False).iloc[0]
    assert headline.referrals == headline.eligible_arrests == 0
    assert (
        queries.run(
            tiny_con, "referral_by_type_over_time", **where_when, step="month", public=False
        ).total.tolist()
        == [0] * 12
    )
    assert queries.run(tiny_con, "referral_funnel", **where_when, public=False).iloc[0].sum() == 0
    assert queries.run(tiny_con, "referral_rearrest_after_enrolment", **where_when, as_of=date(2021, 1, 1),
                       max_months=12).empty  # fmt: skip
    assert queries.run(tiny_con, "caseload_summary_by_month", start_date=date(2020, 1, 1),
                       end_date=date(2020, 3, 31), cap=28,
                       public=False).pairs.tolist() == [0, 0, 0]  # fmt: skip
    assert queries.run(tiny_con, "eligible_arrests_around_launch", launch_on=date(2017, 2, 1),
                       window_months=12).empty  # fmt: skip


def test_headline_edges(tiny_con):
    """Exits on the last day leave the caseload; a re-arrest before enrolment is not one after it."""
    tiny_con.execute(
        """
        update referrals set exited_on = date '2020-01-31' where referral_id = 'A6';
        update referrals set rearrested_on = date '2020-01-04' where referral_id = 'A7';  -- before enrolment
        update referrals set rearrested_on = date '2020-01-05' where referral_id = 'A8';  -- enrolment day
        update referrals set referred_on = date '2020-02-01' where referral_id = 'A9';    -- after the period
        """
    )
    got = queries.run(
        tiny_con,
        "referral_headline",
        area_id="city",
        start_date=date(2020, 1, 1),
        end_date=date(2020, 1, 31),
        public=False,
    ).iloc[0]
    assert got.referrals == 33  # 34 rows, one referred the day after the period
    assert got.enrolled == 33
    assert got.rearrested == 1  # only A8
    assert got.active_caseload == 33  # 34 enrolled by 31 January, A6 exited that day


def _tied_pairs_con(order: list[str]):
    """Two pairs with three participants each from January 2020 on, stored in ``order``; their key sums
    (100,000 and 900,000) round a count of 3 up to 5 and down to 0."""
    con = connect(":memory:")
    create_schema(con)
    key_sums = {"CM-LOW": 100_000, "CM-HIGH": 900_000}
    for case_manager in order:
        con.execute(
            "insert into case_managers (case_manager_id, peer_id, team, start_on) "
            "values ($cm, 'PEER-' || $cm, 'team 1', date '2020-01-01')",
            {"cm": case_manager},
        )
        con.execute(
            """
            insert into referrals (referral_id, referred_on, referral_type, eligibility, enrolled_on,
                                   case_manager_id, source, record_key)
            select $cm || i, date '2020-01-02', 'arrest', 'eligible', date '2020-01-05', $cm, 'test',
                   case when i = 1 then $key_sum else 0 end
            from range(1, 4) t(i)
            """,
            {"cm": case_manager, "key_sum": key_sums[case_manager]},
        )
    return con


def test_tied_largest_caseloads_publish_one_figure_whatever_the_storage_order():
    """The published largest caseload is decided by the data, not by which tied pair a scan meets first."""
    period = {"start_date": date(2020, 1, 1), "end_date": date(2020, 3, 31), "cap": 28, "public": True}
    published = []
    for order in (["CM-LOW", "CM-HIGH"], ["CM-HIGH", "CM-LOW"]):
        con = _tied_pairs_con(order)
        try:
            published.append(queries.run(con, "caseload_summary_by_month", **period).max_caseload.tolist())
        finally:
            con.close()
    # each month-end, the larger key sum (900,000) decides: 3 rounds down
    assert published == [[0, 0, 0], [0, 0, 0]]
