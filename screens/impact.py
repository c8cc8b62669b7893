"""What the Impact page ("Is it working?") shows: the area-level estimate with its comparison group, event
study and placebos, and participants' re-arrest after enrolment, exits and time in the program.

``impact_screen(run, chosen, fit)`` runs the page's queries through ``run`` (the page passes its cached
``ui.data.query``; tests pass ``functools.partial(queries.run, con)``) and fits the model through
``fit`` (``impact.did.analyse``, or the page's cached copy of it: fits are cached by their inputs).

Public views. Arrest counts are BPD's open data, but nothing here shows one month's count of one area:
the estimate, the event study and the placebos are ratios from a model, and the comparison table
shows averages. Participant figures follow the core's disclosure rule: the staff curve is computed
from one row per participant (``impact_participants``, never run for a public view); the public curve
from the life table of ``impact_rearrest_steps`` whose counts are tallied per referral quarter and
rounded to multiples of 5 (``domain/disclosure.py``), so it moves only at whole 3-month steps and is
exactly what those published counts imply: no participant's date or time to re-arrest reaches the
browser, and every count it carries is a multiple of 5.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from domain import disclosure
from domain import impact as words
from impact import did, survival
from screens.parts import Metric

RunQuery = Callable[..., pd.DataFrame]
Fit = Callable[[pd.DataFrame, did.Design], did.Result]
FIRST_MONTH = date(2014, 1, 1)
ESTIMATE_COLUMNS = {
    "estimate": "Estimate",
    "launch": "Launch (or false launch)",
    "change_pct": "Change (%)",
    "low_pct": "95% CI low (%)",
    "high_pct": "95% CI high (%)",
    "reading": "Reading",
}
EVENT_COLUMNS = {
    "quarter": "Quarters from launch",
    "change_pct": "Change (%)",
    "low_pct": "95% CI low (%)",
    "high_pct": "95% CI high (%)",
}
COMPARISON_COLUMNS = {
    "name": "Neighbourhood",
    "pre_mean": "Average eligible arrests a month, 3 years before launch",
    "pre_trend_pct": "Trend before launch (%, first to last year)",
    "distance": "Distance from the area (0 = same level and trend)",
    "chosen": "In the comparison group",
}
CURVE_COLUMNS = {
    "months": "Months since enrolment",
    "rearrested_pct": "Re-arrested (%)",
    "low_pct": "95% band low (%)",
    "high_pct": "95% band high (%)",
    "at_risk": "Participants still followed",
    "events": "Re-arrests at this time",
}
HORIZON_COLUMNS = {
    "months": "Months since enrolment",
    "rearrested_pct": "Re-arrested by then (%)",
    "low_pct": "95% band low (%)",
    "high_pct": "95% band high (%)",
    "still_followed": "Participants still followed then",
}


@dataclass(frozen=True)
class Selection:
    rollout: str
    post_months: int
    comparison: tuple[str, ...] | None  # None: the matched default
    start_date: date
    end_date: date
    last_date: date
    public: bool


@dataclass(frozen=True)
class Table:
    """A frame to show with its column names and download name."""

    frame: pd.DataFrame
    names: dict[str, str]
    title: str
    file_name: str
    counts: tuple[str, ...] = ()

    def table(self) -> dict:
        return {
            "key": self.file_name,
            "title": self.title,
            "file_name": self.file_name,
            "names": self.names,
            "counts": self.counts,
        }


@dataclass
class AreaLevel:
    rollout: words.Rollout
    choices: dict[str, str]  # unit id -> neighbourhood name, closest first
    default: tuple[str, ...]
    chosen: tuple[str, ...]
    comparison: Table | None
    metrics: list[Metric] = field(default_factory=list)
    reading: str | None = None
    problem: str | None = None
    event_study: Table | None = None
    placebo: str | None = None
    estimates: Table | None = None
    headline: str | None = None  # one line for the hearing brief


@dataclass
class ParticipantLevel:
    note: str
    curve: Table | None
    horizons: Table | None
    exits: Table | None
    time_in_program: Table | None
    metrics: list[Metric] = field(default_factory=list)
    message: str | None = None


@dataclass
class ImpactScreen:
    demo_note: str | None
    synthetic_arrests: bool
    area: AreaLevel
    participants: ParticipantLevel


# The area level -----------------------------------------------------------------------------------------


def comparison_choices(
    monthly: pd.DataFrame, rollout: words.Rollout
) -> tuple[pd.DataFrame, dict[str, str], tuple]:
    """Candidate neighbourhoods (closest first) with their names, and the matched default group."""
    table = did.candidates(monthly, rollout.treated, rollout.launch, words.PRE_MONTHS)
    pool = table.loc[table["rank"] > 0]
    names = {unit: unit.removeprefix("nsa:") for unit in pool["unit_id"]}
    return table, names, did.matched(table, words.COMPARISON_SIZE)


def _pct(values) -> pd.Series:
    return (pd.Series(values, dtype=float) * 100).round(1)


def area_level(monthly: pd.DataFrame, chosen: Selection, fit: Fit) -> AreaLevel:
    rollout = words.ROLLOUTS[chosen.rollout]
    monthly = did.with_month_index(monthly)
    table, names, default = comparison_choices(monthly, rollout)
    picked = tuple(
        unit for unit in (default if chosen.comparison is None else chosen.comparison) if unit in names
    )
    area = AreaLevel(rollout, names, default, picked, None)
    if table.empty:
        area.problem = words.NO_TREATED_ARRESTS
        return area
    shown = table.loc[
        (table["rank"] > 0) & ((table["rank"] <= 3 * words.COMPARISON_SIZE) | table["unit_id"].isin(picked))
    ]
    area.comparison = Table(
        pd.DataFrame(
            {
                "name": shown["unit_id"].map(names),
                "pre_mean": shown["pre_mean"].round(1),
                "pre_trend_pct": _pct(shown["pre_trend"]),
                "distance": shown["distance"].round(2),
                "chosen": np.where(shown["unit_id"].isin(picked), "yes", "no"),
            }
        ),
        COMPARISON_COLUMNS,
        "Comparison neighbourhoods, closest first",
        f"impact_comparison_{rollout.key}",
    )
    own = table.iloc[0]
    area.metrics.append(
        Metric(
            f"{rollout.area_words[0].upper()}{rollout.area_words[1:]}: "
            "eligible arrests a month before launch",
            f"{own['pre_mean']:.1f}",
            help="Average over the 36 months before launch (arrests with a location).",
        )
    )
    if not picked:
        area.problem = words.NO_COMPARISON
        return area
    design = did.Design(rollout.treated, rollout.launch, picked, words.PRE_MONTHS, chosen.post_months)
    result = fit(monthly, design)
    if result.estimate is None:
        area.problem = result.problem
        return area
    found = result.estimate
    area.metrics[:0] = [
        Metric(words.EFFECT_LABEL, words.percent(found.change), help=words.EFFECT_HELP),
        Metric(
            "95% confidence interval",
            f"{words.percent(found.low)} to {words.percent(found.high)}",
            help="The range of changes the data is consistent with (95% confidence).",
        ),
        Metric(
            "Reading",
            words.verdict(found.low, found.high),
            help="\u201cNo detectable change\u201d when the interval includes 0.",
        ),
    ]
    area.reading = words.reading(found.change, found.low, found.high, rollout, len(picked))
    area.headline = (
        f"{words.EFFECT_LABEL} in {rollout.area_words}, {chosen.post_months} months after launch: "
        f"{words.percent(found.change)} ({words.interval(found.low, found.high)}) — "
        f"{words.verdict(found.low, found.high)}."
    )
    study = result.event_study
    area.event_study = Table(
        pd.DataFrame(
            {
                "quarter": study["quarter"].astype(int),
                "change_pct": _pct(study["change"]),
                "low_pct": _pct(study["low"]),
                "high_pct": _pct(study["high"]),
            }
        ),
        EVENT_COLUMNS,
        "Change by quarter from launch (event study)",
        f"impact_event_study_{rollout.key}",
    )
    placebos = result.placebos
    area.placebo = words.placebo_reading(int(placebos["covers_zero"].sum()), len(placebos))
    rows = [
        {
            "estimate": f"{rollout.label}, {chosen.post_months} months after launch",
            "launch": rollout.launch,
            "change": found.change,
            "low": found.low,
            "high": found.high,
        }
    ] + [
        {
            "estimate": f"Placebo: false launch {int(p.months_before)} months earlier",
            "launch": p.false_launch.date(),
            "change": p.change,
            "low": p.low,
            "high": p.high,
        }
        for p in placebos.itertuples()
    ]
    frame = pd.DataFrame(rows)
    area.estimates = Table(
        pd.DataFrame(
            {
                "estimate": frame["estimate"],
                "launch": frame["launch"].astype(str),
                "change_pct": _pct(frame["change"]),
                "low_pct": _pct(frame["low"]),
                "high_pct": _pct(frame["high"]),
                "reading": [
                    words.verdict(lo, hi) for lo, hi in zip(frame["low"], frame["high"], strict=True)
                ],
            }
        ),
        ESTIMATE_COLUMNS,
        "Estimates and placebo tests",
        f"impact_estimates_{rollout.key}",
    )
    return area


# The participant level ----------------------------------------------------------------------------------


def _follow_up_end(chosen: Selection) -> date:
    """The end of follow-up: the latest loaded data, or in a public view the end of its last whole quarter."""
    return disclosure.last_complete_quarter_end(chosen.last_date) if chosen.public else chosen.last_date


def participant_level(run: RunQuery, chosen: Selection) -> ParticipantLevel:
    as_of = _follow_up_end(chosen)
    where = {"area_id": "city", "start_date": chosen.start_date, "end_date": chosen.end_date, "as_of": as_of}
    note = words.REARREST_NOTE + (" " + words.PUBLIC_CURVE_NOTE if chosen.public else "")
    if chosen.public:
        steps = run(
            "impact_rearrest_steps",
            **where,
            step_months=words.PUBLIC_STEP_MONTHS,
            steps=words.CURVE_STEPS,
            public=True,
        )
        km = survival.curve_from_steps(steps)
        total = float(steps[["rearrested_in_step", "left_follow_up", "beyond"]].to_numpy().sum())
        gone = (steps["rearrested_in_step"] + steps["left_follow_up"]).cumsum()
        followed = {
            h: total - float(gone[steps["to_month"] <= h].iloc[-1])
            if (steps["to_month"] <= h).any()
            else total
            for h in words.HORIZONS
        }
        people = total
    else:
        rows = run("impact_participants", **where)
        km = survival.curve(rows["months_followed"], rows["was_rearrested"])
        followed = {h: survival.followed_at(rows["months_followed"], h) for h in words.HORIZONS}
        people = float(len(rows))
    exits = run("impact_exits", **where, public=chosen.public)
    level = ParticipantLevel(note, None, None, None, None)
    level.metrics.append(
        Metric(
            "Participants (enrolled)",
            f"{int(people):,}",
            help="People referred in the period who enrolled, up to the end of follow-up.",
        )
    )
    if people == 0:
        level.message = "Nobody referred in this period has enrolled yet: there is no follow-up to show."
        return level
    limit = words.PUBLIC_STEP_MONTHS * words.CURVE_STEPS  # the chart's two years (one of the horizons)
    curve = km.loc[km["months"] <= limit + 1e-9]
    if km["months"].max() > limit + 1e-9:  # the curve runs on past the chart: drawn flat to its edge
        edge = curve.iloc[[-1]].assign(months=float(limit), events=0.0, at_risk=float(followed[limit]))
        curve = pd.concat([curve, edge], ignore_index=True)
    level.curve = Table(
        pd.DataFrame(
            {
                "months": curve["months"].round(2),
                "rearrested_pct": _pct(1 - curve["survival"]),
                "low_pct": _pct(1 - curve["high"]),
                "high_pct": _pct(1 - curve["low"]),
                "at_risk": curve["at_risk"].round().astype("Int64"),
                "events": curve["events"].round().astype("Int64"),
            }
        ),
        CURVE_COLUMNS,
        "Share re-arrested since enrolment (Kaplan–Meier)",
        "impact_rearrest_curve",
        counts=("at_risk", "events"),
    )
    by = survival.by_horizons(km, words.HORIZONS, followed)
    level.horizons = Table(
        pd.DataFrame(
            {
                "months": by["months"].astype(int),
                "rearrested_pct": _pct(by["rearrested_share"]),
                "low_pct": _pct(by["low"]),
                "high_pct": _pct(by["high"]),
                "still_followed": by["still_followed"].round().astype("Int64"),
            }
        ),
        HORIZON_COLUMNS,
        "Re-arrested by 6, 12 and 24 months",
        "impact_rearrest_by",
        counts=("still_followed",),
    )
    for row in by.itertuples():
        value = (
            words.NOT_ENOUGH_FOLLOW_UP
            if pd.isna(row.rearrested_share)
            else f"{row.rearrested_share:.0%} ({row.low:.0%}–{row.high:.0%})"
        )
        level.metrics.append(
            Metric(
                f"Re-arrested by {row.months} months", value, help="Kaplan–Meier estimate with its 95% band."
            )
        )
    reasons = exits.loc[exits["grouping"] == "exit_reason"]
    level.exits = Table(
        pd.DataFrame(
            {
                "group": reasons["group_code"].map(words.EXIT_REASON_LABELS),
                "participants": reasons["participants"],
            }
        ),
        {"group": "Where participants stand", "participants": "Participants"},
        "Exits by reason",
        "impact_exits_by_reason",
        counts=("participants",),
    )
    bands = exits.loc[exits["grouping"] == "time_in_program"]
    level.time_in_program = Table(
        pd.DataFrame(
            {
                "group": bands["group_code"].map(words.TIME_IN_PROGRAM_LABELS),
                "participants": bands["participants"],
            }
        ),
        {"group": "Time in the program", "participants": "Participants"},
        "Time in the program",
        "impact_time_in_program",
        counts=("participants",),
    )
    return level


# The screen --------------------------------------------------------------------------------------------


def demo_note(effects: pd.DataFrame) -> tuple[str | None, bool]:
    """What the loaded demo carries (None for real data) and whether the arrests are synthetic."""
    if effects.empty:
        return None, False
    row = effects.iloc[0]
    hazard = None if pd.isna(row["rearrest_hazard"]) else float(row["rearrest_hazard"])
    return words.demo_effect_text(float(row["arrest_effect"]), hazard), bool(row["arrests_synthetic"])


def _fitted_here(monthly: pd.DataFrame, chosen: Selection) -> AreaLevel:
    return area_level(monthly, chosen, did.analyse)


def impact_screen(
    run: RunQuery,
    chosen: Selection,
    area: Callable[[pd.DataFrame, Selection], AreaLevel] = _fitted_here,
    participants: Callable[[RunQuery, Selection], ParticipantLevel] | None = None,
) -> ImpactScreen:
    """Everything the page shows. ``area`` and ``participants``: how the two levels are computed (the
    page passes copies cached by their inputs, ``ui.impact_data``)."""
    note, synthetic = demo_note(run("impact_demo_effect"))
    monthly = run("impact_monthly_eligible_arrests", first_month=FIRST_MONTH)
    people = (participants or participant_level)(run, chosen)
    return ImpactScreen(note, synthetic, area(monthly, chosen), people)
