"""Impact: is it working? Did eligible arrests change where LEAD runs, and what happens to participants.

What the page shows comes from the screen model, screens/impact.py (statistics in impact/, words in
domain/impact.py); this file holds the headings, the widgets and the layout.
"""

import streamlit as st

from domain import impact as words
from screens import impact
from ui import impact_charts, impact_data, tables
from ui.chrome import current_view
from ui.data import query
from ui.filters import IMPACT_COMPARISON, IMPACT_MONTHS_AFTER, IMPACT_ROLLOUT, draw
from ui.impact_png import event_study_png, rearrest_png

st.title("Is it working?")
st.caption(
    "What the data can and cannot say about LEAD's effect: LEAD-eligible arrests where the program runs, "
    "against comparison neighbourhoods, with the uncertainty of every estimate; and what happens to "
    "participants after they enrol."
)

view = current_view()
if view is None:
    st.stop()  # the database is empty; the banner above says how to build it
public = view.public
projector = tables.projector_on()

# --- Widgets -----------------------------------------------------------------------------------------------
monthly = query("impact_monthly_eligible_arrests", first_month=impact.FIRST_MONTH)
rollout = draw(IMPACT_ROLLOUT)
post_months = draw(IMPACT_MONTHS_AFTER)
names, matched = impact_data.comparison_choices(monthly, rollout)
comparison = draw(
    IMPACT_COMPARISON[rollout],
    options=list(names),
    default=list(matched),
    format=lambda unit: names.get(unit, unit),
)
period = view.public_period() if public else (view.start_date, view.end_date)
screen = impact.impact_screen(
    query,
    impact.Selection(rollout, post_months, tuple(comparison), period[0], period[1], view.last_date, public),
    area=impact_data.area_level,
    participants=impact_data.participant_level,
)

if screen.demo_note:
    st.info(screen.demo_note, icon=":material/science:")


def table(part: impact.Table, expanded: bool = False) -> None:
    tables.data_table(part.frame, public=public, expanded=expanded, **part.table())


def metric_row(metrics) -> None:
    for cell, metric in zip(st.columns(len(metrics)), metrics, strict=True):
        cell.metric(**vars(metric))


# --- Area level -------------------------------------------------------------------------------------------
area = screen.area
st.header(f"Did LEAD-eligible arrests change in {area.rollout.area_words}?")
if area.problem:
    st.warning(area.problem, icon=":material/info:")
if area.metrics:
    metric_row(area.metrics)
if area.reading:
    st.markdown(f"**{area.reading}**")
    if screen.synthetic_arrests:
        st.caption(words.SYNTHETIC_NOTE)
if area.event_study:
    study = area.event_study
    figure = impact_charts.event_study(study.frame, study.title, projector=projector)
    tables.chart_with_data(figure, study.frame, public=public, **study.table())
    st.caption(words.EVENT_STUDY_NOTE)
    st.download_button(
        "Event-study chart (PNG)",
        data=lambda: event_study_png(study.frame, study.title),
        file_name=f"{study.file_name}.png",
        mime="image/png",
        icon=":material/download:",
        on_click="ignore",
        key="impact_event_study_png",
    )
if area.placebo:
    st.markdown(area.placebo)
if area.estimates:
    table(area.estimates, expanded=True)
st.subheader("Comparison neighbourhoods")
st.caption(
    "Chosen in the open: neighbourhoods outside the Central District, closest to the area in eligible "
    "arrests a month and in their trend over the three years before launch. Change the group above; "
    "the table lists the 30 closest and any you added."
)
if area.comparison:
    table(area.comparison)
with st.expander("How this is estimated, and what it cannot tell"):
    st.markdown(words.METHOD_NOTE)
    st.markdown("\n".join(f"- {caveat}" for caveat in words.CAVEATS))
st.markdown("**Caveats:** " + " ".join(words.CAVEATS[:2]))

# --- Participant level -------------------------------------------------------------------------------------
st.header("What happens after enrolment")
people = screen.participants
st.caption(
    f"Participants referred {period[0]:%d %b %Y} – {period[1]:%d %b %Y} (the period in the sidebar) "
    "who enrolled."
)
metric_row(people.metrics)
if people.message:
    st.info(people.message, icon=":material/info:")
if people.curve:
    curve = people.curve
    figure = impact_charts.rearrest_curve(curve.frame, curve.title, projector=projector)
    tables.chart_with_data(figure, curve.frame, public=public, **curve.table())
    st.caption(people.note)
    st.download_button(
        "Re-arrest curve (PNG)",
        data=lambda: rearrest_png(curve.frame, curve.title),
        file_name=f"{curve.file_name}.png",
        mime="image/png",
        icon=":material/download:",
        on_click="ignore",
        key="impact_rearrest_png",
    )
if people.horizons:
    table(people.horizons, expanded=True)
st.info(words.SEATTLE_CONTEXT, icon=":material/menu_book:")
st.caption(f"Also: {words.SANTA_FE_CONTEXT.figure} ({words.SANTA_FE_CONTEXT.source}).")
left, right = st.columns(2)
for column, part in ((left, people.exits), (right, people.time_in_program)):
    if part is not None:
        with column:
            st.subheader(part.title)
            table(part, expanded=True)
