"""Writes need a role: only signed-in staff save or delete proposals (on the page and below it)."""

import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import queries

APP = Path(__file__).resolve().parent.parent / "app.py"
APP_TIMEOUT = 120
PICKED = ["Washington Village/Pigtown", "Carroll Park"]
STAFF_SENTENCE = "Only signed-in staff can save proposals"


@pytest.fixture
def db_copy(proposals_db_path, tmp_path):
    """A private copy of the database with two saved proposals; Streamlit's caches emptied around it."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield Path(shutil.copy(proposals_db_path, tmp_path / "roles.duckdb"))
    st.cache_resource.clear()
    st.cache_data.clear()


def saved_names(db_path: Path) -> list[str]:
    """The proposals the app serves: the data file's and the app's own file's (store/app_rows.py),
    read on the app's own connection (the one AppTest's runs used; one per process)."""
    from ui.data import _serving

    return sorted(queries.run(_serving(str(db_path)).con, "proposal_list")["name"])


def open_planner(db_path, monkeypatch, staff: bool) -> AppTest:
    monkeypatch.setenv("LEAD_DB", str(db_path))
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    at.session_state["staff_signed_in"] = staff
    at.run()
    at.switch_page("pages/expansion.py")
    at.run()
    at.radio(key="proposal_mode").set_value("pick").run()
    at.multiselect(key="picked_nsas").set_value(PICKED).run()
    assert not at.exception
    return at


def save_button(at: AppTest):
    return next((b for b in at.button if b.label == "Save proposal"), None)


def delete_choice(at: AppTest):
    return next((s for s in at.selectbox if s.label == "Delete a proposal (staff only)"), None)


def test_a_public_session_gets_a_sentence_instead_of_the_save_form_and_no_delete(db_copy, monkeypatch):
    at = open_planner(db_copy, monkeypatch, staff=False)
    assert save_button(at) is None
    assert not any(t.label in ("Name", "Author") for t in at.text_input)
    assert any(STAFF_SENTENCE in info.value for info in at.info)
    assert delete_choice(at) is None
    assert not any(b.label.startswith("Delete") for b in at.button)
    # the comparison is still there for everyone, and the drawn area can still be downloaded
    assert any("Figure" in d.value.columns for d in at.dataframe)
    assert any(b.label == "Download this proposal (GeoJSON)" for b in at.get("download_button"))


def test_staff_can_save_and_delete(db_copy, monkeypatch):
    at = open_planner(db_copy, monkeypatch, staff=True)
    assert not any(STAFF_SENTENCE in info.value for info in at.info)
    next(t for t in at.text_input if t.label == "Name").input("Staff proposal")
    save_button(at).click().run()
    assert not at.exception
    assert any("Saved “Staff proposal”" in s.value for s in at.success)
    assert "Staff proposal" in saved_names(db_copy)
    delete_choice(at).set_value("proposal:staff-proposal").run()
    next(b for b in at.button if b.label == "Delete “Staff proposal”").click().run()
    assert not at.exception
    assert "Staff proposal" not in saved_names(db_copy)


def test_a_rerun_that_clicks_save_after_signing_out_writes_nothing(db_copy, monkeypatch):
    """The click reaches the server with the form's values, but the session is no longer staff."""
    at = open_planner(db_copy, monkeypatch, staff=True)
    next(t for t in at.text_input if t.label == "Name").input("Sneaked in")
    button = save_button(at)
    at.session_state["staff_signed_in"] = False
    button.click().run()
    assert not at.exception
    assert not at.success
    assert "Sneaked in" not in saved_names(db_copy)
    assert any(STAFF_SENTENCE in info.value for info in at.info)


def _write_from_a_session():
    """A script that writes straight through ingest.proposals, as a crafted page or rerun would."""
    import streamlit as st
    from shapely.geometry import box

    import ui.auth  # noqa: F401 - the app imports it first; it installs the role check
    from ingest.proposals import delete_proposal, save_proposal
    from ui.data import connection

    for label, write in (
        ("save", lambda: save_proposal(connection(), "Crafted", box(-76.61, 39.29, -76.60, 39.30))),
        ("delete", lambda: delete_proposal(connection(), "proposal:east-of-downtown")),
    ):
        try:
            write()
        except PermissionError as refused:
            st.error(f"{label}: {refused}")
        else:
            st.success(f"{label}: done")


@pytest.mark.parametrize("staff", [False, True])
def test_the_write_helpers_check_the_role_themselves(db_copy, monkeypatch, staff):
    monkeypatch.setenv("LEAD_DB", str(db_copy))
    at = AppTest.from_function(_write_from_a_session, default_timeout=APP_TIMEOUT)
    at.session_state["staff_signed_in"] = staff
    at.run()
    assert not at.exception
    names = saved_names(db_copy)
    if staff:
        assert [s.value for s in at.success] == ["save: done", "delete: done"]
        assert names == ["Crafted", "West Baltimore St"]
    else:
        assert [e.value for e in at.error] == [
            "save: saving or deleting proposals needs staff sign-in",
            "delete: saving or deleting proposals needs staff sign-in",
        ]
        assert names == ["East of downtown", "West Baltimore St"]


def test_scripts_outside_any_session_still_write(empty_con):
    """The command line and tests have no viewer: the role check lets them through."""
    from shapely.geometry import box

    import ui.auth  # noqa: F401
    from ingest.proposals import delete_proposal, save_proposal

    area_id = save_proposal(empty_con, "From a script", box(-76.61, 39.29, -76.60, 39.30))
    assert delete_proposal(empty_con, area_id) is True
