"""The Expansion planner's screen model (screens.expansion) on hand-built query results, without Streamlit."""

import json
import math
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import box

from domain.figures import REFERRALS_PER_100, referrals_per_100
from domain.privacy import COMPLEMENT_NOTE, COMPLEMENT_TEXT, SUPPRESSED_TEXT
from planning.projection import MAX_REFERRALS_PER_ELIGIBLE_ARREST, Assumptions, project
from queries import column_labels
from screens import expansion as screen

ROOT = Path(__file__).resolve().parent.parent
START, END = date(2017, 1, 1), date(2017, 12, 31)
BY_YEAR = "Eligible arrests per year"
ASSUMPTIONS = Assumptions(referrals_per_eligible_arrest=0.125, enrolment_rate=0.5, months_in_program=9)


@pytest.fixture
def ranked():
    """Five neighbourhoods and a district as expansion_ranking returns them: B has 3 eligible arrests."""
    return pd.DataFrame(
        {
            "area_id": ["nsa:A", "nsa:B", "nsa:C", "nsa:D", "nsa:E", "district:1959-2022:Central"],
            "kind": ["neighborhood"] * 5 + ["district"],
            "name": ["A", "B", "C", "D", "E", "Central"],
            "is_candidate": [False, True, False, True, False, False],
            "area_km2": [1.0, 0.05, 2.0, 1.0, 1.0, 6.8],
            "eligible_arrests": [100, 3, 40, 8, 0, 900],
            "eligible_per_year": [50.0, 1.5, 20.0, 4.0, 0.0, 450.0],
            "eligible_per_year_km2": [50.0, 30.0, 10.0, 4.0, 0.0, 66.2],
            "possession_share": [0.7, 1 / 3, 0.5, 0.25, None, 0.6],
            "trend_pct_per_year": [5.0, -20.0, 1.0, 3.0, None, -2.0],
            "trend_months": [36] * 6,
            "km_from_site": [1.0, 2.0, 3.0, 4.0, 5.0, 0.5],
            "central_share": [0.0, 0.0, 0.5, 0.0, 0.0, 1.0],
        }
    )


def observed_row(referrals=120, eligible_arrests=800, enrolled=60, exited=20, months=9.4):
    """An expansion_observed_ratios row."""
    return {
        "referrals": referrals,
        "eligible_arrests": eligible_arrests,
        "enrolled": enrolled,
        "exited": exited,
        "mean_months_in_program": months,
    }


def area_counts(eligible=96, per_year=48.0):
    """An expansion_area_arrests row."""
    return pd.Series(
        {
            "eligible_arrests": eligible,
            "eligible_per_year": per_year,
            "possession_share": 0.5,
            "km_from_site": 2.25,
        }
    )


# ---------------------------------------------------------------- ranking


def test_public_ranking_reads_hidden_counts_as_words_under_the_queries_labels(ranked):
    shown = screen.ranking(ranked, "neighborhood", BY_YEAR, False, True, START, END)
    labels = column_labels("expansion_ranking")
    table = shown.table.set_index(labels["name"])
    arrests = labels["eligible_arrests"]
    assert table.loc["B", arrests] == SUPPRESSED_TEXT
    assert table.loc["D", arrests] == COMPLEMENT_TEXT  # 8, hidden so that B's 3 cannot be worked out
    assert table.loc["A", arrests] == "100" and table.loc["E", arrests] == "0"
    assert pd.isna(table.loc["D", labels["eligible_per_year"]])  # no figure derived from a hidden count
    assert list(shown.table.columns[:3]) == ["Rank", labels["name"], labels["is_candidate"]]
    assert set(shown.columns) <= set(shown.table.columns)  # every grid setting names a heading
    assert f"Areas with {SUPPRESSED_TEXT} eligible arrests" in shown.caption
    assert COMPLEMENT_NOTE in shown.caption
    assert shown.file_name == "expansion-ranking-neighborhood.csv"


def test_staff_ranking_shows_every_count_as_a_number(ranked):
    shown = screen.ranking(ranked, "neighborhood", BY_YEAR, False, False, START, END)
    arrests = column_labels("expansion_ranking")["eligible_arrests"]
    assert list(shown.table[arrests]) == [100, 40, 8, 3, 0]
    assert str(shown.table[arrests].dtype) == "Int64"
    assert SUPPRESSED_TEXT not in shown.caption and COMPLEMENT_NOTE not in shown.caption


def test_named_candidates_alone_keep_the_whole_lists_masking(ranked):
    """D is withheld in the whole list; among the candidates alone it still reads so, not as a small count."""
    shown = screen.ranking(ranked, "neighborhood", BY_YEAR, True, True, START, END)
    labels = column_labels("expansion_ranking")
    table = shown.table.set_index(labels["name"])
    assert list(table.index) == ["D", "B"]
    assert table.loc["D", labels["eligible_arrests"]] == COMPLEMENT_TEXT
    assert table.loc["B", labels["eligible_arrests"]] == SUPPRESSED_TEXT


