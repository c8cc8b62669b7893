"""What the Referrals page shows for one area, period and view: every figure, note, chart input and
data table, already masked and written out, so the page only lays it out.

``referral_screen(run, selection)`` runs the page's queries through ``run`` (the page passes its cached
``ui.data.query``; tests pass ``functools.partial(queries.run, con)``), masks every count of the page at
once (``referral_figures``) and writes the headline row against the previous period of the same length.
Headline figures are the ones ``domain.figures`` defines (label, help, the ratio and its hide rule);
table headings come from the queries' ``-- @column`` lines (``queries.column_labels``).

Every count of the page is tied to the others by the sums a reader could do (months add up to the
period's referrals, the reasons for not being eligible to referrals minus those found eligible, ...). In
a public view ``domain.privacy.Disclosure`` hides the counts of 1 to 4 and whatever else those sums
would give away, across the whole page at once, so a count withheld in one chart is not shown in
another. A staff view hides nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

import queries
from domain import disclosure, figures, program
from domain import format as fmt
from domain.privacy import (
    COMPLEMENT_NOTE,
    COMPLEMENT_TEXT,
    SUPPRESSED_TEXT,
    Disclosure,
    hide_where_missing,
    public_delta,
)
from screens.parts import Metric

RunQuery = Callable[..., pd.DataFrame]  # (query name, **parameters) -> result

CENTRAL = "district:1959-2022:Central"
STEP_MONTHS = {"month": 1, "quarter": 3}
LAUNCH_WINDOWS = (12, 24)  # months either side of the launch
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
# Dates marked on every time chart: (date, label).
MARKERS = (
    (program.PILOT_LAUNCH, "Pilot launch"),
    (
        program.DISTRICT_WIDE_FROM,
        "District-wide (assumed date)" if program.DISTRICT_WIDE_IS_ASSUMED else "District-wide",
    ),
)
CAP = program.CASELOAD_CAP_BALTIMORE
NATIONAL_CAP = program.CASELOAD_STANDARDS["LEAD national: never more than"]
CAP_LABEL = f"Baltimore cap: {CAP}"
NATIONAL_CAP_LABEL = f"National: never over {NATIONAL_CAP}"
OVER_CAP_LABEL = f"Over the cap of {CAP}"

# The headline row, in order, and how each figure's change is coloured (a fall in re-arrests is good;
# the caseload on one day is not better or worse for changing).
HEADLINE_ROW = (
    figures.REFERRALS,
    figures.FOUND_ELIGIBLE,
    figures.ENROLLED,
    figures.ACTIVE_CASELOAD,
    figures.REARRESTED,
)
DELTA_COLORS = {"active_caseload": "off", "rearrested": "inverse"}

# The counts of each query the page shows, every one of them registered with the page's Disclosure.
HEADLINE = ("referrals", "found_eligible", "enrolled", "active_caseload", "rearrested", "eligible_arrests")
TYPES = ("arrest", "social_contact")
FUNNEL_STAGES = ("referred", "eligibility_confirmed", "intake", "enrolled")
FUNNEL_SPLIT = ("still_active", "exited")
FUNNEL = (*FUNNEL_STAGES, *FUNNEL_SPLIT)
FUNNEL_SAME_AS_HEADLINE = {
    "referred": "referrals",
    "eligibility_confirmed": "found_eligible",
    "enrolled": "enrolled",
}
# Which area groups of the "by area" chart add up to the headline's referrals, for the area picked.
PLACES_IN_AREA = {
    "city": ("pilot_zone", "rest_of_central", "elsewhere", "location_not_recorded"),
    "pilot_zone": ("pilot_zone",),
    CENTRAL: ("pilot_zone", "rest_of_central"),
}
CASELOAD_COUNTS = ("max_caseload", "assigned_participants", "unassigned_participants")
RATIO = figures.REFERRALS_PER_100.key
_INFO = ":material/info:"
_NO_REFERRALS = (
    "No referrals were recorded in {} during {}. Choose a longer period or another area; the arrest "
    "figures below still apply."
)
_LAUNCH_NOTE = (
    f"Pilot launch {program.PILOT_LAUNCH:%B %Y} ({program.CITATIONS['launch'].source}). The district-wide "
    f"date, {program.DISTRICT_WIDE_FROM:%B %Y}, is assumed: program material says an expansion was under way "
    "by late 2017 but gives no date."
)


# The areas ------------------------------------------------------------------------------------------------


def area_label(kind: str, name: str) -> str:
    """How the area picker names an area: 'Central District (1959–2022)', 'Midtown (neighbourhood)'."""
    return {
        "city": "Whole city",
        "pilot_zone": "LEAD pilot zone",
        "district": f"{name} District (1959–2022)",
        "neighborhood": f"{name} (neighbourhood)",
    }.get(kind, name)


def area_names(area_list: pd.DataFrame) -> dict[str, str]:
    """Area id → label for the picker: the whole city first, then ``queries/area_list.sql``'s order."""
    # Read as lists: itertuples over the ~300 areas cost a millisecond on every run.
    columns = (area_list[column].tolist() for column in ("area_id", "kind", "name"))
    return {"city": area_label("city", "")} | {
        area_id: area_label(kind, name) for area_id, kind, name in zip(*columns, strict=True)
    }


