"""What the accessibility browser tests share: the app's pages as app.py registers them, axe-core
injected into a page and its frames, staff sign-in, and where the keyboard focus is and how it shows.

axe-core comes from the npm registry at setup (``scripts/fetch_web_assets.sh`` puts it in
``static/vendor/axe-core/``); the app never links to it: the tests put it into each document
themselves. The app's Content-Security-Policy allows only its own inline scripts, so the contexts
that run axe are opened with ``bypass_csp=True``.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import STAFF_PASSWORD
from tests.helpers import open_page, page_drawn, script_run

REPO_ROOT = Path(__file__).resolve().parent.parent
APP_FILE = REPO_ROOT / "app.py"
AXE_FILE = REPO_ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORT = {"width": 1280, "height": 720}


@dataclass(frozen=True)
class AppPage:
    """A page as app.py registers it: its file, its title, its URL path and who may see it."""

    script: str
    title: str
    url_path: str
    staff_only: bool


def app_pages(app_file: Path = APP_FILE) -> list[AppPage]:
    """Every ``st.Page`` in app.py's ``PUBLIC_PAGES`` and ``STAFF_PAGES`` lists, in order.

    Read from the source (the lists are built at import time inside a Streamlit run): a page added to
    either list is tested with no change here. The URL path is the one Streamlit infers from the file
    name unless the page names its own (``url_path=``); the default page sits at the root.
    """
    tree = ast.parse(app_file.read_text())
    pages: list[AppPage] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.List)):
            continue
        names = {target.id for target in node.targets if isinstance(target, ast.Name)}
        if not names & {"PUBLIC_PAGES", "STAFF_PAGES"}:
            continue
        for call in node.value.elts:
            if not (isinstance(call, ast.Call) and call.args and isinstance(call.args[0], ast.Constant)):
                continue
            script = call.args[0].value
            options = {k.arg: k.value.value for k in call.keywords if isinstance(k.value, ast.Constant)}
            url_path = "" if options.get("default") else options.get("url_path", Path(script).stem)
            title = options.get("title", Path(script).stem)
            pages.append(AppPage(script, title, url_path, staff_only="STAFF_PAGES" in names))
    if not pages:
        raise ValueError(f"{app_file}: no st.Page found in PUBLIC_PAGES or STAFF_PAGES")
    return pages


def axe_source() -> str:
    """axe-core's script; skips (fails on CI) when setup has not fetched it."""
    if not AXE_FILE.exists():
        message = f"{AXE_FILE} missing: run scripts/fetch_web_assets.sh (make setup) to fetch axe-core"
        if os.environ.get("LEAD_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE_FILE.read_text()


_RUN_AXE = """async tags => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
                                      iframes: false});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                              summary: (n.failureSummary || '').slice(0, 300)}))
  }));
}"""


def _frame_name(frame) -> str:
    if frame.parent_frame is None:
        return "page"
    title = frame.frame_element().get_attribute("title") or frame.url.split("?")[0].rsplit("/", 1)[-1]
    return f"frame: {title}"


def run_axe(page, source: str) -> list[dict]:
    """axe's violations (rules ``AXE_TAGS``) in the page and in every frame with a document, each
    violation with the document it was found in (``where``)."""
    found = []
    for frame in page.frames:
        if frame.is_detached() or (frame.parent_frame is not None and frame.url in ("", "about:blank")):
            continue
        if not frame.evaluate("typeof window.axe === 'object'"):
            frame.add_script_tag(content=source)
        where = _frame_name(frame)
        found += [{**violation, "where": where} for violation in frame.evaluate(_RUN_AXE, AXE_TAGS)]
    return found


def sign_in_as_staff(page, url: str) -> None:
    """Open ``url`` and sign in as staff through the sidebar's form (the one place that knows how)."""
    open_page(page, url)
    page.get_by_text("Staff sign-in").click()
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    with script_run(page):
        page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Staff view", exact=False).first.wait_for(timeout=60_000)


def go_to_page(page, title: str) -> None:
    """Switch pages in the same session (a staff session lives in its websocket) via the sidebar."""
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)
    with script_run(page):
        link.click()
    page_drawn(page)


