"""Filters drawn from ui/filters.py in headless Chromium: kept in the URL and across page visits."""

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.helpers import open_page, page_drawn, screenshot, script_run, wait_idle

pytestmark = pytest.mark.browser


def _url_params(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _go_to(page, title: str) -> None:
    """Follow the sidebar navigation to the page called ``title`` and wait for it to be drawn."""
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title)
    with script_run(page):
        link.click()
    page_drawn(page)


def test_a_map_filter_survives_a_visit_to_another_page(offline_page, app_server):
    page = offline_page
    open_page(page, f"{app_server}/map")
    page.get_by_role("heading", name="Map: where LEAD works").wait_for(timeout=60_000)
    offense = page.get_by_label("Offense category")
    with script_run(page):
        offense.focus()
        page.keyboard.press("ArrowDown")  # opens the list (a click on the box did not, in Chromium)
        page.keyboard.type("CDS poss")
        page.get_by_role("option", name="CDS possession", exact=True).click()
    expect(offense).to_have_value("CDS possession")
    assert _url_params(page)["map_offense_category"] == ["CDS possession"]

    _go_to(page, "Referrals")
    page.get_by_role("heading", name="Referrals", exact=True).wait_for(timeout=60_000)
    assert "map_offense_category" not in _url_params(page)  # another page's filters leave its URL

    _go_to(page, "Map")
    expect(offense).to_have_value("CDS possession")
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('map_offense_category') === 'CDS possession'",
        timeout=30_000,
    )
    screenshot(page, "filters-kept-after-visit")


def test_a_link_made_before_the_binding_opens_the_same_view(offline_page, app_server):
    page = offline_page
    old = "period=2018-01-01..2019-12-31&edition=2023&area=district%3A2023%3ACentral&offense=cds_possession"
    open_page(page, f"{app_server}/map?{old}")
    page.get_by_role("heading", name="Map: where LEAD works").wait_for(timeout=60_000)
    page.wait_for_function("() => new URLSearchParams(location.search).has('map_area')", timeout=30_000)
    wait_idle(page)
    params = _url_params(page)
    assert params["public_period_quarters"] == ["2018 Q1", "2019 Q4"]
    assert params["map_edition"] == ["2023 (current)"]
    assert params["map_area"] == ["Central District (2023)"]
    assert params["map_offense_category"] == ["CDS possession"]
    assert not {"period", "edition", "area", "offense"} & params.keys()
    page.get_by_text("Central District (2023) · 01 Jan 2018").wait_for(timeout=30_000)
    assert not page.get_by_text("could not be used").count()


def test_a_bad_value_in_a_link_is_said_in_words(offline_page, app_server):
    page = offline_page
    open_page(page, f"{app_server}/map?map_area=Atlantis&layers=referrals,helicopters")
    page.get_by_role("heading", name="Map: where LEAD works").wait_for(timeout=60_000)
    warnings = page.get_by_text("This link had a setting that could not be used")
    warnings.nth(1).wait_for(timeout=30_000)
    text = " ".join(page.get_by_test_id("stAlert").all_inner_texts())
    assert "map_area=Atlantis was ignored" in text
    assert "layers=helicopters was ignored" in text
    assert "map_area" not in _url_params(page)  # the URL names the view shown


def test_an_old_planner_link_opens_the_same_view_and_says_what_it_dropped(offline_page, app_server):
    """``rank_by`` kept its name but not its values: the old code is rewritten to today's words."""
    page = offline_page
    old = "areas=district&rank_by=per_km2&candidates=some&proposal=pick&nsas=Fells%20Point,Atlantis"
    open_page(page, f"{app_server}/expansion?{old}")
    page.get_by_role("heading", name="Expansion planner").wait_for(timeout=60_000)
    page.wait_for_function("() => new URLSearchParams(location.search).has('picked_nsas')", timeout=30_000)
    wait_idle(page)
    params = _url_params(page)
    assert params["rank_kind"] == ["Police districts (1959–2022)"]
    assert params["rank_by"] == ["Eligible arrests per km² a year"]
    assert params["proposal_mode"] == ["Pick neighbourhoods"]
    assert params["picked_nsas"] == ["Fells Point"]
    assert not {"areas", "candidates", "proposal", "nsas"} & params.keys()
    expect(page.get_by_label("Rank by")).to_have_value("Eligible arrests per km² a year")
    text = " ".join(page.get_by_test_id("stAlert").all_inner_texts())
    assert "candidates=some was ignored: expected one of all, only" in text
    assert "nsas=Atlantis was ignored" in text
    screenshot(page, "filters-old-planner-link")
