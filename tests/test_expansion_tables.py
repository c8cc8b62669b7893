"""Tables of the expansion planner (planning.tables): ranking order, small-count hiding, comparison."""

import pandas as pd
import pytest

from domain.privacy import COMPLEMENT_TEXT, SUPPRESSED_TEXT, hidden_label
from planning.projection import Assumptions, project
from planning.tables import (
    RANKING_COLUMNS,
    ProposalFigures,
    comparison_frame,
    formatted_comparison,
    map_neighbourhoods,
    money,
    neighbourhood_densities,
    projection_steps,
    ranking_table,
)


@pytest.fixture
def ranking():
    """Five neighbourhoods and a district as expansion_ranking returns them (hand-built)."""
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


def test_ranking_is_ordered_by_the_chosen_measure(ranking):
    by_year = ranking_table(ranking, "neighborhood", "eligible_per_year", public=False)
    assert list(by_year.name) == ["A", "C", "D", "B", "E"]
    assert list(by_year["rank"]) == [1, 2, 3, 4, 5]
    by_density = ranking_table(ranking, "neighborhood", "eligible_per_year_km2", public=False)
    assert list(by_density.name) == ["A", "B", "C", "D", "E"]
    assert by_density.possession_share.iloc[0] == pytest.approx(70)  # shares shown as percentages
    districts = ranking_table(ranking, "district", "eligible_per_year", public=False)
    assert list(districts.name) == ["Central"]


def test_public_ranking_hides_small_counts_and_what_follows_from_them(ranking):
    public = ranking_table(ranking, "neighborhood", "eligible_per_year", public=True).set_index("name")
    # B has 3 arrests: hidden, with the next smallest non-zero count (D, 8) so neither can be recovered
    for name in ("B", "D"):
        assert (
            public.loc[name, ["eligible_arrests", "eligible_per_year", "possession_share", "rank"]]
            .isna()
            .all()
        )
    assert public.loc["A", "eligible_arrests"] == 100 and public.loc["A", "rank"] == 1
    assert public.loc["E", "eligible_arrests"] == 0  # zero has nothing to protect
    assert public.loc["B", "km_from_site"] == 2.0  # the area's own facts stay
    staff = ranking_table(ranking, "neighborhood", "eligible_per_year", public=False).set_index("name")
    assert staff.loc["B", "eligible_arrests"] == 3


def test_candidates_only_keeps_the_masking_of_the_whole_list(ranking):
    only = ranking_table(ranking, "neighborhood", "eligible_per_year", candidates_only=True, public=True)
    assert list(only.name) == ["D", "B"]
    assert only.eligible_arrests.isna().all()


def test_candidates_only_keeps_the_row_labels_the_masking_names(ranking):
    """Which hidden cell is a complement is recorded by row label: filtering must not renumber the rows."""
    only = ranking_table(ranking, "neighborhood", "eligible_per_year", candidates_only=True, public=True)
    reads = {
        name: hidden_label(only.attrs, "eligible_arrests", index) for index, name in only["name"].items()
    }
    assert reads == {"D": COMPLEMENT_TEXT, "B": SUPPRESSED_TEXT}
    assert tuple(only.columns) == RANKING_COLUMNS


def test_map_density_is_hidden_where_the_count_is(ranking):
    outlines = pd.DataFrame({"area_id": ["nsa:A", "nsa:B"], "name": ["A", "B"], "geojson": ["{}", "{}"]})
    shown = map_neighbourhoods(ranking, outlines, public=True).set_index("name")
    assert shown.loc["A", "eligible_per_year_km2"] == 50
    assert pd.isna(shown.loc["B", "eligible_per_year_km2"])
    # what a new period sends the map: every neighbourhood, the same masking, no district
    densities = neighbourhood_densities(ranking, public=True).set_index("name")
    assert list(densities.index) == ["A", "B", "C", "D", "E"]
    assert densities.loc[["A", "B"], "eligible_per_year_km2"].equals(shown["eligible_per_year_km2"])
    assert pd.isna(densities.loc["D", "eligible_per_year_km2"])  # 8, masked down the column with B's 3
    staff = neighbourhood_densities(ranking, public=False).set_index("name")
    assert staff.loc["B", "eligible_per_year_km2"] == 30