def test_the_projector_table_formats_shades_and_shortens(ranked):
    shown = screen.ranking(
        ranked, "neighborhood", "Eligible arrests per km² a year", False, False, START, END
    )
    html = shown.projector_table().to_html()
    assert "70%" in html  # A's possession share, a percentage
    assert "+5%" in html  # A's trend, signed
    shaded = re.findall(r"row(\d+)_col\d+", html.split(screen.CANDIDATE_SHADE)[0])  # the rule's cells
    assert sorted(set(shaded)) == ["1", "3"] and len(shaded) == 2 * len(shown.table.columns)  # B, D
    assert "Trend/yr" in html and column_labels("expansion_ranking")["trend_pct_per_year"] not in html
    assert shown.projector_caption == "The first 5 of 5; the download below has them all."


# ---------------------------------------------------------------- assumptions


def test_the_observed_ratio_is_the_headline_figure_per_eligible_arrest():
    inputs = screen.observed_inputs(observed_row(), "pilot_zone", START, END, public=True)
    ratio = inputs["referrals_per_eligible_arrest"]
    assert ratio.start == referrals_per_100(120, 800) / 100 == 0.15
    assert f"15.0 {REFERRALS_PER_100.label.lower()}" in ratio.caption
    assert "120 referrals ÷ 800 eligible arrests" in ratio.caption
    assert "no published figure exists" in ratio.caption
    assert ratio.args()["max_value"] == MAX_REFERRALS_PER_ELIGIBLE_ARREST
    assert inputs["enrolment_rate"].start == 0.5
    assert inputs["months_in_program"].start == 9.4
    assert list(inputs) == ["referrals_per_eligible_arrest", "enrolment_rate", "months_in_program"]


def test_a_small_count_behind_a_public_ratio_offers_no_observed_value():
    row = observed_row(referrals=3, enrolled=2, exited=4)
    public = screen.observed_inputs(row, "pilot_zone", START, END, public=True)
    for field in ("referrals_per_eligible_arrest", "enrolment_rate"):
        assert public[field].start == 0.0
        assert "Too few records" in public[field].caption
        assert "÷" not in public[field].caption  # neither the small count nor a ratio that gives it back
    assert public["months_in_program"].start == 12.0
    assert "Placeholder" in public["months_in_program"].caption
    staff = screen.observed_inputs(row, "pilot_zone", START, END, public=False)
    assert staff["referrals_per_eligible_arrest"].start == pytest.approx(3 / 800, abs=5e-4)
    assert staff["enrolment_rate"].start == pytest.approx(0.667)


def test_observed_values_outside_an_input_start_at_its_edge_and_say_so():
    row = observed_row(referrals=14, eligible_arrests=1, enrolled=20, exited=6, months=150.0)
    inputs = screen.observed_inputs(row, "district:1959-2022:Central", START, END, public=False)
    assert inputs["referrals_per_eligible_arrest"].start == MAX_REFERRALS_PER_ELIGIBLE_ARREST
    assert "The observed 14 is outside this input's 0–10; it starts at 10." in (
        inputs["referrals_per_eligible_arrest"].caption
    )
    assert inputs["enrolment_rate"].start == 1.0
    assert inputs["months_in_program"].start == 120.0
    assert "the Central District (1959–2022)" in inputs["months_in_program"].caption


def test_assumptions_from_the_inputs_or_the_reason_they_cannot_be_used():
    values = {"referrals_per_eligible_arrest": 0.125, "enrolment_rate": 0.5, "months_in_program": 9.0}
    assumptions, problem = screen.assumptions_from({**values, "caseload_cap": 15.0})
    assert problem is None and assumptions.caseload_cap == 15 and isinstance(assumptions.caseload_cap, int)
    none, problem = screen.assumptions_from({**values, "enrolment_rate": 1.5})
    assert none is None and problem.startswith("These assumptions cannot be used: enrolment rate")


# ---------------------------------------------------------------- one proposal


def metric(metrics, label):
    return next(m.value for m in metrics if m.label == label)


def test_a_proposal_shows_what_the_projection_gives():
    shown = screen.proposal_figures_shown(1.5, area_counts(), ASSUMPTIONS, True, START, END)
    expected = project(48.0, ASSUMPTIONS)
    assert metric(shown.measured, "Eligible arrests") == "96"
    assert metric(shown.measured, "Eligible a year") == "48.0"
    assert metric(shown.measured, "Area") == "1.50 km²"
    assert metric(shown.measured, "Distance") == "2.2 km"
    assert metric(shown.projected, "Referrals a year") == f"{expected.referrals_per_year:,.0f}" == "6"
    assert metric(shown.projected, "Case managers") == str(expected.case_managers)
    assert metric(shown.projected, "Justice costs") == "−$24k"
    assert shown.hidden_note is None
    assert shown.steps.set_index("Figure").loc["Referrals per year", "Value"] == "6.0"


