"""Race, sex and age for the demo's synthetic arrests and referrals.

Arrests: each synthetic arrest draws its race and sex from the shares of real BPD arrests in its
district (``data/calibration/demographics.csv``, aggregate counts written by ``python -m ingest.calibrate``;
an arrest with no mapped place draws from the real arrests that had no district). Its age is already
drawn by ``ingest.demo`` from the real age mix.

Referrals: people are referred where LEAD works, so a referral draws race and sex from the arrests of
its district, weighted by ``REFERRAL_DISPARITY``: a group's chance of being referred per eligible
arrest relative to the others. The default refers Black people at 0.6 times the rate of everyone
else, an invented, configurable signal so the Equity page and its tests have something to find; the
later decision points carry no disparity. Ages follow the real arrest age mix.

Draws come from their own random stream (``generate_demo`` hands one over), so adding them changed
no other synthetic value.

>>> # race, sex = draw_arrest_people(districts, load_demographics(CALIBRATION_DIR), rng)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from domain import equity

DEMOGRAPHICS_TABLE = "demographics.csv"
NO_DISTRICT = "unknown"  # the calibration's district for arrests BPD gave no district
# A group's relative chance of referral per eligible arrest (1 = everyone else's). Invented for the demo.
REFERRAL_DISPARITY: Mapping[str, float] = {"black": 0.6}


def load_demographics(directory: Path) -> pd.DataFrame:
    """The calibration table: district, race, sex, arrests (codes checked against ``domain.equity``)."""
    path = Path(directory) / DEMOGRAPHICS_TABLE
    if not path.is_file():
        raise FileNotFoundError(
            f"calibration table {path} missing: run python -m ingest.calibrate --shared ..."
        )
    table = pd.read_csv(path, dtype={"district": str, "race": str, "sex": str, "arrests": int})
    wrong = sorted(set(table["race"]) - set(equity.RACES)) + sorted(set(table["sex"]) - set(equity.SEXES))
    if wrong:
        raise ValueError(f"calibration table {path.name}: unknown codes {wrong}")
    return table


def _draw(table: pd.DataFrame, districts: np.ndarray, rng: np.random.Generator, weight=None):
    """Race and sex for rows in ``districts`` (None: no district), from each district's cells."""
    n = len(districts)
    race = np.empty(n, dtype=object)
    sex = np.empty(n, dtype=object)
    known = set(table["district"])
    keyed = np.array([d if d in known else NO_DISTRICT for d in pd.Series(districts).fillna(NO_DISTRICT)])
    for district in np.unique(keyed):
        rows = np.flatnonzero(keyed == district)
        cells = table.loc[table["district"] == district]
        if cells.empty:  # no district in the table at all: the whole city's mix
            cells = table
        p = cells["arrests"].to_numpy(float)
        if weight is not None:
            p = p * cells["race"].map(weight).fillna(1.0).to_numpy(float)
        picked = rng.choice(len(cells), size=len(rows), p=p / p.sum())
        race[rows] = cells["race"].to_numpy(object)[picked]
        sex[rows] = cells["sex"].to_numpy(object)[picked]
    return race, sex


def draw_arrest_people(
    districts: np.ndarray, table: pd.DataFrame, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Race and sex codes for arrests in BPD ``districts`` (short names; None for unmapped)."""
    return _draw(table, districts, rng)


def draw_referral_people(
    districts: np.ndarray,
    table: pd.DataFrame,
    ages: pd.DataFrame,
    rng: np.random.Generator,
    disparity: Mapping[str, float] = REFERRAL_DISPARITY,
) -> pd.DataFrame:
    """Race, sex and age for referrals in ``districts``; ``ages`` is the calibration's age table."""
    race, sex = _draw(table, districts, rng, weight=dict(disparity))
    weights = ages["arrests"].to_numpy(float)
    band = rng.choice(len(ages), size=len(districts), p=weights / weights.sum())
    low, high = ages["age_from"].to_numpy()[band], ages["age_to"].to_numpy()[band]
    # LEAD takes adults: a referral's age is at least 18 (under-18 bins are moved up)
    age = np.maximum(rng.integers(low, high + 1), equity.AGE_EDGES[0])
    return pd.DataFrame({"race": race, "sex": sex, "age": age.astype(np.int32)})
