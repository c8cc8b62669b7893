"""Hearing brief: one printable page with the map, headline figures, the trend, a proposal and sources."""

import streamlit as st

from domain.safe_text import NAME_LIMIT, clean_text, markdown_text
from screens.brief import PAPERS, proposal_choices
from ui.brief import page_brief_html
from ui.chrome import current_view
from ui.data import query
from ui.filters import BRIEF_EQUITY, BRIEF_IMPACT, BRIEF_PAPER, BRIEF_PROPOSAL, draw

st.title("Hearing brief")
st.caption(
    "One printed page for a council hearing or a community meeting: the map, the headline figures of the "
    "pilot zone and the Central District, referrals over time, a saved expansion proposal if you choose "
    "one, the equity table and the impact estimate if you ask for them, and the sources. Always the public "
    "view, whoever is signed in: whole quarters, referral counts rounded to a multiple of 5."
)

view = current_view()
if view is None:
    st.stop()

brief_period = view.public_period()  # the brief is public: whole quarters, whoever is signed in
if brief_period != (view.start_date, view.end_date):
    st.caption(
        f"Public figures cover whole quarters: the brief covers {brief_period[0]:%d %b %Y} – "
        f"{brief_period[1]:%d %b %Y}."
    )

proposals = proposal_choices(query("proposal_list"))
proposal_column, paper_column = st.columns([3, 1])
with proposal_column:
    proposal_id = draw(
        BRIEF_PROPOSAL,
        options=list(proposals),
        format=lambda area_id: clean_text(proposals[area_id], NAME_LIMIT),  # saved names are anyone's text
    )
with paper_column:
    paper = draw(BRIEF_PAPER)
equity_column, impact_column = st.columns(2)
with equity_column:
    with_equity = draw(BRIEF_EQUITY)
with impact_column:
    with_impact = draw(BRIEF_IMPACT)

try:
    html = page_brief_html(*brief_period, proposal_id, paper, with_equity, with_impact)
except ValueError as error:
    html = None
    st.error(f"The brief could not be assembled: {markdown_text(error)}.")

if html is not None:
    st.download_button(
        "Download the brief (print-ready HTML)",
        data=html,
        file_name=f"lead-hearing-brief-{brief_period[0]}-{brief_period[1]}.html",
        mime="text/html",
        icon=":material/print:",
        type="primary",
        on_click="ignore",
        help="One file with its pictures inside: open it in any browser, with no internet, and print it.",
    )
    st.caption(
        f"Prints on one {PAPERS[paper]} page (the browser's print, or “Save as PDF”). The preview below is "
        "the same document."
    )
    st.iframe(html, height=1100)
