"""Admin (admins only): the audit trail, who did what and when, listed and exported as CSV."""

import pandas as pd
import streamlit as st

from domain.safe_text import NAME_LIMIT, clean_text
from queries import column_labels
from ui.audit import audit_rows, staff_download
from ui.auth import is_admin
from ui.tables import csv_bytes

SHOWN = 1000

st.title("Audit trail")

if not is_admin():  # the page is registered for admins only; this holds if it ever is not
    st.info("The audit trail is for administrators.", icon=":material/lock:")
    st.stop()

st.caption(
    "Every sign-in, failed sign-in and sign-out, every import (with the file's SHA-256), every saved or "
    "deleted proposal, every staff page opened and every staff export downloaded, newest first. Rows are "
    "only ever added, by the app and the command line; none is changed or removed."
)
rows = audit_rows(SHOWN)
for column in ("who", "subject", "reason"):  # identities and file names are other people's text
    rows[column] = [None if pd.isna(text) else clean_text(text, NAME_LIMIT * 4) for text in rows[column]]
if rows.empty:
    st.caption("Nothing has been recorded yet.")
    st.stop()
st.caption(f"The newest {len(rows):,} rows (at most {SHOWN:,}).")
labels = column_labels("audit_log")
st.dataframe(rows.rename(columns=labels), hide_index=True, key="audit_table")
staff_download(
    "Download the audit trail (CSV)",
    csv_bytes(rows.rename(columns=labels)),
    "audit_trail.csv",
    "text/csv",
    key="audit_csv",
)
