"""Single sign-on in the browser, against a real OpenID Connect provider started here (npm
``oidc-provider``, tests/oidc/provider.mjs): Streamlit's own st.login / st.logout, the provider's own
login, consent and logout pages, and the app's roles and audit trail.

* staff on the allow-list sign in and see the staff pages; they sign out and see them no more;
* someone signed in but on no list sees only the public pages, and a sentence saying why;
* without the role, no staff page and no staff export is reachable by its URL either;
* a scripted session (sign in, import, export, save a proposal, sign out, a refused sign-in) leaves
  exactly the expected rows in the audit table.
"""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from bench.server import free_port
from store import audit
from store.serving import Serving
from tests.conftest import running_app
from tests.helpers import download, open_page, screenshot, script_run, wait_idle
from tests.oidc_provider import Account, require_node, running_provider, sso_secrets

pytestmark = pytest.mark.browser

STAFF = Account("sam.staff@city.example", "staff-password-1", "Sam Staff")
ADMIN = Account("ada.admin@city.example", "admin-password-1", "Ada Admin", groups=("lead-admins",))
OUTSIDER = Account("olive@elsewhere.example", "outsider-password-1", "Olive Outsider")
ACCESS = f"""
[access]
staff = ["{STAFF.email}"]
admin_groups = ["lead-admins"]
"""
ARRESTS_CSV = (
    "Arrest,ArrestDate,ArrestTime,Age,ChargeDescription,Charge,Location 1\n"
    '19000001,01/02/2018,10:00:00,30,CDS POSSESSION,4 3550,"(39.2904, -76.6122)"\n'
    '19000002,01/03/2018,11:00:00,41,TRESPASSING,,"(39.2950, -76.6200)"\n'
)
PICKED = ("Carroll Park", "Washington Village/Pigtown")
PLANNER_LINK = urlencode([("proposal_mode", "Pick neighbourhoods")] + [("picked_nsas", n) for n in PICKED])
NAV = "stSidebarNav"
LOGIN_TIMEOUT = 60_000


@pytest.fixture(scope="module")
def sso_app(demo_db_path, tmp_path_factory):
    """The app with single sign-on against a local OpenID provider; yields (app URL, provider)."""
    require_node()
    with sso_server(demo_db_path, tmp_path_factory.mktemp("sso")) as (url, provider, _):
        yield url, provider


class sso_server:  # noqa: N801 - used like a function, as a context manager
    """App and provider together: the app's secrets name the provider, the provider's client names
    the app's callback; yields (app URL, provider, the app's database file)."""

    def __init__(self, db_path: Path, workdir: Path):
        self.db_path, self.workdir = db_path, workdir

    def __enter__(self):
        provider_port = free_port()
        secrets_path = self.workdir / "secrets.toml"
        self.client_secret = "test-client-secret-not-for-production"
        secrets_path.write_text(
            sso_secrets(f"http://127.0.0.1:{provider_port}", "lead-dashboard", self.client_secret, ACCESS)
        )
        self._app = running_app(self.db_path, self.workdir, command=("-m", "ui.serve", "--secrets.files",
                                                                     str(secrets_path)))  # fmt: skip
        url = self._app.__enter__()
        self._provider = running_provider(
            self.workdir, provider_port, f"{url}/oauth2callback", [STAFF, ADMIN, OUTSIDER],
            client_secret=self.client_secret,
        )  # fmt: skip
        try:
            provider = self._provider.__enter__()
        except BaseException:
            self._app.__exit__(None, None, None)
            raise
        return url, provider, self.workdir / "app.duckdb"

    def __exit__(self, *exc):
        try:
            self._provider.__exit__(*exc)
        finally:
            self._app.__exit__(*exc)


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        screenshot(page, f"FAILED-{request.node.name}")
    context.close()


def nav_titles(page) -> list[str]:
    """The page titles in the sidebar's navigation (each link's last line: the first is its icon)."""
    return [
        t.strip().splitlines()[-1] for t in page.get_by_test_id(NAV).get_by_role("link").all_inner_texts()
    ]


