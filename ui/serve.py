"""Start the app: ``python -m ui.serve [streamlit options]`` (what ``make run`` calls).

Streamlit treats a ``pages/`` folder next to the entry script as old-style auto-discovered pages until
some session has called ``st.navigation``. On a freshly started server, a deep link such as
``/referrals`` would then run the page file on its own — without ``app.py``'s sidebar, banner and
navigation. Declaring up front that this app navigates with ``st.navigation`` closes that gap (plain
``streamlit run app.py`` closes it one rerun later: ``ui.chrome.ensure_app_frame``).

It also imports what the pages import before the first viewer arrives and then freezes those objects
out of the garbage collector's reach (``gc.freeze``). Streamlit runs a full collection after every
script run; without the freeze each one walks every object pandas, pyarrow, plotly and folium
created at import, which cost tens of milliseconds per rerun (see BENCHMARKS.md).

And it caps glibc's malloc arenas: Streamlit gives every viewer's script its own thread, and by
default glibc gives busy threads arenas of their own, each keeping freed memory for itself; with a
room full of viewers that alone took the app past 400 MB (BENCHMARKS.md, load test).

Finally it wraps the web application Streamlit builds (``guard_server``), so that

* every HTTP response carries a Content-Security-Policy that lets a page load nothing from another
  host (scripts, styles, images, fonts, connections, frames) and forbids framing by other sites. In
  the app's own page no inline script runs but what is allowed by hash: the one inline script of
  Streamlit's page and the hearing brief's Print button; WebAssembly may compile (Streamlit's
  protobuf library does), JavaScript ``eval`` may not. The map components' frames are looser, as
  streamlit-folium needs: inline script and ``eval`` (it inserts each map's script inline), and
  images from the optional online basemap's tile host. Plus ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: no-referrer`` and ``X-Frame-Options: SAMEORIGIN`` (for browsers that predate
  ``frame-ancestors``);
* an upload (``/_stcore/upload_file/<session>/<file>``) is refused with 403 unless the session it
  names is signed-in staff: only the staff Import page uploads, and without this any visitor could
  post files of up to ``server.maxUploadSize`` into the server's memory;
* ``/_stcore/metrics`` answers 404: nothing here reads it, and it tells anyone how many sessions are
  open and how much the caches hold.

Streamlit 1.67 serves through Starlette; ``streamlit run`` builds the app with
``starlette_server.create_starlette_app``, which ``guard_server`` replaces with a wrapper before the
server starts. ``tests/test_serve.py`` fails if that hook point moves.
"""

from __future__ import annotations

import ast
import base64
import ctypes
import gc
import hashlib
import importlib
import re
import sys
from pathlib import Path

import streamlit
from streamlit import config
from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli
from streamlit.web.server.starlette import starlette_server

from geo.offline_map import ONLINE_TILES_URL
from ui.auth import session_is_staff

APP = Path(__file__).resolve().parent.parent / "app.py"
PAGES = APP.parent / "pages"


MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)


def cap_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Limit glibc's malloc arenas for threads started from now on; False where libc is not glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    return bool(libc.mallopt(_M_ARENA_MAX, arenas))


def page_imports() -> list[str]:
    """The modules app.py and the pages import at their top level, in a stable order."""
    names: set[str] = set()
    for script in (APP, *sorted(PAGES.glob("*.py"))):
        for node in ast.parse(script.read_text()).body:
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
    names.discard("__future__")
    return sorted(names)


def preload_and_freeze() -> list[str]:
    """Import what the pages need, then move every object alive now into the collector's permanent
    generation. Returns the modules that could not be imported (the page that needs one reports it)."""
    failed = []
    for name in page_imports():
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the page will show the problem in words when it runs
            failed.append(name)
    gc.collect()
    gc.freeze()
    return failed


STREAMLIT_PAGE = Path(streamlit.__file__).parent / "static" / "index.html"
COMPONENT_PREFIX = "/component/"  # custom components' frames (streamlit-folium's maps)
UPLOAD_PREFIX = "/_stcore/upload_file/"
HIDDEN_PATHS = frozenset({"/_stcore/metrics"})
# Files under static/ that only the tests use (axe-core, which tests/test_browser_axe.py puts into
# each page itself): fetched at setup beside Leaflet, never served to a visitor.
HIDDEN_PREFIXES = ("/app/static/vendor/axe-core/",)
# Inline event handlers allowed in the app's own page, by their exact text: the hearing brief's Print
# button (ui/brief.py), which runs in the brief page's preview frame under this page's policy.
INLINE_HANDLERS = ("window.print()",)
# A Host header that can safely be written into the policy (name or IPv4 or [IPv6], optional port).
_HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def inline_script_hashes(page: Path = STREAMLIT_PAGE) -> list[str]:
    """CSP hash sources for the inline scripts in Streamlit's page (its code as shipped, so an
    upgrade that changes them is still allowed, and nothing else is)."""
    return [_sha256_source(code) for code in _INLINE_SCRIPT.findall(page.read_text())]


