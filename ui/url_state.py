"""The opening link: what it asked for, and what of it could not be used.

Widgets drawn from ``ui/filters.py`` are bound to the URL by Streamlit itself. What is left here:

* the opening link, kept for the session's first run (``remember_opening_link`` / ``from_link``), so a
  value Streamlit would drop silently, or a parameter of a link made before the binding, is read
  once and explained;
* those explanations (``warn_about_link``), shown where app.py puts them (``link_notices``) and kept
  across a rerun.

Staff sign-in is never in the URL.
"""

from __future__ import annotations

import streamlit as st

from domain.safe_text import NAME_LIMIT, markdown_text

_LINK = "_url_state_link"  # the opening link's parameters not yet read; None: read it on the next run
_NOTICES = "_url_state_notices"  # where this run's explanations go
_PENDING = "_url_state_pending"  # explanations not yet shown (made before a rerun)


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


def from_link(name: str, keep: bool = False) -> list[str] | None:
    """The opening link's values for ``name``, once (None when it has none, or they were read);
    ``keep``: a look that leaves them to be read."""
    link = st.session_state.get(_LINK) or {}
    return link.get(name) if keep else link.pop(name, None)


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
