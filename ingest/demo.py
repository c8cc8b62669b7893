"""Seeded synthetic demo data that looks like Baltimore: arrests 2014-2024, LEAD referrals, case managers.

    generate_demo(con, arrests=200_000, seed=2017, progress=None)

Every row written carries ``source = 'synthetic-demo'``; the call replaces all earlier synthetic
rows in one transaction. A table that holds imported real rows gets no synthetic rows at all: real and
synthetic records are never mixed. Nothing here is a real record.

Where the numbers come from
---------------------------
* Aggregate tables in ``data/calibration/`` (``python -m ingest.calibrate``), built from the BPD
  arrest sample of 2017-2018: the code/description mix as BPD spells it, hot-spot weights per H3
  resolution-8 cell, hour of day, day of week, age, and the share of each charge with coordinates;
  race and sex per district (``ingest/demo_people.py``, which also gives referrals race, sex and age
  with an invented, configurable referral disparity).
* ``domain/program.py`` / FACTS.md for the program: launch February 2017 in the pilot zone, district-wide
  (1959-2022 Central District) from ``DISTRICT_WIDE_FROM``; more than 40 referrals in the first five
  months; the April 2017 account (25 referrals: 5 arrest, 15 social contact, the rest ineligible);
  about 60 enrolled in the first year with two re-arrested; caseload cap of 28 per pair.
* Assumed, illustrative shapes (not official counts), labelled here so nobody cites them:
  ``YEAR_INDEX`` (arrests fell by about two thirds 2014-2022), ``MONTH_INDEX`` (mild summer peak),
  ``LOW_LEVEL_DAMPING`` (2020-2022, when the State's Attorney stopped prosecuting drug possession,
  prostitution, trespass and public urination), the share of drug arrests that are possession
  (``CDS_POSSESSION_SHARE``, "nearly three quarters" in 2014; the 2017 sample itself gives 0.57), and
  everything about referral outcomes after the first year.

Referral points lie inside the area in force on the referral date (pilot zone, then the Central
District); an ``outside_area`` refusal means the person lives and spends time outside it, although
the officer met them inside.

Exit reasons: ``completed`` (graduated / stable), ``disengaged`` (lost contact), ``moved`` (left the
area), ``incarcerated`` (jailed, on a new or an old charge), ``deceased``.

The work is vectorised: arrests are drawn as numpy arrays and written with one INSERT ... SELECT
from a registered DataFrame; the only Python loops run over calibration cells (hundreds) and
referrals (hundreds).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import h3
import numpy as np
import pandas as pd

from domain import disclosure, program
from ingest import demo_effects, demo_people
from ingest.assign import build_point_areas, h3_cells
from ingest.calibrate import CALIBRATION_DIR, CATEGORY_GROUP
from ingest.classify import classify_frame
from ingest.demo_effects import NO_EFFECTS, DemoEffects
from store.connection import transaction

SOURCE = "synthetic-demo"
START = date(2014, 1, 1)
END = date(2024, 12, 31)

# Relative arrest volume at mid-year (1.0 = 2014). Assumed shape: steep fall after 2015, a COVID
# trough in 2020 and a low plateau after; interpolated daily between the mid-year anchors.
YEAR_INDEX = {
    2014: 1.00,
    2015: 0.80,
    2016: 0.70,
    2017: 0.66,
    2018: 0.60,
    2019: 0.55,
    2020: 0.38,
    2021: 0.33,
    2022: 0.31,
    2023: 0.32,
    2024: 0.33,
}
MONTH_INDEX = (0.93, 0.90, 1.00, 1.00, 1.05, 1.04, 1.05, 1.06, 1.02, 1.00, 0.97, 0.92)
COVID_DIP = (date(2020, 3, 16), date(2020, 6, 30), 0.70)  # from, to, extra factor
# 2020-03-18 the State's Attorney announced she would not prosecute drug possession, prostitution,
# trespass or public urination; her successor resumed in 2023. Arrests for those dropped.
LOW_LEVEL_DAMPING = (date(2020, 3, 18), date(2022, 12, 31), 0.35)
LOW_LEVEL_CATEGORIES = ("cds_possession", "prostitution", "trespass", "public_urination")
CDS_POSSESSION_SHARE = 0.77  # outside the damping window; about 0.74 over the whole decade
DISTRICTS_2023_FROM = date(2023, 1, 1)  # from here BPD reports the redrawn districts (assumed date)

BLOCKS_PER_CELL = 128  # synthetic "addresses" per H3 r8 cell; arrests repeat at them like real blocks
BLOCK_ZIPF = 0.7  # some corners are far busier than others
COORD_DECIMALS = 4  # as BPD publishes

# Referrals per month, fixed for the first program year so the published figures hold for any seed:
# 25 by the end of April 2017, 44 by the end of June, about 100 in the first twelve months.
FIRST_YEAR_REFERRALS = {
    (2017, 2): 6,
    (2017, 3): 8,
    (2017, 4): 11,
    (2017, 5): 9,
    (2017, 6): 10,
    (2017, 7): 8,
    (2017, 8): 7,
    (2017, 9): 8,
    (2017, 10): 7,
    (2017, 11): 10,
    (2017, 12): 9,
    (2018, 1): 11,
}
LATER_REFERRALS_PER_MONTH = {2018: 9, 2019: 8, 2020: 5, 2021: 6, 2022: 6, 2023: 7, 2024: 7}
# April 2017 account: of the first 25 referrals, 5 arrest and 15 social contact were taken on.
EARLY_ACCOUNT_END = date(2017, 4, 30)
EARLY_ACCOUNT = {"arrest": 5, "social_contact": 15, "ineligible": 5}
ARREST_REFERRAL_SHARE = 0.45  # after the first months (Santa Fe: 45 % arrest, 55 % social contact)
INELIGIBLE_SHARE = 0.20
INELIGIBLE_WEIGHTS = {
    "open_warrant": 0.25,
    "open_case": 0.20,
    "under_supervision": 0.20,
    "disqualifying_record": 0.12,
    "declined": 0.12,
    "outside_area": 0.06,
    "public_safety_threat": 0.05,
}
NO_INTAKE_SHARE = 0.20  # eligible but never came to intake
PENDING_WINDOW_DAYS = 21  # referrals this close to END may still be pending
OFFENSE_WEIGHTS = {
    "cds_possession": 0.55,
    "cds_distribution": 0.12,
    "larceny": 0.12,
    "prostitution": 0.10,
    "trespass": 0.08,
    "public_urination": 0.03,
}
SOCIAL_CONTACT_NO_OFFENSE = 0.15
# exit reason -> (probability, median days enrolled)
EXITS = {
    "completed": (0.42, 420),
    "disengaged": (0.30, 150),
    "moved": (0.10, 200),
    "incarcerated": (0.12, 240),
    "deceased": (0.06, 300),
}
FIRST_YEAR_REARRESTS = 2  # "over 60 enrolled; only two re-arrested"
LATER_REARREST_SHARE = 0.05
CASELOAD_CAP = program.CASELOAD_CAP_BALTIMORE
HIRE_AT = CASELOAD_CAP - 4  # hire a new pair before the busiest ones reach the cap
PAIR_TENURE_YEARS = (2.5, 5.0)
FIRST_PAIRS = 2
PAIRS_START = date(2017, 1, 16)
PAIRS_PER_TEAM = 3
CASE_MANAGER_PREFIX = "DCM"  # synthetic ids: DCM001 (case manager) paired with DPS001 (peer specialist)

ProgressFn = Callable[[float, str], None]


# --------------------------------------------------------------------------------------------------
# calibration


@dataclass(frozen=True)
class Calibration:
    charges: pd.DataFrame  # charge_code, charge_description, lead_category, arrests, with_coordinates
    hotspots: pd.DataFrame  # h3_r8 (uint64), grp, arrests
    hours: np.ndarray  # 24 weights
    weekdays: np.ndarray  # 7 weights, Monday first
    ages: pd.DataFrame  # age_from, age_to, arrests


def _read_table(directory: Path, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    path = directory / f"{name}.csv"
    if not path.exists():
        raise FileNotFoundError(
            f"calibration table {path} missing: run python -m ingest.calibrate --shared ..."
        )
    table = pd.read_csv(path, dtype={"charge_code": object, "charge_description": object, "h3_r8": object})
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(
            f"calibration table {path.name}: column(s) {missing} missing (found: {list(table.columns)})"
        )
    return table


def load_calibration(directory: Path = CALIBRATION_DIR) -> Calibration:
    """Read the calibration CSVs; the charge mix is re-classified with the current rule table."""
    charges = _read_table(
        directory, "charge_mix", ("charge_code", "charge_description", "arrests", "with_coordinates")
    )
    charges = charges.astype({"charge_code": object, "charge_description": object})
    charges = charges.where(charges.notna(), None)
    charges["lead_category"] = classify_frame(charges)
    hotspots = _read_table(directory, "hotspots_h3r8", ("h3_r8", "grp", "arrests"))
    hotspots["h3_r8"] = hotspots["h3_r8"].map(h3.str_to_int).astype(np.uint64)
    hours = _read_table(directory, "hour_of_day", ("hour", "arrests")).set_index("hour")["arrests"]
    weekdays = _read_table(directory, "weekday", ("isodow", "arrests")).set_index("isodow")["arrests"]
    ages = _read_table(directory, "age", ("age_from", "age_to", "arrests"))
    return Calibration(
        charges=charges.reset_index(drop=True),
        hotspots=hotspots,
        hours=hours.reindex(range(24), fill_value=0).to_numpy(float),
        weekdays=weekdays.reindex(range(1, 8), fill_value=0).to_numpy(float),
        ages=ages,
    )


# --------------------------------------------------------------------------------------------------
# places


@dataclass
class Places:
    """Synthetic block points: ``BLOCKS_PER_CELL`` per hot-spot cell, all inside the city."""

    cells: np.ndarray  # uint64 h3 r8 ids, one per cell row
    slot_point: np.ndarray  # (n_cells, BLOCKS_PER_CELL) -> index into points
    cell_ok: np.ndarray  # bool per cell: has at least one point inside the city
    points: pd.DataFrame  # point_idx, lon, lat and the assigned columns
    group_weights: dict[str, np.ndarray] = field(default_factory=dict)  # grp -> weight per cell


def _points_in_cells(
    cells: np.ndarray, per_cell: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``per_cell`` random points strictly inside each H3 r8 cell (rejection sampling in a disc)."""
    radius_km = h3.average_hexagon_edge_length(8, "km") * 1.15
    centers = np.array([h3.cell_to_latlng(h3.int_to_str(int(c))) for c in cells])
    n_try = per_cell * 4
    lat = np.empty((len(cells), per_cell))
    lon = np.empty((len(cells), per_cell))
    for i, cell in enumerate(cells):
        kept_lat: list[float] = []
        kept_lon: list[float] = []
        while len(kept_lat) < per_cell:
            r = radius_km * np.sqrt(rng.random(n_try))
            theta = rng.random(n_try) * 2 * math.pi
            c_lat = np.round(centers[i, 0] + r * np.sin(theta) / 111.32, COORD_DECIMALS)
            c_lon = np.round(
                centers[i, 1] + r * np.cos(theta) / (111.32 * math.cos(math.radians(centers[i, 0]))),
                COORD_DECIMALS,
            )
            inside = h3_cells(c_lat, c_lon, 8) == cell
            kept_lat.extend(c_lat[inside].tolist())
            kept_lon.extend(c_lon[inside].tolist())
        lat[i] = kept_lat[:per_cell]
        lon[i] = kept_lon[:per_cell]
    return lon, lat


