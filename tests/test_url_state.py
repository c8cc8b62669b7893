"""Shareable views: URL -> view -> URL round-trips unchanged; bad parameters are said in words; links
made before the filters were bound to the URL (ui/filters.py) still open the same view."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers import open_page, screenshot

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(demo_db_path, monkeypatch):
    monkeypatch.setenv("LEAD_DB", str(demo_db_path))
    return AppTest.from_file(APP, default_timeout=60)


def _warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if "could not be used" in w.value]


def test_a_link_made_before_the_binding_sets_the_view_and_is_rewritten(app):
    app.query_params["period"] = "2018-01-01..2018-12-31"
    app.query_params["mode"] = "projector"
    at = app.run()
    assert not at.exception
    # a public view picks whole quarters: 2018 Q1 to 2018 Q4
    assert at.select_slider(key="public_period_quarters").value == (date(2018, 1, 1), date(2018, 10, 1))
    assert at.session_state["period"] == (date(2018, 1, 1), date(2018, 12, 31))
    assert at.toggle(key="projector").value is True
    assert _params(at) == {"public_period_quarters": ["2018 Q1", "2018 Q4"], "projector": "true"}
    assert not _warnings(at)


def test_todays_link_sets_the_view(app):
    app.query_params.update({"public_period_quarters": ["2018 Q1", "2018 Q4"], "projector": "true"})
    at = app.run()
    assert at.select_slider(key="public_period_quarters").value == (date(2018, 1, 1), date(2018, 10, 1))
    assert at.toggle(key="projector").value is True
    assert not _warnings(at)


@pytest.mark.parametrize(
    "raw",
    ["2019-13-01..2019-12-31", "2020-01-01..2019-01-01", "nonsense", "2019-01-01"],
)
def test_bad_period_in_a_link_is_reported_and_the_default_used(app, raw):
    app.query_params["period"] = raw
    at = app.run()
    assert not at.exception
    assert any("period=" in w for w in _warnings(at))
    start, _ = at.session_state["period"]
    assert start.isoformat() == "2017-01-01"  # the quarter of the launch (public periods are quarters)
    assert "period" not in at.query_params


def test_a_day_level_period_is_widened_to_quarters_and_said(app):
    app.query_params["period"] = "2018-02-10..2018-11-30"
    at = app.run()
    assert any("whole quarters" in w and "2018 Q1 – 2018 Q4" in w for w in _warnings(at))
    assert at.session_state["period"] == (date(2018, 1, 1), date(2018, 12, 31))
    assert _params(at) == {"public_period_quarters": ["2018 Q1", "2018 Q4"]}


def test_a_bad_quarter_in_todays_link_is_said_in_words(app):
    app.query_params["public_period_quarters"] = ["2018 Q1", "2031 Q4"]
    at = app.run()
    assert any("public_period_quarters=" in w and "2031 Q4" in w for w in _warnings(at))
    # Streamlit keeps the first quarter and puts the default's last quarter for the one it ignored
    assert at.session_state["period"] == (date(2018, 1, 1), date(2024, 12, 31))
    assert _params(at) == {"public_period_quarters": ["2018 Q1", "2024 Q4"]}


def test_staff_sign_in_is_never_written_into_the_url(app):
    app.session_state["staff_signed_in"] = True
    app.query_params["public_period_quarters"] = ["2018 Q1", "2018 Q4"]
    at = app.run()
    assert at.session_state["period"] == (date(2018, 1, 1), date(2018, 12, 31))  # quarters read as days
    assert _params(at) == {"period": ["2018-01-01", "2018-12-31"]}
    assert all("staff" not in key and "staff" not in str(value) for key, value in at.query_params.items())


# Every page: a link opens the view it names, and the app writes the same link back --------------------

EAST, WEST = "proposal:east-of-downtown", "proposal:west-baltimore-st"
CENTRAL = "district:1959-2022:Central"
DEFAULT_QUARTERS = ["2017 Q1", "2024 Q4"]  # public periods are whole quarters
# page file -> a link's parameters (none of them the default) -> session state they must set
LINKS = {
    "pages/overview.py": (
        {"public_period_quarters": ["2018 Q1", "2019 Q2"], "projector": "true"},
        {"projector": True},
    ),
    "pages/map.py": (
        {
            "public_period_quarters": ["2018 Q1", "2019 Q4"],
            "map_edition": "2023 (current)",
            "map_area": "Central District (2023)",
            "map_referral_type": "Social-contact referral",
            "map_offense_category": "CDS possession",
            "map_layers": ["Referrals per cell", "Eligible arrests per cell", "LEAD pilot zone"],
        },
        {
            "map_edition": "2023",
            "map_area": "district:2023:Central",
            "map_referral_type": "social_contact",
            "map_offense_category": "cds_possession",
            "map_layers": ["referrals", "arrests", "pilot_zone"],
        },
    ),
    "pages/referrals.py": (
        {
            "public_period_quarters": ["2017 Q2", "2020 Q2"],
            "projector": "true",
            "referrals_area": "LEAD pilot zone",
            "launch_window": "24 months",
        },
        {"referrals_area": "pilot_zone", "launch_window": 24},
    ),
    "pages/expansion.py": (
        {
            "rank_kind": "Police districts (1959–2022)",
            "rank_by": "Eligible arrests per km² a year",
            "rank_candidates_only": "true",
            "proposal_mode": "Pick neighbourhoods",
            "picked_nsas": ["Fells Point", "Mondawmin"],
            "observed_area": "the Central District (1959–2022)",
            "caseload_standard": "15 – Intensive case management: typical",
            "compare_ids": ["East of downtown", "West Baltimore St"],  # not the default
        },
        {
            "rank_kind": "district",
            "rank_by": "Eligible arrests per km² a year",
            "rank_candidates_only": True,
            "proposal_mode": "pick",
            "picked_nsas": ["Fells Point", "Mondawmin"],
            "observed_area": "district:1959-2022:Central",
            "caseload_standard": "15 – Intensive case management: typical",
            "compare_ids": [EAST, WEST],
        },
    ),
    "pages/brief.py": (
        {
            "public_period_quarters": ["2018 Q1", "2018 Q4"],
            "brief_proposal": "East of downtown",
            "brief_paper": "A4",
        },
        {"brief_proposal": EAST, "brief_paper": "a4"},
    ),
    "pages/equity.py": (
        {
            "public_period_quarters": ["2018 Q1", "2019 Q4"],
            "equity_area": "LEAD pilot zone",
            "equity_by": "Sex",
            "equity_reference_sex": "Female",
            "equity_point": "% of eligible who enrolled",
        },
        {
            "equity_area": "pilot_zone",
            "equity_by": "sex",
            "equity_reference_sex": "female",
            "equity_point": "enrolled",
        },
    ),
}
# Each page's link as written before its filters were bound to the URL; opened, it gives the view and the
# link of LINKS above
LINKS_BEFORE = {
    "pages/map.py": {
        "period": "2018-01-01..2019-12-31",
        "mode": "public",
        "edition": "2023",
        "area": "district:2023:Central",
        "referral_type": "social_contact",
        "offense": "cds_possession",
        "layers": "referrals,arrests,pilot_zone",
    },
    "pages/referrals.py": {
        "period": "2017-04-01..2020-06-30",
        "mode": "projector",
        "area": "pilot_zone",
        "step": "quarter",  # the public view's only step: not in today's link
        "window": "24",
    },
    "pages/expansion.py": {
        "areas": "district",
        "rank_by": "per_km2",
        "candidates": "only",
        "proposal": "pick",
        "nsas": "Fells Point,Mondawmin",
        "observed": "district:1959-2022:Central",
        "caseload": "15",
        "compare": f"{EAST},{WEST}",
    },
    "pages/brief.py": {"period": "2018-01-01..2018-12-31", "proposal": EAST, "paper": "a4"},
}


def _params(at: AppTest) -> dict[str, str | list[str]]:
    """The URL's parameters: one value as text, several as a list (Streamlit repeats the parameter)."""
    flat = {}
    for key, value in at.query_params.items():
        values = [value] if isinstance(value, str) else list(value)
        flat[key] = values[0] if len(values) == 1 else values
    return flat


