"""How `python -m ui.serve` prepares the server before the first viewer."""

import inspect
import json
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from streamlit import config
from streamlit.runtime.state.session_state import SessionState
from streamlit.web.server.starlette import starlette_server

from bench.client import run_coroutine
from store.connection import REPO_ROOT
from ui import chrome
from ui.serve import (
    STREAMLIT_PAGE,
    GuardedApp,
    cap_malloc_arenas,
    content_security_policy,
    guard_server,
    inline_script_hashes,
    page_imports,
)


def test_page_imports_are_what_app_and_pages_import():
    names = page_imports()
    assert {"streamlit", "ui.data", "geo.maps", "planning.projection"} <= set(names)
    assert "__future__" not in names
    assert names == sorted(names)


def test_preload_imports_every_page_dependency_and_freezes_it():
    """Run in a fresh interpreter: a page that imports a missing module is named, and the objects
    created by the imports are out of the collector's reach afterwards."""
    script = (
        "import gc, json\n"
        "from ui.serve import preload_and_freeze\n"
        "before = gc.get_freeze_count()\n"
        "failed = preload_and_freeze()\n"
        "print(json.dumps([failed, before, gc.get_freeze_count(), gc.collect()]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    failed, before, frozen, collected = json.loads(done.stdout.splitlines()[-1])
    assert failed == []
    assert before == 0 and frozen > 50_000
    assert collected < 1_000  # a full collection now finds little to walk or free


def test_malloc_arenas_are_capped_on_glibc():
    if not Path("/lib/x86_64-linux-gnu/libc.so.6").exists() and not Path("/usr/lib/libc.so.6").exists():
        pytest.skip("not a glibc system: the cap does not apply")
    assert cap_malloc_arenas() is True


def test_at_most_two_pages_run_at_once_and_a_failed_page_frees_its_turn():
    running, most = 0, 0
    lock = threading.Lock()

    class SlowPage:
        title = "slow"

        def __init__(self, fail: bool = False):
            self.fail = fail

        def run(self):
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.05)
            with lock:
                running -= 1
            if self.fail:
                raise RuntimeError("boom")

    with mock.patch.object(chrome.st, "error"):
        pages = [SlowPage(fail=index % 3 == 0) for index in range(8)]
        threads = [threading.Thread(target=chrome.run_page_safely, args=(page,)) for page in pages]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    assert most == chrome.CONCURRENT_PAGE_RUNS == 2
    assert chrome._page_runs.acquire(blocking=False) and chrome._page_runs.acquire(blocking=False)
    chrome._page_runs.release()
    chrome._page_runs.release()


# --- the guard around Streamlit's web app (security headers, staff-only uploads, no metrics) ----------


def staff_state(signed_in: bool | None) -> SessionState:
    """A real Streamlit session state, after a script run that signed staff in (or out, or neither)."""
    state = SessionState()
    if signed_in is not None:
        state["staff_signed_in"] = signed_in
    state.on_script_finished(set())
    return state


class FakeRuntime:
    def __init__(self, sessions: dict[str, SessionState]):
        self.sessions = sessions

    def get_app_session(self, session_id: str):
        state = self.sessions.get(session_id)
        return None if state is None else SimpleNamespace(session_state=state)


