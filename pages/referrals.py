"""Referrals: how many people were referred, and what happened to every referral.

What the page shows (figures, notes, masked tables) comes from the screen model, screens/referrals.py;
this file holds the headings, the widgets and the layout.
"""

import streamlit as st

from domain.figures import REFERRALS_PER_100
from screens import referrals
from screens.parts import Metric
from screens.referrals import Message, Panel
from ui import charts, tables
from ui.chrome import current_view
from ui.data import query
from ui.filters import LAUNCH_WINDOW, REFERRALS_AREA, REFERRALS_STEP, draw

MARKERS = tuple(charts.DateMarker(on, label) for on, label in referrals.MARKERS)
CAP_LINES = [
    charts.Reference(referrals.CAP, referrals.CAP_LABEL, color=charts.ALERT, dash="solid"),
    charts.Reference(referrals.NATIONAL_CAP, referrals.NATIONAL_CAP_LABEL),
]
OVER_CAP = charts.Reference(referrals.CAP, referrals.OVER_CAP_LABEL)
SAY = {"info": st.info, "warning": st.warning, "success": st.success}
PUBLIC_STEP = {
    "options": ["quarter"],
    "default": "quarter",
    "disabled": True,
    "help": "Public figures are counted per whole quarter; staff can show months.",
    "unavailable": "public figures are counted per whole quarter",
}

st.title("Referrals")
st.caption(
    "How many people officers referred to LEAD, and what happened to every referral: eligibility, "
    "intake, enrolment, exit and re-arrest — next to the LEAD-eligible arrests in the same place and time."
)

view = current_view()
if view is None:
    st.stop()  # the database is empty; the banner above says how to build it
public = view.public
projector = tables.projector_on()  # charts are then built at projector size in one go (ui.charts)

# --- Widgets ---------------------------------------------------------------------------------------------
area_names = referrals.area_names(query("area_list", edition="1959-2022"))
picker, stepper = st.columns([3, 1])
with picker:
    area_id = draw(
        REFERRALS_AREA,
        options=list(area_names),
        default=referrals.default_area(area_names),
        format=area_names.get,
    )
with stepper:  # public figures are counted per quarter: the only choice offered
    step = draw(REFERRALS_STEP, **(PUBLIC_STEP if public else {}))
# The figures depend on the launch window, whose widget sits below the sections before it: those
# sections go into this container once the figures are known.
above_launch = st.container()
st.subheader("Eligible arrests around the launch: pilot zone against the rest of the city")
launch_window = draw(LAUNCH_WINDOW)

screen = referrals.referral_screen(
    query,
    referrals.Selection(
        area_id=area_id,
        area_label=area_names[area_id],
        step=step,
        launch_window=launch_window,
        start_date=view.start_date,
        end_date=view.end_date,
        first_date=view.first_date,
        last_date=view.last_date,
        public=public,
    ),
)


def say(message: Message | None) -> None:
    if message is not None:
        SAY[message.kind](message.text, icon=message.icon)


def metric_rows(metrics: list[Metric], per_row: int = 3) -> None:
    """Metrics in rows of ``per_row``: six side by side cut the longer labels short."""
    for first in range(0, len(metrics), per_row):
        row = metrics[first : first + per_row]
        for cell, metric in zip(st.columns(per_row), row, strict=False):
            cell.metric(**vars(metric))  # a Metric's fields are st.metric's arguments


def show(figure, panel: Panel) -> None:
    tables.chart_with_data(figure, panel.frame, public=public, **panel.table())


def horizontal_bars(panel: Panel, category: str, **style) -> None:
    (value,) = panel.series
    chart = charts.horizontal_bars(
        panel.frame, category, value, panel.title, panel.labels[category], projector=projector, **style
    )
    show(chart, panel)


