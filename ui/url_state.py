"""The opening link: what it asked for, and what of it could not be used.

Widgets drawn from ``ui/filters.py`` are bound to the URL by Streamlit itself. What is left here:

* the opening link, kept for the session's first run (``remember_opening_link`` / ``from_link``), so a
  value Streamlit would drop silently, or a parameter of a link made before the binding, is read
  once and explained;
* those explanations (``warn_about_link``), shown where app.py puts them (``link_notices``) and kept
  across a rerun;
* for pages not yet drawn from ``ui/filters.py``, the hand-written URL state they still use: their
  entries in ``SHARED``, read on a page's first visit (``restore_from_url``), checked against the
  loaded data (``keep_valid`` / ``keep_valid_items``) and written back (``publish_to_url``). Only
  those parameters are touched; the bound ones are Streamlit's. Staff sign-in is never in the URL.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import streamlit as st

from domain import program
from domain.safe_text import NAME_LIMIT, markdown_text
from planning.tables import SORT_COLUMNS

_LINK = "_url_state_link"  # the opening link's parameters not yet read; None: read it on the next run
_NOTICES = "_url_state_notices"  # where this run's explanations go
_PENDING = "_url_state_pending"  # explanations not yet shown (made before a rerun)
_RESTORED_PAGES = "_url_state_restored_pages"
_FROM_LINK = "_url_state_from_link"  # keys whose value came from the opening URL, not yet checked
NONE_SELECTED = "none"  # how an empty multi-selection is written, so it survives the round trip


# The opening link ---------------------------------------------------------------------------------


def remember_opening_link() -> None:
    """On the session's first run (app.py, before any widget): keep the link's parameters."""
    if st.session_state.get(_LINK, None) is None:
        st.session_state[_LINK] = {name: st.query_params.get_all(name) for name in st.query_params}


def read_link_again() -> None:
    """The URL was rewritten and the app reruns: the next run reads the link as it is then."""
    st.session_state[_LINK] = None


def link_read() -> None:
    """End of the first run: what was not read by now is not read later (app.py)."""
    if st.session_state.get(_LINK) is not None:
        st.session_state[_LINK] = {}


def is_opening_run() -> bool:
    """Whether this is the session's first run and its link has parameters not yet read."""
    return bool(st.session_state.get(_LINK))


def from_link(name: str) -> list[str] | None:
    """The opening link's values for ``name``, once (None when it has none, or they were read)."""
    return (st.session_state.get(_LINK) or {}).pop(name, None)


# Explanations -------------------------------------------------------------------------------------


def problem_text(param: str, raw: str, reason: str) -> str:
    """The warning's Markdown: anyone can write a link, so its value (and a reason that may quote it)
    is escaped and shortened, never read as Markdown."""
    return f"`{param}=`{markdown_text(raw, NAME_LIMIT)} was ignored: {markdown_text(reason)}"


_problem = problem_text  # the name tests/test_safe_text.py imports


def link_notices(container) -> None:
    """Where this run's explanations go (a container app.py puts above the page); shows those left
    from before a rerun."""
    st.session_state[_NOTICES] = container
    for problem in st.session_state.pop(_PENDING, []):
        _warn(container, problem)


def warn_about_link(problem: str, keep: bool = False) -> None:
    """Say on screen that a setting of the link could not be used. ``keep``: the app is about to
    rerun, so say it on the next run."""
    if keep:
        st.session_state.setdefault(_PENDING, []).append(problem)
        return
    _warn(st.session_state.get(_NOTICES) or st, problem)


def _warn(where, problem: str) -> None:
    where.warning(f"This link had a setting that could not be used: {problem}", icon=":material/link_off:")


def show_url_problems() -> None:
    """Explanations not yet shown (for callers without ``link_notices``)."""
    for problem in st.session_state.pop(_PENDING, []):
        _warn(st, problem)


# Pages not yet drawn from ui/filters.py -----------------------------------------------------------


@dataclass(frozen=True)
class Shared:
    key: str
    param: str
    encode: Callable[[object], str]
    decode: Callable[[str], object]
    page: str  # url_path of the page it belongs to


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


RANK_BY_CODES = dict(zip(("per_year", "per_km2"), SORT_COLUMNS, strict=True))  # URL code -> option
CASELOAD_CODES = {str(cap): f"{cap} – {label}" for label, cap in program.CASELOAD_STANDARDS.items()}
CASELOAD_CODES["custom"] = "Custom"

