"""Referrals: how many people were referred, and what happened to every referral."""

import math

import streamlit as st

from domain import disclosure, program
from domain import format as fmt
from ui import charts, privacy, tables
from ui.chrome import current_view
from ui.data import query
from ui.referral_figures import ReferralTables, referral_figures
from ui.url_state import keep_valid

CENTRAL = "district:1959-2022:Central"
STEP_MONTHS = {"month": 1, "quarter": 3}
TYPE_LABELS = {"arrest": "Arrest referrals", "social_contact": "Social-contact referrals"}
FUNNEL_STAGES = {
    "referred": "Referred",
    "eligibility_confirmed": "Eligibility confirmed",
    "intake": "Intake",
    "enrolled": "Enrolled",
}
FUNNEL_SPLIT = {"still_active": "Still active", "exited": "Exited"}
NOT_ELIGIBLE_LABELS = {
    **program.INELIGIBLE_REASON_LABELS,
    "reason_not_recorded": "Ineligible, reason not recorded",
    "pending": "Eligibility check pending",
}
OFFENSE_LABELS = {**program.LEAD_CATEGORY_LABELS, "not_recorded": "No offense recorded"}
AREA_GROUP_LABELS = {
    "pilot_zone": "Pilot zone",
    "rest_of_central": "Rest of Central District (1959–2022)",
    "elsewhere": "Elsewhere in the city",
    "location_not_recorded": "No location recorded",
}
MARKERS = (
    charts.DateMarker(program.PILOT_LAUNCH, "Pilot launch"),
    charts.DateMarker(
        program.DISTRICT_WIDE_FROM,
        "District-wide (assumed date)" if program.DISTRICT_WIDE_IS_ASSUMED else "District-wide",
    ),
)
RATIO_NOTE = "Computed from loaded data; no published benchmark."
CAP = program.CASELOAD_CAP_BALTIMORE
NATIONAL_CAP = program.CASELOAD_STANDARDS["LEAD national: never more than"]


def area_label(kind: str, name: str) -> str:
    return {
        "city": "Whole city",
        "pilot_zone": "LEAD pilot zone",
        "district": f"{name} District (1959–2022)",
        "neighborhood": f"{name} (neighbourhood)",
    }.get(kind, name)


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

areas = query("area_list", edition="1959-2022")
# Read as lists: itertuples over the ~300 areas cost a millisecond on every run.
area_columns = (areas[column].tolist() for column in ("area_id", "kind", "name"))
area_names = {"city": area_label("city", "")} | {
    area_id: area_label(kind, name) for area_id, kind, name in zip(*area_columns, strict=True)
}
keep_valid("referrals_area", list(area_names), CENTRAL if CENTRAL in area_names else "city")
keep_valid("referrals_step", list(STEP_MONTHS), "month")
if public:
    st.session_state["referrals_step"] = "quarter"  # public figures are counted per quarter
keep_valid("launch_window", [12, 24], 12)
picker, stepper = st.columns([3, 1])
area_id = picker.selectbox(
    "Area",
    list(area_names),
    format_func=area_names.get,
    key="referrals_area",
    help="Where the referral or arrest happened. LEAD works in the Central District (1959–2022 boundaries).",
)
step = stepper.segmented_control(
    "Bars per",
    list(STEP_MONTHS),
    format_func=str.capitalize,
    key="referrals_step",
    required=True,
    disabled=public,
    help="Public figures are counted per whole quarter; staff can show months." if public else None,
)
step = "quarter" if public else (step or "month")
area = area_names[area_id]
period = f"{view.start_date:%d %b %Y} – {view.end_date:%d %b %Y}"
where_when = {"area_id": area_id, "start_date": view.start_date, "end_date": view.end_date}
counted = {**where_when, "public": public}  # referral counts: published in a public view
file_tag = f"{area_id.replace(':', '_')}_{view.start_date}_{view.end_date}"

# --- Headline row: this period against the previous period of the same length -----------------------
previous_start, previous_end = disclosure.previous_period(view.start_date, view.end_date, public)
length_text = disclosure.period_length_text(view.start_date, view.end_date, public)
now = query("referral_headline", **counted).iloc[0]
before = None
if previous_start >= view.first_date:
    before = query(
        "referral_headline", area_id=area_id, start_date=previous_start, end_date=previous_end, public=public
    ).iloc[0]

