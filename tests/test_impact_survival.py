"""Kaplan-Meier re-arrest curves (impact/survival.py) against a hand computation."""

import math

import numpy as np
import pandas as pd
import pytest

from impact import survival

# A hand-built cohort of 8 participants: months to re-arrest (event) or to the end of follow-up (censored).
TIMES = [2, 3, 3, 5, 6, 8, 8, 9]
EVENTS = [1, 0, 1, 1, 0, 1, 1, 0]


def test_kaplan_meier_equals_the_hand_computation():
    """At risk / events: t=2 8/1, t=3 7/1 (the one censored at 3 still at risk), t=5 5/1, t=8 3/2."""
    km = survival.curve(TIMES, EVENTS)
    s2 = 7 / 8
    s3 = s2 * 6 / 7
    s5 = s3 * 4 / 5
    s8 = s5 * 1 / 3
    # the curve then runs on, flat, to the longest follow-up (9 months, one person still followed)
    assert km["months"].tolist() == [0, 2, 3, 5, 8, 9]
    assert km["survival"].tolist() == pytest.approx([1, s2, s3, s5, s8, s8])
    assert km["survival"].tolist() == pytest.approx([1, 0.875, 0.75, 0.6, 0.2, 0.2])
    assert km["at_risk"].tolist() == [8, 8, 7, 5, 3, 1]
    assert km["events"].tolist() == [0, 1, 1, 1, 2, 0]


def test_band_is_greenwood_on_the_log_log_scale_by_hand():
    km = survival.curve(TIMES, EVENTS)
    # Greenwood: var(S) = S^2 * sum d / (n (n - d)) over event times up to t
    terms = [(8, 1), (7, 1), (5, 1), (3, 2)]
    for row, upto in zip(km.iloc[1:5].itertuples(), range(1, 5), strict=True):
        s = row.survival
        se = s * math.sqrt(sum(d / (n * (n - d)) for n, d in terms[:upto]))
        spread = 1.959963984540054 * se / (s * abs(math.log(s)))
        assert row.low == pytest.approx(s ** math.exp(spread))
        assert row.high == pytest.approx(s ** math.exp(-spread))
        assert row.low < s < row.high


def test_nobody_rearrested_is_a_flat_line_and_no_band():
    km = survival.curve([1, 2, 3], [0, 0, 0])
    assert km["survival"].tolist() == [1.0] and km["at_risk"].tolist() == [3]
    assert np.isnan(km["low"].iloc[0])


def test_curve_from_step_counts_moves_only_at_step_ends():
    """A life table of counts gives the Kaplan-Meier curve of the same people placed at each step's end."""
    steps = pd.DataFrame(
        {
            "to_month": [3, 6, 9],
            "rearrested_in_step": [10, 5, 0],
            "left_follow_up": [5, 10, 0],
            "beyond": [0, 0, 70],
        }
    )
    km = survival.curve_from_steps(steps)
    assert km["months"].tolist() == [0, 3, 6, 9]  # steps without an event do not move the curve
    # 100 people: 10 of 100 at month 3 (the 5 who leave follow-up in step 1 count as at risk), then 5 of 85
    assert km["survival"].tolist() == pytest.approx([1, 0.9, 0.9 * 80 / 85, 0.9 * 80 / 85])
    assert km["at_risk"].tolist() == [100, 100, 85, 70]
    expanded = survival.curve(
        np.repeat([3, 3, 6, 6, 9], [10, 5, 5, 10, 70]), np.repeat([1, 0, 1, 0, 0], [10, 5, 5, 10, 70])
    )
    assert km["survival"].tolist() == pytest.approx(expanded["survival"].tolist())
    assert km["low"].tolist() == pytest.approx(expanded["low"].tolist())


def test_share_rearrested_by_horizon_reads_the_curve_and_says_when_follow_up_is_too_short():
    km = survival.curve(TIMES, EVENTS)
    followed = {h: survival.followed_at(TIMES, h) for h in (4, 6, 12)}
    table = survival.by_horizons(km, (4, 6, 12), followed)
    assert table["rearrested_share"].iloc[0] == pytest.approx(0.25)  # 1 - S(3)
    assert table["rearrested_share"].iloc[1] == pytest.approx(0.4)  # 1 - S(5)
    assert np.isnan(table["rearrested_share"].iloc[2])  # nobody followed 12 months
    assert table["still_followed"].tolist() == [5, 4, 0]
