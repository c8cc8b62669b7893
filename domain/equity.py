"""Equity: who is arrested, referred, confirmed eligible, enrolled and still engaged — the one home of
the groups, the decision points, the Relative Rate Index and the words that mark a rate.

The Relative Rate Index (OJJDP's measure of disproportionate contact) compares, at one decision point,
a group's rate with a reference group's rate: RRI = (a / n) / (a_ref / n_ref), where ``a`` counts the
people who passed the decision point and ``n`` those who reached it. Its 95% confidence interval is
the Wald interval of log RRI, from statsmodels:

* referral is a rate per eligible arrest (referrals are not linked to arrests and social-contact
  referrals have none), so the two rates are Poisson rates: var(log RRI) = 1/a + 1/a_ref
  (``statsmodels.stats.rates.confint_poisson_2indep``, method ``wald-log``);
* the later decision points are proportions of the people at the point before, so the ratio of two
  binomial proportions: var(log RRI) = 1/a - 1/n + 1/a_ref - 1/n_ref (Katz;
  ``statsmodels.stats.proportion.confint_proportions_2indep``, method ``log``).

A rate whose numerator is under ``UNSTABLE_BELOW`` is marked unstable (CDC WISQARS); a group under
``TOO_FEW_SHARE`` of the people reaching a decision point is "too few to compare" (OJJDP leaves such
groups out). Counts themselves are protected by the core's one rule (``domain.privacy``,
``domain.disclosure``) before any rate is worked out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from domain import disclosure

# The groups, as stored (store/schema.sql ENUMs race_code and sex_code) -------------------------------------

RACES = ("black", "white", "asian", "american_indian", "other", "unknown")
RACE_LABELS = {
    "black": "Black",
    "white": "White",
    "asian": "Asian",
    "american_indian": "American Indian",
    "other": "Other",
    "unknown": "Race not recorded",
}
SEXES = ("male", "female", "unknown")
SEX_LABELS = {"male": "Male", "female": "Female", "unknown": "Sex not recorded"}
# How a reading names the people of a group ("Black people arrested for eligible offenses were ...").
_PEOPLE = {
    "race": {"unknown": "People whose race was not recorded", "american_indian": "American Indian people"},
    "sex": {"male": "Men", "female": "Women", "unknown": "People whose sex was not recorded"},
}

# Age bands: the lower edge of every band after the first; ages under the first edge are one band.
AGE_EDGES = (18, 25, 35, 45, 55)
AGE_NOT_RECORDED = -1  # the band of an arrest or referral with no age


def _age_band_labels() -> dict[int, str]:
    edges = AGE_EDGES
    labels = {0: f"Under {edges[0]}"}
    for index, (low, high) in enumerate(zip(edges, edges[1:], strict=False), start=1):
        labels[index] = f"{low}–{high - 1}"
    labels[len(edges)] = f"{edges[-1]} and over"
    labels[AGE_NOT_RECORDED] = "Age not recorded"
    return labels


AGE_BAND_LABELS = _age_band_labels()
AGE_BANDS = tuple(AGE_BAND_LABELS)  # in order, "not recorded" last
AGE_EDGES_PARAM = ",".join(str(edge) for edge in AGE_EDGES)  # how queries take the edges


def age_band(age) -> int:
    """The band an age falls in (``AGE_NOT_RECORDED`` for none): the same rule the queries apply.

    >>> age_band(17), age_band(18), age_band(34), age_band(55), age_band(None)
    (0, 1, 2, 5, -1)
    """
    if age is None or (isinstance(age, float) and math.isnan(age)):
        return AGE_NOT_RECORDED
    return sum(1 for edge in AGE_EDGES if edge <= int(age))


# A breakdown: the column a query groups by, its groups in order, their labels, the default reference.
@dataclass(frozen=True)
class Breakdown:
    key: str
    label: str
    groups: tuple
    labels: dict
    reference: object  # the default reference group


BREAKDOWNS = {
    "race": Breakdown("race", "Race", RACES, RACE_LABELS, "white"),
    "sex": Breakdown("sex", "Sex", SEXES, SEX_LABELS, "male"),
    "age_band": Breakdown("age_band", "Age", AGE_BANDS, AGE_BAND_LABELS, 2),  # 25–34, the largest
}


def people(breakdown: str, group) -> str:
    """How a reading names a group's people: 'Black people', 'Women', 'People aged 18–24'."""
    special = _PEOPLE.get(breakdown, {}).get(group)
    if special:
        return special
    if breakdown == "age_band":
        label = AGE_BAND_LABELS[group]
        return "People whose age was not recorded" if group == AGE_NOT_RECORDED else f"People aged {label}"
    return f"{BREAKDOWNS[breakdown].labels[group]} people"


