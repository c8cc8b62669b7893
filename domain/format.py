"""How figures are written on screen."""

from __future__ import annotations

import math


def count(value) -> str:
    """A whole number with thousands separators; a dash when there is no value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{int(value):,}"


def ratio(value, digits: int = 1) -> str:
    """A ratio with fixed decimals; a dash when it cannot be computed (e.g. nothing to divide by)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value):.{digits}f}"
