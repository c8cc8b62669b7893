"""The Referrals screen model (screens/referrals.py), without Streamlit.

Most tests feed it a small hand-built page (every query's result written out below, with counts that
add up the way the real ones do), so each rule can be seen at work on numbers small enough to check by
eye; the last ones run it on the demo database.
"""

from datetime import date
from functools import partial

import pandas as pd
import pytest

import queries
from domain import disclosure, figures
from domain.privacy import COMPLEMENT_NOTE, COMPLEMENT_TEXT, SUPPRESSED_TEXT
from screens import referrals

CENTRAL = referrals.CENTRAL
START, END = date(2018, 1, 1), date(2018, 6, 30)  # two whole quarters
QUARTERS = pd.to_datetime(["2018-01-01", "2018-04-01"])
NOW = {"referrals": 20, "found_eligible": 12, "enrolled": 8, "active_caseload": 6, "rearrested": 3,
       "eligible_arrests": 40}  # fmt: skip
BEFORE = {"referrals": 10, "found_eligible": 6, "enrolled": 5, "active_caseload": 4, "rearrested": 1,
          "eligible_arrests": 50}  # fmt: skip


def headline(counts: dict, sql_ratio: float = 999.0) -> pd.DataFrame:
    """A referral_headline row; ``sql_ratio`` stands for the SQL's own ratio, which must go unread."""
    return pd.DataFrame([{**counts, "diversion_ratio": sql_ratio}])


def small_page(now: dict = NOW, before: dict = BEFORE) -> dict[str, pd.DataFrame]:
    """Every query the page runs, for the Central District in the first half of 2018."""
    return {
        "referral_headline": {"now": headline(now), "before": headline(before)},
        "referral_by_type_over_time": pd.DataFrame(
            {"period_start": QUARTERS, "arrest": [6, 4], "social_contact": [4, 6], "total": [10, 10]}
        ),
        "referral_funnel": pd.DataFrame(
            [
                {
                    "referred": 20,
                    "eligibility_confirmed": 12,
                    "intake": 10,
                    "enrolled": 8,
                    "still_active": 5,
                    "exited": 3,
                }
            ]
        ),  # fmt: skip
        # 20 referred - 12 found eligible = 8 not: 5 + 3
        "referral_not_eligible_reasons": pd.DataFrame(
            {"reason": ["open_warrant", "declined"], "people": [5, 3]}
        ),
        "referral_by_offense": pd.DataFrame(
            {"offense_category": ["cds_possession", "trespass"], "referrals": [15, 5]}
        ),
        "referral_by_area": pd.DataFrame(
            {
                "area_group": ["pilot_zone", "rest_of_central", "elsewhere", "location_not_recorded"],
                "referrals": [12, 8, 30, 0],
            }
        ),
        "eligible_arrests_vs_referrals_over_time": pd.DataFrame(
            {
                "period_start": QUARTERS,
                "eligible_arrests": [25, 15],
                "referrals": [10, 10],
                "referrals_per_100": [999.0, 999.0],
            }  # fmt: skip
        ),
        "eligible_arrests_around_launch": pd.DataFrame(
            {
                "month": pd.to_datetime(["2017-01-01", "2017-02-01"] * 2),
                "months_from_launch": [-1, 0, -1, 0],
                "area_group": ["pilot_zone", "pilot_zone", "elsewhere", "elsewhere"],
                "eligible_arrests": [10, 6, 40, 44],
                "index_to_before": [100.0, 60.0, 100.0, 110.0],
            }
        ),
        "eligible_arrests_before_after_launch": pd.DataFrame(
            {
                "area_group": ["pilot_zone", "elsewhere"],
                "months_before": [1, 1],
                "months_after": [1, 1],
                "before_per_month": [10.0, 40.0],
                "after_per_month": [6.0, 44.0],
                "change_pct": [-40.0, 10.0],
            }
        ),
        "caseload_summary_by_month": pd.DataFrame(
            {
                "snapshot_on": pd.to_datetime(["2018-01-31", "2018-02-28"]),
                "pairs": [2, 2],
                "assigned_participants": [40, 50],
                "mean_caseload": [20.0, 25.0],
                "max_caseload": [22, 30],
                "pairs_over_cap": [0, 1],
                "unassigned_participants": [0, 0],
            }
        ),
        "caseload_by_pair_month": pd.DataFrame(
            {
                "snapshot_on": pd.to_datetime(["2018-01-31", "2018-01-31"]),
                "case_manager_id": ["CM1", "CM2"],
                "peer_id": ["P1", "P2"],
                "pair": ["CM1 + P1", "CM2 + P2"],
                "caseload": [18, 30],
                "over_cap": [False, True],
            }
        ),
        "caseload_pairs_over_cap": pd.DataFrame(
            {
                "case_manager_id": ["CM2"],
                "peer_id": ["P2"],
                "snapshots_over_cap": [1],
                "max_caseload": [30],
                "first_over_on": [date(2018, 1, 31)],
                "last_over_on": [date(2018, 1, 31)],
            }
        ),
        "referral_rearrest_after_enrolment": pd.DataFrame(
            {
                "months_since_enrolment": [1, 2],
                "followed": [8, 6],
                "rearrested": [1, 2],
                "rearrested_pct": [12.5, 33.3],
            }  # fmt: skip
        ),
    }


