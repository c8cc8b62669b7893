"""What a proposed LEAD area would take: pure arithmetic from eligible arrests to staff and money.

No Streamlit, no database: the page gathers the inputs (eligible arrests per year counted in DuckDB,
ratios observed in the loaded data, published figures from ``domain/program.py``) and this module turns them
into a projection. Every assumption is a named field of ``Assumptions`` with its default and the
source of that default in ``ASSUMPTION_NOTES``, so the screen can show, edit and cite each one.

>>> a = Assumptions(referrals_per_eligible_arrest=0.1, enrolment_rate=0.5, months_in_program=12)
>>> p = project(400, a)
>>> (p.referrals_per_year, p.participants_per_year, p.concurrent_participants, p.case_managers)
(40.0, 20.0, 20.0, 1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from domain import program

CANDIDATES_SOURCE = "LEAD Baltimore program material (expansion candidates)"


@dataclass(frozen=True)
class Site:
    name: str
    lon: float
    lat: float
    source: str


# The case managers work out of BPD's Central District station, 500 E Baltimore St. The point is the
# middle of that block: halfway between City DOT named intersections 66192 (E Baltimore St & Gay St,
# -76.6089273, 39.2897968) and 66191 (E Baltimore St & S Frederick St, -76.6081475, 39.2898186).
CASE_MANAGEMENT_SITE = Site(
    name="Central District station, 500 E Baltimore St",
    lon=-76.6085374,
    lat=39.2898077,
    source="LEAD Baltimore program material (case managers at the Central District); location: "
    "Baltimore City DOT named intersections 66192 and 66191 (500 block of E Baltimore St)",
)

MAX_REFERRALS_PER_ELIGIBLE_ARREST = 10.0  # social-contact referrals can outnumber arrests, not tenfold
MAX_MONTHS_IN_PROGRAM = 120.0  # ten years: a stay longer than that is a data error, not a plan
# Used only when no participant has exited yet in the loaded data, so no length of stay is observed;
# the page flags it as a placeholder to be edited.
MONTHS_IN_PROGRAM_PLACEHOLDER = 12.0


@dataclass(frozen=True)
class Assumptions:
    """Every figure a projection depends on besides the area's own eligible arrests."""

    referrals_per_eligible_arrest: float
    enrolment_rate: float
    months_in_program: float
    caseload_cap: int = program.CASELOAD_CAP_BALTIMORE
    cost_per_person_month_startup: float = program.SEATTLE_PROGRAM_COST_PER_PERSON_MONTH
    cost_per_person_month_steady: float = program.SEATTLE_PROGRAM_COST_PER_PERSON_MONTH_STEADY
    justice_cost_change_participant: float = program.SEATTLE_JUSTICE_COST_CHANGE_PARTICIPANT
    justice_cost_change_control: float = program.SEATTLE_JUSTICE_COST_CHANGE_CONTROL

    def __post_init__(self):
        problems = []
        if not 0 <= self.referrals_per_eligible_arrest <= MAX_REFERRALS_PER_ELIGIBLE_ARREST:
            problems.append(
                f"referrals per eligible arrest must be between 0 and {MAX_REFERRALS_PER_ELIGIBLE_ARREST:g} "
                f"(got {self.referrals_per_eligible_arrest:g})"
            )
        if not 0 <= self.enrolment_rate <= 1:
            problems.append(f"enrolment rate must be between 0 and 1 (got {self.enrolment_rate:g})")
        if not 0 < self.months_in_program <= MAX_MONTHS_IN_PROGRAM:
            problems.append(
                f"months in program must be above 0 and at most {MAX_MONTHS_IN_PROGRAM:g} "
                f"(got {self.months_in_program:g})"
            )
        if int(self.caseload_cap) != self.caseload_cap or self.caseload_cap < 1:
            problems.append(f"caseload cap must be a whole number of at least 1 (got {self.caseload_cap})")
        for name in ("cost_per_person_month_startup", "cost_per_person_month_steady"):
            if getattr(self, name) < 0:
                problems.append(f"{ASSUMPTION_NOTES[name].label.lower()} cannot be negative")
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, float) and not math.isfinite(value):
                problems.append(f"{ASSUMPTION_NOTES[field.name].label.lower()} must be a number")
        if problems:
            raise ValueError("; ".join(problems))


@dataclass(frozen=True)
class AssumptionNote:
    label: str
    unit: str
    source: str


