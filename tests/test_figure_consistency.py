"""One figure, one reading: for the same area and period, the Overview, the Map page, the hearing brief and
the Referrals page (their screen models) write referrals per 100 eligible arrests, and the counts behind
it, the same way, including when a small count hides the ratio or there is nothing to divide by."""

from __future__ import annotations

from datetime import date
from functools import partial

import pytest

import queries
from domain.figures import NO_VALUE, RATIO_HIDDEN_TEXT, REFERRALS_PER_100
from domain.privacy import SUPPRESSED_TEXT
from geo.map_page import MapFilters, headline_figures, load_figures
from screens.brief import AREAS as BRIEF_AREAS
from screens.brief import brief_model
from screens.overview import area_figures
from screens.referrals import Selection, referral_screen

CENTRAL = "district:1959-2022:Central"
YEAR_2019 = (date(2019, 1, 1), date(2019, 12, 31))
# In the test demo database (tests/conftest.py): 4 eligible arrests in the Central District and 15
# published referrals in this quarter, so a public view hides the ratio; none in the pilot zone in Q3 2019.
SMALL_QUARTER = (date(2020, 10, 1), date(2020, 12, 31))
EMPTY_QUARTER = (date(2019, 7, 1), date(2019, 9, 30))
CASES = [
    ("pilot_zone", YEAR_2019),
    ("city", YEAR_2019),
    (CENTRAL, YEAR_2019),
    ("nsa:Downtown", YEAR_2019),
    (CENTRAL, SMALL_QUARTER),
    ("pilot_zone", EMPTY_QUARTER),
]


@pytest.fixture(scope="module")
def run_query(demo_con):
    return partial(queries.run, demo_con)


def _by_label(figures) -> dict[str, str]:
    return {figure.label: figure.value for figure in figures}


def _overview(run_query, area_id, period, public) -> dict[str, str]:
    return _by_label(area_figures(run_query, area_id, *period, public).figures)


def _map_page(run_query, area_id, period, public) -> dict[str, str]:
    return _by_label(
        headline_figures(load_figures(run_query, MapFilters(*period, area_id, public=public)), public)
    )


def _referrals_page(run_query, area_id, period, public) -> dict[str, str]:
    """The Referrals page's headline row, by label."""
    sources = run_query("data_sources")
    first, last = sources["first_date"].min().date(), sources["last_date"].max().date()
    chosen = Selection(area_id, area_id, "quarter", 12, *period, first, last, public)
    return _by_label(referral_screen(run_query, chosen).metrics)


def _headline_row(run_query, area_id, period, public):
    start, end = period
    return run_query(
        "referral_headline", area_id=area_id, start_date=start, end_date=end, public=public
    ).iloc[0]


@pytest.mark.parametrize("public", [True, False], ids=["public", "staff"])
@pytest.mark.parametrize(("area_id", "period"), CASES)
def test_overview_map_page_and_referrals_page_read_the_same(run_query, area_id, period, public):
    overview = _overview(run_query, area_id, period, public)
    mapped = _map_page(run_query, area_id, period, public)
    assert overview == mapped  # the same labels, counts and ratio text
    assert list(overview) == [
        "People referred",
        "Enrolled",
        "LEAD-eligible arrests",
        "Referrals per 100 eligible arrests",
    ]
    referrals_page = _referrals_page(run_query, area_id, period, public)
    for label in ("People referred", "Enrolled", REFERRALS_PER_100.label):
        assert referrals_page[label] == overview[label]


@pytest.mark.parametrize("area_id", list(BRIEF_AREAS))
@pytest.mark.parametrize("period", [YEAR_2019, SMALL_QUARTER, EMPTY_QUARTER])
def test_the_brief_reads_as_the_public_overview(run_query, area_id, period):
    """The brief is always public and shows the pilot zone and the Central District."""
    brief = _by_label(brief_model(run_query, *period).figures[BRIEF_AREAS[area_id]])
    overview = _overview(run_query, area_id, period, public=True)
    assert {label: brief[label] for label in overview} == overview
    assert overview == _map_page(run_query, area_id, period, public=True)


def test_a_small_count_hides_the_ratio_in_the_same_words_everywhere(run_query):
    staff = _headline_row(run_query, CENTRAL, SMALL_QUARTER, public=False)
    assert 0 < int(staff.eligible_arrests) < 5 and int(staff.referrals) >= 5, "the demo data changed"
    public_texts = {
        "overview": _overview(run_query, CENTRAL, SMALL_QUARTER, True)[REFERRALS_PER_100.label],
        "map": _map_page(run_query, CENTRAL, SMALL_QUARTER, True)[REFERRALS_PER_100.label],
        "brief": _by_label(brief_model(run_query, *SMALL_QUARTER).figures[BRIEF_AREAS[CENTRAL]])[
            REFERRALS_PER_100.label
        ],
        "referrals": _referrals_page(run_query, CENTRAL, SMALL_QUARTER, True)[REFERRALS_PER_100.label],
    }
    assert set(public_texts.values()) == {RATIO_HIDDEN_TEXT}
    assert _overview(run_query, CENTRAL, SMALL_QUARTER, True)["LEAD-eligible arrests"] == SUPPRESSED_TEXT
    # staff see the ratio, computed and rounded once (half up, one decimal)
    shown = _overview(run_query, CENTRAL, SMALL_QUARTER, False)[REFERRALS_PER_100.label]
    assert shown == _map_page(run_query, CENTRAL, SMALL_QUARTER, False)[REFERRALS_PER_100.label]
    assert shown == _referrals_page(run_query, CENTRAL, SMALL_QUARTER, False)[REFERRALS_PER_100.label]
    assert shown == f"{100 * int(staff.referrals) / int(staff.eligible_arrests):.1f}" != RATIO_HIDDEN_TEXT


def test_nothing_to_divide_by_reads_as_a_dash_everywhere(run_query):
    row = _headline_row(run_query, "pilot_zone", EMPTY_QUARTER, public=False)
    assert int(row.eligible_arrests) == 0, "the demo data changed"
    for public in (True, False):
        assert _overview(run_query, "pilot_zone", EMPTY_QUARTER, public)[REFERRALS_PER_100.label] == NO_VALUE
        assert _map_page(run_query, "pilot_zone", EMPTY_QUARTER, public)[REFERRALS_PER_100.label] == NO_VALUE
        assert (
            _referrals_page(run_query, "pilot_zone", EMPTY_QUARTER, public)[REFERRALS_PER_100.label]
            == NO_VALUE
        )


def test_the_cases_show_ratios_not_only_dashes(run_query):
    """Guard against vacuous agreement: most cases have a number to compare."""
    numbers = [
        _overview(run_query, area_id, period, public)[REFERRALS_PER_100.label]
        for area_id, period in CASES
        for public in (True, False)
    ]
    assert sum(text[0].isdigit() for text in numbers) >= 8