# The decision points --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionPoint:
    """One step of the path: its count's key and label, the step its rate is taken over, how the rate
    reads, and the verb of a plain-words reading."""

    key: str
    label: str
    base: str | None  # the decision point before (None for the first: eligible arrests)
    rate_label: str = ""
    per: int = 100  # the rate is per this many of the base
    poisson: bool = False  # a rate per arrest (Poisson) rather than a share of the people before
    who: str = ""  # "arrested for eligible offenses": the people at the base
    did: str = ""  # "were referred": what the rate counts


ELIGIBLE_ARRESTS = DecisionPoint("eligible_arrests", "LEAD-eligible arrests", None)
REFERRED = DecisionPoint(
    "referred", "Referred", "eligible_arrests", "Referrals per 100 eligible arrests", poisson=True,
    who="arrested for eligible offenses", did="were referred",
)  # fmt: skip
CONFIRMED = DecisionPoint(
    "eligibility_confirmed", "Eligibility confirmed", "referred", "% of referred confirmed eligible",
    who="referred", did="were confirmed eligible",
)  # fmt: skip
ENROLLED = DecisionPoint(
    "enrolled", "Enrolled", "eligibility_confirmed", "% of eligible who enrolled",
    who="confirmed eligible", did="enrolled",
)  # fmt: skip
ENGAGED = DecisionPoint(
    "engaged", "Still engaged or completed", "enrolled", "% of enrolled still engaged or completed",
    who="enrolled", did="stayed engaged or completed the program",
)  # fmt: skip
DECISION_POINTS = (ELIGIBLE_ARRESTS, REFERRED, CONFIRMED, ENROLLED, ENGAGED)
POINTS = {point.key: point for point in DECISION_POINTS}
COMPARED_POINTS = tuple(point for point in DECISION_POINTS if point.base)  # the ones with a rate
ENGAGED_NOTE = (
    "“Still engaged or completed”: enrolled people who have not exited, or who exited by completing the "
    "program (any other exit — disengaged, moved, incarcerated, deceased — is not counted)."
)

# Rules and their words --------------------------------------------------------------------------------------