def sign_in(page, url: str, account: Account, password: str | None = None) -> None:
    """Press the app's sign-in button and go through the provider's own login and consent pages."""
    open_page(page, url)
    page.get_by_role("button", name="Sign in (city account)").click()
    page.get_by_role("heading", name="Test identity provider: sign in").wait_for(timeout=LOGIN_TIMEOUT)
    page.get_by_label("E-mail").fill(account.email)
    page.get_by_label("Password").fill(password or account.password)
    page.get_by_role("button", name="Sign in").click()
    if password is not None:  # a wrong password: the provider says so and stays on its page
        page.get_by_role("alert").wait_for(timeout=LOGIN_TIMEOUT)
        return
    allow = page.get_by_role("button", name="Allow")
    app_page = page.get_by_test_id("stApp")
    allow.or_(app_page).first.wait_for(timeout=LOGIN_TIMEOUT)
    if allow.is_visible():  # consent is asked once per account
        allow.click()
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text(re.compile("signed in as", re.IGNORECASE)).wait_for(timeout=LOGIN_TIMEOUT)
    wait_idle(page)
    assert account.email in seen(sidebar)


def seen(locator) -> str:
    """What a reader sees: the app puts an invisible word joiner into e-mail addresses it shows, so
    that Markdown does not make them links (domain.safe_text.markdown_text)."""
    return locator.inner_text().replace("\u2060", "")


def sign_out(page) -> None:
    """The app's sign-out button, then the provider's own "sign me out" page, back to the app."""
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Yes, sign me out").click(timeout=LOGIN_TIMEOUT)
    page.get_by_role("button", name="Sign in (city account)").wait_for(timeout=LOGIN_TIMEOUT)
    wait_idle(page)


def test_staff_sign_in_shows_the_staff_pages_and_sign_out_hides_them(page, sso_app):
    url, provider = sso_app
    open_page(page, url)
    assert "Import data" not in nav_titles(page)
    assert not page.get_by_text("Staff password (offline)").count()  # the password is off under SSO
    sign_in(page, url, STAFF)
    assert page.get_by_text("Staff view — participant-level detail is visible.").is_visible()
    assert "Import data" in nav_titles(page) and "Audit trail" not in nav_titles(page)
    page.get_by_test_id(NAV).get_by_text("Import data").click()
    page.get_by_role("heading", name="Import data").wait_for(timeout=LOGIN_TIMEOUT)
    wait_idle(page)
    screenshot(page, "sso-staff-import")
    open_page(page, f"{url}/admin")  # the audit trail is for admins: its URL leads nowhere for staff
    expect(page.get_by_role("dialog")).to_contain_text("Page not found")
    assert not page.get_by_role("heading", name="Audit trail").count()
    page.keyboard.press("Escape")
    sign_out(page)
    assert "Import data" not in nav_titles(page)
    assert f"login ok {STAFF.email}" in provider.log()  # the provider itself checked the password


def test_an_admin_from_a_group_claim_sees_the_audit_trail(page, sso_app):
    url, _ = sso_app
    sign_in(page, url, ADMIN)
    assert {"Import data", "Audit trail"} <= set(nav_titles(page))
    page.get_by_test_id(NAV).get_by_text("Audit trail").click()
    page.get_by_role("heading", name="Audit trail").wait_for(timeout=LOGIN_TIMEOUT)
    wait_idle(page)
    screenshot(page, "sso-admin-audit")
    exported = download(page, page.get_by_role("button", name="Download the audit trail (CSV)"))
    rows = list(csv.DictReader(io.StringIO(Path(exported.path()).read_text())))
    assert any(r["Who"] == ADMIN.email and r["What"] == "sign_in" and r["Role"] == "admin" for r in rows)


def test_someone_on_no_list_sees_only_public_pages_and_why(page, sso_app):
    url, _ = sso_app
    open_page(page, url)
    public_pages = nav_titles(page)
    sign_in(page, url, OUTSIDER)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("is not on the dashboard's list of city staff")).to_be_visible()
    assert nav_titles(page) == public_pages
    assert not page.get_by_text("Staff view").count()
    screenshot(page, "sso-outsider")
    # nor does a staff page's URL lead anywhere
    open_page(page, f"{url}/import_data")
    expect(page.get_by_role("dialog")).to_contain_text("Page not found")
    assert not page.get_by_role("heading", name="Import data").count()
    assert "Import data" not in nav_titles(page)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    sign_out(page)