@pytest.fixture
def duplicate_default_warnings(monkeypatch) -> list[str]:
    """Streamlit's "created with a default value but also had its value set via the Session State API"
    warnings, recorded (Streamlit logs it once per process; here every occurrence counts)."""
    from streamlit.elements.lib import policies

    seen: list[str] = []
    monkeypatch.setattr(policies, "_shown_default_value_warning", False)
    monkeypatch.setattr(policies.runtime, "exists", lambda: True)  # AppTest runs without a Runtime
    original = policies._LOGGER.warning

    def record(message, *args, **kwargs):
        if "default value" in str(message):
            seen.append(str(message) % args)
            policies._shown_default_value_warning = False  # keep counting
        return original(message, *args, **kwargs)

    monkeypatch.setattr(policies._LOGGER, "warning", record)
    return seen


def open_link(db_path, monkeypatch, page_file: str, params: dict[str, str], staff: bool = False) -> AppTest:
    """Open ``page_file`` the way a browser opens a shared link: the session's first run, on that page."""
    monkeypatch.setenv("LEAD_DB", str(db_path))
    at = AppTest.from_file(APP, default_timeout=90)
    if staff:
        at.session_state["staff_signed_in"] = True
    at.query_params.update(params)
    at.switch_page(page_file)
    return at.run()