def _assign_points(
    con: duckdb.DuckDBPyConnection, lon: np.ndarray, lat: np.ndarray, name: str
) -> pd.DataFrame:
    """Spatial columns for the given points, via the shared set-wise assignment."""
    frame = pd.DataFrame({"lon": lon, "lat": lat})
    con.register(f"{name}_df", frame)
    try:
        con.execute(f"create or replace temp table {name}_src as select * from {name}_df")
    finally:
        con.unregister(f"{name}_df")
    build_point_areas(con, f"{name}_src", f"{name}_areas")
    assigned = con.sql(
        f"select lon, lat, in_pilot_zone, district_1959, district_2023, nsa, h3_r8, h3_r9 from {name}_areas"
    ).df()
    con.execute(f"drop table {name}_src")
    con.execute(f"drop table {name}_areas")
    return frame.merge(assigned, on=["lon", "lat"], how="left")


def build_places(con: duckdb.DuckDBPyConnection, cal: Calibration, rng: np.random.Generator) -> Places:
    cells = np.unique(cal.hotspots["h3_r8"].to_numpy(np.uint64))
    lon, lat = _points_in_cells(cells, BLOCKS_PER_CELL, rng)
    assigned = _assign_points(con, lon.ravel(), lat.ravel(), "_demo_blocks")
    in_city = assigned["district_1959"].notna().to_numpy().reshape(len(cells), BLOCKS_PER_CELL)
    slot_point = np.arange(lon.size).reshape(len(cells), BLOCKS_PER_CELL)
    # blocks that fall in the harbour or over the county line take the place of a valid block nearby
    for i in np.flatnonzero(~in_city.all(axis=1)):
        valid = slot_point[i, in_city[i]]
        if len(valid):
            slot_point[i, ~in_city[i]] = valid[np.arange((~in_city[i]).sum()) % len(valid)]
    cell_ok = in_city.any(axis=1)
    assigned.insert(0, "point_idx", np.arange(len(assigned)))
    places = Places(cells=cells, slot_point=slot_point, cell_ok=cell_ok, points=assigned)
    lookup = pd.Series(np.arange(len(cells)), index=cells)
    base = np.zeros(len(cells))
    for grp, rows in cal.hotspots.groupby("grp"):
        weights = np.zeros(len(cells))
        weights[lookup.loc[rows["h3_r8"].to_numpy()].to_numpy()] = rows["arrests"].to_numpy(float)
        places.group_weights[grp] = weights * cell_ok
        base += weights
    places.group_weights["all"] = base * cell_ok
    return places


