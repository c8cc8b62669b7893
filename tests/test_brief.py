"""The hearing brief: its figures come from the same queries with the public rule, it is one
self-contained HTML document with its pictures inline as SVG, it prints on exactly one Letter or A4
page, and the page keeps a brief it has made until the period, proposal, paper or data change."""

from __future__ import annotations

import html as html_module
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from datetime import date
from functools import partial

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import queries
import ui.brief
from domain import impact as impact_words
from domain.figures import FIGURES, RATIO_HIDDEN_TEXT, referrals_per_100_text
from domain.privacy import SUPPRESSED_TEXT
from screens import impact as impact_screen
from screens.brief import brief_model, proposal_choices
from tests.conftest import REPO_ROOT
from tests.helpers import download, open_page, screenshot
from ui.brief import CENTRAL, NO_PROPOSAL, brief_html, load_brief, page_brief_html, trend_svg
from ui.filters import IMPACT_MONTHS_AFTER, IMPACT_ROLLOUT

START, END = date(2017, 2, 1), date(2024, 12, 31)
EAST = "proposal:east-of-downtown"


@pytest.fixture(scope="module")
def proposals_con(proposals_db_path):
    from store import connect

    con = connect(proposals_db_path)  # the same settings as the app's: one database instance in-process
    yield con
    con.close()


@pytest.fixture(scope="module")
def run_query(proposals_con):
    return partial(queries.run, proposals_con)


def _figures(brief) -> dict[tuple[str, str], str]:
    return {(area, f.label): f.value for area, figures in brief.figures.items() for f in figures}


def test_figures_are_the_queries_own(run_query):
    brief = load_brief(run_query, START, END)
    shown = _figures(brief)
    quarters = {"start_date": date(2017, 1, 1), "end_date": END, "public": True}  # the brief is public
    pilot = run_query("referral_headline", area_id="pilot_zone", **quarters).iloc[0]
    central = run_query("referral_headline", area_id=CENTRAL, **quarters).iloc[0]
    assert shown[("LEAD pilot zone", "People referred")] == f"{int(pilot.referrals):,}"
    assert shown[("LEAD pilot zone", "LEAD-eligible arrests")] == f"{int(pilot.eligible_arrests):,}"
    assert shown[("Central District (1959–2022)", "Enrolled")] == f"{int(central.enrolled):,}"
    for area, row in (("LEAD pilot zone", pilot), ("Central District (1959–2022)", central)):
        assert shown[(area, "Referrals per 100 eligible arrests")] == referrals_per_100_text(
            row.referrals, row.eligible_arrests, public=True
        )
        assert shown[(area, "Referrals per 100 eligible arrests")][0].isdigit()
    assert shown[("Central District (1959–2022)", "Active caseload")] == f"{int(central.active_caseload):,}"
    assert (
        shown[("Central District (1959–2022)", "Re-arrested after enrolment")]
        == f"{int(central.rearrested):,}"
    )
    assert brief.synthetic and "synthetic" in brief.data_note.lower()


def test_a_short_period_is_widened_to_its_quarter_and_published(run_query):
    """One week in the pilot zone (few referrals, few arrests): the brief is public, so it covers the
    whole quarter around the week, with every referral count a published multiple of 5."""
    start, end = date(2019, 3, 4), date(2019, 3, 10)
    week = run_query(
        "referral_headline", area_id="pilot_zone", start_date=start, end_date=end, public=False
    ).iloc[0]
    assert 0 < int(week.eligible_arrests) < 5, "the week chosen should have a small count in the demo data"
    brief = load_brief(run_query, start, end)
    assert brief.period == "01 Jan 2019 – 31 Mar 2019"
    quarter = run_query(
        "referral_headline",
        area_id="pilot_zone",
        start_date=date(2019, 1, 1),
        end_date=date(2019, 3, 31),
        public=True,
    ).iloc[0]
    shown = _figures(brief)
    assert shown[("LEAD pilot zone", "People referred")] == f"{int(quarter.referrals):,}"
    for label in ("People referred", "Enrolled"):
        assert int(shown[("LEAD pilot zone", label)].replace(",", "")) % 5 == 0
    for value in shown.values():
        assert not re.fullmatch(r"[1-4]", value)