def default_area(names: Mapping[str, str]) -> str:
    """The Central District, where LEAD works, when it is loaded; else the whole city."""
    return CENTRAL if CENTRAL in names else "city"


# What the page shows --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """What the reader chose, and the data's extent: everything the page's figures depend on."""

    area_id: str
    area_label: str
    step: str  # "month" or "quarter" (a public view always counts quarters)
    launch_window: int  # months either side of the launch
    start_date: date
    end_date: date
    first_date: date  # first and last day of the loaded data
    last_date: date
    public: bool


@dataclass(frozen=True)
class Message:
    """A boxed message: ``kind`` is "info", "warning" or "success"."""

    kind: str
    text: str
    icon: str | None = None


@dataclass(frozen=True)
class Panel:
    """One chart and the data table under it: what the chart draws, and how the table reads."""

    key: str  # names the chart, its table and its download on the page
    title: str  # the chart's title
    frame: pd.DataFrame  # masked for a public view
    table_title: str
    file_name: str
    series: Mapping[str, str] = field(default_factory=dict)  # column → legend label, for the chart
    split: Mapping[str, str] = field(default_factory=dict)  # the funnel: how its last stage splits
    counts: tuple[str, ...] = ()  # count columns: hidden cells read in words
    names: Mapping[str, str] = field(default_factory=dict)  # column → table heading
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # column → {code: text}

    def table(self) -> dict:
        """The table's arguments for ``ui.tables.chart_with_data`` / ``data_table`` (with ``public``)."""
        return {
            "key": self.key,
            "title": self.table_title,
            "file_name": self.file_name,
            "counts": list(self.counts),
            "labels": self.labels,
            "names": self.names,
        }


@dataclass(frozen=True)
class AroundLaunch:
    """Eligible arrests either side of the launch: a metric per area group and a chart, or why not."""

    missing: Message | None
    metrics: list[Metric]
    panel: Panel | None
    note: str


@dataclass(frozen=True)
class Caseload:
    """Caseload per case manager–peer pair: the public summary per month-end, or each pair for staff."""

    note: str
    messages: list[Message]
    over_cap: Panel | None  # staff: the pairs over the cap
    panel: Panel | None  # public: largest and average per month-end; staff: a line per pair
    footer: str | None


@dataclass(frozen=True)
class Rearrest:
    """Re-arrest after enrolment (staff only), with the cited context."""

    message: Message | None
    panel: Panel | None
    note: str | None
    context: Message | None