# --------------------------------------------------------------------------------------------------
# arrests


def _daily_weights(cal: Calibration) -> tuple[pd.DatetimeIndex, np.ndarray]:
    days = pd.date_range(START, END, freq="D")
    anchors = pd.to_datetime([f"{y}-07-01" for y in YEAR_INDEX]).map(pd.Timestamp.toordinal)
    level = np.interp(days.map(pd.Timestamp.toordinal), anchors, list(YEAR_INDEX.values()))
    season = np.asarray(MONTH_INDEX)[days.month - 1]
    weekday = cal.weekdays[days.day_of_week] / cal.weekdays.mean()
    dip_from, dip_to, factor = COVID_DIP
    dip = np.where((days >= pd.Timestamp(dip_from)) & (days <= pd.Timestamp(dip_to)), factor, 1.0)
    weights = level * season * weekday * dip
    return days, weights / weights.sum()


def _charge_weights(cal: Calibration, damped: bool) -> np.ndarray:
    charges = cal.charges
    weights = charges["arrests"].to_numpy(float).copy()
    category = charges["lead_category"]
    poss = (category == "cds_possession").to_numpy()
    dist = (category == "cds_distribution").to_numpy()
    if poss.any() and dist.any():
        # rescale possession so it is CDS_POSSESSION_SHARE of drug arrests
        target = CDS_POSSESSION_SHARE / (1 - CDS_POSSESSION_SHARE) * weights[dist].sum() / weights[poss].sum()
        weights[poss] *= target
    if damped:
        weights[category.isin(LOW_LEVEL_CATEGORIES).to_numpy()] *= LOW_LEVEL_DAMPING[2]
    return weights / weights.sum()


