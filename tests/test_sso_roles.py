"""Single sign-on roles under AppTest: who reaches which pages, what a session records in the audit
trail, and that no staff page or staff export is reachable without the role.

``AppTest.user`` stands in for what Streamlit reads from its identity cookie after a real login (the
browser test, tests/test_browser_sso.py, goes through a real OpenID provider).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from domain.roles import AccessPolicy
from store import audit
from store.serving import Serving
from ui.auth import hash_password

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TEMPLATE = Path(APP).parent / "data" / "templates" / "referrals.csv"
APP_TIMEOUT = 120
IMPORT, ADMIN = "pages/import_data.py", "pages/admin.py"
STAFF_EXPORTS = {
    "Download the report",
    "Download these quarantined rows (CSV)",
    "Download the audit trail (CSV)",
}
PASSWORD = "projector laptop password"
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-some-length",
    "client_id": "lead-dashboard",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration",
}
ACCESS = {
    "staff": ["Sam.Staff@city.example"],
    "viewers": ["vic@city.example"],
    "admin_groups": ["lead-admins"],
}
PICKED = ["Washington Village/Pigtown", "Carroll Park"]


def user(email: str, groups: tuple[str, ...] = (), iat: int = 1_800_000_000) -> dict:
    """What st.user holds after a login: the ID token's claims."""
    return {"is_logged_in": True, "email": email, "email_verified": True, "sub": email, "iat": iat,
            "iss": "http://127.0.0.1:1", "groups": list(groups)}  # fmt: skip