@dataclass(frozen=True)
class ReferralScreen:
    """Everything the Referrals page shows below its pickers, in page order."""

    step: str
    months_per_step: int
    heading: str
    metrics: list[Metric]
    headline_note: str
    no_referrals: Message | None
    over_time: Panel | None
    launch_note: str | None
    funnel_note: str
    funnel: Panel | None
    reasons: Panel | None
    offenses: Panel | None
    places: Panel | None
    places_note: str
    side_by_side_note: str
    side_by_side_empty: Message | None
    side_by_side: Panel | None
    around_launch: AroundLaunch
    caseload: Caseload
    rearrest: Rearrest


def referral_screen(run: RunQuery, chosen: Selection) -> ReferralScreen:
    """Run the page's queries for ``chosen`` and write out what the page shows."""
    public = chosen.public
    step = "quarter" if public else chosen.step  # public figures are counted per quarter
    area = chosen.area_label
    period = f"{chosen.start_date:%d %b %Y} – {chosen.end_date:%d %b %Y}"
    counted = {
        "area_id": chosen.area_id,
        "start_date": chosen.start_date,
        "end_date": chosen.end_date,
        "public": public,
    }
    now = run("referral_headline", **counted).iloc[0]
    previous = disclosure.previous_period(chosen.start_date, chosen.end_date, public)
    before = None
    if previous[0] >= chosen.first_date:
        before = run(
            "referral_headline", area_id=chosen.area_id, start_date=previous[0], end_date=previous[1],
            public=public,
        ).iloc[0]  # fmt: skip
    has_referrals = int(now["referrals"]) > 0
    in_period = {"start_date": chosen.start_date, "end_date": chosen.end_date}
    launch = {"launch_on": program.PILOT_LAUNCH, "window_months": chosen.launch_window}
    masked = referral_figures(
        ReferralTables(
            area_id=chosen.area_id,
            headline=now,
            over_time=run("referral_by_type_over_time", **counted, step=step) if has_referrals else None,
            funnel=run("referral_funnel", **counted) if has_referrals else None,
            reasons=run("referral_not_eligible_reasons", **counted) if has_referrals else None,
            offenses=run("referral_by_offense", **counted) if has_referrals else None,
            places=run("referral_by_area", **in_period, public=public) if has_referrals else None,
            side_by_side=run("eligible_arrests_vs_referrals_over_time", **counted, step=step),
            around_launch=run("eligible_arrests_around_launch", **launch),
            caseload=run("caseload_summary_by_month", **in_period, cap=CAP, public=True) if public else None,
        ),
        public,
    )
    tag = f"{chosen.area_id.replace(':', '_')}_{chosen.start_date}_{chosen.end_date}"
    step_names = {"period_start": f"{step.capitalize()} starting"}
    type_names = queries.column_labels("referral_by_type_over_time")
    funnel_names = queries.column_labels("referral_funnel")
    side_names = {
        **queries.column_labels("eligible_arrests_vs_referrals_over_time"),
        **step_names,
        RATIO: figures.REFERRALS_PER_100.label,
    }
    arrests_or_referrals = has_referrals or int(now["eligible_arrests"]) > 0
    ratio_help = _sentence_case(figures.REFERRALS_PER_100.help, lower=True)
    return ReferralScreen(
        step=step,
        months_per_step=STEP_MONTHS[step],
        heading=f"{area}, {period}",
        metrics=_headline(masked.counts, now, before, chosen),
        headline_note=_headline_note(masked.counts, before, previous, chosen),
        no_referrals=None if has_referrals else Message("info", _NO_REFERRALS.format(area, period), _INFO),
        over_time=_panel(
            masked.over_time,
            key="over_time",
            title=f"Referrals per {step} in {area}",
            table_title=f"referrals per {step}",
            file_name=f"referrals_by_{step}_{tag}",
            series={column: type_names[column] for column in TYPES},
            counts=(*TYPES, "total"),
            names={**type_names, **step_names},
        ),
        launch_note=_LAUNCH_NOTE if has_referrals and program.DISTRICT_WIDE_IS_ASSUMED else None,
        funnel_note=f"Everyone referred in {area} during the period, followed to the latest loaded data "
        f"({chosen.last_date:%d %b %Y}).",
        funnel=_panel(
            masked.funnel,
            key="funnel",
            title="From referral to outcome",
            table_title="funnel",
            file_name=f"referral_funnel_{tag}",
            series={column: funnel_names[column] for column in FUNNEL_STAGES},
            split={column: funnel_names[column] for column in FUNNEL_SPLIT},
            counts=FUNNEL,
            names=funnel_names,
        ),
        reasons=_breakdown(
            masked.reasons,
            "referral_not_eligible_reasons",
            key="reasons",
            title="Not confirmed eligible, by reason",
            table_title="not confirmed eligible, by reason",
            file_name=f"referrals_not_eligible_{tag}",
            codes={"reason": NOT_ELIGIBLE_LABELS},
        ),
        offenses=_breakdown(
            masked.offenses,
            "referral_by_offense",
            key="offenses",
            title=f"By offense category, {area}",
            table_title="referrals by offense category",
            file_name=f"referrals_by_offense_{tag}",
            codes={"offense_category": OFFENSE_LABELS},
        ),
        places=_breakdown(
            masked.places,
            "referral_by_area",
            key="places",
            title="By area, all referrals",
            table_title="referrals by area",
            file_name=f"referrals_by_area_{chosen.start_date}_{chosen.end_date}",
            codes={"area_group": AREA_GROUP_LABELS},
        ),
        places_note="Every referral in the period, wherever it happened (not only the chosen area).",
        side_by_side_note=f"Arrests for LEAD-eligible offenses (as classified on import) and referrals in "
        f"{area}, per {step}, joined by {step} in the database. "
        f"{figures.REFERRALS_PER_100.label}: {ratio_help}",
        side_by_side_empty=None
        if arrests_or_referrals
        else Message("info", f"No LEAD-eligible arrests and no referrals in {area} during {period}."),
        side_by_side=_panel(
            masked.side_by_side if arrests_or_referrals else None,
            key="arrests_vs_referrals",
            title=f"Eligible arrests and referrals per {step}, {area}",
            table_title=f"eligible arrests and referrals per {step}",
            file_name=f"eligible_arrests_vs_referrals_{tag}",
            series={column: side_names[column] for column in ("eligible_arrests", "referrals")},
            counts=("referrals", "eligible_arrests"),
            names=side_names,
        ),
        around_launch=_around_launch(
            run("eligible_arrests_before_after_launch", **launch), masked.around_launch, chosen.launch_window
        ),
        caseload=_caseload(run, masked.caseload, chosen),
        rearrest=_rearrest(run, now, chosen, area, period),
    )