# Public referral counts are sums of quarter cells, each rounded at random to a multiple of the rounding
# base (domain/disclosure.py): unbiased, but a cell with remainder r gets variance r(base - r), on average
# (base² - 1) / 6 over the remainders (4 for base 5). A public interval counts it as a design effect: the
# counts statsmodels is given are shrunk so that their variance is the sampling variance plus the
# rounding's, for every quarter of the period (an upper bound: a quarter with no one adds nothing).
ROUNDING_VARIANCE = (disclosure.ROUNDING_BASE**2 - 1) / 6
ROUNDING_NOTE = (
    "In this public view referral counts are rounded quarter by quarter, so each interval is widened by "
    "the variance that rounding adds (up to the whole period's quarters), not only by chance."
)
UNSTABLE_BELOW = 20  # a rate from fewer events than this is unstable (CDC WISQARS)
TOO_FEW_SHARE = 0.01  # a group under 1% of those reaching a decision point is not compared (OJJDP)
CONFIDENCE = 0.95
RRI_DIGITS = 2
UNSTABLE_MARK = "unstable"
UNSTABLE_NOTE = (
    f"“{UNSTABLE_MARK}”: the rate rests on under {UNSTABLE_BELOW} people, so it can move a lot by chance "
    "(CDC WISQARS marks such rates the same way)."
)
TOO_FEW_TEXT = "too few to compare"
TOO_FEW_NOTE = (
    f"“{TOO_FEW_TEXT}”: the group is under {TOO_FEW_SHARE:.0%} of the people at that decision point, "
    "so no rate ratio is given (OJJDP's Relative Rate Index rule)."
)
REFERENCE_TEXT = "reference"
NO_RATE_TEXT = "—"
RRI_LABEL = "Relative Rate Index"
RRI_HELP = (
    "A group's rate at a decision point divided by the reference group's rate there: 1 means the same "
    "rate, 0.5 half, 2 twice. The range in brackets is the 95% confidence interval."
)
METHOD_NOTE = (
    "Relative Rate Index (OJJDP, disproportionate minority contact reporting): at each decision point, a "
    "group's rate divided by the reference group's. Referral is counted per LEAD-eligible arrest (the "
    "referral and the arrest are not linked record by record; social-contact referrals count too), so "
    "its interval treats both rates as Poisson rates; later points are shares of the people at the point "
    "before, with the interval for a ratio of two proportions (log scale, Katz). Intervals from "
    "statsmodels. Race and sex are as BPD and the case-management system record them; they are shown "
    "only as counts by group, never per person or on a map."
)
SOURCES = (
    "Relative Rate Index: OJJDP, Disproportionate Minority Contact Technical Assistance Manual.",
    "Unstable rates: CDC WISQARS (rates from under 20 events).",
    "Measures for Justice, Commons: case-flow measures by race, sex and age (Yolo County: diversion "
    "rose from 9.6% to 26.8% after a racial gap in referrals was shown).",
    "Context: in 2010, 90% of the Baltimore City Detention Center population was African American, "
    "against 64% of the city's residents.",
)


def is_unstable(numerator) -> bool:
    """A rate on under ``UNSTABLE_BELOW`` events (zero included: nothing to rest on)."""
    return numerator is not None and int(numerator) < UNSTABLE_BELOW


def is_too_few(base, total) -> bool:
    """A group under ``TOO_FEW_SHARE`` of the people at the decision point (``base`` of ``total``)."""
    return total is None or total <= 0 or base is None or base / total < TOO_FEW_SHARE


def rate(count, base, point: DecisionPoint) -> float | None:
    """The rate at a decision point: per 100 of ``base`` (None with nothing to divide by)."""
    if count is None or base is None or base <= 0:
        return None
    return point.per * count / base


@dataclass(frozen=True)
class RateRatio:
    """A Relative Rate Index with its 95% confidence interval."""

    value: float
    low: float
    high: float

    @property
    def detectable(self) -> bool:
        """Whether the interval leaves out 1 (no difference)."""
        return self.high < 1 or self.low > 1

    def text(self) -> str:
        """'0.62 (0.48–0.80)'"""
        return f"{_round(self.value)} ({_round(self.low)}–{_round(self.high)})"


def _round(value: float) -> str:
    return f"{value:.{RRI_DIGITS}f}"


def rate_ratio(
    count: int, base: int, ref_count: int, ref_base: int, point: DecisionPoint
) -> RateRatio | None:
    """The RRI of a group (``count`` of ``base``) against the reference (``ref_count`` of ``ref_base``)
    at ``point``, with its 95% CI from statsmodels; None when it cannot be computed (a zero count or
    base, or — with published, rounded counts — more people passing a point than reached it).

    >>> r = rate_ratio(30, 100, 50, 100, CONFIRMED)
    >>> round(r.value, 2), round(r.low, 4), round(r.high, 4)
    (0.6, 0.4195, 0.8581)
    """
    return rate_ratios([count], [base], [ref_count], [ref_base], point)[0]


