"""Every page runs under Streamlit's AppTest without an exception and shows real figures."""

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import queries
from domain.figures import referrals_per_100_text

APP_TIMEOUT = 60
APP_FILE = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(demo_db_path, monkeypatch):
    """The app against the session's demo database."""
    monkeypatch.setenv("LEAD_DB", str(demo_db_path))
    at = AppTest.from_file(APP_FILE, default_timeout=APP_TIMEOUT)
    return at


def test_overview_shows_synthetic_banner_and_pilot_zone_figures(app, demo_con):
    at = app.run()
    assert not at.exception
    assert any("Demo data — synthetic" in info.value for info in at.info)
    last_date = queries.run(demo_con, "data_sources")["last_date"].max().date()
    expected = queries.run(
        demo_con,
        "referral_headline",
        area_id="pilot_zone",
        start_date=date(2017, 1, 1),
        end_date=last_date,
        public=True,
    ).iloc[0]
    # the first block of figures is the pilot zone's, for the default period (the launch's quarter to the
    # latest data), published as every public figure is (domain/disclosure.py)
    pilot = {m.label: m.value for m in at.metric[:4]}  # two columns of two figures each
    assert pilot == {
        "People referred": f"{int(expected.referrals):,}",
        "Enrolled": f"{int(expected.enrolled):,}",
        "LEAD-eligible arrests": f"{int(expected.eligible_arrests):,}",
        "Referrals per 100 eligible arrests": referrals_per_100_text(
            expected.referrals, expected.eligible_arrests, public=True
        ),
    }
    assert int(expected.referrals) > 0 and pilot["Referrals per 100 eligible arrests"][0].isdigit()
    # the second block is the Central District's, and the public view says how its figures are protected
    assert sorted(m.label for m in at.metric[4:]) == sorted(pilot)
    assert any("rounded to a multiple of 5" in caption.value for caption in at.caption)


def test_banner_names_only_the_tables_still_synthetic():
    from ui.chrome import synthetic_banner_text

    assert synthetic_banner_text(["arrests", "referrals"]).startswith(
        "**Demo data — synthetic.** Arrests and referrals shown here"
    )
    only_referrals = synthetic_banner_text(["referrals"])
    assert "Referrals shown here" in only_referrals and "rrests" not in only_referrals


def test_a_failing_page_shows_words_not_a_traceback():
    def script():
        import streamlit as st
        from streamlit.errors import StreamlitAPIException

        from ui.chrome import run_page_safely

        class BrokenPage:
            title = "Broken"

            def run(self):
                st.write("before the failure")
                raise StreamlitAPIException("a widget was misused")

        run_page_safely(BrokenPage())

    at = AppTest.from_function(script, default_timeout=APP_TIMEOUT).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Something went wrong while drawing this page. The error has been logged; "
        "try another period or filter, or reload the page."
    ]