class FakeQueries:
    """Serves ``small_page`` by query name (the headline of the period, or of the one before it) and
    records every call."""

    def __init__(self, results: dict):
        self.results = results
        self.calls: list[tuple[str, dict]] = []

    def __call__(self, name: str, **params) -> pd.DataFrame:
        self.calls.append((name, params))
        result = self.results[name]
        if isinstance(result, dict):
            result = result["now" if params["start_date"] == START else "before"]
        return result.copy()


def selection(public: bool, step: str = "month", first_date: date = date(2014, 1, 1), **changes):
    chosen = referrals.Selection(
        area_id=CENTRAL,
        area_label="Central District (1959–2022)",
        step=step,
        launch_window=12,
        start_date=START,
        end_date=END,
        first_date=first_date,
        last_date=date(2024, 12, 31),
        public=public,
    )
    return referrals.Selection(**{**chosen.__dict__, **changes})


def screen_of(public: bool, results: dict | None = None, **changes) -> referrals.ReferralScreen:
    return referrals.referral_screen(FakeQueries(results or small_page()), selection(public, **changes))


def by_label(screen: referrals.ReferralScreen) -> dict[str, referrals.Metric]:
    return {metric.label: metric for metric in screen.metrics}


# --- The headline row ----------------------------------------------------------------------------------


def test_headline_row_is_the_domain_figures_with_their_labels():
    screen = screen_of(public=False)
    assert [metric.label for metric in screen.metrics] == [
        figures.REFERRALS.label,
        figures.FOUND_ELIGIBLE.label,
        figures.ENROLLED.label,
        figures.ACTIVE_CASELOAD.label,
        figures.REARRESTED.label,
        figures.REFERRALS_PER_100.label,
    ]
    metrics = by_label(screen)
    assert metrics["Enrolled"].value == "8" and metrics["Enrolled"].delta == 3
    assert metrics[figures.REARRESTED.label].delta_color == "inverse"
    assert metrics[figures.ACTIVE_CASELOAD.label].delta_color == "off"
    assert metrics["Enrolled"].help.startswith(figures.ENROLLED.help)
    assert "vs the previous 181 days" in metrics["Enrolled"].help
    assert screen.heading == "Central District (1959–2022), 01 Jan 2018 – 30 Jun 2018"


def test_the_ratio_is_computed_from_the_counts_not_read_from_sql():
    screen = screen_of(public=False)
    ratio = by_label(screen)[figures.REFERRALS_PER_100.label]
    assert ratio.value == "50.0"  # 20 per 40, not the 999 the SQL column holds
    assert ratio.delta == "+30.0"  # from 10 per 50 = 20.0
    assert "LEAD-eligible arrests in the period: 40." in ratio.help
    side_by_side = screen.side_by_side.frame
    assert side_by_side[figures.REFERRALS_PER_100.key].tolist() == [40.0, 66.7]  # 10/25, 10/15 half up
    assert screen.side_by_side.names[figures.REFERRALS_PER_100.key] == figures.REFERRALS_PER_100.label


def test_a_small_count_hides_the_ratio_and_its_change_in_public_only():
    page = small_page(now={**NOW, "eligible_arrests": 3})
    page["eligible_arrests_vs_referrals_over_time"]["eligible_arrests"] = [3, 0]
    public = by_label(screen_of(public=True, results=page))[figures.REFERRALS_PER_100.label]
    assert public.value == figures.RATIO_HIDDEN_TEXT and public.delta is None
    assert f"LEAD-eligible arrests in the period: {SUPPRESSED_TEXT}." in public.help
    staff = by_label(screen_of(public=False, results=page))[figures.REFERRALS_PER_100.label]
    assert staff.value == "666.7" and staff.delta == "+646.7"


def test_no_ratio_change_when_the_previous_ratio_would_give_a_small_count_away():
    page = small_page(before={**BEFORE, "eligible_arrests": 2})
    metrics = by_label(screen_of(public=True, results=page))
    assert metrics[figures.REFERRALS_PER_100.label].value == "50.0"
    assert metrics[figures.REFERRALS_PER_100.label].delta is None
    assert metrics[figures.REFERRALS.label].delta == 10  # the counts' own changes still show