has_referrals = int(now.referrals) > 0
window = st.session_state["launch_window"]
figures = referral_figures(
    ReferralTables(
        area_id=area_id,
        headline=now,
        over_time=query("referral_by_type_over_time", **counted, step=step) if has_referrals else None,
        funnel=query("referral_funnel", **counted) if has_referrals else None,
        reasons=query("referral_not_eligible_reasons", **counted) if has_referrals else None,
        offenses=query("referral_by_offense", **counted) if has_referrals else None,
        places=query("referral_by_area", start_date=view.start_date, end_date=view.end_date, public=public)
        if has_referrals
        else None,
        side_by_side=query("eligible_arrests_vs_referrals_over_time", **counted, step=step),
        around_launch=query(
            "eligible_arrests_around_launch", launch_on=program.PILOT_LAUNCH, window_months=window
        ),
        caseload=query(
            "caseload_summary_by_month",
            start_date=view.start_date,
            end_date=view.end_date,
            cap=CAP,
            public=True,
        )
        if public
        else None,
    ),
    public,
)

st.subheader(f"{area}, {period}")
compared_with = f"vs the previous {length_text}"


def headline(column, label: str, field: str, help_text: str, delta_color: str = "normal") -> None:
    delta = None
    if before is not None and not figures.headline_hidden(field):
        delta = privacy.public_delta(now[field], before[field], public)
    column.metric(
        label,
        figures.headline(field),
        delta=delta,
        delta_color=delta_color,
        help=f"{help_text} Change {compared_with}.",
    )


cells = st.columns(6)
headline(cells[0], "Referrals", "referrals", "People referred in the area during the period.")
headline(cells[1], "Found eligible", "found_eligible", "Of those referred, confirmed eligible.")
headline(cells[2], "Enrolled", "enrolled", "Of those referred, enrolled in case management.")
headline(
    cells[3],
    "Active caseload",
    "active_caseload",
    f"Participants (referred in the area at any time) enrolled and not exited on {view.end_date:%d %b %Y}.",
    delta_color="off",
)
headline(
    cells[4],
    "Re-arrested",
    "rearrested",
    "Of those referred in the period and enrolled, re-arrested after enrolment (up to the latest data). "
    "Earlier periods have had longer to be re-arrested.",
    delta_color="inverse",
)
ratio_hidden = public and (
    figures.headline_hidden("referrals") or figures.headline_hidden("eligible_arrests")
)
ratio_delta = None
if (
    before is not None
    and not ratio_hidden
    and not (public and privacy.is_small(before.referrals))
    and not math.isnan(now.diversion_ratio)
    and not math.isnan(before.diversion_ratio)
):
    change = round(now.diversion_ratio - before.diversion_ratio, 1)
    ratio_delta = f"{change:+.1f}" if change else "0.0"
cells[5].metric(
    "Diversion ratio",
    "—" if ratio_hidden else fmt.ratio(now.diversion_ratio),
    delta=ratio_delta,
    help=f"Referrals per 100 LEAD-eligible arrests, same area and period. {RATIO_NOTE} "
    f"Referrals ÷ LEAD-eligible arrests ({figures.headline('eligible_arrests')} in the period) × 100.",
)
notes = [
    f"Diversion ratio: referrals per 100 LEAD-eligible arrests, same area and period — {RATIO_NOTE.lower()}"
]
if before is None:
    notes.append(
        f"No change shown: the previous {length_text} start before the loaded data "
        f"({view.first_date:%d %b %Y}); choose a shorter period to see changes."
    )
else:
    notes.append(f"Changes compare with {previous_start:%d %b %Y} – {previous_end:%d %b %Y}.")
if public:
    notes.append(f"{disclosure.PROTECTION_NOTE} Arrest counts from 1 to 4 read “{privacy.SUPPRESSED_TEXT}”.")
st.caption(" ".join(notes))

if not has_referrals:
    st.info(
        f"No referrals were recorded in {area} during {period}. Choose a longer period or another "
        "area; the arrest figures below still apply.",
        icon=":material/info:",
    )

