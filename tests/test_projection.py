"""The planner's projection arithmetic, checked against hand calculations written out here."""

import math

import pandas as pd
import pytest

from domain import program
from planning.projection import (
    ASSUMPTION_NOTES,
    CASE_MANAGEMENT_SITE,
    MONTHS_IN_PROGRAM_PLACEHOLDER,
    Assumptions,
    Observed,
    observed_assumptions,
    project,
)


def test_projection_equals_a_hand_calculation():
    """480 eligible arrests a year, 1 referral per 8 eligible arrests, half enrol, 9 months each."""
    assumptions = Assumptions(referrals_per_eligible_arrest=0.125, enrolment_rate=0.5, months_in_program=9)
    p = project(480, assumptions)
    # referrals = 480 x 0.125 = 60; participants = 60 x 0.5 = 30
    assert p.referrals_per_year == 60
    assert p.participants_per_year == 30
    # person-months = 30 x 9 = 270; on the caseload at once = 270 / 12 = 22.5
    assert p.person_months_per_year == 270
    assert p.concurrent_participants == 22.5
    # Baltimore cap 28: ceil(22.5 / 28) = 1 case manager, paired with 1 peer
    assert (p.case_managers, p.peers) == (1, 1)
    # program cost: 270 x $899 = $242,730 (start-up rate); 270 x $532 = $143,640 (steady)
    assert p.program_cost_per_year_startup == 242_730
    assert p.program_cost_per_year_steady == 143_640
    # justice costs (Seattle): 30 x -$2,100 = -$63,000; booked as usual 30 x $5,961 = $178,830;
    # difference -63,000 - 178,830 = -$241,830
    assert p.justice_cost_change_participants == -63_000
    assert p.justice_cost_change_if_booked == 178_830
    assert p.justice_cost_difference == -241_830


@pytest.mark.parametrize(
    ("cap", "teams"),
    [(28, 1), (25, 1), (20, 2), (15, 2), (11, 3)],  # 22.5 people: ceil(22.5 / cap)
)
def test_staff_follow_the_chosen_caseload_standard(cap, teams):
    assumptions = Assumptions(
        referrals_per_eligible_arrest=0.125, enrolment_rate=0.5, months_in_program=9, caseload_cap=cap
    )
    assert project(480, assumptions).case_managers == teams


def test_every_caseload_standard_in_program_is_usable():
    for cap in program.CASELOAD_STANDARDS.values():
        assumptions = Assumptions(
            referrals_per_eligible_arrest=1, enrolment_rate=1, months_in_program=12, caseload_cap=cap
        )
        # exactly one full caseload: cap people arriving a year, staying 12 months -> one pair, not two
        assert project(cap, assumptions).case_managers == 1
        assert project(cap + 1, assumptions).case_managers == 2


def test_a_caseload_of_exactly_the_cap_is_one_team_despite_float_noise():
    # 50 x 0.56 x 12 / 12 is 28.000000000000004 in floating point; 28 people need one pair, not two
    assumptions = Assumptions(referrals_per_eligible_arrest=0.56, enrolment_rate=1, months_in_program=12)
    p = project(50, assumptions)
    assert p.concurrent_participants > 28  # the noise is really there
    assert p.concurrent_participants == pytest.approx(28)
    assert p.case_managers == 1


def test_no_eligible_arrests_means_no_staff_and_no_cost():
    p = project(0, Assumptions(referrals_per_eligible_arrest=0.3, enrolment_rate=0.7, months_in_program=10))
    assert (p.referrals_per_year, p.case_managers, p.peers, p.program_cost_per_year_steady) == (0, 0, 0, 0)


def test_defaults_are_the_published_figures():
    a = Assumptions(referrals_per_eligible_arrest=0.1, enrolment_rate=0.5, months_in_program=12)
    assert a.caseload_cap == 28 == program.CASELOAD_CAP_BALTIMORE
    assert (a.cost_per_person_month_startup, a.cost_per_person_month_steady) == (899, 532)
    assert (a.justice_cost_change_participant, a.justice_cost_change_control) == (-2100, 5961)
    # every assumption has a label and a source the page can show
    fields = set(Assumptions.__dataclass_fields__)
    assert fields == set(ASSUMPTION_NOTES)
    assert all(note.label and note.source for note in ASSUMPTION_NOTES.values())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"referrals_per_eligible_arrest": -0.1}, "referrals per eligible arrest"),
        ({"referrals_per_eligible_arrest": 11}, "referrals per eligible arrest"),
        ({"enrolment_rate": 1.2}, "enrolment rate"),
        ({"months_in_program": 0}, "months in program"),
        ({"caseload_cap": 0}, "caseload cap"),
        ({"caseload_cap": 2.5}, "caseload cap"),
        ({"cost_per_person_month_steady": -1}, "steady state cannot be negative"),
        ({"justice_cost_change_control": math.nan}, "must be a number"),
    ],
)
def test_impossible_assumptions_are_refused_with_their_name(changes, message):
    values = {"referrals_per_eligible_arrest": 0.1, "enrolment_rate": 0.5, "months_in_program": 12, **changes}
    with pytest.raises(ValueError, match=message):
        Assumptions(**values)


def test_negative_or_missing_arrest_counts_are_refused():
    a = Assumptions(referrals_per_eligible_arrest=0.1, enrolment_rate=0.5, months_in_program=12)
    for bad in (-1, math.nan, math.inf):
        with pytest.raises(ValueError, match="eligible arrests per year"):
            project(bad, a)


def test_observed_ratios_become_the_defaults():
    observed = Observed(
        referrals=196, eligible_arrests=346, enrolled=138, exited=130, mean_months_in_program=10.04
    )
    a = observed_assumptions(observed)
    assert a.referrals_per_eligible_arrest == 196 / 346
    assert a.enrolment_rate == 138 / 196
    assert a.months_in_program == 10.04
    assert observed_assumptions(observed, caseload_cap=15).caseload_cap == 15


def test_ratios_that_cannot_be_computed_are_not_invented():
    observed = Observed.from_row(
        {
            "referrals": 0,
            "eligible_arrests": 0,
            "enrolled": 0,
            "exited": 0,
            "mean_months_in_program": math.nan,
        }
    )
    assert observed.referrals_per_eligible_arrest is None
    assert observed.enrolment_rate is None
    assert observed.mean_months_in_program is None
    a = observed_assumptions(observed)
    assert (a.referrals_per_eligible_arrest, a.enrolment_rate) == (0, 0)
    assert a.months_in_program == MONTHS_IN_PROGRAM_PLACEHOLDER


def test_case_management_site_is_the_500_block_of_e_baltimore_st(shared_real):
    """The site is halfway between City DOT intersections 66192 (Gay St) and 66191 (S Frederick St)."""
    intersections = pd.read_csv(shared_real / "street_intersections" / "named_intersections.csv").set_index(
        "id"
    )
    gay, frederick = intersections.loc[66192], intersections.loc[66191]
    assert "E BALTIMORE ST" in gay["name"] and "GAY ST" in gay["name"]
    assert "E BALTIMORE ST" in frederick["name"] and "FREDERICK ST" in frederick["name"]
    assert CASE_MANAGEMENT_SITE.lon == pytest.approx((gay.lon + frederick.lon) / 2, abs=1e-7)
    assert CASE_MANAGEMENT_SITE.lat == pytest.approx((gay.lat + frederick.lat) / 2, abs=1e-7)
    assert "66192" in CASE_MANAGEMENT_SITE.source and "66191" in CASE_MANAGEMENT_SITE.source