def test_a_small_arrest_count_hides_the_ratio_in_the_brief(run_query):
    """Q4 2020 in the demo: the Central District has 4 eligible arrests, the pilot zone fewer than 5."""
    quarter = {"start_date": date(2020, 10, 1), "end_date": date(2020, 12, 31)}
    exact = run_query("referral_headline", area_id=CENTRAL, **quarter, public=False).iloc[0]
    assert 0 < int(exact.eligible_arrests) < 5 < int(exact.referrals), "the demo data changed"
    shown = _figures(load_brief(run_query, *quarter.values()))
    central = "Central District (1959–2022)"
    assert shown[(central, "LEAD-eligible arrests")] == SUPPRESSED_TEXT
    assert shown[(central, "Referrals per 100 eligible arrests")] == RATIO_HIDDEN_TEXT
    assert RATIO_HIDDEN_TEXT in brief_html(load_brief(run_query, *quarter.values()))


def test_the_brief_names_its_figures_as_every_page_does(run_query):
    model = brief_model(run_query, START, END)
    labels = {figure.label for figures in model.figures.values() for figure in figures}
    assert labels == {FIGURES[key].label for key in (
        "referrals", "enrolled", "eligible_arrests", "referrals_per_100", "active_caseload", "rearrested"
    )}  # fmt: skip
    assert any(line.startswith(f"{FIGURES['referrals_per_100'].label}: ") for line in model.sources)
    assert model.start == date(2017, 1, 1) and model.period.startswith("01 Jan 2017")


def test_the_page_offers_no_proposal_first_then_the_saved_ones(run_query):
    choices = proposal_choices(run_query("proposal_list"))
    assert list(choices)[0] == NO_PROPOSAL and choices[NO_PROPOSAL] == "No proposal"
    assert choices[EAST] == "East of downtown"


def test_a_chosen_proposal_is_projected_and_outlined(run_query):
    brief = load_brief(run_query, START, END, proposal_id=EAST)
    assert brief.proposal is not None and brief.proposal.name == "East of downtown"
    rows = {f.label: f.value for f in brief.proposal.rows}
    assert rows["Area"].endswith("km²")
    assert int(rows["LEAD-eligible arrests in the period"].replace(",", "")) >= 5
    assert "Case manager + peer pairs" in rows
    assert any("Caseload cap" in source for source in brief.sources)
    without = load_brief(run_query, START, END)
    assert "Proposal: East of downtown" in brief.map_svg  # drawn on the map, and in its legend
    assert "East of downtown" not in without.map_svg
    with pytest.raises(ValueError, match="no saved proposal"):
        load_brief(run_query, START, END, proposal_id="proposal:gone")


def test_the_document_is_self_contained(run_query):
    brief = load_brief(run_query, START, END, proposal_id=EAST)
    html = brief_html(brief)
    assert "<script" not in html  # no script needed to read or print it
    assert not re.findall(r'(?:src|href)="([^"]+)"', html)  # nothing to fetch, not even a data: URL
    assert re.findall(r"url\(([^)]*)\)", html) == ["#static-map-frame"]  # the map's own clip
    # The map and the chart are inline vector pictures (sharp at any print size), well-formed SVG.
    pictures = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    assert pictures == [brief.map_svg, brief.trend_svg]
    for picture in pictures:
        root = ElementTree.fromstring(picture)
        assert root.get("viewBox") and root.get("role") == "img" and root.get("aria-label")
    map_text = " ".join(ElementTree.fromstring(brief.map_svg).itertext())
    for label in ("Legend", "Central District", "LEAD pilot zone", "Old Goucher", "Fells Point"):
        assert label in map_text
    chart_text = " ".join(ElementTree.fromstring(brief.trend_svg).itertext())
    for label in ("Referrals per quarter", "Pilot launch", "District-wide", "2017", "2024", "Referrals"):
        assert label in chart_text
    assert "@page { size: Letter" in html
    assert "Demo data — synthetic" in html
    assert "LEAD Baltimore program material" in html  # the launch date's source is cited


_FITS: dict = {}


def _kept_fit(monthly: pd.DataFrame, chosen: impact_screen.Selection) -> impact_screen.AreaLevel:
    """The area level fitted once per choice in this module (the print tests need it 8 times)."""
    key = (chosen.rollout, chosen.post_months, chosen.comparison)
    if key not in _FITS:
        _FITS[key] = impact_screen.area_level(monthly, chosen, impact_screen.did.analyse)
    return _FITS[key]


