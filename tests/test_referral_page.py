"""The Referrals page under Streamlit's AppTest, in the public and the staff view.

Headline figures are checked against SQL written here (points tested against area outlines), not
against the page's own queries.
"""

import base64
import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import plotly.graph_objects
import plotly.io
import pytest
from streamlit.testing.v1 import AppTest

from domain import disclosure, figures
from domain.privacy import SUPPRESSED_TEXT, is_small
from ui.tables import table_open_key

APP = Path(__file__).resolve().parent.parent / "app.py"
APP_TIMEOUT = 120
CENTRAL = "district:1959-2022:Central"
LAUNCH = date(2017, 2, 1)
# The page labels each headline figure as domain/figures.py does.
REFERRED, REARRESTED, RATIO = (
    figures.REFERRALS.label,
    figures.REARRESTED.label,
    figures.REFERRALS_PER_100.label,
)
COUNTED = (REFERRED, "Found eligible", "Enrolled", "Active caseload", REARRESTED)


def open_every_table(at: AppTest) -> None:
    """Open every chart's data table (each is built only while its expander is open) and rerun."""
    closed = [key for key in at.session_state.to_dict() if key.endswith(table_open_key(""))]
    assert closed, "no data-table expanders found"
    for key in closed:
        at.session_state[key] = True
    at.run()


def open_referrals(db_path, monkeypatch, staff: bool = False, period=None, area=None, step=None) -> AppTest:
    """The app's home page, then the Referrals page, with the period, area and bar step if given.

    The period is the shared sidebar widget's state, set before the first run so app.py's frame uses it.
    """
    monkeypatch.setenv("LEAD_DB", str(db_path))
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    if staff:
        at.session_state["staff_signed_in"] = True
    if period is not None:
        at.session_state["period"] = period
    at.run()
    assert not at.exception
    at.switch_page("pages/referrals.py")
    at.run()
    if area is not None:
        at.selectbox(key="referrals_area").set_value(area)
    if step is not None:
        at.button_group(key="referrals_step").set_value(step)
    if area or step:
        at.run()
    open_every_table(at)
    # The app turns an exception into a friendly st.error, so both are checked.
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def direct_headline(con, area_id: str, start: date, end: date) -> dict:
    """The six headline figures by hand, for referrals and arrests whose point lies in the area."""
    in_area = "($area = 'city' or st_contains((select geom from areas where area_id = $area), geom))"
    params = {"area": area_id, "start": start, "end": end}
    referrals, eligible, enrolled, rearrested = con.execute(
        f"""
        select count(*), count(*) filter (eligibility = 'eligible'), count(enrolled_on),
               count(*) filter (rearrested_on >= enrolled_on)
        from referrals where {in_area} and referred_on between $start and $end
        """,
        params,
    ).fetchone()
    (active,) = con.execute(
        f"""select count(*) from referrals where {in_area}
            and enrolled_on <= $end and (exited_on is null or exited_on > $end)""",
        {"area": area_id, "end": end},
    ).fetchone()
    (arrests,) = con.execute(
        f"""select count(*) from arrests where {in_area} and lead_category is not null
            and arrest_date between $start and $end""",
        params,
    ).fetchone()
    return {
        REFERRED: referrals,
        "Found eligible": eligible,
        "Enrolled": enrolled,
        "Active caseload": active,
        REARRESTED: rearrested,
        "eligible_arrests": arrests,
    }


def shown(count: int, public: bool) -> str:
    return SUPPRESSED_TEXT if public and is_small(count) else f"{count:,}"


def metrics(at) -> dict:
    return {m.label: m for m in at.metric}