def call(app, method: str, path: str, host: str = "127.0.0.1:8501") -> tuple[int, dict[str, str], bytes]:
    """One HTTP request through an ASGI app; the status, headers and body it sent."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "headers": [(b"host", host.encode())]}
    run_coroutine(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


async def streamlit_stand_in(scope, receive, send):
    """What Streamlit would answer: 200, with a header of its own."""
    await send({"type": "http.response.start", "status": 200, "headers": [(b"x-from", b"streamlit")]})
    await send({"type": "http.response.body", "body": b"served"})


@pytest.fixture
def guarded():
    sessions = {"staff": staff_state(True), "public": staff_state(None), "signed-out": staff_state(False)}
    return GuardedApp(streamlit_stand_in, FakeRuntime(sessions))


def test_every_response_gets_the_security_headers(guarded):
    for path in (
        "/",
        "/expansion",
        "/static/js/index.js",
        "/component/streamlit_folium.st_folium/index.html",
    ):
        status, headers, body = call(guarded, "GET", path)
        assert (status, body, headers["x-from"]) == (200, b"served", "streamlit")
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'self'" in headers["content-security-policy"]
        assert (
            "connect-src 'self' ws://127.0.0.1:8501 wss://127.0.0.1:8501"
            in headers["content-security-policy"]
        )


def test_only_map_frames_may_run_inline_script():
    page = content_security_policy("/", "h", ["'sha256-abc='"])
    frame = content_security_policy(
        "/component/streamlit_folium.st_folium/index.html", "h", ["'sha256-abc='"]
    )
    assert "script-src 'self' 'wasm-unsafe-eval' 'sha256-abc=' 'unsafe-hashes' 'sha256-" in page
    assert "'unsafe-inline'" not in page.split("; ")[1] and "'unsafe-eval'" not in page
    assert "script-src 'self' 'unsafe-inline' 'unsafe-eval';" in frame
    assert "img-src 'self' data: blob: https://*.basemaps.cartocdn.com;" in frame
    assert "img-src 'self' data: blob:;" in page


def test_a_strange_host_header_cannot_write_into_the_policy():
    policy = content_security_policy("/", "evil; script-src *", [])
    assert "connect-src 'self';" in policy and "*" not in policy


def test_the_inline_scripts_of_streamlits_page_are_allowed_by_hash_and_nothing_else():
    hashes = inline_script_hashes()
    assert hashes and all(h.startswith("'sha256-") for h in hashes)
    assert "window.prerenderReady" in STREAMLIT_PAGE.read_text()  # the one inline script today


def test_uploads_need_a_signed_in_staff_session(guarded):
    for session, expected in (("staff", 200), ("public", 403), ("signed-out", 403), ("nobody", 403)):
        for method in ("PUT", "DELETE"):
            status, headers, body = call(guarded, method, f"/_stcore/upload_file/{session}/file-1")
            assert status == expected, (session, method)
            assert headers["x-content-type-options"] == "nosniff"
            if expected == 403:
                assert body == b"Uploading needs staff sign-in."
    assert call(guarded, "OPTIONS", "/_stcore/upload_file/public/file-1")[0] == 200  # CORS preflight


def test_the_test_only_axe_core_file_is_never_served(guarded):
    assert call(guarded, "GET", "/app/static/vendor/axe-core/axe.min.js")[0] == 404
    assert call(guarded, "GET", "/app/static/vendor/leaflet/leaflet.js")[0] != 404


def test_metrics_are_hidden_also_below_a_base_url(guarded, monkeypatch):
    assert call(guarded, "GET", "/_stcore/metrics")[0] == 404
    assert call(guarded, "GET", "/_stcore/health")[0] == 200
    real_get_option = config.get_option
    monkeypatch.setattr(
        config, "get_option", lambda name: "lead" if name == "server.baseUrlPath" else real_get_option(name)
    )
    assert call(guarded, "GET", "/lead/_stcore/metrics")[0] == 404
    assert call(guarded, "PUT", "/lead/_stcore/upload_file/public/file-1")[0] == 403
    assert call(guarded, "PUT", "/lead/_stcore/upload_file/staff/file-1")[0] == 200


def test_websockets_and_lifespan_pass_through_untouched(guarded):
    seen = []

    async def inner(scope, receive, send):
        seen.append(scope["type"])

    app = GuardedApp(inner, FakeRuntime({}))
    for kind in ("websocket", "lifespan"):
        run_coroutine(app({"type": kind, "path": "/_stcore/stream", "headers": []}, None, None))
    assert seen == ["websocket", "lifespan"]


def test_streamlit_run_builds_its_app_where_the_guard_hooks_in(monkeypatch):
    """If Streamlit moves this, the guard would silently stop applying: fail here instead."""
    assert "create_starlette_app(self._runtime)" in inspect.getsource(starlette_server.UvicornServer.start)
    monkeypatch.setattr(starlette_server, "create_starlette_app", lambda runtime: streamlit_stand_in)
    guard_server()
    guard_server()  # twice is once
    app = starlette_server.create_starlette_app(FakeRuntime({}))
    assert isinstance(app, GuardedApp) and app.app is streamlit_stand_in


def test_uploads_are_capped_at_what_the_import_page_needs():
    settings = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())
    assert settings["server"]["maxUploadSize"] == 64  # MB: a real 22 MB arrests file fits three times
