"""The domain core: rules every page, download and brief shares (no Streamlit, no ui/geo/pages imports)."""
