"""Screen models: per page, what it shows, already masked and formatted; no Streamlit."""
