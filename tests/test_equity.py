"""The Equity page's rules and screen model on hand-built tables: the Relative Rate Index and its 95%
intervals against a hand computation, the unstable and too-few marks, and public masking."""

from __future__ import annotations

import math
from datetime import date
from statistics import NormalDist

import pandas as pd
import pytest

from domain import equity
from domain.privacy import COMPLEMENT_TEXT, SUPPRESSED_TEXT
from screens.equity import COUNTS, Selection, build_screen

Z = NormalDist().inv_cdf(0.975)
YEAR = 2019


def _table(rows: dict[str, tuple[int, ...]], breakdown: str = "race") -> pd.DataFrame:
    """A query-shaped result for one year: group -> (eligible arrests, referred, confirmed, enrolled,
    engaged)."""
    return pd.DataFrame(
        [(YEAR, breakdown, group, *values) for group, values in rows.items()],
        columns=["year", "breakdown", "grp", *COUNTS],
    )


def _choose(public: bool, reference="white", point="referred", breakdown="race") -> Selection:
    return Selection(
        "city", "Whole city", breakdown, reference, point, date(2019, 1, 1), date(2019, 3, 31), public
    )


HAND = {
    # eligible arrests, referred, eligibility confirmed, enrolled, still engaged or completed
    "black": (400, 60, 45, 30, 20),
    "white": (100, 25, 20, 16, 12),
    "asian": (3, 0, 0, 0, 0),
}


def _poisson_hand(a, n, b, m) -> tuple[float, float, float]:
    """Ratio of two Poisson rates, Wald interval on the log scale: se = sqrt(1/a + 1/b)."""
    ratio = (a / n) / (b / m)
    se = math.sqrt(1 / a + 1 / b)
    return ratio, ratio * math.exp(-Z * se), ratio * math.exp(Z * se)


def _katz_hand(a, n, b, m) -> tuple[float, float, float]:
    """Ratio of two proportions, Katz log interval: se = sqrt(1/a - 1/n + 1/b - 1/m)."""
    ratio = (a / n) / (b / m)
    se = math.sqrt(1 / a - 1 / n + 1 / b - 1 / m)
    return ratio, ratio * math.exp(-Z * se), ratio * math.exp(Z * se)


def _text(value, low, high) -> str:
    return f"{value:.2f} ({low:.2f}–{high:.2f})"


def test_rate_ratios_equal_the_hand_computation():
    black, white = HAND["black"], HAND["white"]
    hand = {
        "referred": _poisson_hand(black[1], black[0], white[1], white[0]),
        "eligibility_confirmed": _katz_hand(black[2], black[1], white[2], white[1]),
        "enrolled": _katz_hand(black[3], black[2], white[3], white[2]),
        "engaged": _katz_hand(black[4], black[3], white[4], white[3]),
    }
    for key, expected in hand.items():
        point = equity.POINTS[key]
        index = COUNTS.index(key)
        base = COUNTS.index(point.base)
        got = equity.rate_ratio(black[index], black[base], white[index], white[base], point)
        assert (got.value, got.low, got.high) == pytest.approx(expected, rel=1e-9), key
    # the referral RRI: 15 per 100 against 25 per 100
    assert hand["referred"][0] == pytest.approx(0.6)
    screen = build_screen(_table(HAND), _choose(public=False))
    black_row = screen.ratio_table.iloc[0]
    assert black_row["Group"] == "Black"
    for key, expected in hand.items():
        column = f"{equity.POINTS[key].label}: {equity.RRI_LABEL}"
        # the last two rest on 16 and 12 events for the reference group (under 20): marked unstable
        mark = f" ({equity.UNSTABLE_MARK})" if key in ("enrolled", "engaged") else ""
        assert black_row[column] == _text(*expected) + mark
    assert screen.ratio_table.iloc[1].tolist()[1:] == [equity.REFERENCE_TEXT] * 4


def test_the_reading_says_the_ratio_and_whether_it_is_detectable():
    screen = build_screen(_table(HAND), _choose(public=False))
    ratio, low, high = _poisson_hand(60, 400, 25, 100)
    assert screen.readings == [
        f"Black people arrested for eligible offenses were referred at {ratio:.2f} times the rate of White "
        f"people (95% CI {low:.2f}–{high:.2f})."
    ]
    assert high < 1
    enrolled = build_screen(_table(HAND), _choose(public=False, point="enrolled"))
    ratio, low, high = _katz_hand(30, 45, 16, 20)
    assert low < 1 < high
    assert enrolled.readings == [
        f"Black people confirmed eligible enrolled at {ratio:.2f} times the rate of White people "
        f"(95% CI {low:.2f}–{high:.2f}): no detectable difference."
    ]


def test_rates_under_20_events_are_unstable_and_groups_under_one_percent_are_not_compared():
    screen = build_screen(_table(HAND), _choose(public=False))
    counts = screen.counts_table.set_index("Group")
    # white: 12 still engaged of 16 enrolled — 12 events, unstable; 25 referred of 100 — stable
    assert counts.at["White", equity.ENGAGED.rate_label] == f"75.0% ({equity.UNSTABLE_MARK})"
    assert counts.at["White", equity.REFERRED.rate_label] == "25.0"
    assert counts.at["Black", equity.REFERRED.rate_label] == "15.0"
    # asian: 3 of 503 eligible arrests, under 1%: shown (staff) but not compared
    assert counts.at["Asian", equity.ELIGIBLE_ARRESTS.label] == "3"
    assert counts.at["Asian", equity.REFERRED.rate_label] == equity.TOO_FEW_TEXT
    rri = screen.ratio_table.set_index("Group")
    assert rri.loc["Asian"].tolist() == [equity.TOO_FEW_TEXT] * 4
    # the engaged RRI rests on 12 events for the reference group: marked unstable too
    assert rri.at["Black", f"{equity.ENGAGED.label}: {equity.RRI_LABEL}"].endswith(
        f"({equity.UNSTABLE_MARK})"
    )