SHARED: tuple[Shared, ...] = (
    # Referrals
    Shared("referrals_area", "area", str, _text, "referrals"),
    Shared("referrals_step", "step", str, one_of(("month", "quarter")), "referrals"),
    Shared("launch_window", "window", str, lambda text: int(one_of(("12", "24"))(text)), "referrals"),
    # Expansion planner (drawings are not shared: a saved proposal is the way to share a drawn area)
    Shared("rank_kind", "areas", str, one_of(("neighborhood", "district")), "expansion"),
    Shared("rank_by", "rank_by", *coded(RANK_BY_CODES), "expansion"),
    Shared("rank_candidates_only", "candidates", *coded({"only": True, "all": False}), "expansion"),
    Shared("proposal_mode", "proposal", str, one_of(("draw", "pick")), "expansion"),
    Shared("picked_nsas", "nsas", ",".join, _decode_list, "expansion"),  # nothing picked: left out
    Shared(
        "observed_area", "observed", str, one_of(("pilot_zone", "district:1959-2022:Central")), "expansion"
    ),
    Shared("caseload_standard", "caseload", *coded(CASELOAD_CODES), "expansion"),
    Shared("compare_ids", "compare", _encode_list, _decode_list, "expansion"),
    # Hearing brief
    Shared("brief_proposal", "proposal", str, _text, "brief"),
    Shared("brief_paper", "paper", str, one_of(("letter", "a4")), "brief"),
)
_BY_KEY = {shared.key: shared for shared in SHARED}
_PARAMS = {shared.param for shared in SHARED}


def restore_from_url(page: str | None) -> None:
    """On a page's first visit in this session, seed its ``SHARED`` widgets from the URL. Bad values
    are reported (after a rerun, if one comes first), not fatal."""
    restored = st.session_state.setdefault(_RESTORED_PAGES, set())
    if page in restored:
        return
    restored.add(page)
    from_link_keys = st.session_state.setdefault(_FROM_LINK, set())
    for shared in SHARED:
        raw = st.query_params.get(shared.param) if shared.page == page else None
        if raw is None:
            continue
        try:
            st.session_state[shared.key] = shared.decode(raw)
            from_link_keys.add(shared.key)
        except (ValueError, TypeError, KeyError) as error:
            warn_about_link(problem_text(shared.param, raw, str(error)), keep=True)


def came_from_link(key: str) -> bool:
    from_link_keys = st.session_state.get(_FROM_LINK, set())
    if key in from_link_keys:
        from_link_keys.discard(key)
        return True
    return False


def keep_valid(key: str, options: Sequence, default) -> None:
    """Before drawing the widget for ``key``: make its value one of ``options``.

    No value yet: ``default``. A value from the opening link that is not an option (an area that does
    not exist in this database): reported on screen, then ``default``. A value left over from an
    earlier choice that no longer fits: ``default``, quietly.
    """
    from_link_value = came_from_link(key)
    if key not in st.session_state:
        st.session_state[key] = default
        return
    value = st.session_state[key]
    if value in options:
        return
    if from_link_value:
        warn_about_link(problem_text(_BY_KEY[key].param, str(value), "no such choice in the loaded data"))
    st.session_state[key] = default


def keep_valid_items(key: str, options: Collection, default: Sequence = ()) -> None:
    """``keep_valid`` for a multi-selection: items that are not options are dropped (and reported when
    they came from the link); no value yet becomes ``default``."""
    from_link_value = came_from_link(key)
    if key not in st.session_state:
        st.session_state[key] = list(default)
        return
    values = list(st.session_state[key] or [])
    unknown = [value for value in values if value not in options]
    if unknown and from_link_value:
        names = ", ".join(str(value) for value in unknown)
        warn_about_link(problem_text(_BY_KEY[key].param, names, "no such choice in the loaded data"))
    if unknown:
        st.session_state[key] = [value for value in values if value in options]


def current_params(page: str) -> dict[str, str]:
    """The ``SHARED`` URL parameters for the view on ``page`` as it is now, in their fixed order."""
    params = {}
    for shared in SHARED:
        value = st.session_state.get(shared.key) if shared.page == page else None
        if value is None:
            continue
        try:
            encoded = shared.encode(value)
        except (ValueError, TypeError, KeyError):
            continue
        if encoded:
            params[shared.param] = encoded
    return params


def publish_to_url(page: str) -> None:
    """Write ``page``'s ``SHARED`` parameters into the URL and drop other pages' ones; parameters bound
    to widgets are left to Streamlit. Only changes are written (no needless history entries)."""
    params = current_params(page)
    for param in _PARAMS - params.keys():
        if param in st.query_params:
            del st.query_params[param]
    changed = {param: value for param, value in params.items() if st.query_params.get(param) != value}
    if changed:
        st.query_params.update(changed)
