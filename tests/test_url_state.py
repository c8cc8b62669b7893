"""Shareable views: URL -> view -> URL round-trips unchanged; bad parameters are reported, not fatal."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import open_page, screenshot

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(demo_db_path, monkeypatch):
    monkeypatch.setenv("LEAD_DB", str(demo_db_path))
    return AppTest.from_file(APP, default_timeout=60)


def test_url_sets_the_view_and_comes_back_unchanged(app):
    app.query_params["period"] = "2018-01-01..2018-12-31"
    app.query_params["mode"] = "projector"
    at = app.run()
    assert not at.exception
    assert at.date_input(key="period").value == (
        date(2018, 1, 1),
        date(2018, 12, 31),
    )
    assert at.toggle(key="projector").value is True
    assert {k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()} == {
        "period": "2018-01-01..2018-12-31",
        "mode": "projector",
    }


def test_a_changed_filter_is_written_into_the_url(app):
    at = app.run()
    at.toggle(key="projector").set_value(True).run()
    params = {k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()}
    assert params["mode"] == "projector"
    assert params["period"].endswith("..2024-12-31")


@pytest.mark.parametrize(
    "raw",
    ["2019-13-01..2019-12-31", "2020-01-01..2019-01-01", "nonsense", "2019-01-01"],
)
def test_bad_period_in_a_link_is_reported_and_the_default_used(app, raw):
    app.query_params["period"] = raw
    at = app.run()
    assert not at.exception
    assert any("could not be used" in w.value and "period=" in w.value for w in at.warning)
    start, _ = at.date_input(key="period").value
    assert start.isoformat() == "2017-02-01"


def test_staff_sign_in_is_never_written_into_the_url(app):
    app.session_state["staff_signed_in"] = True
    at = app.run()
    assert all("staff" not in key and "staff" not in str(value) for key, value in at.query_params.items())


@pytest.mark.browser
def test_browser_url_round_trip_on_every_public_page(offline_page, app_server):
    query = "period=2018-01-01..2018-12-31&mode=projector"
    for path in ("", "referrals"):
        url = f"{app_server}/{path}?{query}"
        open_page(offline_page, url)
        offline_page.get_by_text("Demo data — synthetic").wait_for()
        offline_page.wait_for_function(f"() => window.location.search === '?{query}'", timeout=20_000)
        assert offline_page.url == url
    offline_page.locator('[data-testid="stMetricValue"]').first.wait_for()
    offline_page.locator(".js-plotly-plot").first.wait_for()
    screenshot(offline_page, "url_round_trip_referrals_projector")
