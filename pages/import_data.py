"""Import data (staff only): load the city's own arrests or referrals file and read the import report."""

import streamlit as st

from domain.safe_text import NAME_LIMIT, clean_text, markdown_text
from ingest.importers import ImportRejected
from ingest.importers.columns import ARRESTS_LAYOUT, REFERRALS_LAYOUT
from ingest.importers.report import reason_table, unclassified_table
from ingest.importers.upload import import_bytes_as_generation
from store import database_path
from store.audit import file_sha256
from store.connection import REPO_ROOT
from ui.audit import staff_download
from ui.auth import note
from ui.chrome import current_view
from ui.data import data_changed, query
from ui.tables import csv_bytes

TEMPLATE = REPO_ROOT / "data" / "templates" / "referrals.csv"
KINDS = {
    "arrests": "BPD arrests (Open Baltimore download)",
    "referrals": "Referrals (case-management export)",
}
LAYOUTS = {"arrests": ARRESTS_LAYOUT, "referrals": REFERRALS_LAYOUT}
RESULT_KEY = "import_result_{kind}"  # the last outcome per kind of file, kept across reruns

st.title("Import data")

view = current_view()
if view is None or view.public:
    st.info("Staff sign-in is required to import data.", icon=":material/lock:")
    st.stop()

st.caption(
    "Load the city's own files. Real arrests replace the synthetic demo arrests, and real referrals the "
    "demo referrals; rows that cannot be trusted are set aside in quarantine with the reason, and a file "
    "that cannot be read at all changes nothing. The command line does the same: "
    "`python -m ingest arrests FILE` or `python -m ingest referrals FILE`."
)

kind = st.radio(
    "What is in the file?", list(KINDS), format_func=KINDS.get, horizontal=True, key="import_kind"
)
with st.expander("Columns this importer recognises"):
    for f in LAYOUTS[kind].fields:
        marker = " (required)" if f.required else ""
        st.markdown(f"- **{f.label}**{marker}: {', '.join(f'`{a}`' for a in f.aliases)}")
    if kind == "arrests":
        st.markdown(
            "Both layouts Open Baltimore has published load as they come: the classic CSV "
            "(`Arrest`, `ArrestDate` MM/DD/YYYY, `Location 1`) and the ArcGIS Hub export "
            "(`ArrestNumber`, `ArrestDateTime`, `GeoLocation`). Sex, race and addresses are not stored."
        )
if kind == "referrals":
    st.download_button(
        "Download the referrals template (CSV)",
        data=TEMPLATE.read_bytes(),
        file_name="referrals_template.csv",
        mime="text/csv",
        icon=":material/download:",
    )

uploaded = st.file_uploader("CSV file", type=["csv", "txt", "tsv"], key=f"import_file_{kind}")
if st.button("Import", type="primary", disabled=uploaded is None, icon=":material/upload:"):
    bar = st.progress(0.0, text="starting")
    digest = file_sha256(uploaded.getvalue())  # for the audit trail: which bytes were loaded
    try:  # a new generation of the database, swapped in when complete (store/generations.py)
        report = import_bytes_as_generation(
            database_path(),
            kind,
            uploaded.name,
            uploaded.getvalue(),
            progress=lambda fraction, message: bar.progress(min(fraction, 1.0), text=message),
        )
    except ImportRejected as rejected:
        st.session_state[RESULT_KEY.format(kind=kind)] = ("rejected", str(rejected))
        note("import", "failed", subject=uploaded.name, sha256=digest, reason=str(rejected))
    else:
        st.session_state[RESULT_KEY.format(kind=kind)] = ("loaded", report)
        note("import", subject=uploaded.name, sha256=digest, reason=report.summary())
        data_changed()
    st.rerun()  # redraw the banner, the period and this page from the new data

outcome = st.session_state.get(RESULT_KEY.format(kind=kind))
if outcome and outcome[0] == "rejected":
    # the message quotes the file (its name, its header): shown as text, never as Markdown
    message = markdown_text(outcome[1])
    st.error(f"{message}. Nothing was written: the database is as it was.", icon=":material/block:")
elif outcome:
    report = outcome[1]
    st.success(report.summary(file_name=markdown_text), icon=":material/check_circle:")
    read, loaded, duplicates, quarantined, unmapped = st.columns(5)
    read.metric("Rows read", f"{report.rows_read:,}")
    loaded.metric("Loaded", f"{report.rows_loaded:,}")
    duplicates.metric("Duplicates skipped", f"{report.rows_duplicate:,}")
    quarantined.metric("Quarantined", f"{report.rows_quarantined:,}")
    unmapped.metric("Loaded, unmapped", f"{report.rows_unmapped:,}", help="Kept, but no coordinates to map")
    if report.quarantined_by_reason:
        st.subheader("Quarantined, by reason")
        st.dataframe(reason_table(report), hide_index=True)
        st.markdown("\n".join(f"- {markdown_text(line)}" for line in report.examples))  # quote the file
    if report.unclassified:
        st.subheader("Most frequent charges no rule recognises")
        st.caption("Extend `ingest/rules/lead_charge_rules.csv` to classify them.")
        st.dataframe(unclassified_table(report), hide_index=True)
    with st.expander("Full import report"):
        text = "\n".join(report.lines())
        st.code(text, language=None)
        report_name = f"import_{report.import_id}_report.txt"
        staff_download("Download the report", text, report_name, "text/plain", key="report_txt")

st.subheader("Recent imports")
imports = query("latest_imports", max_rows=20)
# file names as uploaded: a bidirectional override in one would turn the table's text around
imports["source_file"] = [clean_text(name, NAME_LIMIT) for name in imports["source_file"]]
if imports.empty:
    st.caption("No real file has been imported yet: the app shows synthetic demo data.")
else:
    st.dataframe(
        imports,
        hide_index=True,
        column_order=[c for c in imports.columns if c != "status"],
        column_config={
            "import_id": st.column_config.NumberColumn("Import", format="%d"),
            "finished_at": st.column_config.DatetimeColumn("Finished", format="YYYY-MM-DD HH:mm"),
            "kind": "Kind",
            "source_file": "File",
            "rows_read": st.column_config.NumberColumn("Read", format="localized"),
            "rows_loaded": st.column_config.NumberColumn("Loaded", format="localized"),
            "rows_duplicate": st.column_config.NumberColumn("Duplicates", format="localized"),
            "rows_quarantined": st.column_config.NumberColumn("Quarantined", format="localized"),
            "rows_unmapped": st.column_config.NumberColumn("Unmapped", format="localized"),
            "as_of": st.column_config.DateColumn("As of"),
        },
    )
    chosen = st.selectbox(
        "Quarantined rows of import",
        imports["import_id"].tolist(),
        format_func=lambda i: f"#{i}",
        key="quarantine_import",
    )
    held = query("import_quarantine", import_id=int(chosen), max_rows=500)
    held["raw"] = [clean_text(raw, 2_000) for raw in held["raw"]]  # rows as read: shown and saved as text
    if held.empty:
        st.caption("Nothing was quarantined in this import.")
    else:
        st.caption(f"{len(held):,} quarantined rows shown (the first 500 at most), in file order.")
        st.dataframe(
            held,
            hide_index=True,
            column_config={"row_number": "Row", "field": "Column", "reason": "Reason", "raw": "Row as read"},
        )
        staff_download(
            "Download these quarantined rows (CSV)",
            csv_bytes(held),
            f"import_{chosen}_quarantine.csv",
            "text/csv",
            key="quarantine_csv",
        )
