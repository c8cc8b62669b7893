"""Geometry for the LEAD dashboard: boundaries, the pilot zone, generalisation, hex cells and map layers."""
