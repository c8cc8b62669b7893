"""A known answer in the synthetic demo: an injected change in eligible arrests, a chosen re-arrest hazard.

The Impact page estimates whether LEAD-eligible arrests changed in the pilot zone after launch and how
soon participants are re-arrested. On synthetic data those estimates can be checked against the truth
only if the truth was put in on purpose, so the demo generator can carry

* an **arrest effect**: LEAD-eligible arrests with a location in the pilot zone, on or after the pilot
  launch, are multiplied by ``1 + effect`` (``-0.15`` = 15 % fewer). A fall thins those arrests, each
  kept with probability ``1 + effect``; a rise adds ``Poisson(effect)`` copies of each. Thinning or
  copying a Poisson count keeps it Poisson with the scaled mean, so the estimator's model holds;
  nothing else (other places, other charges, dates before launch) is touched.
* a **re-arrest hazard**: every participant is re-arrested after a time drawn from an exponential
  distribution with this monthly hazard (true share re-arrested within ``t`` months:
  ``1 - exp(-hazard * t)``), recorded when it falls before the end of the demo data.

Both draw from their own random stream (``SeedSequence(seed).spawn(6)[5]``), so the demo's other
draws are the same whether or not an effect is injected. The settings are written to the
``demo_settings`` table, and the Impact page says on screen which effect the loaded demo carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from domain import program

DAYS_PER_MONTH = 365.25 / 12
EFFECT_LIMITS = (-0.9, 1.0)  # a change beyond these is not a plausible program effect
HAZARD_LIMITS = (0.0, 1.0)  # per month


@dataclass(frozen=True)
class DemoEffects:
    """What the demo injects. ``arrest_effect`` 0 = none; ``rearrest_hazard`` None = the default draws."""

    arrest_effect: float = 0.0
    rearrest_hazard: float | None = None

    def __post_init__(self) -> None:
        low, high = EFFECT_LIMITS
        if not low <= self.arrest_effect <= high:
            raise ValueError(
                f"demo arrest effect must be between {low:+.0%} and {high:+.0%} (got {self.arrest_effect})"
            )
        if (
            self.rearrest_hazard is not None
            and not HAZARD_LIMITS[0] < self.rearrest_hazard <= HAZARD_LIMITS[1]
        ):
            raise ValueError(
                f"demo re-arrest hazard must be above 0 and at most {HAZARD_LIMITS[1]} a month "
                f"(got {self.rearrest_hazard})"
            )


NO_EFFECTS = DemoEffects()


def apply_arrest_effect(
    frame: pd.DataFrame,
    eligible_by_pair: np.ndarray,
    zone_by_point: np.ndarray,
    effect: float,
    rng: np.random.Generator,
    launch: date = program.PILOT_LAUNCH,
) -> pd.DataFrame:
    """Arrest rows (``arrest_date``, ``pair_idx``, ``point_idx``, ``seq``) with the effect applied.

    ``eligible_by_pair[pair_idx]`` says whether a charge is LEAD-eligible, ``zone_by_point[point_idx]``
    whether a place is in the pilot zone (``point_idx`` -1 = no location). ``seq`` is renumbered.

    >>> rows = pd.DataFrame({"seq": [1, 2], "arrest_date": pd.to_datetime(["2016-01-01", "2018-01-01"]),
    ...                      "pair_idx": [0, 0], "point_idx": [0, 0]})
    >>> len(apply_arrest_effect(rows, np.array([True]), np.array([True]), -0.9, np.random.default_rng(1)))
    1
    """
    if effect == 0 or frame.empty:
        return frame
    point = frame["point_idx"].to_numpy()
    in_zone = np.where(point >= 0, zone_by_point[np.maximum(point, 0)], False)
    affected = (
        in_zone
        & eligible_by_pair[frame["pair_idx"].to_numpy()]
        & (frame["arrest_date"] >= pd.Timestamp(launch)).to_numpy()
    )
    copies = np.ones(len(frame), dtype=np.int64)
    rows = np.flatnonzero(affected)
    if effect < 0:
        copies[rows] = rng.random(len(rows)) < 1 + effect
    else:
        copies[rows] += rng.poisson(effect, size=len(rows))
    out = frame.loc[np.repeat(frame.index.to_numpy(), copies)].reset_index(drop=True)
    out["seq"] = np.arange(1, len(out) + 1)
    return out


def rearrest_dates(enrolled_on: pd.Series, hazard: float, end: date, rng: np.random.Generator) -> pd.Series:
    """A re-arrest date for each enrolment (NaT when not enrolled, or when it falls after ``end``):
    enrolment plus an exponential time with ``hazard`` per month, at least one day."""
    months = rng.exponential(1 / hazard, size=len(enrolled_on))
    days = np.maximum(1, np.round(months * DAYS_PER_MONTH)).astype(np.int64)
    dates = pd.to_datetime(enrolled_on) + pd.to_timedelta(days, unit="D")
    return dates.where(dates <= pd.Timestamp(end)).astype("datetime64[us]")


def write_settings(con: duckdb.DuckDBPyConnection, effects: DemoEffects) -> None:
    """Record what the loaded demo carries (inside the demo's own transaction)."""
    con.execute("delete from demo_settings")
    con.executemany(
        "insert into demo_settings (setting, value) values (?, ?)",
        [["arrest_effect", effects.arrest_effect], ["rearrest_hazard", effects.rearrest_hazard]],
    )