def values(array) -> list:
    """Numbers of a trace array; plotly sends numeric arrays base64-encoded ({"dtype", "bdata"})."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def charts_by_key(at) -> dict:
    """Every plotly chart on the page by the key the page gave it, as a plotly Figure."""
    found = {}
    for element in at.get("plotly_chart"):
        key = element.proto.id.rsplit("-", 1)[-1].removesuffix("_chart")
        found[key] = plotly.io.from_json(element.proto.spec)
    return found


@pytest.fixture(scope="module")
def last_date(demo_con) -> date:
    return demo_con.execute("select max(d) from (select max(arrest_date) d from arrests union all "
                            "select max(referred_on) from referrals)").fetchone()[0]  # fmt: skip


def published_headline(con, area_id: str, start: date, end: date) -> dict:
    """The headline as a public view publishes it, worked out here in Python: each quarter's count
    rounded by ``domain.disclosure.published_count`` from the records' keys, the quarters summed."""
    in_area = "($area = 'city' or st_contains((select geom from areas where area_id = $area), geom))"
    rows = con.execute(
        f"""select referred_on, eligibility = 'eligible', enrolled_on is not null,
                   coalesce(rearrested_on >= enrolled_on, false), record_key
            from referrals where {in_area} and referred_on between $start and $end""",
        {"area": area_id, "start": start, "end": end},
    ).fetchall()
    cells: dict[tuple[str, date], list[int]] = {}
    for referred_on, eligible, enrolled, rearrested, key in rows:
        quarter = disclosure.quarter_start(referred_on)
        for label, counted in ((REFERRED, True), ("Found eligible", eligible), ("Enrolled", enrolled),
                               (REARRESTED, rearrested)):  # fmt: skip
            if counted:
                cell = cells.setdefault((label, quarter), [0, 0])
                cell[0], cell[1] = cell[0] + 1, cell[1] + key
    published = dict.fromkeys((REFERRED, "Found eligible", "Enrolled", REARRESTED), 0)
    for (label, _), (count, key_sum) in cells.items():
        published[label] += disclosure.published_count(count, key_sum)
    (active, key_sum) = con.execute(
        f"""select count(*), coalesce(sum(record_key), 0) from referrals where {in_area}
            and enrolled_on <= $end and (exited_on is null or exited_on > $end)""",
        {"area": area_id, "end": end},
    ).fetchone()
    published["Active caseload"] = disclosure.published_count(active, key_sum)
    exact = direct_headline(con, area_id, start, end)
    return {**published, "eligible_arrests": exact["eligible_arrests"], "exact": exact}


def test_public_view_headline_matches_the_database(demo_db_path, demo_con, monkeypatch, last_date):
    at = open_referrals(demo_db_path, monkeypatch)
    # the public period: the launch's quarter to the last complete quarter
    expected = published_headline(demo_con, CENTRAL, disclosure.quarter_start(LAUNCH), last_date)
    shown_metrics = metrics(at)
    for label in COUNTED:
        assert shown_metrics[label].value == f"{expected[label]:,}", label
        assert expected[label] % 5 == 0
        # rounding moves each quarter by less than 5: the total stays near the exact count
        assert abs(expected[label] - expected["exact"][label]) < 5 * 40, label
    assert expected[REFERRED] != expected["exact"][REFERRED]  # the rounding did something
    ratio = 100 * expected[REFERRED] / expected["eligible_arrests"]
    assert float(shown_metrics[RATIO].value) == pytest.approx(ratio, abs=0.0501)
    assert expected[REFERRED] > 0
    assert "Diversion ratio" not in [metric.label for metric in at.metric]  # one name for the ratio
    captions = " ".join(c.value for c in at.caption)
    assert "Computed from the loaded data; no published figure exists for this ratio." in captions
    assert disclosure.PROTECTION_NOTE in captions
    assert at.selectbox(key="referrals_area").value == CENTRAL
    # public: no re-arrest chart, a plain statement instead
    assert "rearrest" not in charts_by_key(at)
    assert any("signed-in staff only" in info.value for info in at.info)


def test_changes_are_against_the_previous_period_of_the_same_length(demo_db_path, demo_con, monkeypatch):
    start, end = date(2018, 1, 1), date(2018, 12, 31)
    at = open_referrals(demo_db_path, monkeypatch, staff=True, period=(start, end))
    length = end - start + timedelta(days=1)
    now = direct_headline(demo_con, CENTRAL, start, end)
    before = direct_headline(demo_con, CENTRAL, start - length, start - timedelta(days=1))
    shown_metrics = metrics(at)
    for label in COUNTED:
        assert shown_metrics[label].value == f"{now[label]:,}", label
        assert shown_metrics[label].delta == str(now[label] - before[label]), label
    ratio_now = round(100 * now[REFERRED] / now["eligible_arrests"], 1)
    ratio_before = round(100 * before[REFERRED] / before["eligible_arrests"], 1)
    assert float(shown_metrics[RATIO].delta) == pytest.approx(ratio_now - ratio_before, abs=0.11)
    assert "Changes compare with 01 Jan 2017 – 31 Dec 2017." in " ".join(c.value for c in at.caption)


