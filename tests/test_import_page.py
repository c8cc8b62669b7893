"""The staff-only Import data page: locked in public view; in staff view, upload, progress, report."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from store import connect
from tests.bad_files.db_state import fresh_copy, table_checksums
from tests.helpers import open_page, screenshot

APP = Path(__file__).resolve().parent.parent / "app.py"
TEMPLATE = APP.parent / "data" / "templates" / "referrals.csv"
APP_TIMEOUT = 120
PAGE = "pages/import_data.py"


@pytest.fixture
def db_path(demo_db_path, tmp_path):
    """A private copy of the demo database (the page writes to it); Streamlit's caches start empty."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield fresh_copy(demo_db_path, tmp_path)
    st.cache_resource.clear()  # later tests must not inherit a connection to this copy
    st.cache_data.clear()


def open_import_page(db_path, monkeypatch, staff: bool = True) -> AppTest:
    monkeypatch.setenv("LEAD_DB", str(db_path))
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    if staff:
        at.session_state["staff_signed_in"] = True
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    return at


def test_public_session_cannot_reach_the_import_page(db_path, monkeypatch):
    """Without sign-in the page is not registered at all."""
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_import_page(db_path, monkeypatch, staff=False)


def test_staff_session_reaches_the_import_page(db_path, monkeypatch):
    at = open_import_page(db_path, monkeypatch, staff=True)
    assert [t.value for t in at.title] == ["Import data"]
    assert len(at.file_uploader) >= 1


def test_staff_upload_loads_the_file_and_shows_the_report(db_path, monkeypatch):
    at = upload(
        open_import_page(db_path, monkeypatch, staff=True),
        "referrals",
        "referrals.csv",
        TEMPLATE.read_bytes(),
    )
    assert any("referrals file referrals.csv: 3 rows read, 3 loaded" in s.value for s in at.success)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rows read"] == "3" and metrics["Loaded"] == "3" and metrics["Loaded, unmapped"] == "1"
    recent = at.dataframe[-1].value
    assert recent.iloc[0]["source_file"] == "referrals.csv" and recent.iloc[0]["rows_loaded"] == 3
    with connect(db_path) as con:
        assert con.sql("select count(*) from referrals where source = 'referrals.csv'").fetchone()[0] == 3


def test_staff_upload_of_a_bad_file_says_nothing_was_written(db_path, monkeypatch):
    with connect(db_path) as con:
        before = table_checksums(con)
    at = upload(
        open_import_page(db_path, monkeypatch, staff=True), "arrests", "notes.csv", b"Name,Phone\nA,1\n"
    )
    errors = [e.value for e in at.error]
    assert len(errors) == 1
    assert "arrests file notes.csv: required column 'arrest number' missing" in errors[0]
    assert "Nothing was written" in errors[0]
    with connect(db_path) as con:
        assert table_checksums(con) == before


def test_staff_sees_quarantined_rows_of_an_import(db_path, monkeypatch):
    content = (
        b"Arrest,ArrestDate,ChargeDescription,Latitude,Longitude\n"
        b"1,03/01/2017,CDS POSS,39.29,-76.62\n2,03/01/2099,CDS POSS,39.29,-76.62\n"
    )
    at = upload(open_import_page(db_path, monkeypatch, staff=True), "arrests", "few.csv", content)
    reasons = at.dataframe[0].value
    assert reasons.to_dict("records") == [{"reason": "arrest date in the future", "rows": 1}]
    held = at.dataframe[-1].value
    assert held.iloc[0]["row_number"] == 2 and held.iloc[0]["field"] == "ArrestDate"


def upload(at: AppTest, kind: str, name: str, content: bytes) -> AppTest:
    at.radio(key="import_kind").set_value(kind).run()
    at.file_uploader(key=f"import_file_{kind}").set_value((name, content, "text/csv"))
    at.run()
    at.button[0].click().run()
    assert not at.exception
    return at


def home_page_frame(db_path, monkeypatch) -> tuple[list[str], list[str]]:
    """The banner and captions a fresh visitor's first page shows (AppTest keeps the frame on that run)."""
    monkeypatch.setenv("LEAD_DB", str(db_path))
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT).run()
    assert not at.exception
    return [i.value for i in at.info], [c.value for c in at.caption]


def test_banner_names_real_files_once_both_tables_are_real(db_path, monkeypatch, shared_real):
    """ui.chrome's banner, read from queries/data_sources.sql, follows the imports made on this page."""
    sample = shared_real / "bpd_arrests_2017_2018_sample" / "BPD_Arrests_2017-01-01_to_2018-02-17.csv"
    at = open_import_page(db_path, monkeypatch, staff=True)
    upload(at, "arrests", sample.name, sample.read_bytes())
    infos, captions = home_page_frame(db_path, monkeypatch)
    assert f"Arrests: {sample.name}, 26,857 records, as of 17 Feb 2018." in captions
    assert any("Demo data — synthetic" in text for text in infos)  # the referrals are still synthetic

    upload(at, "referrals", "referrals.csv", TEMPLATE.read_bytes())
    infos, captions = home_page_frame(db_path, monkeypatch)
    assert not any("Demo data — synthetic" in text for text in infos)
    # a public view publishes the file's size (3, rounded to 0 or 5) and its last complete quarter, not
    # the newest referral's own day (domain/disclosure.py)
    assert any(
        caption in captions
        for caption in (
            "Referrals: referrals.csv, 0 records, complete to 31 Mar 2017.",
            "Referrals: referrals.csv, 5 records, complete to 31 Mar 2017.",
        )
    ), captions


@pytest.mark.browser
def test_public_browser_session_has_no_import_page(offline_page, app_server):
    open_page(offline_page, f"{app_server}/import_data")  # a deep link, without signing in
    offline_page.get_by_text("Demo data — synthetic").wait_for()  # the app's frame ran
    offline_page.locator('[data-testid="stSlider"]').first.wait_for()  # sidebar drawn (the quarter slider)
    assert offline_page.get_by_role("link", name="Import data", exact=True).count() == 0
    assert offline_page.locator('input[type="file"]').count() == 0
    assert offline_page.get_by_text("Staff sign-in").count() >= 1
    screenshot(offline_page, "import_data_public")