# --- Referrals over time -------------------------------------------------------------------------------
if has_referrals:
    st.header(f"Referrals per {step}, by type")
    over_time = figures.over_time
    figure = charts.stacked_bars_over_time(
        over_time,
        TYPE_LABELS,
        f"Referrals per {step} in {area}",
        markers=MARKERS,
        total="total",
        months_per_step=STEP_MONTHS[step],
        projector=projector,
    )
    tables.chart_with_data(
        figure,
        over_time,
        key="over_time",
        title=f"referrals per {step}",
        file_name=f"referrals_by_{step}_{file_tag}",
        public=public,
        counts=[*TYPE_LABELS, "total"],
        names={"period_start": f"{step.capitalize()} starting", **TYPE_LABELS, "total": "All referrals"},
    )
    if program.DISTRICT_WIDE_IS_ASSUMED:
        st.caption(
            f"Pilot launch {program.PILOT_LAUNCH:%B %Y} ({program.CITATIONS['launch'].source}). "
            f"The district-wide date, {program.DISTRICT_WIDE_FROM:%B %Y}, is assumed: program material "
            "says an expansion was under way by late 2017 but gives no date."
        )

# --- The funnel ----------------------------------------------------------------------------------------
if has_referrals:
    st.header("What happened to the people referred")
    st.caption(
        f"Everyone referred in {area} during the period, followed to the latest loaded data "
        f"({view.last_date:%d %b %Y})."
    )
    stages = figures.funnel
    reasons = figures.reasons
    tables.chart_with_data(
        charts.funnel(
            stages.iloc[0], FUNNEL_STAGES, FUNNEL_SPLIT, "From referral to outcome", projector=projector
        ),
        stages,
        key="funnel",
        title="funnel",
        file_name=f"referral_funnel_{file_tag}",
        public=public,
        counts=[*FUNNEL_STAGES, *FUNNEL_SPLIT],
        names={**FUNNEL_STAGES, **FUNNEL_SPLIT},
    )
    tables.chart_with_data(
        charts.horizontal_bars(
            reasons,
            "reason",
            "people",
            "Not confirmed eligible, by reason",
            NOT_ELIGIBLE_LABELS,
            x_title="People",
            color=charts.PALETTE[3],
            projector=projector,
        ),
        reasons,
        key="reasons",
        title="not confirmed eligible, by reason",
        file_name=f"referrals_not_eligible_{file_tag}",
        public=public,
        counts=["people"],
        labels={"reason": NOT_ELIGIBLE_LABELS},
        names={"reason": "Reason", "people": "People"},
    )

# --- Offense and place ---------------------------------------------------------------------------------
if has_referrals:
    st.header("Offense and place")
    offenses = figures.offenses
    places = figures.places
    tables.chart_with_data(
        charts.horizontal_bars(
            offenses,
            "offense_category",
            "referrals",
            f"By offense category, {area}",
            OFFENSE_LABELS,
            projector=projector,
        ),
        offenses,
        key="offenses",
        title="referrals by offense category",
        file_name=f"referrals_by_offense_{file_tag}",
        public=public,
        counts=["referrals"],
        labels={"offense_category": OFFENSE_LABELS},
        names={"offense_category": "Offense category", "referrals": "Referrals"},
    )
    tables.chart_with_data(
        charts.horizontal_bars(
            places,
            "area_group",
            "referrals",
            "By area, all referrals",
            AREA_GROUP_LABELS,
            color=charts.PALETTE[2],
            projector=projector,
        ),
        places,
        key="places",
        title="referrals by area",
        file_name=f"referrals_by_area_{view.start_date}_{view.end_date}",
        public=public,
        counts=["referrals"],
        labels={"area_group": AREA_GROUP_LABELS},
        names={"area_group": "Area", "referrals": "Referrals"},
    )
    st.caption("Every referral in the period, wherever it happened (not only the chosen area).")

# --- Referrals joined to arrests -----------------------------------------------------------------------
st.header("Referrals and LEAD-eligible arrests")
st.caption(
    f"Arrests for LEAD-eligible offenses (as classified on import) and referrals in {area}, per {step}, "
    f"joined by {step} in the database. Referrals per 100 eligible arrests: {RATIO_NOTE.lower()}"
)
side_by_side = figures.side_by_side
if not has_referrals and int(now.eligible_arrests) == 0:
    st.info(f"No LEAD-eligible arrests and no referrals in {area} during {period}.")
else:
    tables.chart_with_data(
        charts.counts_and_ratio(
            side_by_side,
            {"eligible_arrests": "LEAD-eligible arrests", "referrals": "Referrals"},
            "referrals_per_100",
            "Referrals per 100 eligible arrests",
            f"Eligible arrests and referrals per {step}, {area}",
            markers=MARKERS,
            months_per_step=STEP_MONTHS[step],
            projector=projector,
        ),
        side_by_side,
        key="arrests_vs_referrals",
        title=f"eligible arrests and referrals per {step}",
        file_name=f"eligible_arrests_vs_referrals_{file_tag}",
        public=public,
        counts=["referrals", "eligible_arrests"],
        names={
            "period_start": f"{step.capitalize()} starting",
            "eligible_arrests": "LEAD-eligible arrests",
            "referrals": "Referrals",
            "referrals_per_100": "Referrals per 100 eligible arrests",
        },
    )