def content_security_policy(path: str, host: str | None, script_hashes: list[str]) -> str:
    """The policy for a response to ``path`` (below the base URL), asked for at ``host``."""
    images = ["'self'", "data:", "blob:"]
    if path.startswith(COMPONENT_PREFIX):
        # streamlit-folium inserts each map's script as an inline <script> and runs added layers with
        # eval; the map's optional online basemap draws tiles from its one tile host.
        scripts = ["'self'", "'unsafe-inline'", "'unsafe-eval'"]
        images.append(_tile_source(ONLINE_TILES_URL))
    else:
        # Streamlit's protobuf library compiles a tiny WebAssembly helper for 64-bit numbers
        # ('wasm-unsafe-eval' allows WebAssembly only, not JavaScript eval); 'unsafe-hashes' lets the
        # listed inline handlers run, and no other.
        scripts = ["'self'", "'wasm-unsafe-eval'", *script_hashes, "'unsafe-hashes'"]
        scripts += [_sha256_source(handler) for handler in INLINE_HANDLERS]
    sockets = [f"ws://{host}", f"wss://{host}"] if host and _HOST.match(host) else []
    directives = {
        "default-src": ["'self'"],
        "script-src": scripts,
        "style-src": ["'self'", "'unsafe-inline'"],  # Streamlit's styles are written at run time
        "img-src": images,
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", *sockets],
        "worker-src": ["'self'", "blob:"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def _sha256_source(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


def _tile_source(url_template: str) -> str:
    """``https://{s}.tiles.example/{z}/...`` -> ``https://*.tiles.example``."""
    scheme, _, rest = url_template.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0].replace('{s}', '*')}"


_OURS = {b"content-security-policy", b"x-content-type-options", b"referrer-policy", b"x-frame-options"}


class GuardedApp:
    """ASGI wrapper around Streamlit's web app: security headers, staff-only uploads, no metrics."""

    def __init__(self, app, runtime) -> None:
        self.app = app
        self.runtime = runtime
        self.script_hashes = inline_script_hashes()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = _below_base_url(scope["path"])
        host = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"host"), None)
        policy = content_security_policy(path, host, self.script_hashes)

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = [(n, v) for n, v in message.get("headers", []) if n.lower() not in _OURS]
                headers += [
                    (b"content-security-policy", policy.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"SAMEORIGIN"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        refusal = self._refusal(scope["method"], path)
        if refusal is None:
            await self.app(scope, receive, send_with_headers)
            return
        status, text = refusal
        await send_with_headers(
            {"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"text/plain; charset=utf-8")]}
        )  # fmt: skip
        await send_with_headers({"type": "http.response.body", "body": text.encode()})

    def _refusal(self, method: str, path: str) -> tuple[int, str] | None:
        if path in HIDDEN_PATHS or path.startswith(HIDDEN_PREFIXES):
            return 404, "Not Found"
        if path.startswith(UPLOAD_PREFIX) and method != "OPTIONS":
            session_id = path[len(UPLOAD_PREFIX) :].split("/", 1)[0]
            session = self.runtime.get_app_session(session_id)
            if session is None or not session_is_staff(session.session_state):
                return 403, "Uploading needs staff sign-in."
        return None


def _below_base_url(path: str) -> str:
    """``/lead/_stcore/metrics`` -> ``/_stcore/metrics`` when ``server.baseUrlPath`` is ``lead``."""
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    if not base:
        return path
    prefix = f"/{base}"
    if path == prefix or path.startswith(prefix + "/"):
        return path[len(prefix) :] or "/"
    return path


def guard_server() -> None:
    """Make ``streamlit run`` serve its app through ``GuardedApp`` (call before the server starts)."""
    build = starlette_server.create_starlette_app
    if getattr(build, "guarded", False):
        return

    def build_guarded(runtime):
        return GuardedApp(build(runtime), runtime)

    build_guarded.guarded = True
    starlette_server.create_starlette_app = build_guarded


def use_navigation_only() -> None:
    """Tell Streamlit the ``pages/`` folder is not an auto-discovered page directory."""
    PagesManager.uses_pages_directory = False


def main(argv: list[str] | None = None) -> None:
    use_navigation_only()
    guard_server()
    cap_malloc_arenas()
    preload_and_freeze()
    cli.main(["run", str(APP), *(sys.argv[1:] if argv is None else argv)], prog_name="streamlit")


if __name__ == "__main__":
    main()