ASSUMPTIONS = Assumptions(referrals_per_eligible_arrest=0.125, enrolment_rate=0.5, months_in_program=9)


def figures(name, eligible, per_year):
    return ProposalFigures(name, 1.5, 2.0, eligible, per_year, 0.5, project(per_year, ASSUMPTIONS))


def test_comparison_puts_figures_in_rows_and_proposals_in_columns():
    frame = comparison_frame(
        [figures("North", 960, 480.0), figures("South", 96, 48.0)], ASSUMPTIONS, public=True
    )
    assert list(frame.columns) == ["Figure", "Unit", "North", "South"]
    rows = frame.set_index("Figure")
    assert rows.loc["Projected referrals", "North"] == 60  # 480 x 0.125
    assert rows.loc["New participants", "South"] == 3  # 48 x 0.125 x 0.5
    assert rows.loc["Case managers", "North"] == 1
    assert rows.loc["Justice-cost difference (negative = saving)", "North"] == -241_830
    assert rows.loc["Assumption: Caseload cap", "South"] == 28
    assert rows.loc["Assumption: Program cost per person-month, including start-up", "North"] == 899


def test_comparison_hides_a_small_proposal_in_public_but_not_for_staff():
    small = [figures("Tiny", 3, 1.5), figures("Big", 960, 480.0)]
    public = comparison_frame(small, ASSUMPTIONS, public=True).set_index("Figure")
    assert pd.isna(public.loc["LEAD-eligible arrests in the period", "Tiny"])
    assert pd.isna(public.loc["Projected referrals", "Tiny"])
    assert public.loc["Area", "Tiny"] == 1.5
    shown = formatted_comparison(public.reset_index()).set_index("Figure")
    assert shown.loc["Projected referrals", "Tiny"] == "hidden (fewer than 5)"
    assert shown.loc["Program cost a year, steady rate", "Big"] == "$143,640"  # a cost, not a change
    assert shown.loc["Justice-cost difference (negative = saving)", "Big"] == "−$241,830"
    assert shown.loc["Assumption: Program cost per person-month, steady state", "Big"] == "$532"
    assert shown.loc["Assumption: Justice and legal cost change per participant", "Big"] == "−$2,100"
    assert shown.loc["Assumption: Referrals per eligible arrest", "Big"] == "0.125"
    assert shown.loc["On the caseload at any time", "Big"] == "22.5"
    staff = comparison_frame(small, ASSUMPTIONS, public=False).set_index("Figure")
    assert staff.loc["LEAD-eligible arrests in the period", "Tiny"] == 3


def test_two_proposals_with_one_name_get_two_columns():
    frame = comparison_frame(
        [figures("Same", 96, 48.0), figures("Same", 960, 480.0)], ASSUMPTIONS, public=False
    )
    assert list(frame.columns[2:]) == ["Same", "Same (2)"]


def test_projection_steps_show_the_arithmetic():
    steps = projection_steps(project(480, ASSUMPTIONS), ASSUMPTIONS).set_index("Figure")
    assert steps.loc["Referrals per year", "How it is computed"].startswith("480.0 × 0.125")
    assert steps.loc["Referrals per year", "Value"] == "60.0"
    assert steps.loc["Case manager + peer pairs", "Value"] == "1 case manager + 1 peer"
    assert steps.loc["Program cost a year (start-up rate)", "Value"] == "$242,730"
    assert steps.loc["Difference (negative = saving)", "Value"] == "−$241,830"


def test_money_signs():
    assert money(-2100) == "−$2,100"
    assert money(5961) == "+$5,961"
    assert money(0) == "$0"