st.subheader("Eligible arrests around the launch: pilot zone against the rest of the city")
st.segmented_control(
    "Months either side of launch",
    [12, 24],
    key="launch_window",
    format_func="{} months".format,
    required=True,
)
around_launch = figures.around_launch
before_after = query(
    "eligible_arrests_before_after_launch", launch_on=program.PILOT_LAUNCH, window_months=window
)
if before_after.empty or 0 in (before_after.months_before.iat[0], before_after.months_after.iat[0]):
    st.info(
        f"The loaded arrest records do not cover complete months on both sides of the launch "
        f"({program.PILOT_LAUNCH:%B %Y}), so there is nothing to compare."
    )
else:
    change_cells = st.columns(len(before_after))
    for cell, summary in zip(change_cells, before_after.itertuples(), strict=True):
        cell.metric(
            AREA_GROUP_LABELS[summary.area_group],
            f"{fmt.ratio(summary.after_per_month)} a month",
            delta=None if summary.change_pct is None else f"{summary.change_pct:+.1f}%",
            delta_color="off",
            delta_description=f"vs {fmt.ratio(summary.before_per_month)} a month before launch",
            help=f"Average over {summary.months_after} months from launch against "
            f"{summary.months_before} months before.",
        )
    tables.chart_with_data(
        charts.lines_by_group(
            around_launch,
            "month",
            "index_to_before",
            "area_group",
            "LEAD-eligible arrests around the launch (average month before = 100)",
            "Index",
            labels=AREA_GROUP_LABELS,
            references=[charts.Reference(100, "Average month before launch")],
            markers=MARKERS,
            projector=projector,
        ),
        around_launch,
        key="around_launch",
        title="eligible arrests around the launch",
        file_name=f"eligible_arrests_around_launch_{window}m",
        public=public,
        counts=["eligible_arrests"],
        names={
            "month": "Month",
            "months_from_launch": "Months from launch",
            "area_group": "Area",
            "eligible_arrests": "LEAD-eligible arrests",
            "index_to_before": "Index (average month before launch = 100)",
        },
        labels={"area_group": AREA_GROUP_LABELS},
    )
    st.caption(
        "Arrests with a mapped location only (an arrest without one cannot be placed). The rest of Central "
        "is not an untouched comparison: LEAD went district-wide there in "
        f"{program.DISTRICT_WIDE_FROM:%B %Y}"
        f"{' (assumed date)' if program.DISTRICT_WIDE_IS_ASSUMED else ''}. A fall in eligible arrests "
        "can have many causes; this chart shows timing, not effect."
    )

# --- Caseload ------------------------------------------------------------------------------------------
st.header("Caseload per case manager–peer pair")
standard = program.CITATIONS["caseload_standard"]
cap_source = program.CITATIONS["caseload_cap"]
st.caption(
    f"Participants enrolled and not exited, per pair, at each month-end of the period (all areas). "
    f"Baltimore's cap: {CAP} per pair ({cap_source.source}). National reference: "
    f"“{standard.figure}” ({standard.source})."
)
references = [
    charts.Reference(CAP, f"Baltimore cap: {CAP}", color=charts.ALERT, dash="solid"),
    charts.Reference(NATIONAL_CAP, f"National: never over {NATIONAL_CAP}"),
]
flag = charts.Reference(CAP, f"Over the cap of {CAP}")
if public:
    caseload = figures.caseload
    if int(caseload["pairs"].max() or 0) == 0:
        st.info("No case manager–peer pairs were on staff during the period.")
    else:
        months_over = int((caseload["pairs_over_cap"] > 0).sum())
        if months_over:
            st.warning(f"In {months_over} month-end(s) at least one pair was over the cap of {CAP}.")
        tables.chart_with_data(
            charts.lines_with_references(
                caseload,
                "snapshot_on",
                {"max_caseload": "Largest caseload of a pair", "mean_caseload": "Average caseload per pair"},
                "Caseload per pair at each month-end",
                "Participants per pair",
                references=references,
                flag_over=flag,
                projector=projector,
            ),
            caseload,
            key="caseload",
            title="caseload per pair",
            file_name=f"caseload_summary_{view.start_date}_{view.end_date}",
            public=public,
            counts=["max_caseload", "assigned_participants", "unassigned_participants"],
            names={
                "snapshot_on": "Month-end",
                "pairs": "Pairs on staff",
                "assigned_participants": "Participants with a pair",
                "mean_caseload": "Average caseload",
                "max_caseload": "Largest caseload",
                "pairs_over_cap": f"Pairs over {CAP}",
                "unassigned_participants": "Participants without a pair on staff",
            },
        )
        st.caption("Public view: figures per pair are summarised; signed-in staff see each pair.")