def test_a_public_view_hides_small_counts_their_complements_and_every_rate_built_on_them():
    screen = build_screen(_table(HAND), _choose(public=True))
    counts = screen.counts_table.set_index("Group")
    arrests = equity.ELIGIBLE_ARRESTS.label
    assert counts.at["Asian", arrests] == SUPPRESSED_TEXT
    # one hidden count in a column that adds up to the area's total would be given back by subtraction:
    # the smallest other count goes too
    assert counts.at["White", arrests] == COMPLEMENT_TEXT
    assert counts.at["Black", arrests] == "400"
    assert counts.at["White", equity.REFERRED.rate_label] == equity.NO_RATE_TEXT
    # the reference's rate is hidden, so no group's referral RRI can be shown
    assert (
        screen.ratio_table.set_index("Group").at["Black", f"Referred: {equity.RRI_LABEL}"]
        == equity.NO_RATE_TEXT
    )
    assert screen.readings == []
    assert any(COMPLEMENT_TEXT in note for note in screen.notes)


def test_the_reference_group_can_be_changed():
    screen = build_screen(_table(HAND), _choose(public=False, reference="black"))
    white = screen.ratio_table.set_index("Group").loc["White"]
    ratio, low, high = _poisson_hand(25, 100, 60, 400)
    assert white[f"Referred: {equity.RRI_LABEL}"] == _text(ratio, low, high)
    assert screen.ratio_table.set_index("Group").at["Black", f"Referred: {equity.RRI_LABEL}"] == "reference"


def test_age_bands_are_defined_once_and_read_the_same_everywhere():
    assert [equity.age_band(a) for a in (0, 17, 18, 24, 25, 34, 35, 54, 55, 99, None)] == [
        0, 0, 1, 1, 2, 2, 3, 4, 5, 5, equity.AGE_NOT_RECORDED,
    ]  # fmt: skip
    assert list(equity.AGE_BAND_LABELS.values()) == [
        "Under 18", "18–24", "25–34", "35–44", "45–54", "55 and over", "Age not recorded",
    ]  # fmt: skip
    assert equity.AGE_EDGES_PARAM == "18,25,35,45,55"


def test_nothing_counted_says_so():
    empty = _table({})
    screen = build_screen(empty, _choose(public=True))
    assert screen.empty and "No LEAD-eligible arrests" in screen.empty
    assert screen.chart is None and screen.readings == []


def test_statsmodels_refuses_nothing_the_screen_asks_for():
    """Zero counts and (published, rounded) counts above their base give no ratio rather than an error."""
    assert equity.rate_ratio(0, 10, 5, 10, equity.CONFIRMED) is None
    assert equity.rate_ratio(15, 10, 5, 10, equity.CONFIRMED) is None
    assert equity.rate_ratio(15, 10, 5, 10, equity.REFERRED) is not None  # a rate per arrest may exceed 100


def test_a_public_interval_counts_the_rounding_of_every_quarter():
    """Public referral counts are sums of quarters each rounded to a multiple of 5: the interval adds the
    rounding's variance, (5² - 1) / 6 = 4 per quarter, to each rounded count's (a design effect)."""
    table = {"black": (400, 60, 45, 30, 20), "white": (100, 25, 20, 16, 12)}
    chosen = Selection(
        "city", "Whole city", "race", "white", "referred", date(2018, 1, 1), date(2019, 12, 31), True
    )
    screen = build_screen(_table(table), chosen)
    v = 4 * 8  # eight quarters
    a, n, b, m = 60, 400, 25, 100
    ratio = (a / n) / (b / m)
    se = math.sqrt((a + v) / a**2 + (b + v) / b**2)  # referrals rounded, arrests exact
    expected = _text(ratio, ratio * math.exp(-Z * se), ratio * math.exp(Z * se))
    assert screen.ratio_table.set_index("Group").at["Black", f"Referred: {equity.RRI_LABEL}"] == expected
    # a share: both counts rounded
    a, n, b, m = 45, 60, 20, 25
    ratio = (a / n) / (b / m)
    se = math.sqrt(1 / a - 1 / n + v / a**2 + v / n**2 + 1 / b - 1 / m + v / b**2 + v / m**2)
    expected = _text(ratio, ratio * math.exp(-Z * se), ratio * math.exp(Z * se))
    column = f"{equity.CONFIRMED.label}: {equity.RRI_LABEL}"
    assert screen.ratio_table.set_index("Group").at["Black", column] == expected
    assert equity.ROUNDING_NOTE in screen.notes
    # the staff view of the same counts: no rounding, the narrower interval
    staff = build_screen(_table(table), Selection(*list(vars(chosen).values())[:-1], False))
    assert staff.ratio_table.set_index("Group").at["Black", f"Referred: {equity.RRI_LABEL}"] == _text(
        *_poisson_hand(60, 400, 25, 100)
    )