def _draw_arrests(n: int, cal: Calibration, places: Places, rng: np.random.Generator) -> pd.DataFrame:
    days, day_p = _daily_weights(cal)
    per_day = rng.multinomial(n, day_p)
    day_idx = np.repeat(np.arange(len(days)), per_day)
    dates = days[day_idx]

    damp_from, damp_to, _ = LOW_LEVEL_DAMPING
    damped = (dates >= pd.Timestamp(damp_from)) & (dates <= pd.Timestamp(damp_to))
    pair = np.empty(n, dtype=np.int64)
    n_pairs = len(cal.charges)
    for flag in (False, True):
        rows = np.flatnonzero(damped == flag)
        pair[rows] = rng.choice(n_pairs, size=len(rows), p=_charge_weights(cal, flag))

    hour = rng.choice(24, size=n, p=cal.hours / cal.hours.sum())
    minute = rng.integers(0, 60, size=n)
    age_bin = rng.choice(
        len(cal.ages), size=n, p=(cal.ages["arrests"] / cal.ages["arrests"].sum()).to_numpy()
    )
    age = rng.integers(cal.ages["age_from"].to_numpy()[age_bin], cal.ages["age_to"].to_numpy()[age_bin] + 1)

    share_mapped = (cal.charges["with_coordinates"] / cal.charges["arrests"]).to_numpy(float)
    mapped = rng.random(n) < share_mapped[pair]
    group = cal.charges["lead_category"].map(CATEGORY_GROUP).fillna("non_lead").to_numpy(object)[pair]
    point = np.full(n, -1, dtype=np.int64)
    block_p = 1.0 / np.arange(1, BLOCKS_PER_CELL + 1) ** BLOCK_ZIPF
    block_p /= block_p.sum()
    for grp in np.unique(group):
        rows = np.flatnonzero(mapped & (group == grp))
        weights = places.group_weights.get(grp)
        if weights is None or weights.sum() == 0:
            weights = places.group_weights["all"]
        cell = rng.choice(len(weights), size=len(rows), p=weights / weights.sum())
        block = rng.choice(BLOCKS_PER_CELL, size=len(rows), p=block_p)
        point[rows] = places.slot_point[cell, block]

    order = np.lexsort((minute, hour, day_idx))
    return pd.DataFrame(
        {
            "seq": np.arange(1, n + 1),
            "arrest_date": dates[order],
            "hour": hour[order].astype(np.int32),
            "minute": minute[order].astype(np.int32),
            "age": age[order].astype(np.int32),
            "pair_idx": pair[order],
            "point_idx": point[order],
        }
    )


# --------------------------------------------------------------------------------------------------
# referrals and case managers


def _month_days(year: int, month: int) -> int:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - date(year, month, 1)).days


def _referral_dates(rng: np.random.Generator) -> list[date]:
    counts = dict(FIRST_YEAR_REFERRALS)
    for year, mean in LATER_REFERRALS_PER_MONTH.items():
        for month in range(1, 13):
            if (year, month) not in counts and date(year, month, 1) >= program.PILOT_LAUNCH:
                counts[(year, month)] = int(rng.poisson(mean))
    out = []
    for (year, month), count in sorted(counts.items()):
        first = date(year, month, 1)
        if first < program.PILOT_LAUNCH:
            continue
        days = np.sort(rng.integers(0, _month_days(year, month), size=count))
        out.extend(first + timedelta(days=int(d)) for d in days)
    return out


