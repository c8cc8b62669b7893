"""Five tasks done with the keyboard alone, in headless Chromium at 1280x720, with the focus visible at
every step (an outline or focus ring on whatever has it, inside the map frames too):

1. change the period (the sidebar's quarter slider);
2. switch a map layer off and on (the Map page's layer switches);
3. open a chart's data table and download its CSV (Referrals);
4. pick two neighbourhoods for a proposal and read its projection (Expansion planner);
5. download the hearing brief.

Nothing is clicked: the focus moves only by Tab, Shift+Tab and arrow keys, and things are done with
Enter, Space and typing. A picture of each task's end, focus showing, is saved in test-artifacts/
(keyboard-*.png) to be looked at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.accessibility import VIEWPORT, arrow_to, focus_state, tab_to
from tests.helpers import map_frame, open_page, page_drawn, screenshot, script_run

pytestmark = pytest.mark.browser

PERIOD = re.compile(r"^\d\d \w{3} \d{4} – \d\d \w{3} \d{4}$")
PILOT_ZONE = 'path[stroke="#b2182b"]'  # the pilot zone's outline on the Map page's map
PICKED = ("Downtown", "Upton")  # busy enough that the public view projects them


@pytest.fixture(scope="module")
def page(browser, app_server):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    yield page
    context.close()


def _open(page, url: str) -> None:
    open_page(page, url)
    page_drawn(page)  # the focus starts at the top of the page


def _press(page, key: str) -> None:
    """A key that changes a widget: its run has finished (and what it drew is drawn) afterwards."""
    with script_run(page):
        page.keyboard.press(key)


# The option a select's list has highlighted (the one Enter picks).
_ACTIVE_OPTION = """() => {
  const id = document.activeElement.getAttribute('aria-activedescendant');
  const option = id && document.getElementById(id);
  return option ? option.innerText.trim() : null;
}"""


def _period(page) -> str:
    """The period the sidebar says is shown ("01 Jan 2017 – 31 Dec 2024")."""
    return page.get_by_test_id("stSidebar").get_by_text(PERIOD).inner_text()


def test_change_the_period(page, app_server):
    _open(page, app_server)
    before = _period(page)
    tab_to(page, lambda s: s["testid"] == "stSlider" and s["text"].endswith("start"))
    _press(page, "ArrowRight")  # the first quarter one later
    assert _period(page) != before, "the period did not change"
    assert focus_state(page)["testid"] == "stSlider"  # the focus stays on the slider, visible
    _press(page, "ArrowLeft")
    assert _period(page) == before
    screenshot(page, "keyboard-1-period")


def test_switch_a_map_layer_off_and_on(page, app_server):
    _open(page, f"{app_server}/map")
    frame = map_frame(page)
    assert frame.locator(PILOT_ZONE).count() == 1

    def the_switch(state):
        return state["tag"] == "BUTTON" and state["text"] == "LEAD pilot zone"

    tab_to(page, lambda s: s["testid"] == "stButtonGroup")  # the switches are one Tab stop: arrows
    assert arrow_to(page, the_switch)["pressed"] == "true"
    _press(page, "Space")
    frame = map_frame(page)
    assert frame.locator(PILOT_ZONE).count() == 0, "the pilot zone is still drawn"
    state = focus_state(page)
    if not the_switch(state):  # a rerun may put the focus back at the top: on from there, by Tab
        tab_to(page, lambda s: s["testid"] == "stButtonGroup")
        state = arrow_to(page, the_switch)
    assert state["pressed"] == "false"
    _press(page, "Space")
    assert map_frame(page).locator(PILOT_ZONE).count() == 1, "the pilot zone did not come back"
    assert focus_state(page)
    screenshot(page, "keyboard-2-map-layer")


def test_open_a_data_table_and_download_its_csv(page, app_server):
    _open(page, f"{app_server}/referrals")
    summary = tab_to(page, lambda s: s["tag"] == "SUMMARY" and "Data table:" in s["text"])
    _press(page, "Enter")
    state = focus_state(page)  # still on the expander's title (its arrow icon's name has changed)
    title = summary["text"].split("Data table:")[1]
    assert state["tag"] == "SUMMARY" and state["text"].endswith(title)
    assert page.evaluate("document.activeElement.closest('details').open")
    tab_to(page, lambda s: s["tag"] == "BUTTON" and s["text"].endswith("Download CSV"))
    screenshot(page, "keyboard-3-data-table")  # the table open, the focus on its download
    with page.expect_download(timeout=30_000) as event:
        page.keyboard.press("Enter")
    text = Path(event.value.path()).read_text(encoding="utf-8")
    assert text.count("\n") >= 2 and "," in text.splitlines()[0], text[:200]
    # Streamlit disables a button whose file is made on the click while it fetches the file, which
    # drops the focus; the next Tab goes on from the button, not from the top of the page.
    page.keyboard.press("Tab")
    assert focus_state(page)["testid"] not in ("stSkipToContent", "stSidebarNavLink")


def test_pick_two_neighbourhoods_and_read_the_projection(page, app_server):
    _open(page, f"{app_server}/expansion")
    state = tab_to(page, lambda s: s["testid"] == "stRadioOption" and s["group"] == "Proposal")
    assert state["checked"]  # "Draw on the map", the choice made: arrows move to the other one
    _press(page, "ArrowDown")
    picker = tab_to(page, lambda s: s["group"] == "Neighbourhoods in the proposal" and s["tag"] == "INPUT")
    for name in PICKED:
        page.keyboard.type(name)
        page.get_by_role("option", name=name, exact=True).wait_for(timeout=30_000)
        for _ in range(10):  # down the list (it offers "Select all matches" first) to the name itself
            if page.evaluate(_ACTIVE_OPTION) == name:
                break
            page.keyboard.press("ArrowDown")
        _press(page, "Enter")
        state = focus_state(page)
        if state["group"] != picker["group"]:  # a rerun may put the focus back at the top
            tab_to(page, lambda s: s["group"] == picker["group"] and s["tag"] == "INPUT")
    page.keyboard.press("Escape")  # close the list of options
    chosen = page.get_by_test_id("stMultiSelect").filter(has_text="Neighbourhoods in the proposal")
    label = picker["group"]
    lines = {line.strip() for line in chosen.inner_text().splitlines()} - {"", label}
    assert lines == set(PICKED)  # these two, and nothing else
    # read the projection: Tab on to a projected figure's explanation (past the map and its legend)
    state = tab_to(page, lambda s: s["text"] == "Help for Case managers")
    figures = page.get_by_test_id("stMetric")
    labels = figures.all_inner_texts()
    assert any(text.startswith("Referrals a year") for text in labels), labels
    assert any(text.startswith("Case managers") for text in labels), labels
    focus_state(page)
    screenshot(page, "keyboard-4-proposal")


def test_download_the_hearing_brief(page, app_server):
    _open(page, f"{app_server}/brief")
    tab_to(page, lambda s: s["tag"] == "BUTTON" and "Download the brief" in s["text"])
    with page.expect_download(timeout=60_000) as event:
        page.keyboard.press("Enter")
    html = Path(event.value.path()).read_text(encoding="utf-8")
    assert "<html" in html.lower() and "LEAD" in html
    assert "Download the brief" in focus_state(page)["text"]
    screenshot(page, "keyboard-5-brief")
    page.keyboard.press("Tab")  # on into the preview: its Print button shows the focus too
    assert focus_state(page)["text"] == "Print"