def _panel(frame: pd.DataFrame | None, **panel) -> Panel | None:
    """A chart's panel, or None when the page does not draw that chart."""
    return None if frame is None else Panel(frame=frame, **panel)


def _breakdown(frame: pd.DataFrame | None, query: str, codes: Mapping[str, Mapping[str, str]], **panel):
    """A horizontal bar chart of a breakdown: its one count column per category (codes written out)."""
    names = queries.column_labels(query)
    (value,) = [column for column in names if column not in codes]
    return _panel(frame, **panel, series={value: names[value]}, counts=(value,), names=names, labels=codes)


def _sentence_case(text: str, lower: bool) -> str:
    return (text[:1].lower() if lower else text[:1].upper()) + text[1:]


# The headline row -----------------------------------------------------------------------------------------


def _headline(
    counts: Disclosure, now: pd.Series, before: pd.Series | None, chosen: Selection
) -> list[Metric]:
    """The five headline counts and the ratio, each with its change against the previous period."""
    public = chosen.public
    compared = f"Change vs the previous {_length(chosen)}."
    extra = {
        "active_caseload": f"Counted on {chosen.end_date:%d %b %Y}, among people referred in the area at "
        "any time.",
        "rearrested": "Of those referred in the period, followed up to the latest loaded data: earlier "
        "periods have had longer to be re-arrested.",
    }
    row = []
    for figure in HEADLINE_ROW:
        key = figure.key
        delta = None
        if before is not None and not counts.is_hidden(key):
            delta = public_delta(now[key], before[key], public)
        row.append(
            Metric(
                figure.label,
                counts.text(key),
                " ".join(filter(None, (figure.help, extra.get(key), compared))),
                delta=delta,
                delta_color=DELTA_COLORS.get(key, "normal"),
            )
        )
    referrals, arrests = now["referrals"], now["eligible_arrests"]
    withheld = any(counts.is_hidden(key) for key in ("referrals", "eligible_arrests"))
    hidden = figures.ratio_is_hidden(referrals, arrests, public, withheld)
    ratio = figures.REFERRALS_PER_100
    row.append(
        Metric(
            ratio.label,
            figures.referrals_per_100_text(referrals, arrests, public, withheld),
            f"{ratio.help} LEAD-eligible arrests in the period: {counts.text('eligible_arrests')}. "
            f"{compared}",
            delta=None if hidden else _ratio_delta(now, before, public),
        )
    )
    return row