else:
    caseload = query("caseload_by_pair_month", start_date=view.start_date, end_date=view.end_date, cap=CAP)
    over_cap = query("caseload_pairs_over_cap", start_date=view.start_date, end_date=view.end_date, cap=CAP)
    if caseload.empty:
        st.info("No case manager–peer pairs were on staff during the period.")
    else:
        if over_cap.empty:
            st.success(f"No pair was over the cap of {CAP} at any month-end of the period.")
        else:
            st.warning(f"{len(over_cap)} pair(s) over the cap of {CAP} at one or more month-ends:")
            tables.data_table(
                over_cap,
                key="over_cap",
                title="pairs over the cap",
                file_name=f"caseload_over_cap_{view.start_date}_{view.end_date}",
                public=public,
                expanded=True,
                names={
                    "case_manager_id": "Case manager",
                    "peer_id": "Peer",
                    "snapshots_over_cap": "Month-ends over the cap",
                    "max_caseload": "Largest caseload",
                    "first_over_on": "First over",
                    "last_over_on": "Last over",
                },
            )
        tables.chart_with_data(
            charts.lines_by_group(
                caseload,
                "snapshot_on",
                "caseload",
                "pair",
                "Caseload of each case manager–peer pair at each month-end",
                "Participants",
                references=references,
                flag_over=flag,
                projector=projector,
            ),
            caseload,
            key="caseload_pairs",
            title="caseload per pair",
            file_name=f"caseload_by_pair_{view.start_date}_{view.end_date}",
            public=public,
            names={
                "snapshot_on": "Month-end",
                "case_manager_id": "Case manager",
                "peer_id": "Peer",
                "pair": "Pair",
                "caseload": "Caseload",
                "over_cap": f"Over {CAP}",
            },
        )

# --- Re-arrest after enrolment (staff) -----------------------------------------------------------------
st.header("Re-arrest after enrolment")
seattle = program.CITATIONS["seattle_recidivism"]
if public:
    st.info(
        "Re-arrest detail is shown to signed-in staff only. The headline row above gives the number of "
        "participants re-arrested after enrolment.",
        icon=":material/lock:",
    )
elif not has_referrals or int(now.enrolled) == 0:
    st.info(f"No one referred in {area} during {period} has enrolled, so there is no re-arrest to follow.")
else:
    rearrest = query("referral_rearrest_after_enrolment", **where_when, as_of=view.last_date, max_months=24)
    if rearrest.empty:
        st.info("No participant from this period has been followed for a full month yet.")
    else:
        tables.chart_with_data(
            charts.lines_with_references(
                rearrest,
                "months_since_enrolment",
                {"rearrested_pct": "Re-arrested within this many months"},
                "Share of participants re-arrested, by months since enrolment",
                "Re-arrested",
                x_title="Months since enrolment",
                y_suffix="%",
                projector=projector,
            ),
            rearrest,
            key="rearrest",
            title="re-arrest after enrolment",
            file_name=f"rearrest_after_enrolment_{file_tag}",
            public=public,
            counts=["followed", "rearrested"],
            names={
                "months_since_enrolment": "Months since enrolment",
                "followed": "Participants followed this long",
                "rearrested": "Re-arrested within that time",
                "rearrested_pct": "Share re-arrested (%)",
            },
        )
        st.caption(
            f"Each point counts only participants followed for the full time by {view.last_date:%d %b %Y}."
        )
    st.info(
        f"**Cited context, not a like-for-like comparison.** Seattle's LEAD evaluation found "
        f"{seattle.figure} — {seattle.source}. That study compared participants with a control group "
        "on the odds of arrest; the chart above is the share of Baltimore participants re-arrested, "
        "with no comparison group, different follow-up and different records.",
        icon=":material/menu_book:",
    )
