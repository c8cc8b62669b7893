"""Filters declared once, drawn with Streamlit's own URL binding and kept across pages.

Each ``Filter`` names its widget's key, which Streamlit also uses as the URL parameter
(``bind="query-params"``), its label, default, choices (or none when the page passes choices that
come from the loaded data), the words each choice is shown as, and the name it had in links made
before the binding (``old_name``). ``draw`` draws it with the binding and ``persist_state``, so
Streamlit writes the URL, drops a default from it, ignores and removes a value that is not a choice,
and gives the value back when the visitor returns to the page.

What the platform does not do is left here, and only that:

* A bad value in the opening link is said on screen in words (Streamlit drops it silently).
* A link made before the binding still opens the view it named: its old parameter is read once,
  turned into today's parameter, or reported as dropped (also when the view it opens does not draw
  that filter: ``drop_unread_old_params``). A name that stayed while its values changed (``rank_by``
  held a code, now the words) is rewritten before any widget reads it (``rewrite_old_codes``).

Streamlit writes a choice into the URL as the words it is shown as (``format_func``), e.g.
``map_referral_type=Arrest+referral``; a multi-choice as one parameter per choice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import streamlit as st

from domain import equity, impact, program
from geo.map_page import ANY, DEFAULT_EDITION, DEFAULT_LAYERS, DISTRICT_EDITIONS, MAP_LAYERS
from planning.projection import ASSUMPTION_NOTES
from planning.tables import SORT_COLUMNS
from screens import brief, expansion, referrals
from ui.url_state import from_link, is_opening_run, problem_text, read_link_again, warn_about_link

# Widget kinds -> how each is drawn (with the keyword its default goes under).
_WIDGETS: dict[str, tuple[Callable, str]] = {
    "radio": (st.radio, "index"),
    "selectbox": (st.selectbox, "index"),
    "pills": (st.pills, "default"),
    "segmented_control": (st.segmented_control, "default"),
    "multiselect": (st.multiselect, "default"),
    "toggle": (st.toggle, "value"),
    "select_slider": (st.select_slider, "value"),
    "date_input": (st.date_input, "value"),
}
_MULTI = frozenset({"pills", "multiselect", "select_slider", "date_input"})  # one URL parameter per value
NO_SUCH_CHOICE = "no such choice in the loaded data"
Problem = tuple[str, str] | None  # (the link's values that cannot be used, why) or None


def _same(text: str) -> str:
    return text


def _old_list(text: str) -> list[str]:
    """Old links wrote a multi-choice as ``a,b,c`` (``none`` for nothing)."""
    if text == "none":
        return []
    return list(dict.fromkeys(part for part in text.split(",") if part))


def _old_code(codes: dict[str, object]) -> Callable[[str], object]:
    """Old links wrote some choices as a short code ({code: choice})."""

    def value(text: str) -> object:
        if text not in codes:
            raise ValueError(f"expected one of {', '.join(codes)}")
        return codes[text]

    return value


def _old_number(text: str) -> int:
    if not text.isdigit():
        raise ValueError("expected a whole number")
    return int(text)


@dataclass(frozen=True)
class Filter:
    key: str  # session-state key, and the URL parameter Streamlit binds it to
    label: str
    widget: str  # one of _WIDGETS
    default: object = None
    options: tuple = ()  # fixed choices; empty when the page passes the loaded data's choices
    format: Callable[[object], str] | None = None  # the words a choice is shown as (and written in the URL)
    help: str | None = None
    old_name: str | None = None  # the parameter links made before the binding used for it
    old_value: Callable[[str], object] = field(default=_same)  # its text -> a value of this filter


def _type_label(key: str) -> str:
    return "All referral types" if key == ANY else program.REFERRAL_TYPE_LABELS[key]


def _category_label(key: str) -> str:
    return "All LEAD offenses" if key == ANY else program.LEAD_CATEGORY_LABELS[key]


# The shared sidebar (the period's two widgets are drawn by ui/chrome.py: their choices come from the data)
PROJECTOR = Filter(
    "projector",
    "Projector mode",
    "toggle",
    default=False,
    help="Large type, high contrast, full-width map: for a projector or a big screen. "
    "Shareable: the link keeps it.",
)
PUBLIC_QUARTERS = Filter(
    "public_period_quarters",
    "Quarters",
    "select_slider",
    help="Public figures cover whole calendar quarters; staff sign-in gives day-by-day periods.",
)
STAFF_PERIOD = Filter("period", "Period", "date_input")

# Map
MAP_EDITION = Filter(
    "map_edition",
    "Police district boundaries",
    "radio",
    default=DEFAULT_EDITION,
    options=tuple(DISTRICT_EDITIONS),
    format=DISTRICT_EDITIONS.get,
    old_name="edition",
)
MAP_AREA = Filter(
    "map_area", "Area (zooms the map; the figures cover it)", "selectbox", default="city", old_name="area"
)
MAP_REFERRAL_TYPE = Filter(
    "map_referral_type",
    "Referral type",
    "selectbox",
    default=ANY,
    options=(ANY, *program.REFERRAL_TYPES),
    format=_type_label,
    old_name="referral_type",
)
MAP_OFFENSE = Filter(
    "map_offense_category",
    "Offense category",
    "selectbox",
    default=ANY,
    options=(ANY, *program.LEAD_CATEGORIES),
    format=_category_label,
    old_name="offense",
)
MAP_LAYER_PICK = Filter(
    "map_layers",
    "Layers",
    "pills",
    default=tuple(DEFAULT_LAYERS),
    options=tuple(MAP_LAYERS),
    format=MAP_LAYERS.get,
    help="What the map draws. A link to this page keeps the layers chosen here.",
    old_name="layers",
    old_value=_old_list,
)

# Referrals
REFERRALS_AREA = Filter(
    "referrals_area",
    "Area",
    "selectbox",
    help="Where the referral or arrest happened. LEAD works in the Central District (1959–2022 boundaries).",
    old_name="area",
)
REFERRALS_STEP = Filter(
    "referrals_step",
    "Bars per",
    "segmented_control",
    default="month",
    options=tuple(referrals.STEP_MONTHS),
    format=str.capitalize,
    old_name="step",
)
LAUNCH_WINDOW = Filter(
    "launch_window",
    "Months either side of launch",
    "segmented_control",
    default=referrals.LAUNCH_WINDOWS[0],
    options=referrals.LAUNCH_WINDOWS,
    format="{} months".format,
    old_name="window",
    old_value=_old_number,
)

# Expansion planner (a drawing is not in the link: a saved proposal is the way to share a drawn area)
RANK_KIND = Filter(
    "rank_kind",
    "Areas",
    "radio",
    default="neighborhood",
    options=tuple(expansion.AREA_KINDS),
    format=expansion.AREA_KINDS.get,
    old_name="areas",
)
RANK_BY = Filter(
    "rank_by",
    "Rank by",
    "selectbox",
    default=next(iter(SORT_COLUMNS)),
    options=tuple(SORT_COLUMNS),
    old_name="rank_by",  # the same name, with a code for a value
    old_value=_old_code(dict(zip(("per_year", "per_km2"), SORT_COLUMNS, strict=True))),
)
RANK_CANDIDATES_ONLY = Filter(
    "rank_candidates_only",
    "Named candidates only",
    "toggle",
    default=False,
    options=(False, True),
    old_name="candidates",
    old_value=_old_code({"all": False, "only": True}),
)
PROPOSAL_MODE = Filter(
    "proposal_mode",
    "Proposal",
    "radio",
    default="draw",
    options=tuple(expansion.PROPOSAL_MODES),
    format=expansion.PROPOSAL_MODES.get,
    old_name="proposal",
)
PICKED_NSAS = Filter(
    "picked_nsas",
    "Neighbourhoods in the proposal",
    "multiselect",
    default=(),
    old_name="nsas",
    old_value=_old_list,
)
OBSERVED_AREA = Filter(
    "observed_area",
    "Observe the program's ratios in",
    "selectbox",
    default=next(iter(expansion.OBSERVED_AREAS)),
    options=tuple(expansion.OBSERVED_AREAS),
    format=expansion.OBSERVED_AREAS.get,
    old_name="observed",
)
CASELOAD_STANDARD = Filter(
    "caseload_standard",
    ASSUMPTION_NOTES["caseload_cap"].label,
    "selectbox",
    default=next(iter(expansion.CASELOAD_OPTIONS)),
    options=tuple(expansion.CASELOAD_OPTIONS),
    old_name="caseload",  # the cap's number, or "custom"
    old_value=_old_code({str(cap or "custom"): text for text, cap in expansion.CASELOAD_OPTIONS.items()}),
)
COMPARED = Filter(
    "compare_ids",
    "Proposals to compare (two to four)",
    "multiselect",
    default=(),
    old_name="compare",
    old_value=lambda text: _old_list(text)[: expansion.MAX_COMPARED],  # the old app wrote no more
)

# Hearing brief
BRIEF_PROPOSAL = Filter(
    "brief_proposal",
    "Expansion proposal to include",
    "selectbox",
    default=brief.NO_PROPOSAL,
    help="Proposals are drawn and saved on the Expansion planner page.",
    old_name="proposal",
)
BRIEF_PAPER = Filter(
    "brief_paper", "Paper", "segmented_control", default="letter", options=tuple(brief.PAPERS),
    format=brief.PAPERS.get, old_name="paper",
)  # fmt: skip

# Equity (issue 12): the reference group has one filter per breakdown, so a link keeps each one apart
EQUITY_AREA = Filter(
    "equity_area",
    "Area",
    "selectbox",
    help="Where the arrest or referral happened. LEAD works in the Central District (1959–2022 boundaries).",
)
EQUITY_BREAKDOWN = Filter(
    "equity_by",
    "Break down by",
    "segmented_control",
    default="race",
    options=tuple(equity.BREAKDOWNS),
    format=lambda key: equity.BREAKDOWNS[key].label,
)
EQUITY_POINT = Filter(
    "equity_point",
    "Decision point compared in the chart",
    "selectbox",
    default=equity.REFERRED.key,
    options=tuple(point.key for point in equity.COMPARED_POINTS),
    format=lambda key: equity.POINTS[key].rate_label,
)
EQUITY_REFERENCE = {
    key: Filter(
        f"equity_reference_{key}" if key != "race" else "equity_reference",
        "Reference group",
        "selectbox",
        default=breakdown.reference,
        options=tuple(
            group for group in breakdown.groups if group not in ("unknown", equity.AGE_NOT_RECORDED)
        ),
        format=breakdown.labels.get,
        help="Each group's rate is divided by this group's rate (OJJDP uses White as the reference).",
    )
    for key, breakdown in equity.BREAKDOWNS.items()
}

BRIEF_EQUITY = Filter(
    "brief_equity",
    "Include the equity table",
    "toggle",
    default=False,
    options=(False, True),
    help="Referral by race against White in the Central District, with the Relative Rate Index.",
)
BRIEF_IMPACT = Filter(
    "brief_impact",
    "Include the impact estimate",
    "toggle",
    default=False,
    options=(False, True),
    help=f"The headline estimate of the Is it working? page: the change in LEAD-eligible arrests in "
    f"{impact.ROLLOUTS[impact.HEADLINE_ROLLOUT].area_words} over the {impact.HEADLINE_POST_MONTHS} months "
    "after launch, against its matched comparison neighbourhoods, with its 95% confidence interval.",
)


# Impact ("Is it working?"). The comparison group is chosen per roll-out (each has its own matched
# default), so each roll-out has its own list in the link.
IMPACT_ROLLOUT = Filter(
    "impact_rollout",
    "Where LEAD started, and when",
    "segmented_control",
    default=impact.HEADLINE_ROLLOUT,
    options=tuple(impact.ROLLOUTS),
    format=lambda key: impact.ROLLOUTS[key].label,
)
IMPACT_MONTHS_AFTER = Filter(
    "impact_months_after",
    "Months after launch in the estimate",
    "segmented_control",
    default=impact.HEADLINE_POST_MONTHS,
    options=impact.POST_WINDOWS,
    format="{} months".format,
    help="Both windows end before the 2020 change in low-level prosecutions.",
)
IMPACT_COMPARISON = {
    key: Filter(
        f"impact_comparison_{key}",
        "Comparison neighbourhoods",
        "multiselect",
        default=(),
        help="Neighbourhoods outside the Central District, the closest in level and trend before launch "
        "chosen by default. Add or remove any; the estimate is refitted.",
    )
    for key in impact.ROLLOUTS
}
FILTERS = (PROJECTOR, PUBLIC_QUARTERS, STAFF_PERIOD, MAP_EDITION, MAP_AREA, MAP_REFERRAL_TYPE, MAP_OFFENSE,
           MAP_LAYER_PICK, REFERRALS_AREA, REFERRALS_STEP, LAUNCH_WINDOW, RANK_KIND, RANK_BY,
           RANK_CANDIDATES_ONLY, PROPOSAL_MODE, PICKED_NSAS, OBSERVED_AREA, CASELOAD_STANDARD, COMPARED,
           BRIEF_PROPOSAL, BRIEF_PAPER, BRIEF_EQUITY, BRIEF_IMPACT, EQUITY_AREA, EQUITY_BREAKDOWN,
           EQUITY_POINT, *EQUITY_REFERENCE.values(), IMPACT_ROLLOUT, IMPACT_MONTHS_AFTER,
           *IMPACT_COMPARISON.values())  # fmt: skip


def url_form(kind: str, value, format: Callable[[object], str] = str) -> str | list[str]:
    """How Streamlit writes ``value`` of a ``kind`` widget into the URL."""
    if kind == "toggle":
        return "true" if value else "false"
    if kind == "date_input":
        return [day.isoformat() for day in value]
    if kind in _MULTI:
        return [format(item) for item in value]
    return format(value)


def draw(
    spec: Filter,
    *,
    options: Sequence | None = None,
    default=None,
    format: Callable[[object], str] | None = None,
    check: Callable[[list[str]], Problem] | None = None,
    unavailable: str | None = None,
    persist: bool = True,
    **widget_args,
):
    """Draw ``spec``'s widget bound to the URL and return its value.

    ``options``/``default``/``format`` override the declaration (choices from the data). ``check``
    returns the opening link's values that cannot be used and why, in words (None: all can); by
    default, values that are not among the choices, said with ``unavailable`` (by default: not in the
    loaded data, for choices the page passes; else the declared choices, named). ``persist=False``: the
    value goes when the widget is not drawn. Other keywords go to the widget (``help`` overrides the
    declaration's).
    """
    from_data = options is not None
    options = list(spec.options if options is None else options)
    default = spec.default if default is None else default
    format = format or spec.format or str
    if unavailable is None:
        named = ", ".join(map(format, options))
        unavailable = NO_SUCH_CHOICE if from_data else f"it is not one of the choices ({named})"
    if spec.old_name:
        _from_old_link(spec, options, default, format, unavailable)
    raw = from_link(spec.key)
    problem = raw and (check or _choice_check(spec.widget, options, format, unavailable))(raw)
    if problem:
        warn_about_link(problem_text(spec.key, *problem))
    widget, default_arg = _WIDGETS[spec.widget]
    if default_arg == "index":
        widget_args |= {"options": options, "index": options.index(default), "format_func": format}
    elif spec.widget not in ("toggle", "date_input"):
        widget_args |= {"options": options, default_arg: default, "format_func": format}
        if spec.widget == "pills":
            widget_args["selection_mode"] = "multi"
        if spec.widget == "segmented_control":
            widget_args.setdefault("required", True)  # one choice always made
    else:
        widget_args[default_arg] = default
    widget_args.setdefault("help", spec.help)
    return widget(
        spec.label,
        key=spec.key,
        bind="query-params",
        persist_state="session" if persist else None,
        **widget_args,
    )


def _choice_check(
    kind: str, options: Sequence, format: Callable, unavailable: str = NO_SUCH_CHOICE
) -> Callable[[list[str]], Problem]:
    allowed = {format(option) for option in options}

    def check(raw: list[str]) -> Problem:
        if kind == "toggle":
            return None if raw[-1].lower() in ("true", "false") else (raw[-1], "expected true or false")
        if kind == "select_slider" and len(raw) != 2:
            return ", ".join(raw), "expected a first and a last choice"
        unknown = [value for value in (raw if kind in _MULTI else raw[-1:]) if value not in allowed]
        return (", ".join(unknown), unavailable) if unknown else None

    return check


def _from_old_link(spec: Filter, options: list, default, format: Callable, unavailable: str) -> None:
    """A link made before the binding named this filter ``old_name`` with the choice's code: read it
    once, and carry it over to today's parameter (or say what was dropped)."""
    if spec.old_name == spec.key:  # a good old code was rewritten (rewrite_old_codes): this one is not
        linked = from_link(spec.key, keep=True)
        if linked is None or not _choice_check(spec.widget, options, format)(linked):
            return
    raw = from_link(spec.old_name)
    if raw is None:
        return
    if spec.old_name in st.query_params:
        del st.query_params[spec.old_name]
    if spec.key in st.query_params:
        return  # the link also names today's parameter: that one is used
    try:
        value = spec.old_value(raw[-1])
    except ValueError as error:
        warn_about_link(problem_text(spec.old_name, raw[-1], str(error)))
        return
    if spec.widget in _MULTI:
        unknown = [item for item in value if item not in options]
        if unknown:
            warn_about_link(problem_text(spec.old_name, ", ".join(unknown), unavailable))
        value = [item for item in value if item in options]
        if unknown and not value:
            return
    elif value not in options:
        warn_about_link(problem_text(spec.old_name, raw[-1], unavailable))
        return
    if value == (list(default) if spec.widget in _MULTI else default):
        return
    # Set before the widget's first draw in this session: it starts from this value, and the URL
    # names it as any link the app writes today would.
    st.session_state[spec.key] = value
    st.query_params[spec.key] = url_form(spec.widget, value, format)


def rewrite_old_codes() -> None:
    """Start of the opening run (app.py, before any widget): a filter whose old name is also today's
    (``rank_by``) held a code where Streamlit now reads the words of a choice, and the widget would
    drop it as not a choice. The link is rewritten to today's words and read again (one rerun)."""
    if not is_opening_run():
        return
    rewritten = False
    for spec in FILTERS:
        raw = from_link(spec.key, keep=True) if spec.old_name == spec.key else None
        format = spec.format or str
        if not raw or raw[-1] in map(format, spec.options):
            continue
        try:
            value = spec.old_value(raw[-1])
        except ValueError:
            continue  # said when the widget is drawn
        if value in spec.options:
            st.query_params[spec.key] = url_form(spec.widget, value, format)
            rewritten = True
    if rewritten:
        read_link_again()
        st.rerun()


def drop_unread_old_params() -> None:
    """End of the opening run (app.py): a link made before the binding may name a filter the view it
    opened did not draw (neighbourhoods picked while the planner is in drawing mode, proposals to
    compare where none is saved). Taken out of the URL, and said, so the link names the view shown."""
    old_names = {spec.old_name for spec in FILTERS if spec.old_name and spec.old_name != spec.key}
    for name in sorted(old_names):
        raw = from_link(name)
        if raw is not None and name in st.query_params:
            del st.query_params[name]
            warn_about_link(problem_text(name, raw[-1], "this view does not show that setting"))


def period_check(first: date, last: date) -> Callable[[list[str]], Problem]:
    """The staff date box's link check: two dates inside the loaded data."""

    def check(raw: list[str]) -> Problem:
        shown = ", ".join(raw)
        try:
            days = [date.fromisoformat(text) for text in raw]
        except ValueError:
            return shown, "expected two dates such as 2019-01-01"
        if len(days) != 2 or days[0] > days[1]:
            return shown, "expected a first and a last date"
        if days[0] < first or days[1] > last:
            return shown, f"it is outside the loaded data ({first:%d %b %Y} – {last:%d %b %Y})"
        return None

    return check
