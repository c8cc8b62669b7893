"""Plain `streamlit run app.py` behaves as `python -m ui.serve`: a first visit by deep link gets app.py's
frame (see ui/chrome.py: ensure_app_frame)."""

import pytest

from tests.conftest import STREAMLIT_RUN, running_app
from tests.helpers import open_page, page_drawn, screenshot

pytestmark = pytest.mark.browser

TITLES = ["Overview", "Map", "Referrals", "Equity", "Is it working?", "Expansion planner", "Hearing brief"]


@pytest.fixture
def plain_streamlit(demo_db_path, tmp_path):
    """A fresh `streamlit run app.py` server (no ui.serve) that no session has visited yet."""
    with running_app(demo_db_path, tmp_path, command=STREAMLIT_RUN) as url:
        yield url


def test_a_first_deep_link_gets_the_apps_frame_and_navigation(browser, plain_streamlit):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        open_page(page, f"{plain_streamlit}/map")
        page.get_by_role("heading", name="Map: where LEAD works").wait_for(timeout=60_000)
        page_drawn(page)
        navigation = page.get_by_test_id("stSidebarNav")
        # each link reads "<icon name>\n\n<title>": the page titles from app.py, not file names
        titles = [text.split("\n")[-1] for text in navigation.get_by_role("link").all_inner_texts()]
        assert titles == TITLES
        assert not navigation.get_by_text("import data").count()
        page.get_by_text("Demo data — synthetic").wait_for()  # app.py's banner
        page.get_by_test_id("stSidebar").get_by_text("Projector mode").wait_for()  # app.py's sidebar
        assert page.url.endswith("/map")
        screenshot(page, "streamlit-run-deep-link")
    finally:
        context.close()