def _ratio_delta(now: pd.Series, before: pd.Series | None, public: bool) -> str | None:
    """The ratio's change in points, or None when either period's ratio is hidden or cannot be computed."""
    if before is None or figures.ratio_is_hidden(before["referrals"], before["eligible_arrests"], public):
        return None
    ratios = [figures.referrals_per_100(row["referrals"], row["eligible_arrests"]) for row in (now, before)]
    if None in ratios:
        return None
    change = round(ratios[0] - ratios[1], figures.RATIO_DIGITS)
    return f"{change:+.{figures.RATIO_DIGITS}f}" if change else figures.ratio_text(0)


def _length(chosen: Selection) -> str:
    return disclosure.period_length_text(chosen.start_date, chosen.end_date, chosen.public)


def _headline_note(
    counts: Disclosure, before: pd.Series | None, previous: tuple[date, date], chosen: Selection
) -> str:
    ratio = figures.REFERRALS_PER_100
    notes = [f"{ratio.label}: {_sentence_case(ratio.help, lower=True)}"]
    if before is None:
        notes.append(
            f"No change shown: the previous {_length(chosen)} start before the loaded data "
            f"({chosen.first_date:%d %b %Y}); choose a shorter period to see changes."
        )
    else:
        notes.append(f"Changes compare with {previous[0]:%d %b %Y} – {previous[1]:%d %b %Y}.")
    if chosen.public:
        notes.append(
            f"{disclosure.PROTECTION_NOTE} Arrest counts from 1 to {program.SMALL_COUNT_THRESHOLD - 1} "
            f"read “{SUPPRESSED_TEXT}”."
        )
        if any(counts.text(key) == COMPLEMENT_TEXT for key in HEADLINE):
            notes.append(COMPLEMENT_NOTE)
    return " ".join(notes)


# Breakdowns, the launch, caseload, re-arrest ------------------------------------------------------------


def _around_launch(before_after: pd.DataFrame, frame: pd.DataFrame, window: int) -> AroundLaunch:
    note = (
        "Arrests with a mapped location only (an arrest without one cannot be placed). The rest of Central "
        f"is not an untouched comparison: LEAD went district-wide there in {program.DISTRICT_WIDE_FROM:%B %Y}"
        f"{' (assumed date)' if program.DISTRICT_WIDE_IS_ASSUMED else ''}. A fall in eligible arrests can "
        "have many causes; this chart shows timing, not effect."
    )
    if before_after.empty or 0 in (before_after["months_before"].iat[0], before_after["months_after"].iat[0]):
        missing = Message(
            "info",
            "The loaded arrest records do not cover complete months on both sides of the launch "
            f"({program.PILOT_LAUNCH:%B %Y}), so there is nothing to compare.",
        )
        return AroundLaunch(missing, [], None, note)
    columns = ("area_group", "months_before", "months_after", "before_per_month", "after_per_month",
               "change_pct")  # fmt: skip
    metrics = [
        Metric(
            AREA_GROUP_LABELS.get(group, group),
            f"{fmt.ratio(after)} a month",
            f"Average over {months_after} months from launch against {months_before} months before.",
            delta=None if pd.isna(change) else f"{change:+.1f}%",
            delta_color="off",
            delta_description=f"vs {fmt.ratio(before)} a month before launch",
        )
        for group, months_before, months_after, before, after, change in zip(
            *(before_after[column].tolist() for column in columns), strict=True
        )
    ]
    panel = Panel(
        "around_launch",
        "LEAD-eligible arrests around the launch (average month before = 100)",
        frame,
        "eligible arrests around the launch",
        f"eligible_arrests_around_launch_{window}m",
        counts=("eligible_arrests",),
        names=queries.column_labels("eligible_arrests_around_launch"),
        labels={"area_group": AREA_GROUP_LABELS},
    )
    return AroundLaunch(None, metrics, panel, note)


