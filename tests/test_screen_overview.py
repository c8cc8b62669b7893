"""The Overview's screen model: which query it reads, the period it counts, and the figures as shown."""

from __future__ import annotations

from datetime import date
from functools import partial

import pandas as pd
import pytest

import queries
from domain.figures import FIGURES, NO_VALUE, RATIO_HIDDEN_TEXT, count_text, referrals_per_100_text
from domain.privacy import SUPPRESSED_TEXT
from screens.overview import AREAS, area_figures, overview

CENTRAL = "district:1959-2022:Central"
YEAR = (date(2019, 1, 1), date(2019, 12, 31))


def _recording(run_query, asked: list):
    """``run_query`` that notes each query's name and parameters."""

    def run(name, **parameters):
        asked.append((name, parameters))
        return run_query(name, **parameters)

    return run


def _rows(**counts):
    """A run_query answering every question with one hand-made row of counts."""
    row = {"referrals": 0, "found_eligible": 0, "enrolled": 0, "active_caseload": 0, "rearrested": 0}
    row.update(counts)
    return lambda name, **parameters: pd.DataFrame([row])


def _values(area) -> dict[str, str]:
    return {figure.key: figure.value for figure in area.figures}


@pytest.mark.parametrize("public", [True, False])
def test_the_overview_shows_the_pilot_zone_and_the_central_district_from_the_headline_query(demo_con, public):
    asked = []
    shown = overview(_recording(partial(queries.run, demo_con), asked), *YEAR, public)
    assert [area.area_id for area in shown.areas] == ["pilot_zone", CENTRAL] == list(AREAS)
    assert [area.title for area in shown.areas] == ["Pilot zone", "Central District (1959–2022)"]
    assert [name for name, _ in asked] == ["referral_headline", "referral_headline"]
    for area, (_, parameters) in zip(shown.areas, asked, strict=True):
        assert parameters == {
            "area_id": area.area_id,
            "start_date": YEAR[0],
            "end_date": YEAR[1],
            "public": public,
        }
        row = queries.run(demo_con, "referral_headline", **parameters).iloc[0]
        assert [(f.key, f.label, f.help) for f in area.figures] == [
            (key, FIGURES[key].label, FIGURES[key].help)
            for key in ("referrals", "enrolled", "eligible_arrests", "referrals_per_100")
        ]
        assert _values(area) == {
            "referrals": count_text("referrals", row.referrals, public),
            "enrolled": count_text("enrolled", row.enrolled, public),
            "eligible_arrests": count_text("eligible_arrests", row.eligible_arrests, public),
            "referrals_per_100": referrals_per_100_text(row.referrals, row.eligible_arrests, public),
        }
        assert int(row.referrals) > 0 and int(row.eligible_arrests) > 0  # something to show
        assert area.period == "01 Jan 2019 – 31 Dec 2019"


def test_a_public_overview_counts_whole_quarters_and_a_staff_one_the_days_asked(demo_con):
    run_query = partial(queries.run, demo_con)
    start, end = date(2019, 2, 10), date(2019, 5, 20)
    public = area_figures(run_query, "pilot_zone", start, end, public=True)
    staff = area_figures(run_query, "pilot_zone", start, end, public=False)
    assert public.period == "01 Jan 2019 – 30 Jun 2019"
    assert staff.period == "10 Feb 2019 – 20 May 2019"
    assert int(_values(public)["referrals"]) % 5 == 0  # published, as every public referral count


def test_the_protection_note_is_shown_to_the_public_only(demo_con):
    run_query = partial(queries.run, demo_con)
    assert "rounded to a multiple of 5" in overview(run_query, *YEAR, public=True).note
    assert overview(run_query, *YEAR, public=False).note is None


def test_a_small_count_hides_itself_and_the_ratio_in_public_only():
    run_query = _rows(referrals=15, enrolled=5, eligible_arrests=4)
    public = _values(area_figures(run_query, CENTRAL, *YEAR, public=True))
    assert public == {
        "referrals": "15",
        "enrolled": "5",
        "eligible_arrests": SUPPRESSED_TEXT,
        "referrals_per_100": RATIO_HIDDEN_TEXT,
    }
    staff = _values(area_figures(run_query, CENTRAL, *YEAR, public=False))
    assert staff == {
        "referrals": "15",
        "enrolled": "5",
        "eligible_arrests": "4",
        "referrals_per_100": "375.0",
    }


def test_the_ratio_is_rounded_half_up_and_a_dash_with_nothing_to_divide_by():
    assert (
        _values(area_figures(_rows(referrals=10, eligible_arrests=160), "city", *YEAR, True))[
            "referrals_per_100"
        ]
        == "6.3"
    )  # 6.25
    none = _values(area_figures(_rows(referrals=0, eligible_arrests=0), "city", *YEAR, public=True))
    assert none == {"referrals": "0", "enrolled": "0", "eligible_arrests": "0", "referrals_per_100": NO_VALUE}


def test_an_area_the_overview_does_not_show_is_headed_by_its_id():
    assert area_figures(_rows(eligible_arrests=10), "city", *YEAR, public=True).title == "city"