def test_public_counts_hide_small_ones_and_their_changes():
    metrics = by_label(screen_of(public=True))
    assert metrics[figures.REARRESTED.label].value == SUPPRESSED_TEXT
    assert metrics[figures.REARRESTED.label].delta is None
    assert metrics["Enrolled"].delta == 3  # 8 against 5: neither small


def test_changes_are_against_the_previous_period_of_the_same_length():
    queries_run = FakeQueries(small_page())
    screen = referrals.referral_screen(queries_run, selection(public=True))
    previous = disclosure.previous_period(START, END, public=True)
    headline_periods = [
        (p["start_date"], p["end_date"]) for n, p in queries_run.calls if n == "referral_headline"
    ]
    assert headline_periods == [(START, END), previous]
    assert f"Changes compare with {previous[0]:%d %b %Y} – {previous[1]:%d %b %Y}." in screen.headline_note
    assert "vs the previous 2 quarters" in screen.metrics[0].help


def test_a_period_from_the_first_loaded_day_shows_no_changes():
    queries_run = FakeQueries(small_page())
    screen = referrals.referral_screen(queries_run, selection(public=False, first_date=START))
    assert all(metric.delta is None for metric in screen.metrics)
    assert "No change shown: the previous 181 days start before the loaded data" in screen.headline_note
    assert [name for name, _ in queries_run.calls].count("referral_headline") == 1


def test_the_headline_note_explains_the_protection_in_public_only():
    public, staff = screen_of(public=True).headline_note, screen_of(public=False).headline_note
    assert disclosure.PROTECTION_NOTE in public and SUPPRESSED_TEXT in public
    assert disclosure.PROTECTION_NOTE not in staff and SUPPRESSED_TEXT not in staff
    assert figures.REFERRALS_PER_100.label in public and figures.REFERRALS_PER_100.label in staff


# --- Charts and tables ---------------------------------------------------------------------------------


def test_a_public_view_counts_quarters_whatever_step_was_asked():
    queries_run = FakeQueries(small_page())
    screen = referrals.referral_screen(queries_run, selection(public=True, step="month"))
    steps = {params["step"] for _, params in queries_run.calls if "step" in params}
    assert steps == {"quarter"} and screen.step == "quarter" and screen.months_per_step == 3
    assert all(params["public"] for name, params in queries_run.calls if name.startswith("referral_"))
    assert screen.over_time.names["period_start"] == "Quarter starting"
    staff = screen_of(public=False, step="month")
    assert staff.over_time.names["period_start"] == "Month starting" and staff.months_per_step == 1


def test_table_headings_and_legends_come_from_the_queries_column_labels():
    screen = screen_of(public=False)
    labels = queries.column_labels("referral_by_type_over_time")
    assert screen.over_time.series == {"arrest": labels["arrest"], "social_contact": labels["social_contact"]}
    assert screen.over_time.names["total"] == labels["total"]
    assert screen.reasons.names == queries.column_labels("referral_not_eligible_reasons")
    assert screen.reasons.labels == {"reason": referrals.NOT_ELIGIBLE_LABELS}
    assert screen.funnel.split == {
        "still_active": queries.column_labels("referral_funnel")["still_active"],
        "exited": queries.column_labels("referral_funnel")["exited"],
    }
    assert screen.funnel.table()["title"] == "funnel"
    assert (
        screen.funnel.table()["file_name"]
        == "referral_funnel_district_1959-2022_Central_2018-01-01_2018-06-30"
    )


def test_a_small_count_and_its_complement_are_hidden_across_the_page():
    screen = screen_of(public=True)
    reasons = screen.reasons.frame
    # 3 declined is small; 5 open warrants goes too, or 20 referred - 12 eligible - 5 gives it back
    assert reasons["people"].isna().tolist() == [True, True]
    funnel = screen.funnel.frame.iloc[0]
    assert pd.isna(funnel["exited"]) and pd.isna(funnel["still_active"])  # 3 exited; 8 enrolled - 5
    staff = screen_of(public=False)
    assert staff.reasons.frame["people"].tolist() == [5, 3]


def test_a_headline_count_withheld_as_a_complement_is_explained():
    """Enrolled = 4 still active + 4 exited: two small parts at their largest pin both down, so the
    enrolled count (8, not small) is withheld too, in the headline as in the funnel."""
    page = small_page()
    page["referral_funnel"].loc[0, ["still_active", "exited"]] = [4, 4]
    screen = screen_of(public=True, results=page)
    enrolled = by_label(screen)["Enrolled"]
    assert (enrolled.value, enrolled.delta) == (COMPLEMENT_TEXT, None)
    assert pd.isna(screen.funnel.frame.iloc[0]["enrolled"])
    assert COMPLEMENT_NOTE in screen.headline_note
    assert COMPLEMENT_NOTE not in screen_of(public=True).headline_note  # nothing withheld up there