def _caseload(run: RunQuery, summary: pd.DataFrame | None, chosen: Selection) -> Caseload:
    standard = program.CITATIONS["caseload_standard"]
    cap_source = program.CITATIONS["caseload_cap"]
    note = (
        "Participants enrolled and not exited, per pair, at each month-end of the period (all areas). "
        f"Baltimore's cap: {CAP} per pair ({cap_source.source}). National reference: “{standard.figure}” "
        f"({standard.source})."
    )
    nobody = Message("info", "No case manager–peer pairs were on staff during the period.")
    in_period = {"start_date": chosen.start_date, "end_date": chosen.end_date}
    file_period = f"{chosen.start_date}_{chosen.end_date}"
    if summary is not None:  # the public view: figures per pair summarised per month-end
        if summary.empty or not (summary["pairs"] > 0).any():
            return Caseload(note, [nobody], None, None, None)
        months_over = int((summary["pairs_over_cap"] > 0).sum())
        messages = []
        if months_over:
            messages.append(
                Message(
                    "warning", f"In {months_over} month-end(s) at least one pair was over the cap of {CAP}."
                )
            )
        names = queries.column_labels("caseload_summary_by_month")
        panel = Panel(
            "caseload",
            "Caseload per pair at each month-end",
            summary,
            "caseload per pair",
            f"caseload_summary_{file_period}",
            series={column: names[column] for column in ("max_caseload", "mean_caseload")},
            counts=CASELOAD_COUNTS,
            names=names,
        )
        footer = "Public view: figures per pair are summarised; signed-in staff see each pair."
        return Caseload(note, messages, None, panel, footer)
    pairs = run("caseload_by_pair_month", **in_period, cap=CAP)
    if pairs.empty:
        return Caseload(note, [nobody], None, None, None)
    over_cap = run("caseload_pairs_over_cap", **in_period, cap=CAP)
    over_cap_panel = None
    if over_cap.empty:
        messages = [Message("success", f"No pair was over the cap of {CAP} at any month-end of the period.")]
    else:
        messages = [
            Message("warning", f"{len(over_cap)} pair(s) over the cap of {CAP} at one or more month-ends:")
        ]
        over_cap_panel = Panel(
            "over_cap",
            "Pairs over the cap",
            over_cap,
            "pairs over the cap",
            f"caseload_over_cap_{file_period}",
            names=queries.column_labels("caseload_pairs_over_cap"),
        )
    panel = Panel(
        "caseload_pairs",
        "Caseload of each case manager–peer pair at each month-end",
        pairs,
        "caseload per pair",
        f"caseload_by_pair_{file_period}",
        names=queries.column_labels("caseload_by_pair_month"),
    )
    return Caseload(note, messages, over_cap_panel, panel, None)