@pytest.fixture
def db_copy(proposals_db_path, tmp_path):
    """A private copy of the database (sessions write their audit rows to it); caches emptied around it."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield Path(shutil.copy(proposals_db_path, tmp_path / "sso.duckdb"))
    st.cache_resource.clear()
    st.cache_data.clear()


def app(db_path, monkeypatch, who: dict | None = None, password_fallback: bool | None = None) -> AppTest:
    monkeypatch.setenv("LEAD_DB", str(db_path))
    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    at.secrets["auth"] = AUTH
    access = dict(ACCESS)
    if password_fallback is not None:
        access["password_fallback"] = password_fallback
    at.secrets["access"] = access
    at.secrets["staff_password_hash"] = hash_password(PASSWORD, iterations=1_000)
    if who is not None:
        at.user = who
    return at.run()


def audit_rows(db_path) -> list[tuple]:
    st.cache_resource.clear()  # let go of the app's connection before reading the files
    serving = Serving(db_path)  # as the app sees it: its own file's rows and the data file's
    try:
        return serving.con.execute(
            "select who, role, action, subject, sha256, outcome, reason from audit order by happened_at"
        ).fetchall()
    finally:
        serving.close()


def reachable(at: AppTest, page: str) -> bool:
    try:
        at.switch_page(page)
    except ValueError:  # "Could not find a navigation page": not registered for this session
        return False
    at.run()
    return not at.exception


def sidebar_text(at: AppTest) -> str:
    return " ".join(e.value for e in [*at.sidebar.markdown, *at.sidebar.caption, *at.sidebar.warning,
                                      *at.sidebar.info]).replace("\u2060", "")  # fmt: skip


# ------------------------------------------------------------------------------------------ roles


def test_roles_come_from_e_mail_lists_or_group_claims_the_highest_winning():
    policy = AccessPolicy.from_mapping(
        {"viewers": ["v@x.org"], "staff": ["S@X.org"], "admins": ["a@x.org"], "staff_groups": ["g-staff"],
         "admin_groups": ["g-admin"], "group_claim": "roles"}
    )  # fmt: skip
    assert policy.role_for({"email": "s@x.org"}) == "staff"  # case does not matter in an address
    assert policy.role_for({"email": "v@x.org"}) == "viewer"
    assert policy.role_for({"email": "a@x.org"}) == "admin"
    assert policy.role_for({"email": "v@x.org", "roles": ["g-staff"]}) == "staff"
    assert policy.role_for({"email": "n@x.org", "roles": ["g-admin", "g-staff"]}) == "admin"
    assert policy.role_for({"email": "n@x.org", "groups": ["g-admin"]}) is None  # another claim
    assert policy.role_for({"email": "s@x.org", "email_verified": False}) is None  # unverified
    assert policy.role_for({"email": "n@x.org"}) is None
    assert AccessPolicy.from_mapping(None).role_for({"email": "s@x.org"}) is None
    assert AccessPolicy.from_mapping(None).is_empty()


# ------------------------------------------------------------------ who reaches what (AppTest)


def test_no_staff_page_or_export_without_a_staff_role(db_copy, monkeypatch):
    """Signed out, a viewer, someone on no list: no staff page is registered, so neither the page nor
    the downloads on it (the import report, quarantined rows, the audit trail) can be reached; a staff
    flag set by hand is cleared, since under single sign-on only the identity provider gives roles."""
    for who in (None, user("vic@city.example"), user("olive@elsewhere.example")):
        at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
        monkeypatch.setenv("LEAD_DB", str(db_copy))
        at.secrets["auth"], at.secrets["access"] = AUTH, ACCESS
        if who is not None:
            at.user = who
        at.session_state["staff_signed_in"] = True  # forged: not what the provider says
        at.run()
        assert not at.exception
        assert at.session_state["staff_signed_in"] is False
        assert not reachable(at, IMPORT) and not reachable(at, ADMIN)
        assert not {b.label for b in at.get("download_button")} & STAFF_EXPORTS


def test_staff_reach_the_staff_pages_but_not_the_audit_trail(db_copy, monkeypatch):
    at = app(db_copy, monkeypatch, user("sam.staff@city.example"))
    assert "Staff view" in sidebar_text(at) and "sam.staff@city.example (staff)" in sidebar_text(at)
    assert not reachable(at, ADMIN)
    assert reachable(at, IMPORT)
    assert [t.value for t in at.title] == ["Import data"]


def test_an_admin_from_a_group_reads_the_audit_trail(db_copy, monkeypatch):
    at = app(db_copy, monkeypatch, user("ada@city.example", groups=("lead-admins",)))
    assert reachable(at, ADMIN)
    table = at.dataframe[0].value
    assert list(table.columns) == ["When (UTC)", "Who", "Role", "What", "Concerning", "File SHA-256",
                                   "Outcome", "Reason"]  # fmt: skip
    assert (table["Who"] == "ada@city.example").any() and (table["What"] == "sign_in").any()
    assert [b.label for b in at.get("download_button")] == ["Download the audit trail (CSV)"]


def test_someone_on_no_list_sees_the_public_view_and_why(db_copy, monkeypatch):
    at = app(db_copy, monkeypatch, user("olive@elsewhere.example"))
    assert "olive@elsewhere.example, but this address is not on the dashboard's list" in sidebar_text(at)
    assert "Staff view" not in sidebar_text(at)
    viewer = app(db_copy, monkeypatch, user("vic@city.example"))
    assert "vic@city.example (viewer): you see the public view" in sidebar_text(viewer)


def test_the_shared_password_is_off_under_single_sign_on_unless_enabled(db_copy, monkeypatch):
    at = app(db_copy, monkeypatch)
    assert [b.label for b in at.sidebar.button] == ["Sign in (city account)"]
    assert not at.text_input  # no password field
    enabled = app(db_copy, monkeypatch, password_fallback=True)
    assert enabled.text_input(key="staff_password") is not None


# ------------------------------------------------------------------------ the audit trail


def test_a_scripted_session_leaves_exactly_the_expected_audit_rows(db_copy, monkeypatch):
    """Sign in, a staff page, an import, an export, a saved proposal, sign out; a wrong password; a
    sign-in refused; and a second tab of the same login records no second sign-in."""
    sam = user("sam.staff@city.example")
    at = app(db_copy, monkeypatch, sam, password_fallback=True)
    at.switch_page(IMPORT).run()
    at.radio(key="import_kind").set_value("referrals").run()
    at.file_uploader(key="import_file_referrals").set_value(("mine.csv", TEMPLATE.read_bytes(), "text/csv"))
    at.run()
    next(b for b in at.button if b.label == "Import").click().run()
    report = next(b for b in at.get("download_button") if b.label == "Download the report")
    report.click().run()
    at.run()  # another rerun of the same page is not another visit
    at.switch_page("pages/expansion.py").run()
    at.radio(key="proposal_mode").set_value("pick").run()
    at.multiselect(key="picked_nsas").set_value(PICKED).run()
    next(t for t in at.text_input if t.label == "Name").input("Scripted proposal")
    next(b for b in at.button if b.label == "Save proposal").click().run()
    assert any("Saved “Scripted proposal”" in s.value for s in at.success)
    at.button(key="sign_out").click().run()
    assert not at.exception

    app(db_copy, monkeypatch, sam)  # a second tab of the same login
    wrong = app(db_copy, monkeypatch, password_fallback=True)
    wrong.text_input(key="staff_password").input("a guess")
    wrong.get("form_submit_button")[0].click()
    wrong.run()
    app(db_copy, monkeypatch, user("olive@elsewhere.example"))

    rows = audit_rows(db_copy)
    sign_in_subject = "single sign-on (login of 2027-01-15 08:00:00 UTC)"  # the token's iat, 1.8e9 s
    assert [row[:6] for row in rows] == [
        ("sam.staff@city.example", "staff", "sign_in", sign_in_subject, None, "ok"),
        ("sam.staff@city.example", "staff", "staff_page_opened", "Import data", None, "ok"),
        (
            "sam.staff@city.example",
            "staff",
            "import",
            "mine.csv",
            audit.file_sha256(TEMPLATE.read_bytes()),
            "ok",
        ),
        ("sam.staff@city.example", "staff", "staff_export_downloaded", rows[3][3], None, "ok"),
        ("sam.staff@city.example", "staff", "proposal_saved", "proposal:scripted-proposal", None, "ok"),
        ("sam.staff@city.example", "staff", "sign_out", None, None, "ok"),
        ("password:staff", None, "sign_in_failed", "shared password", None, "failed"),
        ("olive@elsewhere.example", None, "sign_in_failed", sign_in_subject, None, "refused"),
    ], rows
    assert rows[3][3].startswith("import_") and rows[3][3].endswith("_report.txt")
    assert rows[2][6].startswith("referrals file mine.csv: 3 rows read, 3 loaded")
    assert (rows[6][6], rows[7][6]) == ("wrong password", "not on the allow-list")
    serving = Serving(db_copy)  # saved proposals live in the app's own file (store/app_rows.py)
    try:
        author = serving.con.execute("select author from areas where name = 'Scripted proposal'").fetchone()
    finally:
        serving.close()
    assert author == ("sam.staff@city.example",)  # the signed-in identity, never typed


def test_a_staff_view_download_is_recorded_and_a_public_one_is_not(db_copy, monkeypatch):
    """The map's figures in a staff view hold small counts: the click is recorded. A public download
    (aggregates only) is made without a rerun and recorded nowhere."""
    monkeypatch.setenv("LEAD_DB", str(db_copy))
    for staff in (False, True):
        at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
        at.session_state["staff_signed_in"] = staff  # the shared password's session (no single sign-on)
        at.run()
        at.switch_page("pages/map.py").run()
        next(b for b in at.get("download_button") if b.label == "Figures (CSV)").click().run()
        assert not at.exception
    exported = [row for row in audit_rows(db_copy) if row[2] == "staff_export_downloaded"]
    assert len(exported) == 1
    who, role, _, subject, _, outcome, _ = exported[0]
    assert (who, role, outcome) == ("password:staff", "staff", "ok") and subject.endswith("-figures.csv")


def test_an_audit_row_that_cannot_be_written_is_said_and_breaks_nothing(db_copy, monkeypatch):
    import duckdb

    def locked(*args, **kwargs):
        raise duckdb.IOException("Could not set lock on file")

    monkeypatch.setattr(audit, "record", locked)
    at = app(db_copy, monkeypatch, user("sam.staff@city.example"))
    assert not at.exception
    assert any("could not be written to the audit trail" in w.value for w in at.warning)
    assert reachable(at, IMPORT)  # the sign-in itself stands: the provider vouched for it


def test_without_node_the_provider_tests_skip_and_on_ci_they_fail(monkeypatch):
    from tests.oidc_provider import require_node

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("LEAD_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="node is not installed"):
        require_node()
    monkeypatch.setenv("LEAD_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="node is not installed"):
        require_node()


def test_a_deleted_proposal_is_recorded_by_its_id(db_copy, monkeypatch):
    at = app(db_copy, monkeypatch, user("sam.staff@city.example"))
    at.switch_page("pages/expansion.py").run()
    next(s for s in at.selectbox if s.label == "Delete a proposal (staff only)").set_value(
        "proposal:east-of-downtown"
    ).run()
    next(b for b in at.button if b.label == "Delete “East of downtown”").click().run()
    assert not at.exception
    last = audit_rows(db_copy)[-1]
    assert last[:6] == (
        "sam.staff@city.example", "staff", "proposal_deleted", "proposal:east-of-downtown", None, "ok"
    )  # fmt: skip