@pytest.mark.parametrize("page_file", list(LINKS))
def test_every_page_restores_its_link_and_writes_it_back_unchanged(
    page_file, proposals_db_path, monkeypatch, duplicate_default_warnings
):
    params, state = LINKS[page_file]
    at = open_link(proposals_db_path, monkeypatch, page_file, params)
    assert not at.exception
    assert not _warnings(at)
    for key, value in state.items():
        assert at.session_state[key] == value, key
    quarters = params.get("public_period_quarters", DEFAULT_QUARTERS)
    assert [f"{day.year} Q{(day.month - 1) // 3 + 1}" for day in at.session_state["period"]] == quarters
    assert _params(at) == params  # URL -> view -> URL, unchanged
    at.run()  # and a rerun (any widget event) keeps it
    assert _params(at) == params
    assert not duplicate_default_warnings


@pytest.mark.parametrize("page_file", list(LINKS_BEFORE))
def test_a_link_made_before_the_binding_opens_the_same_view(page_file, proposals_db_path, monkeypatch):
    at = open_link(proposals_db_path, monkeypatch, page_file, LINKS_BEFORE[page_file])
    params, state = LINKS[page_file]
    assert not at.exception
    assert not _warnings(at)
    for key, value in state.items():
        assert at.session_state[key] == value, key
    assert _params(at) == params  # rewritten to the link the app writes today
    at.run()
    assert _params(at) == params


def test_a_staff_session_opens_an_old_link_at_its_step(proposals_db_path, monkeypatch):
    """Quarters are the public view's only step, so today's public link leaves them out; the old link
    named them, and staff (who may count per month) still get them."""
    at = open_link(proposals_db_path, monkeypatch, "pages/referrals.py", {"step": "quarter"}, staff=True)
    assert not _warnings(at)
    assert at.session_state["referrals_step"] == "quarter"
    assert _params(at) == {"referrals_step": "Quarter"}
    assert at.header[0].value == "Referrals per quarter, by type"


@pytest.mark.parametrize(
    ("page_file", "old", "dropped"),
    [
        ("pages/expansion.py", {"proposal": "draw", "nsas": "Fells Point"}, "`nsas=`Fells Point"),
        ("pages/referrals.py", {"paper": "a4"}, "`paper=`a4"),  # the brief's
    ],
)
def test_an_old_setting_the_view_does_not_show_is_said_and_dropped(
    page_file, old, dropped, proposals_db_path, monkeypatch
):
    at = open_link(proposals_db_path, monkeypatch, page_file, old)
    assert not at.exception
    assert any(dropped in w and "this view does not show that setting" in w for w in _warnings(at)), (
        _warnings(at)
    )
    assert not set(old) & set(at.query_params.keys())


def test_the_view_shown_is_the_one_the_link_names(proposals_db_path, monkeypatch):
    params, _ = LINKS["pages/map.py"]
    at = open_link(proposals_db_path, monkeypatch, "pages/map.py", params)
    assert at.sidebar.radio(key="map_edition").value == "2023"
    assert at.sidebar.selectbox(key="map_area").value == "district:2023:Central"
    assert any("Central District (2023)" in m.value and "01 Jan 2018" in m.value for m in at.markdown)
    script = json.loads(at.get("component_instance")[0].proto.json_args)["script"]
    script += "".join(element.proto.body for element in at.get("html"))  # the legends beside the map
    assert "Eligible arrests per cell" in script and "Neighbourhood (NSA)" not in script

    params, _ = LINKS["pages/expansion.py"]
    at = open_link(proposals_db_path, monkeypatch, "pages/expansion.py", params)
    assert at.multiselect(key="picked_nsas").value == ["Fells Point", "Mondawmin"]
    comparison = next(d.value for d in at.dataframe if "Figure" in d.value.columns)
    assert list(comparison.columns[2:]) == ["East of downtown", "West Baltimore St"]