def _impact_page(run_query) -> impact_screen.ImpactScreen:
    """The Impact screen model as the page opens: its filters' defaults, the matched comparison group."""
    monthly = run_query("impact_monthly_eligible_arrests", first_month=impact_screen.FIRST_MONTH)
    rollout = impact_words.ROLLOUTS[IMPACT_ROLLOUT.default]
    _, _, matched = impact_screen.comparison_choices(impact_screen.did.with_month_index(monthly), rollout)
    chosen = impact_screen.Selection(
        IMPACT_ROLLOUT.default, IMPACT_MONTHS_AFTER.default, tuple(matched), date(2017, 1, 1), END, END, True
    )  # the public page's period: whole quarters
    return impact_screen.impact_screen(run_query, chosen)


def test_the_impact_estimate_is_the_impact_pages_own(run_query):
    """The brief's estimate, interval and reading are the Impact screen model's text for the same inputs,
    with the demo's synthetic label; without the option the brief has none of it."""
    screen = _impact_page(run_query)
    assert screen.area.headline and screen.area.reading and screen.synthetic_arrests
    brief = load_brief(run_query, START, END, with_impact=True)
    assert brief.impact.headline == screen.area.headline
    assert brief.impact.reading == screen.area.reading
    assert re.search(r": [−+]?\d+% \(95% CI [−+]?\d+% to [−+]?\d+%\) — ", brief.impact.headline)
    shown = html_module.unescape(brief_html(brief))
    for text in (screen.area.headline, screen.area.reading, impact_words.SYNTHETIC_NOTE, "Demo data"):
        assert text in shown
    assert impact_words.CAVEATS[1] in shown  # the 2020 policy change, as the Impact page's caveats
    plain = html_module.unescape(brief_html(load_brief(run_query, START, END)))
    assert screen.area.headline not in plain and impact_words.SYNTHETIC_NOTE not in plain


def test_without_an_estimate_the_brief_says_why_in_the_impact_pages_words(run_query):
    def no_group(monthly, chosen):
        return impact_screen.area_level(
            monthly, impact_screen.Selection(chosen.rollout, chosen.post_months, (), *[None] * 3, True),
            impact_screen.did.analyse,
        )  # fmt: skip

    brief = load_brief(run_query, START, END, with_impact=True, impact_area=no_group)
    assert brief.impact.headline is None and brief.impact.problem == impact_words.NO_COMPARISON
    assert html_module.escape(impact_words.NO_COMPARISON) in brief_html(brief)


def test_the_brief_reuses_the_impact_pages_cached_fit(proposals_db_path, monkeypatch, run_query):
    """Once the Impact page has fitted its opening view, the brief's estimate costs no fit at all."""
    from ui import impact_data
    from ui.data import query

    monkeypatch.setenv("LEAD_DB", str(proposals_db_path))
    fits = []
    fit = impact_screen.did.analyse
    monkeypatch.setattr(impact_screen.did, "analyse", lambda *a: fits.append(a) or fit(*a))
    impact_data._area_level.clear()
    # the page's opening view: its default roll-out and window, the matched group in the multiselect
    monthly = query("impact_monthly_eligible_arrests", first_month=impact_screen.FIRST_MONTH)
    _, matched = impact_data.comparison_choices(monthly, IMPACT_ROLLOUT.default)
    chosen = impact_screen.Selection(
        IMPACT_ROLLOUT.default, IMPACT_MONTHS_AFTER.default, tuple(matched), START, END, END, True
    )
    page = impact_data.area_level(monthly, chosen)
    assert len(fits) == 1
    html = html_module.unescape(page_brief_html(START, END, NO_PROPOSAL, "letter", with_impact=True))
    assert len(fits) == 1  # the brief was served the page's fit
    assert page.headline in html and page.headline == _impact_page(run_query).area.headline


