"""Shared fixtures: a small demo database, the real open data (when present), a running app, a browser."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.server import free_port, wait_healthy
from store import connect, create_schema, transaction

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_REAL = REPO_ROOT.parent / "shared" / "data" / "real"
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
TEST_ARRESTS = 20_000
TEST_SEED = 7


def build_demo_database(path: Path, arrests: int = TEST_ARRESTS, seed: int = TEST_SEED) -> Path:
    """Build a demo database file the way `python -m ingest setup` does."""
    from ingest.areas import load_areas
    from ingest.demo import generate_demo

    con = connect(path)
    try:
        create_schema(con)
        with transaction(con):
            load_areas(con)
        generate_demo(con, arrests=arrests, seed=seed)
        con.execute("checkpoint")
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory) -> Path:
    """A demo database of 20,000 synthetic arrests, built once per test session."""
    return build_demo_database(tmp_path_factory.mktemp("db") / "demo.duckdb")


@pytest.fixture(scope="session")
def demo_con(demo_db_path):
    """A connection to the session's demo database (tests must not write through it)."""
    con = connect(demo_db_path)
    yield con
    con.close()


@pytest.fixture
def empty_con(tmp_path):
    """A fresh database with the schema and boundaries but no records."""
    from ingest.areas import load_areas

    con = connect(tmp_path / "empty.duckdb")
    create_schema(con)
    load_areas(con)
    yield con
    con.close()


@pytest.fixture(autouse=True)
def navigation_only(monkeypatch):
    """Make AppTest route every page through app.py, as `python -m ui.serve` does for the server.

    AppTest resets Streamlit's "pages/ folder is auto-discovered" flag before each run; without this,
    `switch_page` would run a page file on its own, skipping the app's frame (see ui/serve.py).
    """
    from streamlit.runtime.pages_manager import PagesManager

    original_init = PagesManager.__init__

    def init_then_use_navigation(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init_then_use_navigation)


@pytest.fixture(scope="session")
def shared_real() -> Path:
    """The real Open Baltimore files next to the repository; skips when they are absent."""
    if not SHARED_REAL.is_dir():
        pytest.skip(f"{SHARED_REAL} not present: real-data checks need the workspace's shared/ folder")
    return SHARED_REAL


SERVE = ("-m", "ui.serve")  # what `make run` starts
STREAMLIT_RUN = ("-m", "streamlit", "run", "app.py")  # what `streamlit run app.py` starts


@contextmanager
def running_app(
    db_path: Path, workdir: Path, extra_env: dict[str, str] | None = None, command: tuple = SERVE
):
    """The app (``python <command>``: `-m ui.serve` by default) on a free port against a copy of
    ``db_path``; yields its URL."""
    db_copy = workdir / "app.duckdb"
    shutil.copy(db_path, db_copy)
    port = free_port()
    env = {**os.environ, "LEAD_DB": str(db_copy), **(extra_env or {})}
    log_path = workdir / "streamlit.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, *command, "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, log_path=log_path)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        server_log = log_path.read_text()
        if "Traceback" in server_log:
            print(server_log[-5000:])


@pytest.fixture(scope="session")
def app_server(demo_db_path, tmp_path_factory):
    """The app on a free port against a copy of the demo database; yields its URL."""
    with running_app(demo_db_path, tmp_path_factory.mktemp("app")) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skips (or fails on CI) when Chromium is missing."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not installed (apt-get install chromium): browser tests skipped"
        if os.environ.get("LEAD_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield chromium
        chromium.close()


@pytest.fixture
def offline_page(browser, app_server, request):
    """A 1280x720 page whose requests to anything but the local app are blocked and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    blocked: list[str] = []

    def only_local(route):
        url = route.request.url
        if url.startswith(app_server) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.blocked_requests = blocked
    page.failed_responses = []  # local files the page asked for and did not get (e.g. a 404)
    page.on(
        "response",
        lambda response: (
            page.failed_responses.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


STAFF_PASSWORD = "staff-only test password"


@pytest.fixture(scope="session")
def proposals_db_path(demo_db_path, tmp_path_factory) -> Path:
    """A copy of the demo database with two saved expansion proposals (for comparisons and the brief)."""
    from shapely.geometry import box

    from ingest.proposals import save_proposal

    path = tmp_path_factory.mktemp("proposals-db") / "proposals.duckdb"
    shutil.copy(demo_db_path, path)
    con = connect(path)
    try:
        create_schema(con)
        save_proposal(
            con, "East of downtown", box(-76.600, 39.295, -76.585, 39.305), "Test planner", "Busy blocks"
        )
        save_proposal(con, "West Baltimore St", box(-76.650, 39.284, -76.632, 39.292), "Test planner", None)
        con.execute("checkpoint")
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def staff_app_server(proposals_db_path, tmp_path_factory):
    """A second app server, with staff sign-in set up (``STAFF_PASSWORD``) and two saved proposals.

    Public sessions on it are as public as on ``app_server``; a session that signs in is staff.
    """
    from ui.auth import ENV_VAR, hash_password

    staff_env = {ENV_VAR: hash_password(STAFF_PASSWORD, iterations=1_000)}
    with running_app(proposals_db_path, tmp_path_factory.mktemp("staff-app"), staff_env) as url:
        yield url
