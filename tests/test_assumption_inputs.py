"""The planner's assumption inputs start from observed values moved into their range, never a crash.

After a small real import the observed referral ratio was 14 while its input takes 0–10: Streamlit
refuses a number input whose value is outside its range, and everything below "Assumptions" failed.
"""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui.data

APP = Path(__file__).resolve().parent.parent / "app.py"
PICKED = ["Washington Village/Pigtown", "Carroll Park"]
# What a small, odd import gives: more referrals than eligible arrests, more enrolled than referred,
# and a length of stay longer than the input allows.
ODD = {"referrals": 14, "eligible_arrests": 1, "enrolled": 20, "exited": 6, "mean_months_in_program": 150.0}


@pytest.fixture
def odd_observations(monkeypatch):
    real_query = ui.data.query

    def query(name, **params):
        result = real_query(name, **params)
        if name == "expansion_observed_ratios":
            result = result.copy()
            for column, value in ODD.items():
                result[column] = value
        return result

    monkeypatch.setattr(ui.data, "query", query)


def number_input(at: AppTest, label_start: str):
    return next(n for n in at.number_input if n.label.startswith(label_start))


def test_observed_values_outside_the_inputs_are_moved_in_and_said_so(
    demo_db_path, monkeypatch, odd_observations
):
    monkeypatch.setenv("LEAD_DB", str(demo_db_path))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["staff_signed_in"] = True  # staff: the small counts are not hidden
    at.run()
    at.switch_page("pages/expansion.py")
    at.run()
    at.radio(key="proposal_mode").set_value("pick").run()
    at.multiselect(key="picked_nsas").set_value(PICKED).run()

    assert not at.exception
    assert not any("Something went wrong" in e.value for e in at.error)
    assert number_input(at, "Referrals per eligible arrest").value == 10
    assert number_input(at, "Enrolment rate").value == 1
    assert number_input(at, "Average months in program").value == 120
    captions = " ".join(c.value for c in at.caption)
    assert "The observed 14 is outside this input's 0–10; it starts at 10." in captions
    assert "The observed 1.429 is outside this input's 0–1; it starts at 1." in captions
    assert "The observed 150 is outside this input's 0.5–120; it starts at 120." in captions
    # everything below the assumptions still works: the projection and its steps are shown
    assert not any("cannot be used" in e.value for e in at.error)
    assert any(m.label == "Case managers" for m in at.metric)
    assert any(h.value == "How the figures are computed" for h in at.subheader)


def test_in_range_observed_values_are_used_as_they_are(demo_db_path, monkeypatch):
    monkeypatch.setenv("LEAD_DB", str(demo_db_path))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["staff_signed_in"] = True
    at.run()
    at.switch_page("pages/expansion.py")
    at.run()
    assert not at.exception
    assert 0 < number_input(at, "Referrals per eligible arrest").value < 10
    assert "outside this input" not in " ".join(c.value for c in at.caption)