@pytest.mark.parametrize(
    ("page_file", "bad", "key", "fallback"),
    [
        ("pages/map.py", {"layers": "referrals,helicopters"}, "map_layers", ["referrals"]),
        ("pages/map.py", {"area": "nsa:Atlantis"}, "map_area", "city"),
        ("pages/map.py", {"edition": "1850"}, "map_edition", "1959-2022"),
        ("pages/map.py", {"map_layers": ["Referrals per cell", "Helicopters"]}, "map_layers", ["referrals"]),
        ("pages/map.py", {"map_area": "Atlantis"}, "map_area", "city"),
        ("pages/map.py", {"map_edition": "1850"}, "map_edition", "1959-2022"),
        ("pages/map.py", {"projector": "maybe"}, "projector", False),
        ("pages/referrals.py", {"step": "fortnight"}, "referrals_step", "quarter"),  # public: quarters
        ("pages/referrals.py", {"area": "nowhere"}, "referrals_area", CENTRAL),
        ("pages/referrals.py", {"window": "7"}, "launch_window", 12),
        ("pages/referrals.py", {"window": "seven"}, "launch_window", 12),
        ("pages/referrals.py", {"referrals_area": "Atlantis"}, "referrals_area", CENTRAL),
        ("pages/referrals.py", {"launch_window": "7 months"}, "launch_window", 12),
        ("pages/expansion.py", {"rank_by": "best"}, "rank_by", "Eligible arrests per year"),
        (
            "pages/expansion.py",
            {"proposal": "pick", "nsas": "Atlantis,Fells Point"},
            "picked_nsas",
            ["Fells Point"],
        ),
        ("pages/expansion.py", {"compare": "proposal:gone"}, "compare_ids", [WEST, EAST]),  # the default
        (
            "pages/expansion.py",
            {"caseload": "99"},
            "caseload_standard",
            "28 – Baltimore cap (peer + case manager pair)",
        ),
        ("pages/expansion.py", {"candidates": "some"}, "rank_candidates_only", False),
        ("pages/expansion.py", {"rank_kind": "Planets"}, "rank_kind", "neighborhood"),
        (
            "pages/expansion.py",
            {"proposal_mode": "Pick neighbourhoods", "picked_nsas": ["Fells Point", "Atlantis"]},
            "picked_nsas",
            ["Fells Point"],
        ),
        ("pages/expansion.py", {"compare_ids": ["Gone"]}, "compare_ids", [WEST, EAST]),
        ("pages/brief.py", {"paper": "legal"}, "brief_paper", "letter"),
        ("pages/brief.py", {"proposal": "proposal:gone"}, "brief_proposal", "none"),
        ("pages/brief.py", {"brief_paper": "Legal"}, "brief_paper", "letter"),
        ("pages/brief.py", {"brief_proposal": "Gone"}, "brief_proposal", "none"),
    ],
)
def test_a_bad_value_in_a_link_is_reported_and_ignored(
    page_file, bad, key, fallback, proposals_db_path, monkeypatch
):
    at = open_link(proposals_db_path, monkeypatch, page_file, bad)
    assert not at.exception
    problems = _warnings(at)
    bad_param = list(bad)[-1]  # the last parameter is the bad one
    assert any(f"`{bad_param}=" in problem for problem in problems), problems
    assert at.session_state[key] == fallback
    bad_values = bad[bad_param] if isinstance(bad[bad_param], list) else [bad[bad_param]]
    assert bad_values[-1] not in str(at.query_params.values())  # the URL names the view actually shown


