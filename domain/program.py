"""Facts about the LEAD program that code relies on, each with the source it is cited from.

One place for dates, caps and published figures: the demo generator calibrates from them, the pages
cite them on screen, and the planner uses them as editable defaults. Sources are summarised in
``../shared/FACTS.md`` of the project workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

LEAD_CATEGORIES = (
    "cds_possession",
    "cds_distribution",
    "prostitution",
    "larceny",
    "trespass",
    "public_urination",
)
LEAD_CATEGORY_LABELS = {
    "cds_possession": "CDS possession",
    "cds_distribution": "CDS distribution (subsistence)",
    "prostitution": "Prostitution",
    "larceny": "Larceny (subsistence)",
    "trespass": "Misdemeanor trespass",
    "public_urination": "Public urination",
}
REFERRAL_TYPES = ("arrest", "social_contact")
REFERRAL_TYPE_LABELS = {"arrest": "Arrest referral", "social_contact": "Social-contact referral"}
INELIGIBLE_REASONS = (
    "under_supervision",
    "disqualifying_record",
    "public_safety_threat",
    "open_case",
    "open_warrant",
    "outside_area",
    "declined",
)
INELIGIBLE_REASON_LABELS = {
    "under_supervision": "Under supervision (probation/parole)",
    "disqualifying_record": "Disqualifying record",
    "public_safety_threat": "Threat to public safety",
    "open_case": "Open case",
    "open_warrant": "Open warrant",
    "outside_area": "Outside program area",
    "declined": "Declined",
}

# Neighbourhoods (2010 NSA names) that program material names as expansion candidates;
# "Pigtown" is the NSA "Washington Village/Pigtown".
EXPANSION_CANDIDATES = ("Old Goucher", "Washington Village/Pigtown", "Fells Point", "Mondawmin")

PILOT_LAUNCH = date(2017, 2, 1)
# Program material says an expansion "to more individuals and neighbourhoods" was under way by late
# 2017; the exact date is not published, so the demo uses this one and the UI labels it as assumed.
DISTRICT_WIDE_FROM = date(2017, 11, 1)
DISTRICT_WIDE_IS_ASSUMED = True

CASELOAD_CAP_BALTIMORE = 28
CASELOAD_STANDARDS = {
    "Baltimore cap (peer + case manager pair)": 28,
    "LEAD national: never more than": 25,
    "LEAD average: up to": 20,
    "Intensive case management: typical": 15,
}

SMALL_COUNT_THRESHOLD = 5  # public views show 1..4 as "fewer than 5"


@dataclass(frozen=True)
class Citation:
    figure: str
    source: str


CITATIONS = {
    "launch": Citation("Pilot launched February 2017", "LEAD Baltimore program material (BHSB)"),
    "first_five_months": Citation(
        "More than 40 referrals in the first five months", "LEAD Baltimore implementation update"
    ),
    "enrolled_first_year": Citation(
        "Over 60 individuals enrolled; only two re-arrested", "LEAD Baltimore implementation update"
    ),
    "caseload_cap": Citation(
        "Each peer is paired with a case manager; caseload not to exceed 28",
        "LEAD Baltimore program material",
    ),
    "caseload_standard": Citation(
        "12-15 typical for intensive case management; LEAD averages up to 20; never more than 25",
        "LEAD Support Bureau toolkit",
    ),
    "seattle_recidivism": Citation(
        "58% lower odds of arrest for LEAD participants vs controls (203 vs 115)",
        "Collins, Lonczak & Clifasefi, Seattle LEAD evaluation (2015/2017)",
    ),
    "seattle_costs": Citation(
        "Justice and legal costs fell $2,100 per participant and rose $5,961 per control; "
        "program cost $899 per person-month including start-up, falling to $532",
        "Collins et al. 2015; Journal of Experimental Criminology 2019",
    ),
    "expansion_candidates": Citation(
        "Expansion candidates: Old Goucher, Pigtown, Fells Point, Mondawmin",
        "LEAD Baltimore program material",
    ),
    "baltimore_2014_drug_arrests": Citation(
        "About 15,000 drug-related arrests in Baltimore in 2014, nearly three quarters simple possession",
        "LEAD Baltimore program material",
    ),
}

SEATTLE_PROGRAM_COST_PER_PERSON_MONTH = 899  # including start-up
SEATTLE_PROGRAM_COST_PER_PERSON_MONTH_STEADY = 532
SEATTLE_JUSTICE_COST_CHANGE_PARTICIPANT = -2100
SEATTLE_JUSTICE_COST_CHANGE_CONTROL = 5961