def test_a_wrong_password_at_the_provider_signs_no_one_in(page, sso_app):
    url, provider = sso_app
    sign_in(page, url, STAFF, password="not the password")
    assert f"login failed {STAFF.email}" in provider.log()
    open_page(page, url)
    assert "Import data" not in nav_titles(page)


def test_a_scripted_session_leaves_exactly_the_expected_audit_rows(browser, demo_db_path, tmp_path):
    """Sign in, open the staff page, import, export, save a proposal, sign out, a refused sign-in."""
    require_node()
    arrests = tmp_path / "arrests_jan.csv"
    arrests.write_text(ARRESTS_CSV)
    started = time.perf_counter()
    with sso_server(demo_db_path, tmp_path) as (url, _, db_file):
        context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
        page = context.new_page()
        try:
            sign_in(page, url, STAFF)
            # a staff page, an import, an export
            page.get_by_test_id(NAV).get_by_text("Import data").click()
            page.get_by_role("heading", name="Import data").wait_for(timeout=LOGIN_TIMEOUT)
            wait_idle(page)
            page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(str(arrests))
            expect(page.get_by_role("button", name="Import")).to_be_enabled(timeout=30_000)
            page.get_by_role("button", name="Import").click()
            page.get_by_text("arrests file arrests_jan.csv: 2 rows read").wait_for(timeout=LOGIN_TIMEOUT)
            wait_idle(page)
            page.get_by_text("Full import report").click()
            report = download(page, page.get_by_role("button", name="Download the report"))
            wait_idle(page)
            # a proposal, saved by its author: the signed-in identity (a new tab of the same login)
            open_page(page, f"{url}/expansion?{PLANNER_LINK}")
            page.get_by_role("textbox", name="Name").fill("Pigtown and Carroll Park")
            assert f"Saved as proposed by {STAFF.email}" in seen(page.get_by_test_id("stForm"))
            with script_run(page):
                page.get_by_role("button", name="Save proposal").click()
            page.get_by_text("Saved “Pigtown and Carroll Park”").wait_for(timeout=LOGIN_TIMEOUT)
            sign_out(page)
            sign_in(page, url, OUTSIDER)  # signed in at the provider, refused by the app
        except Exception:
            screenshot(page, "FAILED-sso-scripted-session")
            raise
        finally:
            context.close()
    session_seconds = time.perf_counter() - started
    serving = Serving(db_file)  # as the app sees it: its own file's rows and the data file's
    con = serving.con
    try:
        rows = con.execute(
            "select who, role, action, subject, sha256, outcome, reason from audit order by happened_at"
        ).fetchall()
        author = con.execute("select author from areas where name = 'Pigtown and Carroll Park'").fetchone()
    finally:
        serving.close()
    login = rows[0][3]
    assert re.fullmatch(r"single sign-on \(login of 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC\)", login)
    assert [row[:6] for row in rows] == [
        (STAFF.email, "staff", "sign_in", login, None, "ok"),
        (STAFF.email, "staff", "staff_page_opened", "Import data", None, "ok"),
        (STAFF.email, "staff", "import", "arrests_jan.csv", audit.file_sha256(arrests), "ok"),
        (STAFF.email, "staff", "staff_export_downloaded", report.suggested_filename, None, "ok"),
        (STAFF.email, "staff", "proposal_saved", "proposal:pigtown-and-carroll-park", None, "ok"),
        (STAFF.email, "staff", "sign_out", None, None, "ok"),
        (OUTSIDER.email, None, "sign_in_failed", rows[6][3], None, "refused"),
    ], rows
    assert rows[6][6] == "not on the allow-list"
    assert author == (STAFF.email,)
    print(f"scripted SSO session incl. server and provider start: {session_seconds:.1f} s")
