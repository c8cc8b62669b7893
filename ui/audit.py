"""What the pages write to the audit trail: staff pages opened and staff exports downloaded.

Sign-in, sign-out and failed sign-in are written by ``ui.auth``; imports and proposals by the pages
that make them, through ``ui.auth.note``. The rows go through ``store.audit``, the trail's one writer.
"""

from __future__ import annotations

import streamlit as st

import queries
from ui.auth import note
from ui.data import connection

LAST_PAGE_KEY = "audit_last_page"  # the page this session was last on (so a rerun is not a new visit)


def page_opened(page, staff_pages) -> None:
    """Record a visit to a staff page: once when the session enters it, again only after leaving it."""
    path = page.url_path
    if st.session_state.get(LAST_PAGE_KEY) == path:
        return
    st.session_state[LAST_PAGE_KEY] = path
    if any(path == staff.url_path for staff in staff_pages):
        note("staff_page_opened", subject=page.title)


def staff_download(label: str, data, file_name: str, mime: str, key: str, place=st) -> None:
    """A download button for participant-level or staff-only data: each download is recorded.

    (A recorded click reruns the page, unlike the public downloads, which are made without a rerun.)
    """
    place.download_button(
        label, data=data, file_name=file_name, mime=mime, icon=":material/download:", key=key,
        on_click=export_click(False, file_name),
    )  # fmt: skip


def export_click(public: bool, file_name: str):
    """A download button's ``on_click``: nothing for a public view (no rerun); in a staff view, the
    download is recorded (participant-level detail and small counts are in it)."""
    if public:
        return "ignore"
    return lambda: note("staff_export_downloaded", subject=file_name)


def audit_rows(max_rows: int = 1000):
    """The newest rows of the audit trail (never cached: the trail grows with every click)."""
    return queries.run(connection(), "audit_log", max_rows=max_rows)