ASSUMPTION_NOTES = {
    "referrals_per_eligible_arrest": AssumptionNote(
        "Referrals per eligible arrest",
        "ratio",
        "Computed from the loaded data (referrals ÷ LEAD-eligible arrests in the observed area and period); "
        "no published figure exists for this ratio",
    ),
    "enrolment_rate": AssumptionNote(
        "Enrolment rate", "share of referrals", "Computed from the loaded data (enrolled ÷ referred)"
    ),
    "months_in_program": AssumptionNote(
        "Average months in program",
        "months",
        "Computed from the loaded data (enrolment to exit, participants who have exited)",
    ),
    "caseload_cap": AssumptionNote(
        "Caseload cap", "people per pair", program.CITATIONS["caseload_cap"].source
    ),
    "cost_per_person_month_startup": AssumptionNote(
        "Program cost per person-month, including start-up", "US$", program.CITATIONS["seattle_costs"].source
    ),
    "cost_per_person_month_steady": AssumptionNote(
        "Program cost per person-month, steady state", "US$", program.CITATIONS["seattle_costs"].source
    ),
    "justice_cost_change_participant": AssumptionNote(
        "Justice and legal cost change per participant",
        "US$ change",
        program.CITATIONS["seattle_costs"].source,
    ),
    "justice_cost_change_control": AssumptionNote(
        "Justice and legal cost change per person booked as usual (control)",
        "US$ change",
        program.CITATIONS["seattle_costs"].source,
    ),
}


@dataclass(frozen=True)
class Projection:
    """One year of a proposed area at steady state, from its eligible arrests and the assumptions."""

    eligible_arrests_per_year: float
    referrals_per_year: float
    participants_per_year: float  # newly enrolled each year
    concurrent_participants: float  # on the caseload at any one time
    case_managers: int
    peers: int
    person_months_per_year: float
    program_cost_per_year_startup: float
    program_cost_per_year_steady: float
    justice_cost_change_participants: float  # one year's participants, Seattle change per participant
    justice_cost_change_if_booked: float  # the same people booked as usual, Seattle change per control
    justice_cost_difference: float  # participants minus booked as usual: negative is a saving


def project(eligible_arrests_per_year: float, assumptions: Assumptions) -> Projection:
    """Project referrals, participants, staff and costs for an area with this many eligible arrests a year.

    Referrals = eligible arrests x referrals per eligible arrest; participants = referrals x enrolment
    rate; people on the caseload at once = participants a year x months in program / 12 (arrivals x
    length of stay); case managers = that caseload / cap, rounded up, each paired with one peer.
    Program cost counts person-months (participants x months) at each per-person-month rate; the
    justice-cost change applies Seattle's per-person figures to one year's participants.
    """
    if not math.isfinite(eligible_arrests_per_year) or eligible_arrests_per_year < 0:
        raise ValueError(
            f"eligible arrests per year must be a number of at least 0 (got {eligible_arrests_per_year})"
        )
    a = assumptions
    referrals = eligible_arrests_per_year * a.referrals_per_eligible_arrest
    participants = referrals * a.enrolment_rate
    person_months = participants * a.months_in_program
    concurrent = person_months / 12
    # A caseload of 28.000000001 from float noise is still one team, not two.
    teams = math.ceil(round(concurrent / a.caseload_cap, 9)) if concurrent > 0 else 0
    return Projection(
        eligible_arrests_per_year=eligible_arrests_per_year,
        referrals_per_year=referrals,
        participants_per_year=participants,
        concurrent_participants=concurrent,
        case_managers=teams,
        peers=teams,
        person_months_per_year=person_months,
        program_cost_per_year_startup=person_months * a.cost_per_person_month_startup,
        program_cost_per_year_steady=person_months * a.cost_per_person_month_steady,
        justice_cost_change_participants=participants * a.justice_cost_change_participant,
        justice_cost_change_if_booked=participants * a.justice_cost_change_control,
        justice_cost_difference=participants
        * (a.justice_cost_change_participant - a.justice_cost_change_control),
    )


@dataclass(frozen=True)
class Observed:
    """Ratios observed in the loaded data for the area the pilot ran in; None when not computable."""

    referrals: int
    eligible_arrests: int
    enrolled: int
    exited: int
    mean_months_in_program: float | None

    @classmethod
    def from_row(cls, row) -> Observed:
        """From an ``expansion_observed_ratios`` row (a mapping or a pandas row)."""
        months = row["mean_months_in_program"]
        usable = months is not None and math.isfinite(float(months))
        return cls(
            referrals=int(row["referrals"]),
            eligible_arrests=int(row["eligible_arrests"]),
            enrolled=int(row["enrolled"]),
            exited=int(row["exited"]),
            mean_months_in_program=float(months) if usable else None,
        )

    @property
    def referrals_per_eligible_arrest(self) -> float | None:
        return self.referrals / self.eligible_arrests if self.eligible_arrests > 0 else None

    @property
    def enrolment_rate(self) -> float | None:
        return self.enrolled / self.referrals if self.referrals > 0 else None


def observed_assumptions(observed: Observed, **overrides) -> Assumptions:
    """Assumptions with the observed ratios as defaults (0 when not computable), then ``overrides``.

    >>> observed_assumptions(Observed(10, 100, 5, 2, 9.0)).referrals_per_eligible_arrest
    0.1
    """
    months = observed.mean_months_in_program
    defaults = {
        "referrals_per_eligible_arrest": observed.referrals_per_eligible_arrest or 0.0,
        "enrolment_rate": observed.enrolment_rate or 0.0,
        "months_in_program": months if months and months > 0 else MONTHS_IN_PROGRAM_PLACEHOLDER,
    }
    return Assumptions(**{**defaults, **overrides})