def _rearrest(run: RunQuery, now: pd.Series, chosen: Selection, area: str, period: str) -> Rearrest:
    if chosen.public:
        message = Message(
            "info",
            "Re-arrest detail is shown to signed-in staff only. The headline row above gives the number of "
            "participants re-arrested after enrolment.",
            ":material/lock:",
        )
        return Rearrest(message, None, None, None)
    if int(now["referrals"]) == 0 or int(now["enrolled"]) == 0:
        message = Message(
            "info",
            f"No one referred in {area} during {period} has enrolled, so there is no re-arrest to follow.",
        )
        return Rearrest(message, None, None, None)
    seattle = program.CITATIONS["seattle_recidivism"]
    context = Message(
        "info",
        "**Cited context, not a like-for-like comparison.** "
        f"Seattle's LEAD evaluation found {seattle.figure} — {seattle.source}. That study compared "
        "participants with a control group on the odds of arrest; the chart above is the share of "
        "Baltimore participants re-arrested, with no comparison group, "
        "different follow-up and different records.",
        ":material/menu_book:",
    )
    rearrest = run(
        "referral_rearrest_after_enrolment", area_id=chosen.area_id, start_date=chosen.start_date,
        end_date=chosen.end_date, as_of=chosen.last_date, max_months=24,
    )  # fmt: skip
    if rearrest.empty:
        message = Message("info", "No participant from this period has been followed for a full month yet.")
        return Rearrest(message, None, None, context)
    names = queries.column_labels("referral_rearrest_after_enrolment")
    panel = Panel(
        "rearrest",
        "Share of participants re-arrested, by months since enrolment",
        rearrest,
        "re-arrest after enrolment",
        f"rearrest_after_enrolment_{chosen.area_id.replace(':', '_')}_{chosen.start_date}_{chosen.end_date}",
        series={"rearrested_pct": "Re-arrested within this many months"},
        counts=("followed", "rearrested"),
        names=names,
    )
    note = f"Each point counts only participants followed for the full time by {chosen.last_date:%d %b %Y}."
    return Rearrest(None, panel, note, context)


# Masking every count of the page at once ------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralTables:
    """Query results for one area and period, as the page loads them (unmasked)."""

    area_id: str
    headline: pd.Series
    over_time: pd.DataFrame | None = None
    funnel: pd.DataFrame | None = None
    reasons: pd.DataFrame | None = None
    offenses: pd.DataFrame | None = None
    places: pd.DataFrame | None = None
    side_by_side: pd.DataFrame | None = None
    around_launch: pd.DataFrame | None = None
    caseload: pd.DataFrame | None = None  # the public summary per month-end


@dataclass(frozen=True)
class ReferralFigures:
    """The same tables with hidden counts missing, and the page's ``Disclosure`` for the headline."""

    counts: Disclosure
    over_time: pd.DataFrame | None
    funnel: pd.DataFrame | None
    reasons: pd.DataFrame | None
    offenses: pd.DataFrame | None
    places: pd.DataFrame | None
    side_by_side: pd.DataFrame | None
    around_launch: pd.DataFrame | None
    caseload: pd.DataFrame | None


