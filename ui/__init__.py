"""Streamlit pieces shared by every page: cached data access, the sidebar, banners."""
