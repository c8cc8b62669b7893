"""Statistics for the Impact page: difference-in-differences of arrests (``did``), re-arrest after
enrolment (``survival``). Pure functions over frames; imports only ``domain`` (no database, no Streamlit)."""