def test_a_small_public_proposal_hides_its_projection_but_staff_see_it():
    public = screen.proposal_figures_shown(0.3, area_counts(3, 1.5), ASSUMPTIONS, True, START, END)
    assert metric(public.measured, "Eligible arrests") == SUPPRESSED_TEXT
    assert metric(public.measured, "Eligible a year") == "hidden"
    assert public.projected == () and public.steps is None
    assert public.hidden_note.startswith(SUPPRESSED_TEXT.capitalize())
    staff = screen.proposal_figures_shown(0.3, area_counts(3, 1.5), ASSUMPTIONS, False, START, END)
    assert metric(staff.measured, "Eligible arrests") == "3" and staff.projected


def test_without_usable_assumptions_nothing_is_projected():
    shown = screen.proposal_figures_shown(1.5, area_counts(), None, True, START, END)
    assert shown.measured and shown.projected == () and shown.hidden_note is None


def test_picking_nothing_or_drawing_nothing_is_no_proposal_and_no_problem():
    city = box(-76.72, 39.19, -76.52, 39.38)
    assert screen.picked_area(pd.DataFrame({"name": [], "geojson": []}), []) == (None, None)
    assert screen.checked_proposal("draw", None, {"all_drawings": None}, city) == (None, None)
    square = box(-76.62, 39.28, -76.61, 39.29)
    checked, problem = screen.checked_proposal("pick", square, None, city)
    assert problem is None and checked.area_km2 == pytest.approx(0.96, rel=0.05)
    too_big, problem = screen.checked_proposal("pick", city, None, city)
    assert too_big is None and "of the city" in problem


def test_saving_puts_the_new_proposal_first_in_the_comparison():
    assert screen.compared_after_saving("proposal:new", ["proposal:a", "proposal:new", "proposal:b"]) == [
        "proposal:new",
        "proposal:a",
        "proposal:b",
    ]
    assert len(screen.compared_after_saving("proposal:e", list("abcd"))) == screen.MAX_COMPARED
    assert screen.saved_message("  *Bold* \n") == "Saved “\\*Bold\\*”. It is now in the comparison below."
    geojson = json.loads(screen.proposal_geojson(box(0, 0, 1, 1), " ", 1.0))
    assert geojson["features"][0]["properties"]["name"] == "Unsaved proposal"


# ---------------------------------------------------------------- comparison


def saved_proposals():
    """Two proposal_list rows, one with a name that is Markdown and carries a control character."""
    return pd.DataFrame(
        {
            "area_id": ["proposal:north", "proposal:tiny"],
            "name": ["North", "*Tiny*\x07"],
            "author": ["A. Planner", None],
            "note": ["first", None],
            "created_at": pd.to_datetime(["2024-05-01 10:00", "2024-05-02 11:00"]),
            "area_km2": [1.5, 0.2],
            "wkb_hex": [box(-76.62, 39.28, -76.61, 39.29).wkb_hex, box(-76.6, 39.3, -76.599, 39.301).wkb_hex],
        }
    )


def test_the_comparison_puts_proposals_side_by_side_with_small_ones_hidden():
    saved = saved_proposals()
    proposals = screen.selected_proposals(saved, ["proposal:tiny", "proposal:north"])
    assert [p.area_id for p in proposals] == ["proposal:tiny", "proposal:north"]
    assert proposals[1].geometry.equals(box(-76.62, 39.28, -76.61, 39.29))
    shown = screen.comparison(proposals, [area_counts(3, 1.5), area_counts()], ASSUMPTIONS, True, START, END)
    assert list(shown.shown.columns) == ["Figure", "Unit", "*Tiny*", "North"]  # no control character
    rows = shown.shown.set_index("Figure")
    assert rows.loc["Projected referrals", "*Tiny*"] == f"hidden ({SUPPRESSED_TEXT})"
    assert rows.loc["Projected referrals", "North"] == "6.0"
    assert math.isnan(shown.frame.set_index("Figure").loc["Projected referrals", "*Tiny*"])
    assert list(shown.projector_table().columns) == ["Unit", "\\*Tiny\\*", "North"]  # names as text
    assert shown.height == screen.ROW_HEIGHT * (len(shown.shown) + 1) + 3
    names = [f["properties"]["name"] for f in json.loads(shown.geojson)["features"]]
    assert names == ["*Tiny*\x07", "North"]  # the download keeps the name as saved


def test_the_saved_proposals_table_and_selector_read_as_text():
    saved = saved_proposals()
    assert screen.proposal_names(saved) == {"proposal:north": "North", "proposal:tiny": "*Tiny*"}
    table = screen.saved_table(saved)
    labels = column_labels("proposal_list")
    assert list(table.columns) == [labels[c] for c in ("name", "author", "note", "created_at", "area_km2")]
    assert table[labels["created_at"]].tolist() == [date(2024, 5, 1), date(2024, 5, 2)]
    assert screen.delete_label("*Tiny*") == "Delete “\\*Tiny\\*”"


def test_no_planner_file_writes_the_suppression_words_by_hand():
    """The words for a hidden count come from domain.privacy, so a new threshold changes them everywhere."""
    files = ["pages/expansion.py", "screens/expansion.py", "ui/expansion_parts.py", "planning/tables.py"]
    for name in files:
        assert "fewer than" not in (ROOT / name).read_text(encoding="utf-8").lower(), name