def test_no_referrals_draws_no_referral_charts_but_keeps_the_arrests():
    page = small_page(
        now={**NOW, **dict.fromkeys(("referrals", "found_eligible", "enrolled", "rearrested"), 0)}
    )
    page["eligible_arrests_vs_referrals_over_time"]["referrals"] = [0, 0]
    queries_run = FakeQueries(page)
    screen = referrals.referral_screen(queries_run, selection(public=False))
    assert screen.no_referrals.kind == "info" and "No referrals were recorded" in screen.no_referrals.text
    assert None is screen.over_time is screen.funnel is screen.reasons is screen.offenses is screen.places
    assert screen.launch_note is None
    assert screen.side_by_side is not None and screen.side_by_side_empty is None
    assert "referral_funnel" not in [name for name, _ in queries_run.calls]
    assert "has enrolled" in screen.rearrest.message.text and screen.rearrest.panel is None


def test_no_arrests_and_no_referrals_says_so():
    page = small_page(now=dict.fromkeys(NOW, 0))
    screen = screen_of(public=False, results=page)
    assert screen.side_by_side is None
    assert screen.side_by_side_empty.text.startswith("No LEAD-eligible arrests and no referrals")


def test_around_the_launch_gives_a_metric_per_area_group():
    launch = screen_of(public=True).around_launch
    assert launch.missing is None
    assert [(m.label, m.value, m.delta, m.delta_description) for m in launch.metrics] == [
        ("Pilot zone", "6.0 a month", "-40.0%", "vs 10.0 a month before launch"),
        ("Elsewhere in the city", "44.0 a month", "+10.0%", "vs 40.0 a month before launch"),
    ]
    assert launch.panel.file_name == "eligible_arrests_around_launch_12m"
    page = small_page()
    page["eligible_arrests_before_after_launch"]["months_before"] = [0, 0]
    missing = screen_of(public=True, results=page).around_launch
    assert missing.panel is None and missing.metrics == [] and "nothing to compare" in missing.missing.text


def test_caseload_is_summarised_in_public_and_per_pair_for_staff():
    public = screen_of(public=True).caseload
    assert public.over_cap is None and public.panel.key == "caseload"
    assert [m.kind for m in public.messages] == ["warning"] and "In 1 month-end(s)" in public.messages[0].text
    assert public.footer and "CM1" not in public.panel.frame.to_string()
    staff = screen_of(public=False).caseload
    assert staff.panel.key == "caseload_pairs" and staff.over_cap.key == "over_cap"
    assert staff.messages[0].text.startswith("1 pair(s) over the cap")
    assert staff.footer is None


def test_re_arrest_detail_is_for_staff_only():
    public = screen_of(public=True).rearrest
    assert public.panel is None and public.context is None and "staff only" in public.message.text
    staff = screen_of(public=False).rearrest
    assert staff.message is None and staff.panel.counts == ("followed", "rearrested")
    assert "not a like-for-like comparison" in staff.context.text


# --- On the demo database ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run(demo_con):
    return partial(queries.run, demo_con)


def demo_selection(run, public: bool, start: date, end: date) -> referrals.Selection:
    names = referrals.area_names(run("area_list", edition="1959-2022"))
    return referrals.Selection(
        area_id=referrals.default_area(names),
        area_label=names[referrals.default_area(names)],
        step="month",
        launch_window=24,
        start_date=start,
        end_date=end,
        first_date=date(2014, 1, 1),
        last_date=date(2024, 12, 31),
        public=public,
    )


def test_area_names_put_the_city_first_and_default_to_central(run):
    names = referrals.area_names(run("area_list", edition="1959-2022"))
    assert next(iter(names)) == "city" and names["city"] == "Whole city"
    assert names[CENTRAL] == "Central District (1959–2022)" and names["pilot_zone"] == "LEAD pilot zone"
    assert referrals.default_area(names) == CENTRAL
    assert referrals.default_area({"city": "Whole city"}) == "city"


@pytest.mark.parametrize("public", [True, False], ids=["public", "staff"])
def test_demo_headline_matches_its_query_and_the_domain_ratio(run, public):
    start, end = date(2018, 1, 1), date(2018, 12, 31)
    chosen = demo_selection(run, public, start, end)
    screen = referrals.referral_screen(run, chosen)
    row = run("referral_headline", area_id=CENTRAL, start_date=start, end_date=end, public=public).iloc[0]
    metrics = by_label(screen)
    assert metrics[figures.REFERRALS.label].value == f"{int(row.referrals):,}"
    assert metrics[figures.REFERRALS_PER_100.label].value == figures.referrals_per_100_text(
        row.referrals, row.eligible_arrests, public
    )
    assert screen.over_time.frame["total"].sum() == row.referrals
    assert len(screen.over_time.frame) == (4 if public else 12)
