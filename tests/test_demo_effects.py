"""The demo's known answer (ingest/demo_effects.py): an injected arrest effect and re-arrest hazard."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

import queries
from ingest.demo import generate_demo
from ingest.demo_effects import DemoEffects, apply_arrest_effect, rearrest_dates


def _rows(n: int, when: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "seq": np.arange(1, n + 1),
            "arrest_date": pd.Timestamp(when),
            "pair_idx": np.zeros(n, dtype=np.int64),
            "point_idx": np.zeros(n, dtype=np.int64),
        }
    )


def test_a_fall_thins_only_eligible_zone_arrests_after_launch():
    eligible, in_zone = np.array([True, False]), np.array([True, False])
    after = _rows(20_000, "2018-03-01")
    before = _rows(5_000, "2016-03-01")
    elsewhere = _rows(5_000, "2018-03-01").assign(point_idx=1)
    not_eligible = _rows(5_000, "2018-03-01").assign(pair_idx=1)
    unmapped = _rows(5_000, "2018-03-01").assign(point_idx=-1)
    frame = pd.concat([after, before, elsewhere, not_eligible, unmapped], ignore_index=True)
    out = apply_arrest_effect(frame, eligible, in_zone, -0.15, np.random.default_rng(3))
    kept_after = ((out["arrest_date"] == pd.Timestamp("2018-03-01")) & (out["point_idx"] == 0)
                  & (out["pair_idx"] == 0)).sum()  # fmt: skip
    assert kept_after / 20_000 == pytest.approx(0.85, abs=0.01)
    assert len(out) - kept_after == 20_000  # nothing else touched
    assert out["seq"].tolist() == list(range(1, len(out) + 1))


def test_a_rise_copies_affected_arrests():
    out = apply_arrest_effect(_rows(20_000, "2018-03-01"), np.array([True]), np.array([True]), 0.2,
                              np.random.default_rng(4))  # fmt: skip
    assert len(out) / 20_000 == pytest.approx(1.2, abs=0.02)


def test_no_effect_returns_the_rows_unchanged():
    rows = _rows(10, "2018-03-01")
    assert (
        apply_arrest_effect(rows, np.array([True]), np.array([True]), 0.0, np.random.default_rng(1)) is rows
    )


def test_rearrest_hazard_gives_the_exponential_share():
    enrolled = pd.Series(pd.to_datetime(["2018-01-01"] * 20_000))
    dates = rearrest_dates(enrolled, 0.05, date(2030, 1, 1), np.random.default_rng(5))
    within_year = (dates - enrolled).dt.days <= 365.25
    assert within_year.mean() == pytest.approx(1 - np.exp(-0.05 * 12), abs=0.01)
    late = rearrest_dates(enrolled, 0.05, date(2018, 6, 30), np.random.default_rng(5))
    assert late.notna().mean() < within_year.mean() and late.max() <= pd.Timestamp("2018-06-30")
    assert rearrest_dates(pd.Series([pd.NaT]), 0.05, date(2030, 1, 1), np.random.default_rng(1)).isna().all()


@pytest.mark.parametrize(("effect", "hazard"), [(-0.95, None), (1.5, None), (0.0, 0.0), (0.0, 2.0)])
def test_implausible_settings_are_refused_in_words(effect, hazard):
    with pytest.raises(ValueError, match="demo"):
        DemoEffects(effect, hazard)


def test_generate_demo_records_the_effects_and_disturbs_no_other_draw(empty_con):
    con = empty_con
    generate_demo(con, arrests=3_000, seed=11)
    plain_referrals = con.sql("select * exclude (rearrested_on) from referrals order by referral_id").df()
    plain_arrests = con.sql("select arrest_date, charge_code, lat, lon from arrests "
                            "where not coalesce(in_pilot_zone, false) order by arrest_id").df()  # fmt: skip
    assert queries.run(con, "impact_demo_effect").iloc[0]["arrest_effect"] == 0
    generate_demo(con, arrests=3_000, seed=11, effects=DemoEffects(-0.5, 0.03))
    effect = queries.run(con, "impact_demo_effect").iloc[0]
    assert effect["arrest_effect"] == -0.5 and effect["rearrest_hazard"] == pytest.approx(0.03)
    # referrals and every arrest outside the zone are drawn exactly as before
    pd.testing.assert_frame_equal(
        con.sql("select * exclude (rearrested_on) from referrals order by referral_id").df(), plain_referrals
    )
    others = con.sql("select arrest_date, charge_code, lat, lon from arrests "
                     "where not coalesce(in_pilot_zone, false) order by arrest_id").df()  # fmt: skip
    pd.testing.assert_frame_equal(others, plain_arrests)
    # re-arrests now follow the hazard: never before enrolment
    bad = con.sql("select count(*) from referrals where rearrested_on < enrolled_on or "
                  "(rearrested_on is not null and enrolled_on is null)").fetchone()[0]  # fmt: skip
    assert bad == 0
    assert con.sql("select count(*) from referrals where rearrested_on is not null").fetchone()[0] > 20
