"""The Referrals page in headless Chromium, opened by its URL path, with every non-local request blocked."""

import pytest

from domain.figures import ACTIVE_CASELOAD, ENROLLED, FOUND_ELIGIBLE, REARRESTED, REFERRALS, REFERRALS_PER_100
from tests.helpers import download, open_page, screenshot

pytestmark = pytest.mark.browser

CHARTS = 8  # public view: over time, funnel, reasons, offense, area, arrests vs referrals, launch, caseload


def test_referrals_page_draws_its_charts_offline(offline_page, app_server):
    # A deep link, possibly the first request the server sees: it must still run through app.py.
    open_page(offline_page, f"{app_server}/referrals")

    offline_page.get_by_role("heading", name="Referrals", exact=True).wait_for(timeout=60_000)
    assert offline_page.get_by_text("Demo data — synthetic").is_visible()
    charts = offline_page.locator(".js-plotly-plot")
    charts.nth(CHARTS - 1).wait_for(timeout=60_000)
    assert charts.count() == CHARTS
    for index in range(CHARTS):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        marks = chart.locator(".barlayer .point path, .scatterlayer .trace path.js-line")
        assert marks.count() > 0, f"chart {index} drew no bars or lines"
        assert chart.bounding_box()["height"] >= 280  # projector-sized, not a thumbnail

    # Headline row with its six figures, and the ratio labelled as computed here.
    labels = offline_page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    for figure in (REFERRALS, FOUND_ELIGIBLE, ENROLLED, ACTIVE_CASELOAD, REARRESTED, REFERRALS_PER_100):
        assert figure.label in labels
    assert "Diversion ratio" not in labels  # the figure has one name everywhere
    assert offline_page.get_by_text("no published figure exists for this ratio").first.is_visible()

    # Every chart has its data table and a CSV download behind an expander.
    expanders = offline_page.locator('[data-testid="stMain"] [data-testid="stExpander"]')
    assert expanders.count() == CHARTS
    expanders.first.locator("summary").click()
    button = expanders.first.get_by_role("button", name="Download CSV")
    button.wait_for(timeout=10_000)
    csv = download(offline_page, button).path().read_text()
    # a public view counts whole quarters (domain/disclosure.py)
    assert csv.splitlines()[0] == "Quarter starting,Arrest referrals,Social-contact referrals,All referrals"

    offline_page.get_by_role("heading", name="Referrals", exact=True).scroll_into_view_if_needed()
    screenshot(offline_page, "referrals")
    charts.nth(1).scroll_into_view_if_needed()
    screenshot(offline_page, "referrals-funnel")
    assert offline_page.blocked_requests == []
