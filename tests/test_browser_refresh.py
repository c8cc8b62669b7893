"""A refresh while the app serves, in headless Chromium: the issue's acceptance test.

The app serves a demo database with a public session open and a staff session on the planner. A
command-line import runs against the same database file. It is paused (SIGSTOP) once it has copied
the database and is checking rows, and the staff session saves a proposal: the one moment a design
that copied the app's rows at the start of a refresh would lose it. The import then finishes (exit 0);
a new session shows the new data (the banner names the file) within 60 s, the open session follows
without a reload and keeps working, and the proposal is still there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from bench import import_throughput
from bench.fault import _ProgressReader
from tests.conftest import REPO_ROOT, STAFF_PASSWORD, running_app
from tests.helpers import open_page, screenshot, script_run, wait_idle

pytestmark = pytest.mark.browser

FILE_NAME = "BPD_Arrests_nightly.csv"
PROPOSAL = "Saved during the refresh"
NEW_DATA_WITHIN_S = 60


@pytest.fixture
def staff_server(demo_db_path, tmp_path):
    from ui.auth import ENV_VAR, hash_password

    env = {ENV_VAR: hash_password(STAFF_PASSWORD, iterations=1_000)}
    with running_app(demo_db_path, tmp_path, env) as url:
        yield url, tmp_path / "app.duckdb"


@pytest.fixture
def context(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    yield context
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        for number, page in enumerate(context.pages):
            screenshot(page, f"FAILED-refresh-{number}")
    context.close()


def banner_names(page, text: str, timeout_s: float) -> float:
    """Seconds until the data-source banner shows ``text`` (the page is not touched meanwhile)."""
    started = time.monotonic()
    page.get_by_test_id("stCaptionContainer").filter(has_text=text).first.wait_for(timeout=timeout_s * 1000)
    return time.monotonic() - started


def sign_in(page) -> None:
    page.get_by_test_id("stSidebarUserContent").get_by_text("Staff sign-in", exact=True).click()
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    with script_run(page):
        page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Staff view — participant-level detail is visible.").wait_for(timeout=60_000)


def test_a_cli_import_while_serving_shows_new_data_and_loses_no_proposal(staff_server, context, tmp_path):
    url, db = staff_server
    csv = tmp_path / FILE_NAME
    import_throughput.build_file(csv, 5_000)

    # a public session, open before the refresh and never reloaded
    watcher = context.new_page()
    open_page(watcher, url)
    assert watcher.get_by_text("synthetic", exact=False).first.is_visible()
    assert not watcher.get_by_text(FILE_NAME).count()

    # a staff session on the planner, with a neighbourhood picked as the proposal
    planner = context.new_page()
    open_page(planner, f"{url}/expansion")
    sign_in(planner)
    with script_run(planner):
        planner.get_by_text("Pick neighbourhoods", exact=True).click()
    picker = planner.get_by_test_id("stMultiSelect").filter(has_text="Neighbourhoods in the proposal")
    picker.locator("input").fill("Downtown")
    with script_run(planner):
        picker.locator("input").press("Enter")
    picker.locator("input").press("Escape")
    planner.get_by_role("textbox", name="Name").wait_for(timeout=60_000)

    importer = subprocess.Popen(
        [sys.executable, "-m", "ingest", "arrests", str(csv), "--db", str(db)],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    progress = _ProgressReader(importer.stdout, time.perf_counter())
    progress.start()
    try:
        # the database has been copied and the import is under way: stop it there, save, go on
        assert progress.wait_for("checking", timeout=120), progress.text[-2000:]
        os.kill(importer.pid, signal.SIGSTOP)
        planner.get_by_role("textbox", name="Name").fill(PROPOSAL)
        with script_run(planner):
            planner.get_by_role("button", name="Save proposal").click()
        planner.get_by_text(f"Saved “{PROPOSAL}”").wait_for()
        os.kill(importer.pid, signal.SIGCONT)
        assert importer.wait(timeout=300) == 0, progress.text[-2000:]
    finally:
        if importer.poll() is None:
            os.kill(importer.pid, signal.SIGCONT)
            importer.kill()
            importer.wait()
    progress.join(timeout=5)
    assert "published generation 2" in progress.text

    # a new session: the banner names the file, within the minute
    newcomer = context.new_page()
    open_page(newcomer, url)
    seconds_new = banner_names(newcomer, FILE_NAME, NEW_DATA_WITHIN_S)
    screenshot(newcomer, "refresh-new-session")

    # the open session follows on its own (its watcher reruns it), then keeps working
    seconds_open = banner_names(watcher, FILE_NAME, NEW_DATA_WITHIN_S)
    wait_idle(watcher)
    with script_run(watcher):
        watcher.locator('[data-testid="stSidebarNav"] a', has_text="Referrals").click()
    watcher.get_by_role("heading", name="Referrals").first.wait_for()
    assert not watcher.get_by_test_id("stException").count()
    assert not watcher.get_by_text("Something went wrong").count()
    screenshot(watcher, "refresh-open-session")

    # the proposal saved while the import ran is still there, in the open staff session and a new one
    planner.get_by_test_id("stCaptionContainer").filter(has_text=FILE_NAME).first.wait_for(
        timeout=NEW_DATA_WITHIN_S * 1000
    )
    wait_idle(planner)
    selector = planner.get_by_test_id("stMultiSelect").filter(has_text="Proposals to compare")
    selector.scroll_into_view_if_needed()
    assert PROPOSAL in selector.inner_text()
    screenshot(planner, "refresh-proposal-kept")
    print(f"new data: new session after {seconds_new:.1f} s, open session after {seconds_open:.1f} s")
