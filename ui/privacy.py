"""Small-count suppression for public views: one place for the rule.

Counts from 1 to 4 are shown as "fewer than 5" in public mode; zero stays zero (nothing to protect).
"""

from __future__ import annotations

import math

import pandas as pd

from program import SMALL_COUNT_THRESHOLD

SUPPRESSED_TEXT = f"fewer than {SMALL_COUNT_THRESHOLD}"


def is_small(value) -> bool:
    """True for a count that must not be shown publicly (1 to threshold-1)."""
    if value is None or pd.isna(value):  # None, NaN and pandas' NA: no count, nothing to hide
        return False
    return 0 < int(value) < SMALL_COUNT_THRESHOLD


def public_count(value, public: bool = True) -> str:
    """A count as text, with small counts replaced in public views."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if public and is_small(value):
        return SUPPRESSED_TEXT
    return f"{int(value):,}"


def mask_small(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Copy of ``frame`` with small counts in ``columns`` set to missing (for charts and downloads).

    Within each row, when exactly one count is small, the next smallest non-zero count is masked too,
    so a hidden value cannot be recovered by subtracting the others from a total shown elsewhere.
    """
    masked = frame.copy()
    for column in columns:
        masked[column] = masked[column].astype("Float64")
    values = frame[columns]
    small = values.apply(lambda col: col.map(is_small))
    for index in frame.index:
        row_small = small.loc[index]
        hide = set(row_small[row_small].index)
        if len(hide) == 1:
            candidates = values.loc[index].drop(list(hide))
            candidates = candidates[candidates > 0]
            if not candidates.empty:
                hide.add(candidates.astype(float).idxmin())
        for column in hide:
            masked.at[index, column] = pd.NA
    return masked


def mask_small_in_column(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Copy of ``frame`` with small counts in ``column`` set to missing, down the column.

    For a breakdown whose total is shown elsewhere (referrals by offense, by area, by reason): the
    same rule as ``mask_small`` applied to the column instead of a row, so when exactly one count is
    small the next smallest non-zero count is hidden too.
    """
    as_row = frame[column].reset_index(drop=True).to_frame().T
    masked_row = mask_small(as_row, list(as_row.columns))
    masked = frame.copy()
    masked[column] = pd.array(masked_row.iloc[0].to_list(), dtype="Float64")
    return masked


def hide_where_missing(frame: pd.DataFrame, hidden: str, dependents: list[str]) -> pd.DataFrame:
    """Copy of ``frame`` with ``dependents`` missing wherever ``hidden`` is missing.

    For figures computed from a count (a ratio, a mean) that would give the hidden count away.
    """
    masked = frame.copy()
    gone = masked[hidden].isna()
    for column in dependents:
        masked[column] = masked[column].astype("Float64")
        masked.loc[gone, column] = pd.NA
    return masked


def public_delta(current, previous, public: bool = True):
    """The change from ``previous`` to ``current``, or None when either side is missing or, in a
    public view, small (a difference next to a shown count would reveal the hidden one)."""
    sides = (current, previous)
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in sides):
        return None
    if public and any(is_small(v) for v in sides):
        return None
    return int(current) - int(previous)