def with_ratio(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its referrals per 100 eligible arrests computed from its two counts
    (``domain.figures``), replacing any such column the query returned."""
    ratio = figures.referrals_per_100_column(frame["referrals"], frame["eligible_arrests"])
    return frame.drop(columns=[RATIO], errors="ignore").assign(**{RATIO: ratio})


def referral_figures(tables: ReferralTables, public: bool) -> ReferralFigures:
    """Register every count of the page and every sum between them, then mask them all at once."""
    counts = Disclosure(public)
    for name in HEADLINE:
        counts.count(name, tables.headline[name])

    if tables.over_time is not None:
        frame = tables.over_time
        counts.table("over_time", frame, [*TYPES, "total"], by="period_start")
        counts.rows_add_up("over_time", frame, list(TYPES), "total", by="period_start")
        counts.column_adds_up("over_time", frame, "total", "referrals", by="period_start")

    side_by_side = None if tables.side_by_side is None else with_ratio(tables.side_by_side)
    if side_by_side is not None:
        frame = side_by_side
        counts.table("side_by_side", frame, ["referrals", "eligible_arrests"], by="period_start")
        counts.column_adds_up("side_by_side", frame, "referrals", "referrals", by="period_start")
        counts.column_adds_up(
            "side_by_side", frame, "eligible_arrests", "eligible_arrests", by="period_start"
        )
        if tables.over_time is not None:
            counts.same_rows("side_by_side", frame, "referrals", "over_time", "total", by="period_start")

    if tables.funnel is not None:
        counts.table("funnel", tables.funnel, FUNNEL)
        row = tables.funnel.index[0]
        for column, headline in FUNNEL_SAME_AS_HEADLINE.items():
            counts.adds_up([("funnel", row, column)], headline)
        counts.adds_up([("funnel", row, "still_active"), ("funnel", row, "exited")], "enrolled")

    if tables.reasons is not None:
        counts.table("reasons", tables.reasons, ["people"])
        not_eligible = [("reasons", index, "people") for index in tables.reasons.index]
        counts.adds_up([*not_eligible, "found_eligible"], "referrals")

    if tables.offenses is not None:
        counts.table("offenses", tables.offenses, ["referrals"])
        counts.column_adds_up("offenses", tables.offenses, "referrals", "referrals")

    if tables.places is not None:
        frame = tables.places
        counts.table("places", frame, ["referrals"], by="area_group")
        counts.column_adds_up("places", frame, "referrals", by="area_group")  # the city's total
        in_area = PLACES_IN_AREA.get(tables.area_id)
        if in_area is not None:
            shown = [("places", group, "referrals") for group in frame["area_group"] if group in in_area]
            counts.adds_up(shown, "referrals")

    if tables.around_launch is not None:
        frame = tables.around_launch
        counts.table("around_launch", frame, ["eligible_arrests"])
        # The metrics beside the chart give each group's average month before and after the launch:
        # times the months, those are sums of the chart's months.
        for _, group in frame.groupby("area_group", sort=False):
            for side in (group["months_from_launch"] < 0, group["months_from_launch"] >= 0):
                counts.adds_up([("around_launch", index, "eligible_arrests") for index in group.index[side]])

    if tables.caseload is not None:
        frame = tables.caseload
        counts.table("caseload", frame, list(CASELOAD_COUNTS))
        for index in frame.index[frame["pairs"] == 1]:  # one pair: its caseload is everyone assigned
            counts.adds_up(
                [("caseload", index, "max_caseload")], ("caseload", index, "assigned_participants")
            )

    return ReferralFigures(
        counts=counts,
        over_time=_masked(counts, "over_time", tables.over_time, [*TYPES, "total"], by="period_start"),
        funnel=_masked(counts, "funnel", tables.funnel, FUNNEL),
        reasons=_masked(counts, "reasons", tables.reasons, ["people"]),
        offenses=_masked(counts, "offenses", tables.offenses, ["referrals"]),
        places=_masked(counts, "places", tables.places, ["referrals"], by="area_group"),
        side_by_side=_ratio_hidden(
            _masked(
                counts, "side_by_side", side_by_side, ["referrals", "eligible_arrests"], by="period_start"
            ),
            ["referrals", "eligible_arrests"],
            [RATIO],
        ),
        around_launch=_ratio_hidden(
            _masked(counts, "around_launch", tables.around_launch, ["eligible_arrests"]),
            ["eligible_arrests"],
            ["index_to_before"],
        ),
        caseload=_ratio_hidden(
            _masked(counts, "caseload", tables.caseload, list(CASELOAD_COUNTS)),
            ["assigned_participants", "max_caseload"],
            ["mean_caseload"],
        ),
    )


def _masked(counts: Disclosure, key: str, frame: pd.DataFrame | None, columns, by: str | None = None):
    return None if frame is None else counts.masked(key, frame, columns, by=by)


def _ratio_hidden(frame: pd.DataFrame | None, counts: list[str], derived: list[str]) -> pd.DataFrame | None:
    """Hide figures computed from a count (a ratio, an index, a mean) wherever that count is hidden."""
    if frame is None:
        return None
    for column in counts:
        frame = hide_where_missing(frame, column, derived)
    return frame
