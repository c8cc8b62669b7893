"""Time to re-arrest after enrolment: Kaplan-Meier curves with a 95 % confidence band (statsmodels).

The curve and its Greenwood standard errors come from ``statsmodels.duration.survfunc.SurvfuncRight``;
the band is the pointwise log(-log) interval around them (``_band``).

``curve`` takes one row per participant (staff view: exact months to re-arrest or to the end of
follow-up). ``curve_from_steps`` takes a life table of counts per step since enrolment (the public
view: counts already rounded by the disclosure rule) and gives the curve that moves only at the ends of
the steps: every event and every end of follow-up of a step is placed at its end, events first (the
usual Kaplan-Meier convention for ties), so the curve is the one the step counts alone imply and
reveals nothing more than they do.

Both return a frame ``months, survival, low, high, at_risk, events`` (one row per time the curve moves,
plus month 0), and ``by_horizons`` reads the share re-arrested by 6, 12 and 24 months from it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.duration.survfunc import SurvfuncRight

COLUMNS = ["months", "survival", "low", "high", "at_risk", "events"]


Z95 = 1.959963984540054


def _band(survival: np.ndarray, se: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise 95 % interval on the log(-log) scale around statsmodels' Greenwood standard errors (the
    usual Kaplan-Meier interval, as lifelines and R's survival draw it; it stays inside 0..1).
    statsmodels' own band (Hall-Wellner) is simultaneous over the whole curve and several times wider
    near the start, where the curve is close to 1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(survival)
        spread = Z95 * se / (survival * np.abs(log_s))
        low = survival ** np.exp(spread)
        high = survival ** np.exp(-spread)
    flat = (survival >= 1) | ~np.isfinite(spread)
    low = np.where(flat, survival, low)
    high = np.where(flat, survival, high)
    return np.where(survival > 0, low, 0.0), np.where(survival > 0, high, 0.0)


def _frame(fit: SurvfuncRight, total: float, time: np.ndarray) -> pd.DataFrame:
    survival = np.asarray(fit.surv_prob, dtype=float)
    low, high = _band(survival, np.asarray(fit.surv_prob_se, dtype=float))
    steps = pd.DataFrame(
        {
            "months": np.asarray(fit.surv_times, dtype=float),
            "survival": survival,
            "low": np.clip(low, 0, 1),
            "high": np.clip(high, 0, 1),
            "at_risk": np.asarray(fit.n_risk, dtype=float),
            "events": np.asarray(fit.n_events, dtype=float),
        }
    )
    start = pd.DataFrame(
        {
            "months": [0.0],
            "survival": [1.0],
            "low": [1.0],
            "high": [1.0],
            "at_risk": [float(total)],
            "events": [0.0],
        }
    )
    frame = pd.concat([start, steps], ignore_index=True)[COLUMNS]
    end = float(time.max())
    if end > frame["months"].iloc[-1]:  # the curve runs on, flat, as long as anyone is followed
        last = frame.iloc[-1]
        tail = {
            "months": end,
            "survival": last["survival"],
            "low": last["low"],
            "high": last["high"],
            "at_risk": float((time >= end).sum()),
            "events": 0.0,
        }
        frame = pd.concat([frame, pd.DataFrame([tail])], ignore_index=True)
    return frame


def curve(months_followed, rearrested) -> pd.DataFrame:
    """Kaplan-Meier curve of staying free of re-arrest, from one row per participant.

    >>> curve([2, 3, 3, 5], [1, 0, 1, 0])["survival"].round(3).tolist()
    [1.0, 0.75, 0.5, 0.5]
    """
    time = np.asarray(months_followed, dtype=float)
    status = np.asarray(rearrested, dtype=float)
    if len(time) == 0 or status.sum() == 0:
        return pd.DataFrame(
            {
                "months": [0.0],
                "survival": [1.0],
                "low": [np.nan],
                "high": [np.nan],
                "at_risk": [float(len(time))],
                "events": [0.0],
            }
        )
    return _frame(SurvfuncRight(time, status), len(time), time)


def curve_from_steps(steps: pd.DataFrame) -> pd.DataFrame:
    """The curve a life table implies: columns ``to_month``, ``rearrested_in_step``, ``left_follow_up``,
    ``beyond`` (whole counts per step since enrolment; ``beyond`` = followed past the last step, counted at
    its end).

    The counts are laid out as that many rows at each step's end and fitted like ``curve``: statsmodels'
    frequency weights would give the same curve but a standard error of another kind (Tsiatis', on the
    log scale), and the band must be the one the staff curve has.
    """
    counts = (
        steps[["rearrested_in_step", "left_follow_up", "beyond"]].to_numpy(float).round().astype(np.int64)
    )
    counts = np.clip(counts, 0, None)
    time = np.repeat(np.repeat(steps["to_month"].to_numpy(float), 3), counts.ravel())
    status = np.repeat(np.tile([1.0, 0.0, 0.0], len(steps)), counts.ravel())
    return curve(time, status)


def followed_at(months_followed, months: float) -> int:
    """How many participants were still followed (not re-arrested, not censored) at ``months``."""
    return int((np.asarray(months_followed, dtype=float) >= months).sum())


def by_horizons(km: pd.DataFrame, horizons, followed: dict[float, float]) -> pd.DataFrame:
    """Share re-arrested by each horizon (1 - survival) with its interval from the band; NaN where
    nobody was followed that long (``followed[h]`` = participants still at risk at ``h``).

    Columns: months, rearrested_share, low, high, still_followed.
    """
    rows = []
    for h in horizons:
        upto = km.loc[km["months"] <= h + 1e-9]
        at = upto.iloc[-1] if len(upto) else None
        reached = followed.get(h, 0) > 0
        if at is None or not reached or pd.isna(at["low"]) and at["months"] > 0:
            rows.append(
                {
                    "months": h,
                    "rearrested_share": np.nan,
                    "low": np.nan,
                    "high": np.nan,
                    "still_followed": followed.get(h, 0),
                }
            )
            continue
        low, high = (0.0, 0.0) if at["months"] == 0 else (1 - at["high"], 1 - at["low"])
        rows.append(
            {
                "months": h,
                "rearrested_share": 1 - at["survival"],
                "low": low,
                "high": high,
                "still_followed": followed.get(h, 0),
            }
        )
    return pd.DataFrame(rows, columns=["months", "rearrested_share", "low", "high", "still_followed"])
