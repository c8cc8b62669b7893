"""LEAD Baltimore dashboard: the front door (page config, shared sidebar, navigation)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.audit import page_opened
from ui.auth import establish_identity, is_admin, is_staff, sign_in_panel
from ui.chrome import data_source_banner, projector_requested, run_page_safely, sidebar_view
from ui.data import watch_for_new_data
from ui.filters import drop_unread_old_params, rewrite_old_codes
from ui.maps import register_map_component
from ui.url_state import link_notices, link_read, remember_opening_link

st.set_page_config(
    page_title="LEAD Baltimore",
    page_icon=str(Path(__file__).parent / "static" / "favicon.png"),
    layout="wide",
    initial_sidebar_state="collapsed" if projector_requested() else "expanded",
)

PUBLIC_PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/home:", default=True),
    st.Page("pages/map.py", title="Map", icon=":material/layers:"),
    st.Page("pages/referrals.py", title="Referrals", icon=":material/groups:"),
    st.Page("pages/equity.py", title="Equity", icon=":material/balance:"),
    st.Page("pages/impact.py", title="Is it working?", icon=":material/query_stats:"),
    st.Page("pages/expansion.py", title="Expansion planner", icon=":material/add_location_alt:"),
    st.Page("pages/brief.py", title="Hearing brief", icon=":material/print:"),
]
# Staff pages are not even registered for a public session: their URLs lead nowhere. Opening one is
# written to the audit trail (ui/audit.py).
STAFF_PAGES = [
    st.Page("pages/import_data.py", title="Import data", icon=":material/upload_file:"),
]
ADMIN_PAGES = [
    st.Page("pages/admin.py", title="Audit trail", icon=":material/policy:"),
]

register_map_component()  # before any page draws a map (see ui/maps.py)
establish_identity()  # single sign-on: this run's role, from the identity provider and the allow-list
page = st.navigation(PUBLIC_PAGES + (STAFF_PAGES if is_staff() else []) + (ADMIN_PAGES if is_admin() else []))
page_opened(page, STAFF_PAGES + ADMIN_PAGES)
remember_opening_link()  # before any widget: what a link asked for is explained if it cannot be used
rewrite_old_codes()
sign_in_panel()
st.session_state["view"] = sidebar_view()
data_source_banner()
watch_for_new_data()  # a refresh published new data: rerun open sessions (ui/data.py)
link_notices(st.container())
try:
    run_page_safely(page)
finally:
    drop_unread_old_params()  # an old link's filter the view did not draw: out of the URL, and said
    link_read()