with above_launch:
    # --- Headline row: this period against the previous period of the same length -------------------
    st.subheader(screen.heading)
    metric_rows(screen.metrics)
    st.caption(screen.headline_note)
    say(screen.no_referrals)

    # --- Referrals over time ---------------------------------------------------------------------------
    if screen.over_time:
        st.header(f"Referrals per {screen.step}, by type")
        over_time = screen.over_time
        show(
            charts.stacked_bars_over_time(
                over_time.frame,
                over_time.series,
                over_time.title,
                markers=MARKERS,
                total="total",
                months_per_step=screen.months_per_step,
                projector=projector,
            ),
            over_time,
        )
        if screen.launch_note:
            st.caption(screen.launch_note)

    # --- The funnel ------------------------------------------------------------------------------------
    if screen.funnel:
        st.header("What happened to the people referred")
        st.caption(screen.funnel_note)
        funnel = screen.funnel
        chart = charts.funnel(
            funnel.frame.iloc[0], funnel.series, funnel.split, funnel.title, projector=projector
        )
        show(chart, funnel)
        horizontal_bars(screen.reasons, "reason", x_title="People", color=charts.PALETTE[3])

    # --- Offense and place -----------------------------------------------------------------------------
    if screen.offenses:
        st.header("Offense and place")
        horizontal_bars(screen.offenses, "offense_category")
        horizontal_bars(screen.places, "area_group", color=charts.PALETTE[2])
        st.caption(screen.places_note)

    # --- Referrals joined to arrests -------------------------------------------------------------------
    st.header("Referrals and LEAD-eligible arrests")
    st.caption(screen.side_by_side_note)
    say(screen.side_by_side_empty)
    if screen.side_by_side:
        side_by_side = screen.side_by_side
        show(
            charts.counts_and_ratio(
                side_by_side.frame,
                side_by_side.series,
                REFERRALS_PER_100.key,
                REFERRALS_PER_100.label,
                side_by_side.title,
                markers=MARKERS,
                months_per_step=screen.months_per_step,
                projector=projector,
            ),
            side_by_side,
        )

# --- Around the launch (its heading and window are drawn above) ----------------------------------------
launch = screen.around_launch
say(launch.missing)
if launch.panel:
    metric_rows(launch.metrics, per_row=len(launch.metrics))
    show(
        charts.lines_by_group(
            launch.panel.frame,
            "month",
            "index_to_before",
            "area_group",
            launch.panel.title,
            "Index",
            labels=referrals.AREA_GROUP_LABELS,
            references=[charts.Reference(100, "Average month before launch")],
            markers=MARKERS,
            projector=projector,
        ),
        launch.panel,
    )
    st.caption(launch.note)

# --- Caseload ------------------------------------------------------------------------------------------
st.header("Caseload per case manager–peer pair")
caseload = screen.caseload
st.caption(caseload.note)
for message in caseload.messages:
    say(message)
if caseload.over_cap:
    tables.data_table(caseload.over_cap.frame, public=public, expanded=True, **caseload.over_cap.table())
if caseload.panel:
    panel = caseload.panel
    if public:  # the largest and the average caseload at each month-end
        chart = charts.lines_with_references(
            panel.frame, "snapshot_on", panel.series, panel.title, "Participants per pair",
            references=CAP_LINES, flag_over=OVER_CAP, projector=projector,
        )  # fmt: skip
    else:  # a line per pair
        chart = charts.lines_by_group(
            panel.frame, "snapshot_on", "caseload", "pair", panel.title, "Participants",
            references=CAP_LINES, flag_over=OVER_CAP, projector=projector,
        )  # fmt: skip
    show(chart, panel)
if caseload.footer:
    st.caption(caseload.footer)

# --- Re-arrest after enrolment (staff) -----------------------------------------------------------------
st.header("Re-arrest after enrolment")
rearrest = screen.rearrest
say(rearrest.message)
if rearrest.panel:
    show(
        charts.lines_with_references(
            rearrest.panel.frame,
            "months_since_enrolment",
            rearrest.panel.series,
            rearrest.panel.title,
            "Re-arrested",
            x_title="Months since enrolment",
            y_suffix="%",
            projector=projector,
        ),
        rearrest.panel,
    )
    st.caption(rearrest.note)
say(rearrest.context)
