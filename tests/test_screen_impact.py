"""The Impact page's screen model (screens/impact.py) on the session's demo database."""

from datetime import date
from functools import partial

import numpy as np
import pytest

import queries
from domain import impact as words
from impact import did, survival
from screens import impact

START, END = date(2017, 1, 1), date(2024, 12, 31)


def selection(public: bool, comparison=None, rollout="pilot_zone") -> impact.Selection:
    return impact.Selection(rollout, 24, comparison, START, END, END, public)


@pytest.fixture(scope="module")
def run(demo_con):
    return partial(queries.run, demo_con)


def test_demo_states_the_effect_it_carries(run):
    screen = impact.impact_screen(run, selection(public=True))
    assert screen.synthetic_arrests
    assert "carries no injected effect" in screen.demo_note and "no detectable change" in screen.demo_note


def test_area_level_uses_the_matched_group_unless_one_is_chosen(run):
    monthly = run("impact_monthly_eligible_arrests", first_month=impact.FIRST_MONTH)
    seen = []

    def fit(frame, design):
        seen.append(design)
        return did.analyse(frame, design)

    area = impact.area_level(monthly, selection(public=True), fit)
    assert seen[0].comparison == area.default == area.chosen and len(area.chosen) >= 1
    assert all(unit.startswith("nsa:") for unit in area.chosen)
    if area.problem is None:
        assert area.metrics[0].label == words.EFFECT_LABEL and area.reading and area.estimates is not None
        assert area.headline.startswith(words.EFFECT_LABEL)
    picked = (area.default[0],)
    impact.area_level(monthly, selection(public=True, comparison=picked), fit)
    assert seen[-1].comparison == picked
    nobody = impact.area_level(monthly, selection(public=True, comparison=()), fit)
    assert nobody.problem == words.NO_COMPARISON and nobody.metrics and nobody.reading is None
    unknown = impact.area_level(monthly, selection(public=True, comparison=("nsa:No such place",)), fit)
    assert unknown.problem == words.NO_COMPARISON


def test_staff_curve_is_the_kaplan_meier_of_the_participants(run):
    people = impact.participant_level(run, selection(public=False))
    rows = run("impact_participants", area_id="city", start_date=START, end_date=END, as_of=END)
    expected = survival.curve(rows["months_followed"], rows["was_rearrested"])
    shown = expected.loc[expected["months"] <= 24 + 1e-9]
    drawn = people.curve.frame
    assert drawn["rearrested_pct"].iloc[: len(shown)].tolist() == pytest.approx(
        (100 * (1 - shown["survival"])).round(1)
    )
    # the curve runs on past two years: drawn flat to the chart's edge, with the people followed that long
    assert (
        drawn["months"].iloc[-1] == 24
        and drawn["rearrested_pct"].iloc[-1] == drawn["rearrested_pct"].iloc[-2]
    )
    assert drawn["at_risk"].iloc[-1] == survival.followed_at(rows["months_followed"], 24)
    assert people.metrics[0].value == f"{len(rows):,}"


def test_public_participant_figures_are_published_counts_on_the_step_grid(run):
    people = impact.participant_level(run, selection(public=True))
    curve = people.curve.frame
    # the curve moves only at whole steps, and every count it carries is a published multiple of 5
    assert set(curve["months"]) <= {float(m) for m in range(0, 25, words.PUBLIC_STEP_MONTHS)}
    for part in (people.curve, people.horizons, people.exits, people.time_in_program):
        for column in part.counts:
            values = part.frame[column].dropna().to_numpy(int)
            assert (values % 5 == 0).all(), (part.title, column, values)
    assert "rounded to a multiple of 5" in people.note
    # nothing about a single participant: no date column, no id, no time that is not a step end
    for part in (people.curve, people.horizons, people.exits, people.time_in_program):
        assert not [c for c in part.frame.columns if "date" in c or c.endswith("_on") or c.endswith("_id")]
    assert int(people.metrics[0].value.replace(",", "")) % 5 == 0


def test_public_view_never_runs_the_participant_query(run):
    asked = []

    def spy(name, **params):
        asked.append(name)
        return run(name, **params)

    impact.impact_screen(spy, selection(public=True))
    assert "impact_participants" not in asked and "impact_rearrest_steps" in asked


def test_horizons_say_when_nobody_was_followed_that_long(run):
    short = impact.Selection("pilot_zone", 24, None, date(2024, 10, 1), END, END, False)
    people = impact.participant_level(run, short)
    if people.horizons is not None:
        assert np.isnan(people.horizons.frame["rearrested_pct"].iloc[-1])
        assert people.metrics[-1].value == words.NOT_ENOUGH_FOLLOW_UP