def _pdf_pages(pdf: bytes) -> int:
    """Page objects in a PDF (``/Type /Page``, not the ``/Type /Pages`` tree)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_pdf_page_counting_tells_pages_from_the_page_tree():
    assert _pdf_pages(b"<< /Type /Pages /Count 2 >> << /Type /Page >> << /Type/Page /Parent 1 0 R >>") == 2


@pytest.mark.browser
@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("proposal", [NO_PROPOSAL, EAST])
@pytest.mark.parametrize("with_equity", [False, True], ids=["", "equity"])
@pytest.mark.parametrize("with_impact", [False, True], ids=["", "impact"])
def test_brief_prints_on_exactly_one_page(
    run_query, browser, paper, proposal, with_equity, with_impact, tmp_path
):
    brief = load_brief(
        run_query,
        START,
        END,
        proposal_id=proposal,
        paper=paper,
        with_equity=with_equity,
        with_impact=with_impact,
        impact_area=_kept_fit,
    )
    html = brief_html(brief)
    # the rule: extras take room (the impact estimate twice a table's); the trend gives way to two, the
    # map to three, and the brief says so where the picture was
    room = (proposal != NO_PROPOSAL) + with_equity + 2 * with_impact
    assert (brief.trend_svg == "") == (room >= 2)
    assert ("left out of this brief" in brief.trend_note) == (room >= 2)
    assert (brief.map_svg == "") == (room >= 3) == (brief.map_left_out is not None)
    if room >= 3:
        assert html_module.escape(brief.map_left_out, quote=True) in html
    if with_impact:
        assert "the impact estimate: see the Referrals page" in brief.trend_note
        assert brief.impact.headline and html_module.escape(brief.impact.headline) in html
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(html)
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        assert pdf.startswith(b"%PDF")
        assert _pdf_pages(pdf) == 1
        # The page size the CSS asks for: Letter 612 x 792 pt, A4 595 x 842 pt.
        box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)", pdf)
        size = (round(float(box[1])), round(float(box[2])))
        assert size == ({"letter": (612, 792), "a4": (595, 842)}[paper])
        page.set_viewport_size({"width": 900, "height": 1200})
        page.emulate_media(media="print")
        kind = "proposal" if proposal != NO_PROPOSAL else "plain"
        extra = ("-equity" if with_equity else "") + ("-impact" if with_impact else "")
        screenshot(page, f"brief-print-{paper}-{kind}{extra}")
    finally:
        context.close()


@pytest.mark.browser
def test_a_long_proposal_name_and_note_still_fit_one_page(proposals_db_path, browser, tmp_path):
    from shapely.geometry import box

    from ingest.proposals import MAX_NAME_LENGTH, save_proposal
    from store import connect

    path = tmp_path / "long.duckdb"
    path.write_bytes(proposals_db_path.read_bytes())
    con = connect(path)
    try:
        name = ("Greenmount Avenue corridor from North Avenue " * 3)[:MAX_NAME_LENGTH]
        proposal = save_proposal(con, name, box(-76.612, 39.300, -76.600, 39.315), "A" * 80, "Why. " * 400)
        html = brief_html(load_brief(partial(queries.run, con), START, END, proposal_id=proposal))
    finally:
        con.close()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(html)
        assert _pdf_pages(page.pdf(prefer_css_page_size=True)) == 1
    finally:
        context.close()


def test_brief_page_under_apptest(proposals_db_path, monkeypatch):
    monkeypatch.setenv("LEAD_DB", str(proposals_db_path))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=90)
    at.query_params.update({"proposal": EAST})
    at.switch_page("pages/brief.py")
    at.run()
    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Hearing brief"]
    (button,) = at.get("download_button")
    assert "print-ready HTML" in button.label
    assert at.selectbox(key="brief_proposal").value == EAST


def test_brief_page_with_the_impact_estimate_under_apptest(proposals_db_path, monkeypatch, run_query):
    monkeypatch.setenv("LEAD_DB", str(proposals_db_path))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=90)
    at.query_params.update({"brief_impact": "true", "brief_equity": "true", "proposal": EAST})
    at.switch_page("pages/brief.py")
    at.run()
    assert not at.exception and not at.error
    assert at.toggle(key="brief_impact").value is True
    assert at.query_params["brief_impact"] in ("true", ["true"])  # the link keeps the option
    (preview,) = at.get("iframe")
    shown = html_module.unescape(preview.proto.srcdoc)
    assert _impact_page(run_query).area.headline in shown
    assert "one page with the proposal, the equity table and the impact estimate: see the Map page" in shown


def test_a_signed_in_session_still_gets_the_public_brief(proposals_db_path, monkeypatch, run_query):
    """Staff may sign in, but a brief is handed out: the page previews (and offers) the public one."""
    start, end = date(2019, 3, 4), date(2019, 3, 10)
    public = brief_html(load_brief(run_query, start, end))
    assert SUPPRESSED_TEXT in public
    monkeypatch.setenv("LEAD_DB", str(proposals_db_path))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=90)
    at.session_state["staff_signed_in"] = True
    at.query_params.update({"period": f"{start}..{end}"})
    at.switch_page("pages/brief.py")
    at.run()
    assert not at.exception
    (preview,) = at.get("iframe")
    assert preview.proto.srcdoc == public  # pictures included: they are drawn from the same figures


@pytest.mark.browser
def test_brief_page_in_the_browser_downloads_the_previewed_document(staff_app_server, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        open_page(page, f"{staff_app_server}/brief?proposal={EAST}&paper=a4")
        page.get_by_role("heading", name="Hearing brief").wait_for()
        preview = page.frame_locator('iframe[data-testid="stIFrame"], iframe').last
        preview.get_by_role("heading", name="LEAD in Baltimore: hearing brief").wait_for(timeout=30_000)
        assert "Proposed expansion: East of downtown" in preview.locator("body").inner_text()
        button = page.get_by_role("button", name="Download the brief (print-ready HTML)")
        html = download(page, button).path().read_text()
        assert "@page { size: A4" in html and "East of downtown" in html
        screenshot(page, "brief-page")
    finally:
        context.close()


def test_the_chart_draws_shown_quarters_only_and_copes_with_none():
    """Hidden quarters (masked to missing) get no bar; an empty or wholly hidden trend still draws."""
    frame = pd.DataFrame(
        {
            "period_start": pd.to_datetime(["2018-01-01", "2018-04-01", "2018-07-01"]),
            "total": pd.array([12, None, 30], dtype="Float64"),
        }
    )
    svg = trend_svg(frame, "Referrals per quarter")
    (bars,) = re.findall(r'<path d="([^"]+)" fill="#0072B2"', svg)
    assert bars.count("M") == 2
    assert [t for t in ElementTree.fromstring(svg).itertext() if t.isdigit() and len(t) == 4] == ["2018"]
    for empty in (frame.iloc[:0], frame.assign(total=pd.array([None] * 3, dtype="Float64"))):
        root = ElementTree.fromstring(trend_svg(empty, "Referrals per quarter"))
        assert "Referrals" in " ".join(root.itertext())


def test_the_brief_needs_no_matplotlib(demo_db_path):
    """matplotlib takes about 30 MB of the app's memory: the brief draws its pictures without it."""
    script = (
        "import sys; from datetime import date; from functools import partial; import queries; "
        "from store import connect; from ui.brief import brief_html, load_brief; "
        f"con = connect({str(demo_db_path)!r}); "
        "brief_html(load_brief(partial(queries.run, con), date(2017, 2, 1), date(2024, 12, 31))); "
        "print('matplotlib' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"


def test_the_page_keeps_a_brief_until_its_data_change(proposals_db_path, tmp_path, monkeypatch):
    """Back to a period already seen costs nothing; a new period, a saved proposal or an import is new."""
    from shapely.geometry import box

    from ingest.proposals import save_proposal
    from store import generations
    from ui.data import connection, data_changed

    path = tmp_path / "kept.duckdb"
    path.write_bytes(proposals_db_path.read_bytes())
    monkeypatch.setenv("LEAD_DB", str(path))
    assembled = []
    monkeypatch.setattr(ui.brief, "load_brief", lambda *a: assembled.append(a[1:]) or load_brief(*a))
    first = page_brief_html(START, END, NO_PROPOSAL, "letter")
    assert page_brief_html(START, END, NO_PROPOSAL, "letter") == first
    assert len(assembled) == 1
    page_brief_html(date(2019, 1, 1), END, NO_PROPOSAL, "letter")
    page_brief_html(START, END, NO_PROPOSAL, "a4")
    assert len(assembled) == 3
    page_brief_html(START, END, NO_PROPOSAL, "letter")
    assert len(assembled) == 3  # seen before

    saved = save_proposal(connection(), "Kept test", box(-76.600, 39.295, -76.585, 39.305))
    data_changed()  # what the planner does after saving
    with_proposal = page_brief_html(START, END, saved, "letter")
    assert "Kept test" in with_proposal and len(assembled) == 4
    with generations.building(path) as con:  # an import: a new generation swapped in
        con.execute(
            "insert into imports (source_file, kind, status) values ('arrests.csv', 'arrests', 'loaded')"
        )
    data_changed()  # what the import page does after a load
    page_brief_html(START, END, NO_PROPOSAL, "letter")
    assert len(assembled) == 5