# The element that has the keyboard focus, inside frames too, and whether its focus can be seen: an
# outline or a ring drawn as a box shadow on the element, on the label around it (a toggle's, a
# checkbox's or a radio option's input is visually hidden) or on the text box or select it is part of.
FOCUS_STATE = """() => {
  let doc = document, el = document.activeElement;
  const frames = [];
  while (el && el.tagName === 'IFRAME' && el.contentDocument) {
    frames.push(el.title || el.src);
    doc = el.contentDocument;
    el = doc.activeElement;
  }
  if (!el || el === doc.body) return {tag: null, frames};
  const view = doc.defaultView;
  const ringed = node => {
    if (!node) return false;
    const s = view.getComputedStyle(node);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
      || (!!s.boxShadow && s.boxShadow !== 'none' && node === el);
  };
  // an input hidden visually inside the control it drives (a slider's thumb): the control shows it
  let hidden = null;
  for (let node = el; node && node !== doc.body && !hidden; node = node.parentElement) {
    const s = view.getComputedStyle(node);
    if (s.clipPath === 'inset(50%)' || (s.overflow === 'hidden' && node.getBoundingClientRect().width <= 1)) {
      hidden = node;
    }
  }
  const box_of = '[data-baseweb="input"], [data-baseweb="textarea"], [data-baseweb="select"] > div';
  const holders = [hidden ? null : el, el.closest('label'), hidden ? hidden.parentElement : null,
                   el.closest(box_of)];
  const box = (holders.find(ringed) || el).getBoundingClientRect();  // the ring's, not a hidden input's
  const testid = (el.closest('[data-testid]') || {dataset: {}}).dataset.testid || null;
  const widgets = ['stRadio', 'stMultiSelect', 'stSlider'].map(id => `[data-testid="${id}"]`);
  const widget = el.closest(widgets.join());
  const group = widget ? widget.innerText.trim().split('\\n')[0] : null;
  return {
    tag: el.tagName, role: el.getAttribute('role'), testid, group, frames, checked: !!el.checked,
    text: (el.getAttribute('aria-label') || el.innerText || el.value || '').trim().slice(0, 80),
    pressed: el.getAttribute('aria-pressed'), expanded: el.getAttribute('aria-expanded'),
    visible: holders.some(ringed) && box.width > 0 && box.height > 0,
  };
}"""


def tab_to(page, wanted, limit: int = 160, backwards: bool = False) -> dict:
    """Press Tab (Shift+Tab: ``backwards``) until the focused element is ``wanted`` (a test on
    ``FOCUS_STATE``); every element the focus passes on the way must show it. Returns its state."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        state = page.evaluate(FOCUS_STATE)
        if state["tag"] is None:
            continue  # the document itself, between the last element and the first
        if not state["visible"]:
            html = page.evaluate("document.activeElement.outerHTML.slice(0, 300)")
            raise AssertionError(f"focus not visible on {state}: {html} (after {passed[-3:]})")
        passed.append(f"{state['tag']} {state['testid']} {state['text'][:30]!r}")
        if wanted(state):
            return state
    raise AssertionError(f"{limit} presses of Tab did not reach the element; passed: {passed}")


def focus_state(page) -> dict:
    """Where the focus is now; it must be visible."""
    state = page.evaluate(FOCUS_STATE)
    assert state["tag"] is not None and state["visible"], f"focus not visible: {state}"
    return state


def arrow_to(page, wanted, key: str = "ArrowRight", limit: int = 20) -> dict:
    """Move inside a group that takes one Tab stop (pills, radio options) with an arrow key until
    the focus is on ``wanted``; the focus must show at each step. Returns its state."""
    for _ in range(limit):
        state = focus_state(page)
        if wanted(state):
            return state
        page.keyboard.press(key)
    raise AssertionError(f"{limit} presses of {key} did not reach the element (last: {focus_state(page)})")