def test_public_payload_names_no_case_manager_and_draws_no_small_referral_count(
    demo_db_path, demo_con, monkeypatch
):
    at = open_referrals(demo_db_path, monkeypatch)
    ids = [row[0] for row in demo_con.execute("select case_manager_id from case_managers union all "
                                              "select peer_id from case_managers").fetchall()]  # fmt: skip
    assert ids
    figures = charts_by_key(at)
    assert {
        "over_time",
        "funnel",
        "reasons",
        "offenses",
        "places",
        "arrests_vs_referrals",
        "caseload",
    } <= set(figures)
    assert "caseload_pairs" not in figures
    payload = json.dumps([element.proto.spec for element in at.get("plotly_chart")])
    payload += json.dumps([frame.value.to_json() for frame in at.dataframe])
    assert not [i for i in ids if i in payload]

    # Referral counts drawn as bars (not arrests, not ratios) are never 1 to 4 in public.
    referral_bars = [
        value
        for key in ("over_time", "funnel", "reasons", "offenses", "places")
        for trace in figures[key].data
        if trace.type == "bar"
        for value in values(trace.x if trace.orientation == "h" else trace.y)
    ]  # fmt: skip
    referral_bars += values(figures["arrests_vs_referrals"].data[1].y)
    drawn = [v for v in referral_bars if v == v]  # not NaN
    assert drawn and not [v for v in drawn if 0 < v < 5]
    # ...and no count of people is, in any table under the charts. Arrest counts (BPD's own open
    # data, not participants), staff pair counts and month offsets are shown as they are.
    not_people = {"LEAD-eligible arrests", "Pairs on staff", "Pairs over 28", "Months from launch"}
    checked = 0
    for frame in at.dataframe:
        table = frame.value
        for column in set(table.columns) - not_people:
            if table[column].dtype.kind in "iu":
                checked += 1
                assert not table[column].between(1, 4).any(), column
    assert checked >= 3  # tables without hidden cells keep numeric columns: they were looked at


def test_staff_view_shows_each_pair_and_re_arrest_with_cited_context(demo_db_path, demo_con, monkeypatch):
    at = open_referrals(demo_db_path, monkeypatch, staff=True)
    figures = charts_by_key(at)
    pair_lines = {trace.name for trace in figures["caseload_pairs"].data}
    pairs = {
        f"{cm} + {peer}"
        for cm, peer in demo_con.execute("select case_manager_id, peer_id from case_managers").fetchall()
    }
    assert pair_lines and pair_lines <= pairs | {"Over the cap of 28"}
    reference_lines = {shape.y0 for shape in figures["caseload_pairs"].layout.shapes}
    assert {28, 25} <= reference_lines
    assert "rearrest" in figures
    context = " ".join(info.value for info in at.info)
    assert "not a like-for-like comparison" in context
    assert "Collins, Lonczak & Clifasefi" in context and "58% lower odds of arrest" in context
    assert not at.exception


def test_a_period_without_referrals_says_so_instead_of_drawing(demo_db_path, monkeypatch):
    at = open_referrals(demo_db_path, monkeypatch, period=(date(2015, 1, 1), date(2015, 12, 31)))
    assert any("No referrals were recorded" in info.value for info in at.info)
    figures = charts_by_key(at)
    assert not {"over_time", "funnel", "reasons", "offenses", "places"} & set(figures)
    assert "arrests_vs_referrals" in figures  # eligible arrests still happened
    assert metrics(at)[REFERRED].value == "0"


def test_choosing_the_pilot_zone_and_quarters(demo_db_path, demo_con, monkeypatch, last_date):
    at = open_referrals(demo_db_path, monkeypatch, staff=True, area="pilot_zone", step="quarter")
    expected = direct_headline(demo_con, "pilot_zone", LAUNCH, last_date)
    assert metrics(at)[REFERRED].value == f"{expected[REFERRED]:,}"
    over_time = charts_by_key(at)["over_time"]
    assert over_time.data[0].xperiod == "M3"
    assert sum(values(over_time.data[0].y)) + sum(values(over_time.data[1].y)) == expected[REFERRED]
    assert at.header[0].value == "Referrals per quarter, by type"


def test_a_data_table_is_sent_only_once_its_expander_is_opened(demo_db_path, monkeypatch):
    monkeypatch.setenv("LEAD_DB", str(demo_db_path))
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    at.run()
    at.switch_page("pages/referrals.py")
    at.run()
    assert len(at.expander) >= 8 and len(at.dataframe) == 0
    at.session_state[table_open_key("funnel")] = True
    at.run()
    (table,) = at.dataframe
    assert len(table.value) > 0
    assert [button.label for button in at.get("download_button")] == ["Download CSV"]


@pytest.mark.parametrize("staff", [False, True], ids=["public", "staff"])
def test_every_chart_sent_is_valid_plotly(demo_db_path, monkeypatch, staff):
    """The app builds its figures without plotly's property checks (ui.charts._figure, for speed): the
    checks run here instead, on every chart the page sends."""
    at = open_referrals(demo_db_path, monkeypatch, staff=staff)
    specs = [json.loads(element.proto.spec) for element in at.get("plotly_chart")]
    assert len(specs) >= 8
    for spec in specs:
        plotly.graph_objects.Figure(spec)  # raises on any property plotly does not know or accept
