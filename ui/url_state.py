"""Shareable views: the page, period, filters, layers and display mode live in the URL.

Every widget whose state is worth sharing is listed once in ``SHARED``: its session-state key, its URL
parameter, how its value is written and read, and the page it belongs to (``None``: every page).
On a page's first visit in a session the URL's parameters for that page seed the widgets; at the end of
every run the current values are written back in a fixed order, so a URL the app wrote opens the same
view and comes back unchanged. Staff sign-in is never part of the URL.

A value is checked twice: its form when it is read (``decode``: a date, one of a fixed set of choices),
and, for choices that depend on the data (an area, a saved proposal), by the page just before it draws
the widget (``keep_valid`` / ``keep_valid_items``). Either way a bad value is reported on screen in words
and the default used instead.

Pages create shared widgets without ``value=``/``index=``/``default=``: the default goes into session
state first (``keep_valid`` does it), so Streamlit never sees two sources for one widget's value.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date

import streamlit as st

from domain import program
from domain.safe_text import NAME_LIMIT, markdown_text
from geo.map_page import ANY, DISTRICT_EDITIONS, MAP_LAYERS
from planning.tables import SORT_COLUMNS

_RESTORED_PAGES = "_url_state_restored_pages"
_FROM_LINK = "_url_state_from_link"  # keys whose value came from the opening URL, not yet checked
_PROBLEMS_KEY = "_url_state_problems"
NONE_SELECTED = "none"  # how an empty multi-selection is written, so it survives the round trip


@dataclass(frozen=True)
class Shared:
    key: str
    param: str
    encode: Callable[[object], str]
    decode: Callable[[str], object]
    page: str | None = None  # url_path of the page it belongs to; None for the shared sidebar


def _encode_period(value) -> str:
    start, end = value
    return f"{start.isoformat()}..{end.isoformat()}"


def _decode_period(text: str) -> tuple[date, date]:
    start, end = (date.fromisoformat(part) for part in text.split(".."))
    if start > end:
        raise ValueError("the period ends before it starts")
    return start, end


def _decode_flag(text: str) -> bool:
    if text not in ("projector", "public"):
        raise ValueError("mode must be 'public' or 'projector'")
    return text == "projector"


def _encode_list(values) -> str:
    return ",".join(str(value) for value in values) or NONE_SELECTED


def _decode_list(text: str) -> list[str]:
    if text == NONE_SELECTED:
        return []
    return list(dict.fromkeys(part for part in text.split(",") if part))


def _text(text: str) -> str:
    if not text.strip():
        raise ValueError("it is empty")
    return text


def one_of(choices: Collection[str]) -> Callable[[str], str]:
    """A decoder accepting exactly one of ``choices`` (strings as they appear in the URL)."""

    def decode(text: str) -> str:
        if text not in choices:
            raise ValueError(f"expected one of {', '.join(sorted(map(str, choices)))}")
        return text

    return decode


def coded(codes: dict[str, object]) -> tuple[Callable[[object], str], Callable[[str], object]]:
    """Encoder and decoder for a widget whose values have short URL codes ({code: value})."""
    values = {value: code for code, value in codes.items()}
    return (lambda value: values[value]), (lambda text: codes[one_of(codes)(text)])


def subset_of(choices: Collection[str]) -> Callable[[str], list[str]]:
    """A decoder for a comma-separated selection drawn from ``choices`` (``none`` for nothing)."""

    def decode(text: str) -> list[str]:
        values = _decode_list(text)
        unknown = [value for value in values if value not in choices]
        if unknown:
            raise ValueError(f"{', '.join(unknown)} not among {', '.join(sorted(choices))}")
        return values

    return decode


# Choices fixed by the program or the code are checked here, against the lists the widgets offer;
# choices that depend on the loaded data are checked by the page (``keep_valid``).
RANK_BY_CODES = dict(zip(("per_year", "per_km2"), SORT_COLUMNS, strict=True))  # URL code -> option
CASELOAD_CODES = {str(cap): f"{cap} – {label}" for label, cap in program.CASELOAD_STANDARDS.items()}
CASELOAD_CODES["custom"] = "Custom"
_rank_by = coded(RANK_BY_CODES)
_caseload = coded(CASELOAD_CODES)
_candidates = coded({"only": True, "all": False})

SHARED: tuple[Shared, ...] = (
    Shared("period", "period", _encode_period, _decode_period),
    Shared("projector", "mode", lambda on: "projector" if on else "public", _decode_flag),
    # Map
    Shared("map_edition", "edition", str, one_of(DISTRICT_EDITIONS), "map"),
    Shared("map_area", "area", str, _text, "map"),
    Shared("map_referral_type", "referral_type", str, one_of((ANY, *program.REFERRAL_TYPES)), "map"),
    Shared("map_offense_category", "offense", str, one_of((ANY, *program.LEAD_CATEGORIES)), "map"),
    Shared(
        "map_layers",
        "layers",
        lambda keys: _encode_list(k for k in MAP_LAYERS if k in keys),
        subset_of(MAP_LAYERS),
        "map",
    ),
    # Referrals
    Shared("referrals_area", "area", str, _text, "referrals"),
    Shared("referrals_step", "step", str, one_of(("month", "quarter")), "referrals"),
    Shared("launch_window", "window", str, lambda text: int(one_of(("12", "24"))(text)), "referrals"),
    # Expansion planner (drawings are not shared: a saved proposal is the way to share a drawn area)
    Shared("rank_kind", "areas", str, one_of(("neighborhood", "district")), "expansion"),
    Shared("rank_by", "rank_by", *_rank_by, "expansion"),
    Shared("rank_candidates_only", "candidates", *_candidates, "expansion"),
    Shared("proposal_mode", "proposal", str, one_of(("draw", "pick")), "expansion"),
    Shared("picked_nsas", "nsas", ",".join, _decode_list, "expansion"),  # nothing picked: left out
    Shared(
        "observed_area", "observed", str, one_of(("pilot_zone", "district:1959-2022:Central")), "expansion"
    ),
    Shared("caseload_standard", "caseload", *_caseload, "expansion"),
    Shared("compare_ids", "compare", _encode_list, _decode_list, "expansion"),
    # Hearing brief
    Shared("brief_proposal", "proposal", str, _text, "brief"),
    Shared("brief_paper", "paper", str, one_of(("letter", "a4")), "brief"),
)
_BY_KEY = {shared.key: shared for shared in SHARED}


def _applies(shared: Shared, page: str | None) -> bool:
    return shared.page is None or shared.page == page


def restore_from_url(page: str | None = None) -> None:
    """Seed widget state from the URL on a page's first visit in this session: the sidebar's settings
    on the session's first run, the page's own on its first visit. Bad values are reported, not fatal."""
    restored = st.session_state.setdefault(_RESTORED_PAGES, set())
    first_run = not restored
    if page in restored:
        return
    restored.add(page)
    problems = []
    from_link = st.session_state.setdefault(_FROM_LINK, set())
    for shared in SHARED:
        if not _applies(shared, page) or (shared.page is None and not first_run):
            continue  # the sidebar's settings are read from the link once, when the session opens
        raw = st.query_params.get(shared.param)
        if raw is None:
            continue
        try:
            st.session_state[shared.key] = shared.decode(raw)
            from_link.add(shared.key)
        except (ValueError, TypeError, KeyError) as error:
            problems.append(_problem(shared.param, raw, str(error)))
    st.session_state[_PROBLEMS_KEY] = problems


def _problem(param: str, raw: str, reason: str) -> str:
    """The warning's Markdown: anyone can write a link, so its value (and a reason that may quote it)
    is escaped and shortened, never read as Markdown."""
    return f"`{param}=`{markdown_text(raw, NAME_LIMIT)} was ignored: {markdown_text(reason)}"


def url_problems() -> list[str]:
    """Parameters of the opening URL that could not be used (reported once)."""
    return st.session_state.pop(_PROBLEMS_KEY, [])


def warn_about_link(problem: str) -> None:
    st.warning(f"This link had a setting that could not be used: {problem}", icon=":material/link_off:")


def show_url_problems() -> None:
    """Say which parameters of the opening URL were ignored, and why."""
    for problem in url_problems():
        warn_about_link(problem)


def came_from_link(key: str) -> bool:
    from_link = st.session_state.get(_FROM_LINK, set())
    if key in from_link:
        from_link.discard(key)
        return True
    return False


def keep_valid(key: str, options: Sequence, default) -> None:
    """Before drawing the widget for ``key``: make its value one of ``options``.

    No value yet: ``default``. A value from the opening link that is not an option (an area that does
    not exist in this database): reported on screen, then ``default``. A value left over from an
    earlier choice that no longer fits (e.g. after switching the district edition): ``default``, quietly.
    """
    from_link = came_from_link(key)
    if key not in st.session_state:
        st.session_state[key] = default
        return
    value = st.session_state[key]
    if value in options:
        return
    if from_link:
        warn_about_link(_problem(_BY_KEY[key].param, str(value), "no such choice in the loaded data"))
    st.session_state[key] = default


def keep_valid_items(key: str, options: Collection, default: Sequence = ()) -> None:
    """``keep_valid`` for a multi-selection: items that are not options are dropped (and reported when
    they came from the link); no value yet becomes ``default``."""
    from_link = came_from_link(key)
    if key not in st.session_state:
        st.session_state[key] = list(default)
        return
    values = list(st.session_state[key] or [])
    unknown = [value for value in values if value not in options]
    if unknown and from_link:
        names = ", ".join(str(value) for value in unknown)
        warn_about_link(_problem(_BY_KEY[key].param, names, "no such choice in the loaded data"))
    if unknown:
        st.session_state[key] = [value for value in values if value in options]


def current_params(page: str) -> dict[str, str]:
    """The URL parameters for the view on ``page`` as it is now, in the fixed order of ``SHARED``."""
    params = {}
    for shared in SHARED:
        if not _applies(shared, page):
            continue
        value = st.session_state.get(shared.key)
        if value is None:
            continue
        try:
            encoded = shared.encode(value)
        except (ValueError, TypeError, KeyError):
            continue  # a half-edited widget (e.g. a period with one date) is not shared
        if encoded:
            params[shared.param] = encoded
    return params


def publish_to_url(page: str) -> None:
    """Write the current view into the URL (only when it changed, to avoid needless history entries)."""
    params = current_params(page)
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)
