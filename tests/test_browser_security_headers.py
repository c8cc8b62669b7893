"""Security headers on every response (ui/serve.py), and every page still working under them.

The Content-Security-Policy lets a page load nothing from another host and run no inline script
except what Streamlit's own page and the map frames need. These tests read the headers the running
server sends, then open every public page in Chromium with the policy in force and check that maps,
charts and downloads work and that the browser reported no policy violation.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

from tests.helpers import MAP_FRAME, download, map_frame, open_page, screenshot, wait_idle

pytestmark = pytest.mark.browser

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "SAMEORIGIN",
}
# Every violation, in every frame, reported to the page's console where the test can read it.
REPORT_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', (e) => console.error(
  `CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI} in ${e.documentURI} (${e.sample})`));
"""


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


def test_every_kind_of_response_carries_the_headers(app_server):
    page_status, page_headers, page_body = fetch(f"{app_server}/")
    script = re.search(rb'src="\./(static/js/index\.[^"]+\.js)"', page_body).group(1).decode()
    responses = {
        "page": (page_status, page_headers),
        "deep link": fetch(f"{app_server}/expansion")[:2],
        "Streamlit's script": fetch(f"{app_server}/{script}")[:2],
        "app static file": fetch(f"{app_server}/app/static/favicon.png")[:2],
        "health check": fetch(f"{app_server}/_stcore/health")[:2],
        "not found": fetch(f"{app_server}/no/such/file.js")[:2],
    }
    for what, (status, headers) in responses.items():
        if what != "not found":
            assert status == 200, what
        for name, value in SECURITY_HEADERS.items():
            assert headers.get(name) == value, (what, name, headers.get(name))
        policy = directives(headers["content-security-policy"])
        assert policy["default-src"] == ["'self'"], what
        assert policy["frame-ancestors"] == ["'self'"], what
        assert policy["object-src"] == ["'none'"], what
        assert "'unsafe-inline'" not in policy["script-src"], what  # only hashed inline code
        assert "'unsafe-eval'" not in policy["script-src"], what
        assert not any(source.startswith("http") for source in policy["script-src"]), what
        assert policy["img-src"] == ["'self'", "data:", "blob:"], what
        host = app_server.removeprefix("http://")
        assert policy["connect-src"] == ["'self'", f"ws://{host}", f"wss://{host}"], what


def test_metrics_are_not_public(app_server):
    status, headers, body = fetch(f"{app_server}/_stcore/metrics")
    assert status == 404
    assert b"session" not in body.lower()
    assert headers["x-content-type-options"] == "nosniff"


def console_problems(messages: list[str]) -> list[str]:
    return [m for m in messages if "Content Security Policy" in m or "CSP violation" in m]


PAGES = {
    "/": "LEAD in Baltimore",
    "/map": "Map: where LEAD works",
    "/referrals": "Referrals",
    "/expansion": "Expansion planner",
    "/brief": "Hearing brief",
}


def test_every_public_page_works_under_the_policy(offline_page, app_server):
    page = offline_page
    page.add_init_script(REPORT_VIOLATIONS)
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    frame_policies: dict[str, str] = {}
    page.on(
        "response",
        lambda response: (
            frame_policies.setdefault(response.url, response.headers.get("content-security-policy", ""))
            if "/component/" in response.url and "/index.html" in response.url
            else None
        ),
    )
    downloads = {}
    for path, heading in PAGES.items():
        open_page(page, f"{app_server}{path}")
        page.get_by_role("heading", name=heading, exact=True).first.wait_for(timeout=60_000)
        wait_idle(page)
        if path in ("/map", "/expansion"):
            frame = map_frame(page)  # Leaflet ran inside the component frame and drew the layers
            assert frame.locator("path.leaflet-interactive").count() > 3
        if path == "/referrals":
            page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
            assert page.locator(".js-plotly-plot").count() >= 2
            # its downloads sit behind each chart's data-table expander
            page.locator('[data-testid="stMain"] [data-testid="stExpander"] summary').first.click()
        if path == "/":
            assert page.locator('[data-testid="stMarkdownContainer"] svg').count() >= 1
        if path == "/brief":
            preview = page.frame_locator('iframe[title="st.iframe"]').first
            preview.get_by_role("heading").first.wait_for(timeout=60_000)
            preview.get_by_role("button", name="Print").wait_for()
        button = page.get_by_test_id("stDownloadButton").locator("button").first
        saved = download(page, button)
        downloads[path] = (saved.suggested_filename, len(saved.path().read_bytes()))
        screenshot(page, f"csp-{path.strip('/') or 'overview'}")
    assert all(name and size > 100 for name, size in downloads.values()), downloads
    assert console_problems(messages) == []

    # The map frames got their own, looser policy: inline script (streamlit-folium's way of drawing
    # a map), still nothing from other hosts but the basemap's tiles.
    assert frame_policies, "no component frame was loaded"
    for url, policy in frame_policies.items():
        frame_policy = directives(policy)
        assert frame_policy["script-src"] == ["'self'", "'unsafe-inline'", "'unsafe-eval'"], url
        assert frame_policy["connect-src"][0] == "'self'", url
        assert frame_policy["frame-ancestors"] == ["'self'"], url
        assert all(
            source in ("'self'", "data:", "blob:") or source.endswith(".basemaps.cartocdn.com")
            for source in frame_policy["img-src"]
        ), url


def test_a_script_from_another_host_is_refused_in_a_map_frame(offline_page, app_server):
    """What stored text did before (issue 16): a map frame importing a script from elsewhere."""
    page = offline_page
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    open_page(page, f"{app_server}/map")
    map_frame(page)
    frame = next(f for f in page.frames if "/component/" in f.url)
    outcome = frame.evaluate(
        """async () => {
             try { await import('http://127.0.0.2:8799/x.js'); return 'loaded'; }
             catch (error) { return 'refused'; }
           }"""
    )
    assert outcome == "refused"
    assert any("Content Security Policy" in m and "127.0.0.2:8799" in m for m in messages), messages
    # nothing reached the network either: the browser refused before asking
    assert not any("127.0.0.2" in url for url in page.blocked_requests)
    assert page.locator(MAP_FRAME).count() >= 1
