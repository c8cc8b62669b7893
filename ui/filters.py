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
  turned into today's parameter, or reported as dropped.

Streamlit writes a choice into the URL as the words it is shown as (``format_func``), e.g.
``map_referral_type=Arrest+referral``; a multi-choice as one parameter per choice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import streamlit as st

from domain import program
from geo.map_page import ANY, DEFAULT_EDITION, DEFAULT_LAYERS, DISTRICT_EDITIONS, MAP_LAYERS
from ui.url_state import NONE_SELECTED, from_link, problem_text, warn_about_link

# Widget kinds -> how each is drawn (with the keyword its default goes under).
_WIDGETS: dict[str, tuple[Callable, str]] = {
    "radio": (st.radio, "index"),
    "selectbox": (st.selectbox, "index"),
    "pills": (st.pills, "default"),
    "toggle": (st.toggle, "value"),
    "select_slider": (st.select_slider, "value"),
    "date_input": (st.date_input, "value"),
}
_MULTI = frozenset({"pills", "select_slider", "date_input"})  # one URL parameter per value
NO_SUCH_CHOICE = "no such choice in the loaded data"
Problem = tuple[str, str] | None  # (the link's values that cannot be used, why) or None


def _same(text: str) -> str:
    return text


def _old_list(text: str) -> list[str]:
    """Old links wrote a multi-choice as ``a,b,c`` (``none`` for nothing)."""
    if text == NONE_SELECTED:
        return []
    return list(dict.fromkeys(part for part in text.split(",") if part))


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
FILTERS = (PROJECTOR, PUBLIC_QUARTERS, STAFF_PERIOD, MAP_EDITION, MAP_AREA, MAP_REFERRAL_TYPE, MAP_OFFENSE,
           MAP_LAYER_PICK)  # fmt: skip


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
    persist: bool = True,
    **widget_args,
):
    """Draw ``spec``'s widget bound to the URL and return its value.

    ``options``/``default``/``format`` override the declaration (choices from the data). ``check``
    returns the opening link's values that cannot be used and why, in words (None: all can); by
    default, values that are not among the choices. ``persist=False``: the value goes when the widget
    is not drawn.
    """
    options = list(spec.options if options is None else options)
    default = spec.default if default is None else default
    format = format or spec.format or str
    if spec.old_name:
        _from_old_link(spec, options, default, format)
    raw = from_link(spec.key)
    problem = raw and (check or _choice_check(spec.widget, options, format))(raw)
    if problem:
        warn_about_link(problem_text(spec.key, *problem))
    widget, default_arg = _WIDGETS[spec.widget]
    if default_arg == "index":
        widget_args |= {"options": options, "index": options.index(default), "format_func": format}
    elif spec.widget in ("pills", "select_slider"):
        widget_args |= {"options": options, default_arg: default, "format_func": format}
        if spec.widget == "pills":
            widget_args["selection_mode"] = "multi"
    else:
        widget_args[default_arg] = default
    return widget(
        spec.label,
        key=spec.key,
        help=spec.help,
        bind="query-params",
        persist_state="session" if persist else None,
        **widget_args,
    )


def _choice_check(kind: str, options: Sequence, format: Callable) -> Callable[[list[str]], Problem]:
    allowed = {format(option) for option in options}

    def check(raw: list[str]) -> Problem:
        if kind == "toggle":
            return None if raw[-1].lower() in ("true", "false") else (raw[-1], "expected true or false")
        if kind == "select_slider" and len(raw) != 2:
            return ", ".join(raw), "expected a first and a last choice"
        unknown = [value for value in (raw if kind in _MULTI else raw[-1:]) if value not in allowed]
        return (", ".join(unknown), NO_SUCH_CHOICE) if unknown else None

    return check


def _from_old_link(spec: Filter, options: list, default, format: Callable) -> None:
    """A link made before the binding named this filter ``old_name`` with the choice's code: read it
    once, and carry it over to today's parameter (or say what was dropped)."""
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
            warn_about_link(problem_text(spec.old_name, ", ".join(unknown), NO_SUCH_CHOICE))
        value = [item for item in value if item in options]
        if unknown and not value:
            return
    elif value not in options:
        warn_about_link(problem_text(spec.old_name, raw[-1], NO_SUCH_CHOICE))
        return
    if value == (list(default) if spec.widget in _MULTI else default):
        return
    # Set before the widget's first draw in this session: it starts from this value, and the URL
    # names it as any link the app writes today would.
    st.session_state[spec.key] = value
    st.query_params[spec.key] = url_form(spec.widget, value, format)


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