@pytest.mark.parametrize("link", [{"step": "month"}, {"referrals_step": "Month"}])
def test_a_public_link_asking_for_months_is_told_why_it_gets_quarters(link, proposals_db_path, monkeypatch):
    at = open_link(proposals_db_path, monkeypatch, "pages/referrals.py", link)
    (problem,) = _warnings(at)
    assert f"`{list(link)[0]}=`" in problem and "public figures are counted per whole quarter" in problem
    assert at.session_state["referrals_step"] == "quarter"
    assert at.header[0].value == "Referrals per quarter, by type"
    assert not _params(at)


def test_a_period_outside_the_data_is_reported(app):
    app.query_params["period"] = "2031-01-01..2031-12-31"
    at = app.run()
    assert any("outside the loaded data" in w for w in _warnings(at))
    assert "public_period_quarters" not in _params(at)  # the default period: not in the URL


@pytest.mark.parametrize("page_file", list(LINKS))
def test_a_staff_session_opens_the_public_link(page_file, proposals_db_path, monkeypatch):
    """The same view for staff: the quarters read as their days, nothing about staff in the URL."""
    params, state = LINKS[page_file]
    at = open_link(proposals_db_path, monkeypatch, page_file, params, staff=True)
    assert not at.exception
    assert not _warnings(at)
    for key, value in state.items():
        assert at.session_state[key] == value, key
    written = _params(at)
    quarters = written.pop("period", None)
    assert written == {k: v for k, v in params.items() if k != "public_period_quarters"}
    assert (quarters is None) == ("public_period_quarters" not in params)
    assert not any("staff" in f"{k}={v}".lower() for k, v in at.query_params.items())


# page file -> what is drawn last on it: the URL is compared only once the script has finished
DRAWN_LAST = {
    "pages/overview.py": 'img[alt^="Map: the LEAD pilot zone"]',
    "pages/map.py": '[data-testid="stDownloadButton"] >> nth=3',
    "pages/referrals.py": ".js-plotly-plot >> nth=7",
    "pages/expansion.py": 'iframe[title="streamlit_folium.st_folium"] >> nth=1',
    "pages/brief.py": 'iframe[data-testid="stIFrame"]',
    "pages/equity.py": '[data-testid="stExpander"] >> text=How these figures are made, and sources',
}


def _finished(page, page_file: str, params: dict[str, str]) -> None:
    """The page is drawn and the app has written the link's parameters back into the address bar."""
    page.locator(DRAWN_LAST[page_file]).wait_for(timeout=60_000)
    page.wait_for_function(
        '() => !document.querySelector(\'[data-testid="stStatusWidget"], [data-testid="stSkeleton"]\')',
        timeout=60_000,
    )
    page.wait_for_function(
        """wanted => {
            const found = new URLSearchParams(window.location.search);
            return Object.entries(wanted).every(([key, value]) =>
                JSON.stringify(found.getAll(key)) === JSON.stringify([value].flat()));
        }""",
        arg=params,
        timeout=60_000,
    )


@pytest.mark.browser
@pytest.mark.parametrize("page_file", list(LINKS))
def test_browser_link_round_trip_on_every_page(page_file, browser, staff_app_server):
    """The app's own URL, opened in a fresh browser: the same view, and the same URL back."""
    params, _ = LINKS[page_file]
    path = "" if page_file == "pages/overview.py" else page_file.removeprefix("pages/").removesuffix(".py")
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        open_page(page, f"{staff_app_server}/{path}?{urlencode(params, doseq=True)}")
        _finished(page, page_file, params)
        written = page.url
        assert parse_qs(urlsplit(written).query) == {
            k: v if isinstance(v, list) else [v] for k, v in params.items()
        }
        assert not page.get_by_text("could not be used").count()
        # the written URL, opened again in a new tab, comes back unchanged
        again = context.new_page()
        open_page(again, written)
        _finished(again, page_file, params)
        assert again.url == written
        screenshot(again, f"url_round_trip_{path or 'overview'}")
    finally:
        context.close()


def test_the_duplicate_default_recorder_would_catch_the_warning(duplicate_default_warnings):
    """The check above can fail: a widget given both a default and a session-state value is recorded."""
    script = (
        "import streamlit as st\n"
        "st.session_state.setdefault('choice', 'a')\n"
        "st.selectbox('Choice', ['a', 'b'], index=1, key='choice')\n"
    )
    AppTest.from_string(script, default_timeout=30).run()
    assert duplicate_default_warnings and "choice" in duplicate_default_warnings[0]
