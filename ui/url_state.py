"""Shareable views: the page, period, filters, layers and display mode live in the URL.

Every widget whose state is worth sharing is listed once in ``SHARED``: its session-state key, its URL
parameter, how its value is written and read, and the page it belongs to (``None``: every page).
On a session's first run the URL's parameters seed the widgets; at the end of every run the current
values are written back in a fixed order, so a URL the app wrote opens the same view and comes back
unchanged. Staff sign-in is never part of the URL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import streamlit as st

_RESTORED_FLAG = "_url_state_restored"
_PROBLEMS_KEY = "_url_state_problems"


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
    return ",".join(values)


def _decode_list(text: str) -> list[str]:
    return [part for part in text.split(",") if part]


SHARED: tuple[Shared, ...] = (
    Shared("period", "period", _encode_period, _decode_period),
    Shared("projector", "mode", lambda on: "projector" if on else "public", _decode_flag),
)


def restore_from_url() -> None:
    """Seed widget state from the URL on the session's first run; bad values are reported, not fatal."""
    if st.session_state.get(_RESTORED_FLAG):
        return
    st.session_state[_RESTORED_FLAG] = True
    problems = []
    for shared in SHARED:
        raw = st.query_params.get(shared.param)
        if raw is None:
            continue
        try:
            st.session_state[shared.key] = shared.decode(raw)
        except (ValueError, TypeError) as error:
            problems.append(f"`{shared.param}={raw}` was ignored: {error}")
    st.session_state[_PROBLEMS_KEY] = problems


def url_problems() -> list[str]:
    """Parameters of the opening URL that could not be used (reported once)."""
    return st.session_state.pop(_PROBLEMS_KEY, [])


def current_params(page: str) -> dict[str, str]:
    """The URL parameters for the view on ``page`` as it is now, in the fixed order of ``SHARED``."""
    params = {}
    for shared in SHARED:
        if shared.page not in (None, page):
            continue
        value = st.session_state.get(shared.key)
        if value is None or value == []:
            continue
        try:
            params[shared.param] = shared.encode(value)
        except (ValueError, TypeError):
            continue  # a half-edited widget (e.g. a period with one date) is not shared
    return params


def publish_to_url(page: str) -> None:
    """Write the current view into the URL (only when it changed, to avoid needless history entries)."""
    params = current_params(page)
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)
