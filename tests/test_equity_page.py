"""The Equity page under Streamlit's AppTest: public and staff views, the breakdown and reference pickers,
and the tables it draws are the screen model's, exactly (what the CSV downloads hold)."""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import queries
from domain import equity
from domain.privacy import SUPPRESSED_TEXT
from screens.equity import Selection, equity_screen

APP = Path(__file__).resolve().parent.parent / "app.py"
APP_TIMEOUT = 120
CENTRAL = "district:1959-2022:Central"


def open_equity(db_path, monkeypatch, staff: bool = False, **choices) -> AppTest:
    monkeypatch.setenv("LEAD_DB", str(db_path))
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    if staff:
        at.session_state["staff_signed_in"] = True
    at.run()
    assert not at.exception
    at.switch_page("pages/equity.py")
    at.run()
    for key, value in choices.items():
        widget = at.button_group(key=key) if key == "equity_by" else at.selectbox(key=key)
        widget.set_value(value)
        at.run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _cells(frame) -> tuple[list, list]:
    return [str(c) for c in frame.columns], [[str(v) for v in row] for row in frame.to_numpy().tolist()]


def _period(at) -> tuple[date, date]:
    view = at.session_state["view"]
    return view.start_date, view.end_date


@pytest.mark.parametrize("staff", [False, True], ids=["public", "staff"])
def test_the_page_draws_the_screen_models_tables(demo_db_path, demo_con, monkeypatch, staff):
    at = open_equity(demo_db_path, monkeypatch, staff=staff)
    assert at.title[0].value == "Equity"
    start, end = _period(at)
    expected = equity_screen(
        partial(queries.run, demo_con),
        Selection(
            CENTRAL, "Central District (1959–2022)", "race", "white", "referred", start, end, not staff
        ),
    )
    frames = [_cells(frame.value) for frame in at.dataframe]
    assert _cells(expected.counts_table) in frames  # what the CSV download holds, cell for cell
    assert _cells(expected.ratio_table) in frames
    readings = [m.value for m in at.markdown if "times the rate" in m.value]
    assert readings == [f"- {line}" for line in expected.readings] and readings
    assert "Black people arrested for eligible offenses were referred at" in readings[0]
    assert len(at.get("plotly_chart")) >= 1


def test_breakdown_and_reference_group_are_chosen_on_the_page(demo_db_path, monkeypatch):
    at = open_equity(demo_db_path, monkeypatch, equity_by="age_band")
    table = next(frame.value for frame in at.dataframe if "Group" in frame.value.columns)
    assert table["Group"].tolist() == list(equity.AGE_BAND_LABELS.values())
    rri = next(f.value for f in at.dataframe if f"Referred: {equity.RRI_LABEL}" in f.value.columns)
    assert rri.set_index("Group").at["25–34", f"Referred: {equity.RRI_LABEL}"] == equity.REFERENCE_TEXT
    at.selectbox(key="equity_reference_age_band").set_value(1)
    at.run()
    rri = next(f.value for f in at.dataframe if f"Referred: {equity.RRI_LABEL}" in f.value.columns)
    assert rri.set_index("Group").at["18–24", f"Referred: {equity.RRI_LABEL}"] == equity.REFERENCE_TEXT
    assert not at.exception


def test_a_small_area_shows_words_not_small_counts(demo_db_path, monkeypatch):
    at = open_equity(demo_db_path, monkeypatch, equity_area="pilot_zone", equity_by="sex")
    shown = [frame.value for frame in at.dataframe]
    counts = next(frame for frame in shown if equity.ELIGIBLE_ARRESTS.label in frame.columns)
    for column in (point.label for point in equity.DECISION_POINTS):
        for text in counts[column]:
            assert text in (SUPPRESSED_TEXT, "withheld") or not (0 < int(text.replace(",", "")) < 5)


def test_the_hearing_brief_can_include_the_equity_table(demo_con):
    from screens.brief import AREAS, CENTRAL
    from ui.brief import brief_html, load_brief

    run = partial(queries.run, demo_con)
    start, end = date(2017, 1, 1), date(2024, 12, 31)
    without = brief_html(load_brief(run, start, end))
    assert equity.RRI_LABEL not in without
    brief = load_brief(run, start, end, with_equity=True)
    page = equity_screen(
        run, Selection(CENTRAL, AREAS[CENTRAL], "race", "white", "referred", start, end, True)
    )
    table = brief.equity.table.set_index("Group")
    shown = page.counts_table.set_index("Group")
    rri = page.ratio_table.set_index("Group")
    for group in table.index:  # the brief's cells are the Equity page's, word for word
        assert table.at[group, equity.REFERRED.label] == shown.at[group, equity.REFERRED.label]
        assert table.at[group, equity.RRI_LABEL] == rri.at[group, f"Referred: {equity.RRI_LABEL}"]
    assert "Black" in table.index and "Asian" not in table.index  # groups with no one are left off
    html = brief_html(brief)
    assert f"<td>{table.at['Black', equity.RRI_LABEL]}</td>" in html
