"""The Impact page ("Is it working?") under Streamlit's AppTest: public, staff and projector."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from domain import impact as words

APP = Path(__file__).resolve().parent.parent / "app.py"
APP_TIMEOUT = 180


def open_impact(db_path, monkeypatch, staff: bool = False, projector: bool = False) -> AppTest:
    monkeypatch.setenv("LEAD_DB", str(db_path))
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    if staff:
        at.session_state["staff_signed_in"] = True
    if projector:
        at.query_params["projector"] = "true"
    at.run()
    at.switch_page("pages/impact.py")
    at.run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("projector", [False, True])
def test_public_view_shows_the_estimate_its_reading_and_the_protected_curve(
    demo_db_path, monkeypatch, projector
):
    at = open_impact(demo_db_path, monkeypatch, projector=projector)
    metrics = _metrics(at)
    assert metrics[words.EFFECT_LABEL].endswith("%")
    assert metrics["Reading"] in (words.NO_DETECTABLE_CHANGE, "A fall", "A rise")
    if metrics["Reading"] == words.NO_DETECTABLE_CHANGE:
        assert any(md.value.startswith(f"**{words.NO_DETECTABLE_CHANGE}") for md in at.markdown)
    assert any("carries no injected effect" in info.value for info in at.info)
    assert any(info.value == words.SEATTLE_CONTEXT for info in at.info)
    assert any(words.PUBLIC_CURVE_NOTE in caption.value for caption in at.caption)
    assert int(metrics["Participants (enrolled)"].replace(",", "")) % 5 == 0
    assert at.multiselect(key="impact_comparison_pilot_zone").value  # the matched group, in the open


def test_changing_the_comparison_group_refits(demo_db_path, monkeypatch):
    at = open_impact(demo_db_path, monkeypatch)
    chosen = at.multiselect(key="impact_comparison_pilot_zone")
    first = _metrics(at)["95% confidence interval"]
    chosen.set_value(chosen.value[:1]).run()
    assert not at.exception and not at.error
    assert _metrics(at)["95% confidence interval"] != first
    assert any(
        "relative to the 1 comparison neighbourhood" in md.value and "neighbourhoods" not in md.value
        for md in at.markdown
    )
    at.multiselect(key="impact_comparison_pilot_zone").set_value([]).run()
    assert any(warning.value == words.NO_COMPARISON for warning in at.warning)
    at.button_group(key="impact_rollout").set_value("district_wide").run()
    assert not at.exception and not at.error
    assert at.multiselect(key="impact_comparison_district_wide").value
    assert any("rest of the Central District" in header.value for header in at.header)


def test_staff_view_shows_the_exact_curve(demo_db_path, monkeypatch):
    at = open_impact(demo_db_path, monkeypatch, staff=True)
    assert not any(words.PUBLIC_CURVE_NOTE in caption.value for caption in at.caption)
    assert any(words.REARREST_NOTE in caption.value for caption in at.caption)
    assert "Re-arrested by 6 months" in _metrics(at)
