"""The words of the Impact page ("Is it working?"), defined once: what each roll-out is, how an estimate
reads, the caveats, the cited context, and what the loaded demo carries.

The statistics are in ``impact/`` (statsmodels); the page's layout in ``pages/impact.py``. A reading
that says a change was found only when its 95 % interval leaves out no change is the rule here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from math import exp

from domain import disclosure, program


@dataclass(frozen=True)
class Rollout:
    """One treated area and the date LEAD reached it."""

    key: str
    label: str
    treated: str  # unit id in queries/impact_monthly_eligible_arrests.sql
    area_words: str  # as a sentence names it
    launch: date
    launch_words: str


ROLLOUTS = {
    "pilot_zone": Rollout(
        "pilot_zone",
        f"Pilot zone ({program.PILOT_LAUNCH:%b %Y})",
        "pilot_zone",
        "the pilot zone",
        program.PILOT_LAUNCH,
        f"the pilot launch, {program.PILOT_LAUNCH:%B %Y}",
    ),
    "district_wide": Rollout(
        "district_wide",
        f"Rest of Central District ({program.DISTRICT_WIDE_FROM:%b %Y}"
        + (", assumed)" if program.DISTRICT_WIDE_IS_ASSUMED else ")"),
        "rest_of_central",
        "the rest of the Central District",
        program.DISTRICT_WIDE_FROM,
        f"the district-wide roll-out, {program.DISTRICT_WIDE_FROM:%B %Y}"
        + (" (an assumed date)" if program.DISTRICT_WIDE_IS_ASSUMED else ""),
    ),
}
POST_WINDOWS = (12, 24)  # months after launch the estimate covers (both end before the 2020 policy change)
# The headline estimate: what the Impact page opens on, and what the hearing brief includes
HEADLINE_ROLLOUT = "pilot_zone"
HEADLINE_POST_MONTHS = POST_WINDOWS[-1]
PRE_MONTHS = 36
COMPARISON_SIZE = 10
HORIZONS = (6, 12, 24)  # months after enrolment for "re-arrested by"
PUBLIC_STEP_MONTHS = 3  # the public curve's steps
CURVE_STEPS = 8  # steps of PUBLIC_STEP_MONTHS shown: two years of follow-up

# Why there is no estimate (impact/did.py raises these; the page shows them as they are).
NO_TREATED_ARRESTS = (
    "No LEAD-eligible arrests with a location were recorded in this area: there is nothing to compare."
)
NO_COMPARISON = (
    "No comparison neighbourhood is chosen (or none had an arrest in these months). Pick at least one."
)
TOO_FEW_MONTHS = (
    "The loaded arrest data does not cover enough months around this launch (at least 12 before and all "
    "the months after that the estimate covers)."
)
NO_FIT = "The model could not be fitted to these areas and months; try other comparison neighbourhoods."
PROBLEMS = frozenset({NO_TREATED_ARRESTS, NO_COMPARISON, TOO_FEW_MONTHS, NO_FIT})

EFFECT_LABEL = "Estimated change in LEAD-eligible arrests"
EFFECT_HELP = (
    "Change in monthly LEAD-eligible arrests in the area after launch, beyond the change in the comparison "
    "neighbourhoods over the same months (difference-in-differences, Poisson model with area and month "
    "effects), with its 95% confidence interval."
)
NO_DETECTABLE_CHANGE = "No detectable change"


def percent(change: float, digits: int = 0) -> str:
    """A change as signed percent, with a real minus sign: ``'−15%'``, ``'+3%'``, ``'0%'``."""
    value = round(change * 100, digits)
    if value == 0:
        return f"{0:.{digits}f}%"
    text = f"{abs(value):.{digits}f}%"
    return ("−" if value < 0 else "+") + text


def interval(low: float, high: float) -> str:
    """``'95% CI −24% to −6%'``."""
    return f"95% CI {percent(low)} to {percent(high)}"


def verdict(low: float, high: float) -> str:
    """The headline word: a fall, a rise, or no detectable change (the interval covers zero)."""
    if low <= 0 <= high:
        return NO_DETECTABLE_CHANGE
    return "A fall" if high < 0 else "A rise"


def reading(change: float, low: float, high: float, rollout: Rollout, comparisons: int) -> str:
    """The estimate in plain words, saying "no detectable change" when the interval covers no change."""
    against = f"the {comparisons} comparison neighbourhood{'s' if comparisons != 1 else ''}"
    if low <= 0 <= high:
        return (
            f"{NO_DETECTABLE_CHANGE}: after {rollout.launch_words}, LEAD-eligible arrests in "
            f"{rollout.area_words} changed by an estimated {percent(change)} relative to {against}, "
            "but the 95% confidence interval, "
            f"{percent(low)} to {percent(high)}, includes no change. The data cannot tell a real effect of "
            "this size from chance."
        )
    direction = "fell" if high < 0 else "rose"
    return (
        f"After {rollout.launch_words}, LEAD-eligible arrests in {rollout.area_words} {direction} by an "
        f"estimated {abs(change) * 100:.0f}% relative to {against} (95% confidence "
        f"interval {percent(low)} to {percent(high)}). This is a change beyond what the comparison areas "
        "show; "
        "it is not proof that LEAD caused it (see the caveats)."
    )


def placebo_reading(passed: int, total: int) -> str:
    if total == 0:
        return "No placebo test could be run: the data does not reach far enough before the launch."
    if passed == total:
        return (
            f"Placebo test passed: at {total} false launch date{'s' if total != 1 else ''} before the real "
            "one, "
            "the same estimate finds no detectable change, as it should."
        )
    return (
        f"Placebo warning: at {total - passed} of {total} false launch dates the estimate finds a change "
        "where "
        "there was no program. The areas were drifting apart before launch; read the main estimate with care."
    )


METHOD_NOTE = (
    "How this is estimated: monthly LEAD-eligible arrests (with a location) in the area and in each "
    "comparison "
    "neighbourhood, 36 months before launch and the chosen months after, fitted with a Poisson regression "
    "with one effect per area and one per month (statsmodels). Standard errors are Driscoll–Kraay, robust to "
    "correlation across areas and over nearby months; errors clustered by area are not used because with one "
    "treated area they are known to be far too narrow. Comparison neighbourhoods are those outside the "
    "Central District (never reached by LEAD) closest to the area in arrests a month and in their trend "
    "over the three years before launch; you can change the list."
)
EVENT_STUDY_NOTE = (
    "Each point is the change in one quarter relative to the quarter just before launch (fixed at 0), with "
    "its 95% interval. Before launch the points should hover around 0; if they do not, the comparison areas "
    "were already moving differently and the estimate is less trustworthy."
)
CAVEATS = (
    "Displacement: if arrests moved from the area to nearby blocks, a fall here is partly a rise elsewhere. "
    "Comparison neighbourhoods are outside the Central District, away from the pilot zone.",
    "Policy changes: in March 2020 the State's Attorney stopped prosecuting drug possession, prostitution, "
    "trespass and public urination (reversed in 2023). These are LEAD-eligible offenses, so the estimate "
    "stops before 2020; a longer window would mix that change with LEAD's.",
    "Other changes at the same time (policing in the Central District, the 2017 district-wide roll-out) "
    "cannot be told apart from LEAD by this design.",
    "Arrests measure police activity as well as behaviour: fewer arrests can mean fewer offenses or "
    "different enforcement.",
)
SYNTHETIC_NOTE = "The loaded data is synthetic: these estimates show how the method works, not how LEAD did."

# Participant level
REARREST_NOTE = (
    "Time to re-arrest after enrolment for participants referred in the period (Kaplan–Meier estimate with "
    "its pointwise 95% confidence band, statsmodels). A participant not re-arrested counts until the "
    "latest loaded data (censored), whether or not they are still in the program. Re-arrests are those "
    "recorded in the case-management data."
)
PUBLIC_CURVE_NOTE = (
    f"Public view: the curve moves only at whole steps of {PUBLIC_STEP_MONTHS} months since enrolment, built "
    "from counts of re-arrests and of follow-ups ending in each step, each counted per referral quarter and "
    f"rounded to a multiple of {disclosure.ROUNDING_BASE} like every public figure about referrals "
    "(so the curve is approximate). No individual's date or time to re-arrest is used on screen. Staff see "
    "the exact curve."
)
NOT_ENOUGH_FOLLOW_UP = "not enough follow-up"
SEATTLE_CONTEXT = (
    f"For context, not as a target: {program.CITATIONS['seattle_recidivism'].figure} "
    f"({program.CITATIONS['seattle_recidivism'].source}). Seattle compared participants with a control "
    "group; the curve here has no control group, so it cannot show an effect of that kind."
)
SANTA_FE_CONTEXT = program.Citation(
    "Arrests lower than the comparison group at 6 months, not sustained; "
    "time to re-arrest over a month longer",
    "New Mexico Sentencing Commission, Santa Fe LEAD evaluation (2018)",
)
EXIT_REASON_LABELS = {
    "still_active": "Still in the program",
    "completed": "Completed",
    "disengaged": "Lost contact",
    "moved": "Moved away",
    "incarcerated": "Incarcerated",
    "deceased": "Deceased",
    "reason_not_recorded": "Exited, reason not recorded",
}
TIME_IN_PROGRAM_LABELS = {
    "under_3": "Under 3 months",
    "3_to_6": "3 to 6 months",
    "6_to_12": "6 to 12 months",
    "12_to_24": "12 to 24 months",
    "24_and_over": "24 months or more",
}


def demo_effect_text(arrest_effect: float, rearrest_hazard: float | None) -> str:
    """What the loaded synthetic demo carries on purpose, so a reader can check the estimates against it."""
    if arrest_effect:
        arrests = (
            f"an injected change of {percent(arrest_effect)} in LEAD-eligible arrests in the pilot zone from "
            f"{program.PILOT_LAUNCH:%B %Y}; a sound estimate's interval should include "
            f"{percent(arrest_effect)}"
        )
    else:
        arrests = (
            "no injected effect on arrests: the pilot zone follows the same pattern as the rest of the city, "
            "so a sound estimate should read \u201cno detectable change\u201d (about 1 time in 20 it "
            "will not, "
            "by chance)"
        )
    if rearrest_hazard:
        year = 1 - exp(-rearrest_hazard * 12)
        rearrests = (
            f"re-arrests come at a constant {rearrest_hazard:.1%} a month "
            f"(true share re-arrested within 12 months: {year:.0%})"
        )
    else:
        rearrests = (
            "re-arrests follow the program's published first-year account (two of about 60), then about 5%"
        )
    return f"This synthetic demo carries {arrests}. For participants, {rearrests}."
