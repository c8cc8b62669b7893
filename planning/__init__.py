"""Expansion planning: candidate areas, the case-management site, and pure projection arithmetic."""
