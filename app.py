"""LEAD Baltimore dashboard: the front door (page config, shared sidebar, navigation)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.chrome import data_source_banner, run_page_safely, sidebar_view

st.set_page_config(
    page_title="LEAD Baltimore",
    page_icon=str(Path(__file__).parent / "static" / "favicon.png"),
    layout="wide",
)

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/home:", default=True),
    st.Page("pages/expansion.py", title="Expansion planner", icon=":material/add_location_alt:"),
    st.Page("pages/referrals.py", title="Referrals", icon=":material/groups:"),
    st.Page("pages/import_data.py", title="Import data", icon=":material/upload_file:"),
]

page = st.navigation(PAGES)
st.session_state["view"] = sidebar_view()
data_source_banner()
run_page_safely(page)