def _referral_locations(
    con: duckdb.DuckDBPyConnection, cal: Calibration, rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Candidate points in the 1959-2022 Central District, weighted by LEAD hot spots."""
    bbox = con.sql(
        "select st_xmin(geom), st_ymin(geom), st_xmax(geom), st_ymax(geom) from areas "
        "where kind = 'district' and area_id = 'district:1959-2022:Central'"
    ).fetchone()
    if bbox is None:
        raise ValueError("areas table: 'district:1959-2022:Central' missing; load the boundaries first")
    n = 6000
    lon = np.round(rng.uniform(bbox[0], bbox[2], n), COORD_DECIMALS)
    lat = np.round(rng.uniform(bbox[1], bbox[3], n), COORD_DECIMALS)
    cand = _assign_points(con, lon, lat, "_demo_referral_points")
    cand = cand.loc[cand["district_1959"] == "Central"].reset_index(drop=True)
    lead = cal.hotspots.loc[cal.hotspots["grp"] != "non_lead"].groupby("h3_r8")["arrests"].sum()
    cell_weight = pd.Series(cand["h3_r8"].to_numpy(np.uint64)).map(lead).fillna(0).to_numpy(float)
    weight = cell_weight + max(cell_weight.max(), 1.0) * 0.02  # a little everywhere, most at hot spots
    in_zone = cand["in_pilot_zone"].fillna(False).to_numpy(bool)
    if not in_zone.any():
        raise ValueError("no candidate referral point fell in the pilot zone: check the pilot_zone area")
    zone_p = np.where(in_zone, weight, 0)
    return cand, zone_p / zone_p.sum(), weight / weight.sum()


def _draw_referrals(
    con: duckdb.DuckDBPyConnection, cal: Calibration, rng: np.random.Generator
) -> pd.DataFrame:
    referred = _referral_dates(rng)
    n = len(referred)
    ref = pd.DataFrame({"referred_on": referred})
    early = (ref["referred_on"] <= EARLY_ACCOUNT_END).to_numpy()

    # type and eligibility: the first months follow the April 2017 account exactly
    types = np.where(rng.random(n) < ARREST_REFERRAL_SHARE, "arrest", "social_contact").astype(object)
    ineligible = rng.random(n) < INELIGIBLE_SHARE
    early_idx = np.flatnonzero(early)
    plan = np.array(
        ["arrest"] * EARLY_ACCOUNT["arrest"]
        + ["social_contact"] * EARLY_ACCOUNT["social_contact"]
        + ["ineligible"] * EARLY_ACCOUNT["ineligible"],
        dtype=object,
    )
    plan = rng.permutation(np.resize(plan, len(early_idx)))
    ineligible[early_idx] = plan == "ineligible"
    types[early_idx] = np.where(
        plan == "ineligible", np.where(rng.random(len(early_idx)) < 0.25, "arrest", "social_contact"), plan
    )

    reasons = np.array(list(INELIGIBLE_WEIGHTS), dtype=object)
    reason = np.full(n, None, dtype=object)
    inel_idx = np.flatnonzero(ineligible)
    reason[inel_idx] = rng.choice(reasons, size=len(inel_idx), p=list(INELIGIBLE_WEIGHTS.values()))
    # every documented reason shows up at least once, whatever the seed
    first = inel_idx[: len(reasons)]
    reason[first] = rng.permutation(reasons)[: len(first)]

    end = pd.Timestamp(END)
    referred_ts = pd.to_datetime(ref["referred_on"])
    eligibility = np.where(ineligible, "ineligible", "eligible").astype(object)
    pending = (
        (~ineligible) & ((end - referred_ts).dt.days.to_numpy() < PENDING_WINDOW_DAYS) & (rng.random(n) < 0.5)
    )
    eligibility[pending] = "pending"

    categories = np.array(list(OFFENSE_WEIGHTS), dtype=object)
    offense = rng.choice(categories, size=n, p=list(OFFENSE_WEIGHTS.values())).astype(object)
    offense[(types == "social_contact") & (rng.random(n) < SOCIAL_CONTACT_NO_OFFENSE)] = None

    # intake and enrolment: the officer brings the person in, the SAO checks the record
    comes = (eligibility == "eligible") & (rng.random(n) >= NO_INTAKE_SHARE)
    intake_lag = rng.choice([0, 0, 0, 1, 1, 2, 3, 5, 7], size=n)
    enrol_lag = rng.integers(3, 22, size=n)
    intake = referred_ts + pd.to_timedelta(intake_lag, unit="D")
    enrolled = intake + pd.to_timedelta(enrol_lag, unit="D")
    has_intake = comes & (intake <= end).to_numpy()
    is_enrolled = has_intake & (enrolled <= end).to_numpy()

    exit_names = np.array(list(EXITS), dtype=object)
    exit_reason = rng.choice(exit_names, size=n, p=[p for p, _ in EXITS.values()]).astype(object)
    medians = np.array([EXITS[r][1] for r in exit_reason], dtype=float)
    stay = np.maximum(21, np.round(medians * np.exp(rng.normal(0, 0.6, size=n)))).astype(int)
    exited = enrolled + pd.to_timedelta(stay, unit="D")
    has_exit = is_enrolled & (exited <= end).to_numpy()

    # re-arrests: exactly two in the first program year, a small share later
    first_year_end = pd.Timestamp(program.PILOT_LAUNCH) + pd.DateOffset(years=1)
    cohort1 = np.flatnonzero(is_enrolled & (enrolled < first_year_end).to_numpy())
    later = np.flatnonzero(is_enrolled & (enrolled >= first_year_end).to_numpy())
    rearrested_idx = np.concatenate(
        [
            rng.choice(cohort1, size=min(FIRST_YEAR_REARRESTS, len(cohort1)), replace=False),
            later[rng.random(len(later)) < LATER_REARREST_SHARE],
        ]
    ).astype(int)
    rearrest = pd.Series(pd.NaT, index=ref.index, dtype="datetime64[us]")
    window = np.where(has_exit, stay, (end - enrolled).dt.days.to_numpy())
    lag = np.maximum(1, (rng.random(n) * np.minimum(window, 365)).astype(int))
    rearrest.iloc[rearrested_idx] = (enrolled + pd.to_timedelta(lag, unit="D")).iloc[rearrested_idx]
    rearrest[rearrest > end] = pd.NaT

    cand, zone_p, district_p = _referral_locations(con, cal, rng)
    before = (referred_ts < pd.Timestamp(program.DISTRICT_WIDE_FROM)).to_numpy()
    where = np.where(
        before, rng.choice(len(cand), size=n, p=zone_p), rng.choice(len(cand), size=n, p=district_p)
    )
    place = cand.iloc[where].reset_index(drop=True)

    out = pd.DataFrame(
        {
            "referral_id": [f"DR{i:05d}" for i in range(1, n + 1)],
            "referred_on": referred_ts,
            "referral_type": types,
            "offense_category": offense,
            "eligibility": eligibility,
            "ineligible_reason": reason,
            "intake_on": intake.where(has_intake),
            "enrolled_on": enrolled.where(is_enrolled),
            "exited_on": exited.where(has_exit),
            "exit_reason": np.where(has_exit, exit_reason, None),
            "rearrested_on": rearrest,
        }
    )
    for column in ("lon", "lat", "in_pilot_zone", "district_1959", "district_2023", "nsa", "h3_r8", "h3_r9"):
        out[column] = place[column].to_numpy()
    return out


def _assign_case_managers(ref: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.Series, pd.DataFrame]:
    """Give every enrolment a peer + case manager pair, never above ``CASELOAD_CAP`` active cases.

    A case is active from enrolled_on while exited_on is null or later than the day. Caseloads only
    grow at an enrolment, so checking there keeps every day at or under the cap.
    """
    pairs: list[dict] = []

    def hire(start: date) -> dict:
        k = len(pairs) + 1
        years = rng.uniform(*PAIR_TENURE_YEARS)
        pair = {
            "case_manager_id": f"{CASE_MANAGER_PREFIX}{k:03d}",
            "peer_id": f"DPS{k:03d}",
            "team": f"Central District team {(k - 1) // PAIRS_PER_TEAM + 1}",
            "start_on": start,
            "accepting_until": start + timedelta(days=int(years * 365.25)),
            "exits": [],  # exit date (or None) of each participant ever assigned
        }
        pairs.append(pair)
        return pair

    for _ in range(FIRST_PAIRS):
        hire(PAIRS_START)
    assigned = pd.Series(None, index=ref.index, dtype=object)
    enrolled = ref.loc[ref["enrolled_on"].notna()].sort_values(["enrolled_on", "referral_id"])
    for idx, row in enrolled.iterrows():
        day = row["enrolled_on"].date()
        exit_day = None if pd.isna(row["exited_on"]) else row["exited_on"].date()
        open_pairs = [p for p in pairs if p["start_on"] <= day < p["accepting_until"]]
        loads = [sum(1 for e in p["exits"] if e is None or e > day) for p in open_pairs]
        busy = not open_pairs or min(loads) >= HIRE_AT
        chosen = hire(day) if busy else open_pairs[int(np.argmin(loads))]
        chosen["exits"].append(exit_day)
        assigned[idx] = chosen["case_manager_id"]

    rows = []
    for p in pairs:
        still_active = any(e is None for e in p["exits"])
        last_exit = max((e for e in p["exits"] if e is not None), default=p["start_on"])
        end_on = max(last_exit, p["accepting_until"]) + timedelta(days=14)
        rows.append(
            {
                "case_manager_id": p["case_manager_id"],
                "peer_id": p["peer_id"],
                "team": p["team"],
                "start_on": p["start_on"],
                "end_on": None if still_active or end_on > END else end_on,
            }
        )
    return assigned, pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------
# writing


def _insert_arrests(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, cal: Calibration, places: Places
) -> None:
    charges = cal.charges[["charge_code", "charge_description", "lead_category"]].copy()
    charges.insert(0, "pair_idx", np.arange(len(charges)))
    con.register("_demo_arrest_rows", frame)
    con.register("_demo_charges", charges)
    con.register("_demo_points", places.points)
    try:
        con.execute(
            """
            insert into arrests (
                arrest_id, arrest_date, arrest_time, age, charge_code, charge_description, lead_category,
                district, neighborhood, lat, lon, geom, source,
                in_pilot_zone, district_1959, district_2023, nsa, h3_r8, h3_r9, race, sex
            )
            with rows as (
                select seq, arrest_date::date as arrest_date, hour, minute, age, pair_idx, point_idx,
                       race, sex
                from _demo_arrest_rows
            ),
            final as (
                select
                    'D' || lpad(r.seq::varchar, 8, '0') as arrest_id,
                    r.arrest_date,
                    make_time(r.hour, r.minute, 0) as arrest_time,
                    r.age,
                    c.charge_code,
                    c.charge_description,
                    c.lead_category,
                    case when r.arrest_date >= $districts_2023_from then p.district_2023
                         else p.district_1959 end as district,
                    p.nsa as neighborhood,
                    p.lat,
                    p.lon,
                    case when p.lon is not null then st_point(p.lon, p.lat) end as geom,
                    $source as source,
                    p.in_pilot_zone,
                    p.district_1959,
                    p.district_2023,
                    p.nsa,
                    p.h3_r8,
                    p.h3_r9,
                    r.race,
                    r.sex
                from rows as r
                join _demo_charges as c on c.pair_idx = r.pair_idx
                left join _demo_points as p on p.point_idx = r.point_idx
            )
            select * from final order by arrest_id
            """,
            {"districts_2023_from": DISTRICTS_2023_FROM, "source": SOURCE},
        )
    finally:
        for name in ("_demo_arrest_rows", "_demo_charges", "_demo_points"):
            con.unregister(name)


def _has_source_column(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.columns "
            "where table_name = $table and column_name = 'source'",
            {"table": table},
        ).fetchone()[0]
    )


def _delete_synthetic_case_managers(con: duckdb.DuckDBPyConnection) -> None:
    # The contract's case_managers table has no source column: synthetic pairs are known by their id
    # prefix, or by source = 'synthetic-demo' if the column is ever added.
    if _has_source_column(con, "case_managers"):
        con.execute("delete from case_managers where source = $source", {"source": SOURCE})
    else:
        con.execute(
            "delete from case_managers where starts_with(case_manager_id, $prefix)",
            {"prefix": CASE_MANAGER_PREFIX},
        )


def _insert_referrals(con: duckdb.DuckDBPyConnection, ref: pd.DataFrame, managers: pd.DataFrame) -> None:
    con.register("_demo_managers", managers)
    con.register("_demo_referrals", ref)
    try:
        con.execute(
            """
            insert into case_managers (case_manager_id, peer_id, team, start_on, end_on)
            select case_manager_id, peer_id, team, start_on::date, end_on::date from _demo_managers
            """
        )
        if _has_source_column(con, "case_managers"):
            con.execute(
                "update case_managers set source = $source where starts_with(case_manager_id, $prefix)",
                {"source": SOURCE, "prefix": CASE_MANAGER_PREFIX},
            )
        con.execute(
            """
            insert into referrals (
                referral_id, referred_on, referral_type, offense_category, lat, lon, geom, eligibility,
                ineligible_reason, intake_on, enrolled_on, case_manager_id, exited_on, exit_reason,
                rearrested_on, source, in_pilot_zone, district_1959, district_2023, nsa, h3_r8, h3_r9,
                record_key, race, sex, age
            )
            select
                referral_id, referred_on::date, referral_type, offense_category, lat, lon, st_point(lon, lat),
                eligibility, ineligible_reason, intake_on::date, enrolled_on::date, case_manager_id,
                exited_on::date, exit_reason, rearrested_on::date, $source, in_pilot_zone, district_1959,
                district_2023, nsa, h3_r8::ubigint, h3_r9::ubigint, record_key, race, sex, age
            from _demo_referrals
            order by referral_id
            """,
            {"source": SOURCE},
        )
    finally:
        con.unregister("_demo_managers")
        con.unregister("_demo_referrals")


def generate_demo(
    con: duckdb.DuckDBPyConnection,
    arrests: int = 200_000,
    seed: int = 2017,
    progress: ProgressFn | None = None,
    calibration_dir: Path = CALIBRATION_DIR,
    effects: DemoEffects = NO_EFFECTS,
) -> dict[str, int]:
    """Replace every ``synthetic-demo`` row of arrests, referrals and case_managers; return row counts.

    Needs the schema and the boundary areas (``ingest.areas.load_areas``). Deterministic for a
    given ``seed``; referrals and case managers do not depend on ``arrests``. ``effects``: a known
    answer injected on purpose (``ingest/demo_effects.py``).

    >>> # generate_demo(con, arrests=20_000, seed=7, progress=lambda f, m: print(f"{f:.0%} {m}"))
    """
    if arrests < 0:
        raise ValueError(f"generate_demo: arrests must be zero or more (got {arrests})")

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    # spawn(n) keeps the first streams of a smaller spawn: adding a stream changes no other draw.
    # 4: race, sex and age (ingest/demo_people.py); 5: the injected effects (ingest/demo_effects.py).
    streams = np.random.SeedSequence(seed).spawn(6)
    arrest_seed, place_seed, referral_seed, key_seed = streams[:4]
    people_arrests_seed, people_referrals_seed = streams[4].spawn(2)
    effect_rng = np.random.default_rng(streams[5])
    report(0.0, "reading calibration")
    cal = load_calibration(calibration_dir)
    report(0.1, "placing synthetic blocks")
    places = build_places(con, cal, np.random.default_rng(place_seed))
    report(0.25, f"drawing {arrests:,} arrests")
    frame = _draw_arrests(arrests, cal, places, np.random.default_rng(arrest_seed))
    demographics = demo_people.load_demographics(calibration_dir)
    districts = places.points["district_1959"].to_numpy(object)
    frame["race"], frame["sex"] = demo_people.draw_arrest_people(
        np.where(frame["point_idx"].to_numpy() >= 0, districts[frame["point_idx"].to_numpy()], None),
        demographics,
        np.random.default_rng(people_arrests_seed),
    )
    frame = inject_arrest_effect(frame, cal, places, effects.arrest_effect, effect_rng)  # --- impact (#13)
    report(0.5, "drawing referrals and case managers")
    ref_rng = np.random.default_rng(referral_seed)
    ref = _draw_referrals(con, cal, ref_rng)
    ref["case_manager_id"], managers = _assign_case_managers(ref, ref_rng)
    if effects.rearrest_hazard is not None:  # --- impact (#13): a chosen re-arrest hazard
        ref["rearrested_on"] = demo_effects.rearrest_dates(
            ref["enrolled_on"], effects.rearrest_hazard, END, effect_rng
        )
    # secret keys behind the public rounding (domain/disclosure.py), seeded so the demo is repeatable
    ref["record_key"] = disclosure.new_record_keys(np.random.default_rng(key_seed), len(ref))
    ref[["race", "sex", "age"]] = demo_people.draw_referral_people(
        ref["district_1959"].to_numpy(object),
        demographics,
        cal.ages,
        np.random.default_rng(people_referrals_seed),
    )
    report(0.6, "writing to the database")
    holds_real = {table: _holds_real_rows(con, table) for table in ("arrests", "referrals")}
    with transaction(con):
        for table in ("referrals", "arrests"):
            con.execute(f"delete from {table} where source = $source", {"source": SOURCE})
        _delete_synthetic_case_managers(con)
        demo_effects.write_settings(con, effects)  # --- impact (#13)
        if not holds_real["arrests"]:
            report(0.65, "writing arrests")
            _insert_arrests(con, frame, cal, places)
        if not holds_real["referrals"]:
            report(0.95, "writing referrals")
            _insert_referrals(con, ref, managers)
    report(1.0, "done")
    return {
        "arrests": 0 if holds_real["arrests"] else len(frame),
        "referrals": 0 if holds_real["referrals"] else len(ref),
        "case_managers": 0 if holds_real["referrals"] else len(managers),
        "kept_real": [table for table, real in holds_real.items() if real],
    }


def inject_arrest_effect(
    frame: pd.DataFrame, cal: Calibration, places: Places, effect: float, rng: np.random.Generator
) -> pd.DataFrame:
    """``frame`` (from ``_draw_arrests``) with ``effect`` on eligible pilot-zone arrests after launch."""
    eligible = cal.charges["lead_category"].notna().to_numpy(bool)
    in_zone = places.points["in_pilot_zone"].fillna(False).to_numpy(bool)
    return demo_effects.apply_arrest_effect(frame, eligible, in_zone, effect, rng)


def _holds_real_rows(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    query = f"select count(*) > 0 from {table} where source <> $source"
    return con.execute(query, {"source": SOURCE}).fetchone()[0]
