"""The headline figures, each defined once: formula, rounding, hide rule, label and help text.

Pages, charts, downloads and the hearing brief all write a headline figure through this module, so a
figure reads the same everywhere for the same area and period (pinned by a test). Queries return
counts only; the one derived figure, referrals per 100 eligible arrests, is computed here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from domain.privacy import SUPPRESSED_TEXT, is_small, public_count

NO_VALUE = "—"  # a figure that cannot be computed (nothing to divide by, no data)


@dataclass(frozen=True)
class Figure:
    """A headline figure: its key (column name), the one label it goes by, and what it means."""

    key: str
    label: str
    help: str


REFERRALS = Figure("referrals", "People referred", "People referred to LEAD in the area and period.")
FOUND_ELIGIBLE = Figure(
    "found_eligible", "Found eligible", "Referrals whose eligibility screening found them eligible."
)
ENROLLED = Figure("enrolled", "Enrolled", "People referred in the period who went on to enrol.")
REARRESTED = Figure(
    "rearrested", "Re-arrested after enrolment", "Enrolled people arrested again after enrolling."
)
ACTIVE_CASELOAD = Figure(
    "active_caseload", "Active caseload", "People enrolled and not yet exited on the period's last day."
)
ELIGIBLE_ARRESTS = Figure(
    "eligible_arrests",
    "LEAD-eligible arrests",
    "Arrests for the offenses LEAD diverts (CDS possession and subsistence offenses) in the area and period.",
)
RATIO_DIGITS = 1
REFERRALS_PER_100 = Figure(
    "referrals_per_100",
    "Referrals per 100 eligible arrests",
    "People referred per 100 LEAD-eligible arrests in the same area and period. Computed from the loaded "
    "data; no published figure exists for this ratio.",
)
# Shown instead of the ratio when one of its counts is hidden: the ratio and the other count would
# give the hidden one back.
RATIO_HIDDEN_TEXT = f"{NO_VALUE} ({SUPPRESSED_TEXT} in a count)"

FIGURES = {
    figure.key: figure
    for figure in (REFERRALS, FOUND_ELIGIBLE, ENROLLED, REARRESTED, ACTIVE_CASELOAD, ELIGIBLE_ARRESTS)
}
FIGURES[REFERRALS_PER_100.key] = REFERRALS_PER_100


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def referrals_per_100(referrals, eligible_arrests) -> float | None:
    """Referrals per 100 eligible arrests, rounded half up to one decimal; None with nothing to divide by.

    >>> referrals_per_100(3, 8)
    37.5
    >>> referrals_per_100(1, 16)  # 6.25 rounds up, not to even
    6.3
    >>> referrals_per_100(4, 0) is None
    True
    """
    if _missing(referrals) or _missing(eligible_arrests) or int(eligible_arrests) <= 0:
        return None
    exact = Decimal(int(referrals)) * 100 / Decimal(int(eligible_arrests))
    return float(exact.quantize(Decimal(1).scaleb(-RATIO_DIGITS), rounding=ROUND_HALF_UP))


def referrals_per_100_column(referrals: pd.Series, eligible_arrests: pd.Series) -> pd.Series:
    """``referrals_per_100`` row by row (NaN where it cannot be computed), for tables and charts."""
    values = [
        referrals_per_100(r, e) for r, e in zip(referrals.tolist(), eligible_arrests.tolist(), strict=True)
    ]
    return pd.Series(
        [math.nan if value is None else value for value in values],
        index=referrals.index,
        dtype="float64",
        name=REFERRALS_PER_100.key,
    )


def ratio_is_hidden(referrals, eligible_arrests, public: bool, withheld: bool = False) -> bool:
    """The ratio's hide rule: in a public view, hidden when either count behind it is hidden — small,
    or ``withheld`` by the page to protect a small count elsewhere (the ratio would give it back)."""
    return public and (withheld or is_small(referrals) or is_small(eligible_arrests))


def ratio_text(value) -> str:
    """A ratio as written on screen: one decimal, or a dash when there is none."""
    if _missing(value):
        return NO_VALUE
    return f"{float(value):.{RATIO_DIGITS}f}"


def referrals_per_100_text(referrals, eligible_arrests, public: bool, withheld: bool = False) -> str:
    """The ratio as shown: hidden by the rule above, a dash with nothing to divide by, else one decimal."""
    if ratio_is_hidden(referrals, eligible_arrests, public, withheld):
        return RATIO_HIDDEN_TEXT
    return ratio_text(referrals_per_100(referrals, eligible_arrests))


def count_text(key: str, value, public: bool) -> str:
    """A headline count as shown (small counts hidden in public views); ``key`` must name a figure."""
    if key not in FIGURES:
        raise KeyError(f"no headline figure named {key!r}")
    return public_count(value, public)