def rate_ratios(
    counts, bases, ref_counts, ref_bases, point: DecisionPoint, rounded_quarters: int = 0
) -> list[RateRatio | None]:
    """``rate_ratio`` for many groups at once (one statsmodels call: a page asks for dozens).

    ``rounded_quarters``: in a public view, how many quarters each published referral count sums (its
    rounding widens the interval, see ``ROUNDING_VARIANCE``); arrest counts are exact.

    >>> exact, public = (rate_ratios([60], [400], [25], [100], REFERRED, q)[0] for q in (0, 8))
    >>> round(public.value, 2) == round(exact.value, 2) == 0.6
    True
    >>> public.low < exact.low < exact.high < public.high
    True
    """
    # imported here: statsmodels takes a while to import and only the Equity page needs it
    from statsmodels.stats.proportion import confint_proportions_2indep
    from statsmodels.stats.rates import confint_poisson_2indep

    a, n, b, m = (
        np.asarray(values, dtype=np.int64).reshape(-1) for values in (counts, bases, ref_counts, ref_bases)
    )
    valid = (a > 0) & (n > 0) & (b > 0) & (m > 0)
    if not point.poisson:
        valid &= (a <= n) & (b <= m)
    out: list[RateRatio | None] = [None] * len(a)
    if not valid.any():
        return out
    if rounded_quarters and not point.poisson:
        valid &= (a < n) & (b < m)  # a published share of 100%: rounding leaves no interval to give
        if not valid.any():
            return out
    a, n, b, m = a[valid], n[valid], b[valid], m[valid]
    values = (a / n) / (b / m)
    if rounded_quarters:
        (a, n), (b, m) = (
            _effective(x, y, point, ROUNDING_VARIANCE * rounded_quarters) for x, y in ((a, n), (b, m))
        )
    alpha = 1 - CONFIDENCE
    if point.poisson:
        low, high = confint_poisson_2indep(a, n, b, m, method="wald-log", compare="ratio", alpha=alpha)
    else:
        low, high = confint_proportions_2indep(a, n, b, m, method="log", compare="ratio", alpha=alpha)
    for index, value, lo, hi in zip(
        np.flatnonzero(valid), values, np.atleast_1d(low), np.atleast_1d(high), strict=True
    ):
        out[index] = RateRatio(float(value), float(lo), float(hi))
    return out


def _effective(count: np.ndarray, base: np.ndarray, point: DecisionPoint, rounding: float):
    """Counts with the same rate whose interval's variance is the published counts' sampling variance
    plus ``rounding`` for each rounded count (a design effect, as survey statistics shrink a sample).

    Poisson (referrals per arrest; arrests exact): var(log rate) = 1/a + v/a², so a' = a² / (a + v).
    Proportion (both rounded): var(log share) = 1/a - 1/n + v/a² + v/n² = (1 - p) / a' with n' = a' / p.
    """
    count, base = count.astype(float), base.astype(float)
    if point.poisson:
        effective = count**2 / (count + rounding)
        return effective, base * effective / count
    share = count / base
    variance = 1 / count - 1 / base + rounding / count**2 + rounding / base**2
    effective = (1 - share) / variance
    return effective, effective / share


def reading(breakdown: str, group, reference, point: DecisionPoint, ratio: RateRatio) -> str:
    """The RRI in plain words, saying "no detectable difference" when the interval covers 1.

    >>> reading("race", "black", "white", REFERRED, RateRatio(0.62, 0.48, 0.80))[:60]
    'Black people arrested for eligible offenses were referred at'
    >>> reading("race", "black", "white", REFERRED, RateRatio(0.62, 0.48, 0.80))[60:]
    ' 0.62 times the rate of White people (95% CI 0.48–0.80).'
    """
    them, us = people(breakdown, group), people(breakdown, reference)
    us = us[:1].lower() + us[1:] if breakdown != "race" else us
    interval = f"95% CI {_round(ratio.low)}–{_round(ratio.high)}"
    said = f"{them} {point.who} {point.did} at {_round(ratio.value)} times the rate of {us}"
    if ratio.detectable:
        return f"{said} ({interval})."
    return f"{said} ({interval}): no detectable difference."
