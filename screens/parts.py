"""What several screens are made of: a figure as a metric shows it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    """One figure of a row of metrics, as shown (the fields are named as ``st.metric``'s arguments)."""

    label: str
    value: str
    help: str | None = None
    delta: int | str | None = None
    delta_color: str = "normal"
    delta_description: str | None = None
