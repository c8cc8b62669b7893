"""axe-core (WCAG 2.0/2.1 A and AA rules) on every page in every mode, in headless Chromium at 1280x720.

Every page app.py registers (``PUBLIC_PAGES``, ``STAFF_PAGES``: a page added there is tested with no
change here) is opened in the default public view, in projector mode and signed in as staff (the staff
pages only then), drawn to the end (charts, maps, frames), and axe-core is run in the page and in every
frame (the folium maps and the brief's preview are documents of their own). No violation of serious or
critical impact may remain; a moderate or minor one must be in ``ALLOWED`` with the reason it stays.

The report of every run, each page and mode with each violation and where it was found, is written to
``test-artifacts/axe-report.json`` and summarised in ``test-artifacts/axe-report.md``.

One server, one browser, one signed-in staff session and one public page are shared by all the cases.
"""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest

from tests.accessibility import VIEWPORT, app_pages, axe_source, go_to_page, run_axe, sign_in_as_staff
from tests.helpers import ARTIFACTS, MAP_FRAME, open_page, page_drawn, screenshot

pytestmark = pytest.mark.browser

PAGES = app_pages()
MODES = ("public", "projector", "staff")
CASES = [(mode, page) for mode in MODES for page in PAGES if mode == "staff" or not page.staff_only]
IMPACTS = ("critical", "serious", "moderate", "minor")
BLOCKING = {"serious", "critical"}
# Moderate or minor violations that stay, by axe rule id, with the reason. Empty: none stays.
ALLOWED: dict[str, str] = {}

_report: dict[str, dict] = {}


@pytest.fixture(scope="module")
def axe():
    return axe_source()


@pytest.fixture(scope="module")
def server(staff_app_server):
    """One server for every mode: public sessions on it are as public as anywhere; staff sign in."""
    return staff_app_server


@pytest.fixture(scope="module")
def public_page(browser):
    context = browser.new_context(viewport=VIEWPORT, bypass_csp=True)  # to put axe into the page
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def staff_page(browser, server):
    context = browser.new_context(viewport=VIEWPORT, bypass_csp=True)
    page = context.new_page()
    sign_in_as_staff(page, server)
    yield page
    context.close()


@pytest.fixture(scope="module", autouse=True)
def report():
    """Writes the report of every case run in this module once they have all run."""
    yield _report
    if not _report:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "axe-report.json").write_text(json.dumps(_report, indent=1))
    lines = [
        "# axe-core report (rules: wcag2a, wcag2aa, wcag21a, wcag21aa; 1280x720; page and every frame)",
        "",
        "Violations per impact: rules broken (elements affected).",
        "",
        "| page | mode | critical | serious | moderate | minor | rules | seconds |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for case in _report.values():
        rules, elements = Counter(), Counter()
        for violation in case["violations"]:
            rules[violation["impact"]] += 1
            elements[violation["impact"]] += len(violation["nodes"])
        counts = " | ".join(f"{rules[i]} ({elements[i]})" for i in IMPACTS)
        names = ", ".join(sorted({f"{v['id']} ({v['where']})" for v in case["violations"]})) or "—"
        lines.append(f"| {case['page']} | {case['mode']} | {counts} | {names} | {case['seconds']:.1f} |")
    (ARTIFACTS / "axe-report.md").write_text("\n".join(lines) + "\n")


CASE_IDS = [f"{mode}-{page.url_path or 'overview'}" for mode, page in CASES]


@pytest.mark.parametrize(("mode", "app_page"), CASES, ids=CASE_IDS)
def test_no_serious_or_critical_axe_violation(mode, app_page, axe, server, public_page, request):
    started = time.perf_counter()
    if mode == "staff":
        page = request.getfixturevalue("staff_page")
        go_to_page(page, app_page.title)
    else:
        page = public_page
        query = "?projector=true" if mode == "projector" else ""
        open_page(page, f"{server}/{app_page.url_path}{query}")
        page_drawn(page)
    violations = run_axe(page, axe)
    legends_beside_the_maps(page, f"legends-{app_page.url_path or 'overview'}-{mode}")
    _report[f"{app_page.title} / {mode}"] = {
        "page": app_page.title,
        "mode": mode,
        "violations": violations,
        "seconds": time.perf_counter() - started,
    }
    blocking = [f"{v['id']} ({v['impact']}, {v['where']}): {v['nodes'][:2]}" for v in violations
                if v["impact"] in BLOCKING]  # fmt: skip
    assert not blocking, f"{app_page.title} ({mode}): " + "\n".join(blocking)
    unexplained = [f"{v['id']} ({v['impact']}, {v['where']})" for v in violations
                   if v["impact"] not in BLOCKING and v["id"] not in ALLOWED]  # fmt: skip
    assert not unexplained, f"{app_page.title} ({mode}): not in ALLOWED with a reason: {unexplained}"


def legends_beside_the_maps(page, name: str) -> None:
    """The legends of the Map page's and the planner's maps sit beside or under their map, never over
    it (each map frame holds no legend box, and no legend box on the page overlaps a map frame); a
    picture of the first such map at 1280x720 is saved to be looked at."""
    frames = page.locator(MAP_FRAME)
    legends = page.get_by_test_id("map-legend")
    if not frames.count() or not legends.count():
        return  # no map here, or one that keeps its legend inside (the Overview's pan-and-zoom map)
    for index in range(frames.count()):
        assert not page.frame_locator(MAP_FRAME).nth(index).locator(".lead-legend").count()
    frames.first.evaluate("frame => frame.scrollIntoView({block: 'center'})")  # the whole map in view
    boxes = [frames.nth(i).bounding_box() for i in range(frames.count())]
    for index in range(legends.count()):
        legend = legends.nth(index).bounding_box()
        for frame in boxes:
            apart = (
                legend["x"] >= frame["x"] + frame["width"] - 0.5
                or legend["x"] + legend["width"] <= frame["x"] + 0.5
                or legend["y"] >= frame["y"] + frame["height"] - 0.5
                or legend["y"] + legend["height"] <= frame["y"] + 0.5
            )
            assert apart, f"{name}: a legend {legend} lies over a map {frame}"
    screenshot(page, name)


def test_pages_come_from_app_py():
    """The cases follow app.py: every page file it registers is there, staff pages only signed in."""
    scripts = {page.script for page in PAGES}
    assert {"pages/overview.py", "pages/map.py", "pages/import_data.py"} <= scripts
    assert [p.url_path for p in PAGES if not p.staff_only][0] == ""  # the default page, at the root
    assert all(mode == "staff" for mode, page in CASES if page.staff_only)
