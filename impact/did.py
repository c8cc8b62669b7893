"""Did LEAD-eligible arrests change where LEAD runs? A difference-in-differences of monthly counts.

One treated area (the pilot zone, or the rest of the Central District for the district-wide roll-out)
against comparison neighbourhoods that the program never reached, chosen in the open by how close their
level and trend before launch were to the treated area's (``candidates``, ``matched``). The model is a
Poisson regression fitted by statsmodels::

    E[arrests in area a, month m] = exp(area_a + month_m + effect * treated_a * after_m)

so each area has its own level, every month its own city-wide shock (seasons, the 2020 policy change),
and ``exp(effect) - 1`` is the change in the treated area after launch beyond what the comparison areas
show. The event study replaces ``effect`` by one coefficient per quarter from launch (the quarter
before launch is the reference): the quarters before launch should hover around zero.

Standard errors. With a single treated area, errors clustered by area are unreliable: the treated
area is one cluster, and in simulations of this design their 95 % intervals covered the true effect
about half the time (see ``bench/impact_coverage.py``). The errors here are Driscoll-Kraay: robust
to correlation across areas within a month and over neighbouring months (``maxlags`` months), which
leans on the many months rather than the few areas; the same simulations give close to 95 % coverage.

Pure functions of a long frame ``month, unit_id, eligible_arrests`` (``queries/
impact_monthly_eligible_arrests.sql``); no database, no Streamlit.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import statsmodels.api as sm

from domain import impact as words

MAXLAGS = 3  # months of serial correlation the errors allow for
MIN_PRE_MEAN = 1.0  # a candidate needs at least this many eligible arrests a month before launch
QUARTER = 3  # months per event-study step
MIN_PRE_MONTHS = 12  # a fit (or a placebo) needs at least this many months before its launch


@dataclass(frozen=True)
class Design:
    """One estimate's inputs: which area, from when, against which areas, over which months."""

    treated: str
    launch: date
    comparison: tuple[str, ...]
    pre_months: int = 36
    post_months: int = 24


@dataclass(frozen=True)
class Estimate:
    """An effect on the count scale: ``change`` and its 95 % interval as fractions (-0.15 = 15 % fewer)."""

    change: float
    low: float
    high: float
    coefficient: float  # log rate ratio
    se: float
    p_value: float
    areas: int
    months: int

    @property
    def covers_zero(self) -> bool:
        return self.low <= 0 <= self.high

    def covers(self, change: float) -> bool:
        return self.low <= change <= self.high


@dataclass(frozen=True)
class Result:
    """What the Impact page shows for one design: the estimate, the event study and the placebos."""

    design: Design
    estimate: Estimate | None
    event_study: pd.DataFrame  # quarter, change, low, high (fractions); quarter -1 is the reference
    placebos: pd.DataFrame  # false_launch, months_before, change, low, high, covers_zero
    problem: str | None = None  # why there is no estimate, in words
    notes: list[str] = field(default_factory=list)


def _month_index(day) -> int:
    stamp = pd.Timestamp(day)
    return stamp.year * 12 + stamp.month - 1


def with_month_index(monthly: pd.DataFrame) -> pd.DataFrame:
    """``monthly`` with ``m``, a running month number (year * 12 + month - 1), added once for every fit."""
    if "m" in monthly.columns:
        return monthly
    months = pd.to_datetime(monthly["month"])
    return monthly.assign(m=(months.dt.year * 12 + months.dt.month - 1).astype(int)).reset_index(drop=True)


def candidates(monthly: pd.DataFrame, treated: str, launch: date, pre_months: int = 36) -> pd.DataFrame:
    """Every possible comparison neighbourhood, ranked by how close it was to ``treated`` before launch.

    Level: eligible arrests a month over the ``pre_months`` before launch. Trend: the change from the
    first to the last year of those months (percent). ``distance`` adds the two gaps to the treated
    area's, each on the log scale: 0 = the same level and trend. Areas averaging fewer than
    ``MIN_PRE_MEAN`` arrests a month are left out (their counts are too thin to compare). Columns:
    unit_id, pre_mean, pre_trend, distance, rank; the treated area's own row comes first (rank 0).
    """
    monthly = with_month_index(monthly)
    month = monthly["m"]
    start = _month_index(launch) - pre_months
    pre = monthly.loc[(month >= start) & (month < _month_index(launch))].copy()
    pre["index"] = pre["m"] - start
    first_year = pre["index"] < 12
    last_year = pre["index"] >= pre_months - 12
    per_unit = pre.groupby("unit_id").agg(pre_mean=("eligible_arrests", "mean"))
    early = pre.loc[first_year].groupby("unit_id")["eligible_arrests"].mean()
    late = pre.loc[last_year].groupby("unit_id")["eligible_arrests"].mean()
    per_unit["pre_trend"] = (late / early.replace(0, np.nan) - 1).reindex(per_unit.index)
    if treated not in per_unit.index:
        return pd.DataFrame(columns=["unit_id", "pre_mean", "pre_trend", "distance", "rank"])
    own = per_unit.loc[treated]
    pool = per_unit.loc[per_unit.index.str.startswith("nsa:") & (per_unit["pre_mean"] >= MIN_PRE_MEAN)].copy()
    level_gap = np.abs(np.log(pool["pre_mean"] / max(own["pre_mean"], 1e-9)))
    trend_gap = np.abs(
        np.log1p(pool["pre_trend"].fillna(0))
        - np.log1p(own["pre_trend"] if pd.notna(own["pre_trend"]) else 0)
    )
    pool["distance"] = level_gap + trend_gap
    pool = pool.sort_values(["distance", "pre_mean"], ascending=[True, False])
    pool["rank"] = np.arange(1, len(pool) + 1)
    own_row = pd.DataFrame(
        {"pre_mean": [own["pre_mean"]], "pre_trend": [own["pre_trend"]], "distance": [0.0], "rank": [0]},
        index=[treated],
    )
    out = pd.concat([own_row, pool])
    out.index.name = "unit_id"
    return out.reset_index()


def matched(candidate_table: pd.DataFrame, size: int = 10) -> tuple[str, ...]:
    """The ``size`` closest candidates (the default comparison group)."""
    pool = candidate_table.loc[candidate_table["rank"] > 0]
    return tuple(pool.nsmallest(size, "rank")["unit_id"])


def _panel(monthly: pd.DataFrame, design: Design, launch: date, first: int, last: int) -> pd.DataFrame:
    """Rows of the treated and comparison areas for months ``first``..``last`` (month indexes)."""
    units = (design.treated, *design.comparison)
    monthly = with_month_index(monthly)
    month = monthly["m"]
    rows = monthly.loc[monthly["unit_id"].isin(units) & (month >= first) & (month <= last)].copy()
    rows["rel"] = rows["m"] - _month_index(launch)
    rows["treated"] = rows["unit_id"] == design.treated
    # an area with no arrest in the window says nothing about change, and stops the fit converging
    has_any = rows.groupby("unit_id")["eligible_arrests"].transform("sum") > 0
    return rows.loc[has_any].sort_values(["m", "unit_id"]).reset_index(drop=True)


def _fixed_effects(panel: pd.DataFrame) -> np.ndarray:
    """Intercept, area dummies (first area dropped) and month dummies (first month dropped)."""
    unit_codes = pd.factorize(panel["unit_id"], sort=True)[0]
    month_codes = pd.factorize(panel["m"], sort=True)[0]
    units = np.eye(unit_codes.max() + 1)[unit_codes][:, 1:]
    months = np.eye(month_codes.max() + 1)[month_codes][:, 1:]
    return np.column_stack([np.ones(len(panel)), units, months])


def _fit(panel: pd.DataFrame, treatment: np.ndarray, errors: str = "driscoll-kraay"):
    """Poisson GLM of the counts on the fixed effects and ``treatment`` columns.

    ``errors``: "driscoll-kraay" (one treatment column estimated from many months) or "pearson"
    (quasi-Poisson: the model's errors scaled by the overdispersion of all cells; for the event study,
    whose quarter columns each rest on three months, too few for Driscoll-Kraay's own variance).
    """
    exog = np.column_stack([_fixed_effects(panel), treatment])
    model = sm.GLM(panel["eligible_arrests"].to_numpy(float), exog, family=sm.families.Poisson())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # perfect-prediction and convergence chatter: checked below
        if errors == "pearson":
            result = model.fit(scale="X2")
        else:
            result = model.fit(
                cov_type="hac-groupsum", cov_kwds={"time": panel["m"].to_numpy(), "maxlags": MAXLAGS}
            )
    k = treatment.shape[1] if treatment.ndim > 1 else 1
    coef = np.asarray(result.params)[-k:]
    se = np.asarray(result.bse)[-k:]
    p = np.asarray(result.pvalues)[-k:]
    if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(se))):
        raise ValueError("the model did not converge")
    return coef, se, p


def _as_change(coef: float, se: float) -> tuple[float, float, float]:
    """The change and its 95 % interval as fractions; NaN where the model has no finite answer (a quarter
    with no arrest at all in the area, say)."""
    z = 1.959963984540054
    with np.errstate(over="ignore", invalid="ignore"):
        values = np.expm1(np.array([coef, coef - z * se, coef + z * se]))
    if not np.isfinite(values).all() or values.max() > 1e6:
        values[:] = np.nan
    return float(values[0]), float(values[1]), float(values[2])


def estimate(
    monthly: pd.DataFrame,
    design: Design,
    launch: date | None = None,
    post_months: int | None = None,
    pre_months: int | None = None,
) -> Estimate:
    """The difference-in-differences estimate for ``design`` (at ``launch``, default the design's).

    Raises ValueError (said in words) when the data cannot give one.
    """
    launch = launch or design.launch
    pre = design.pre_months if pre_months is None else pre_months
    post = design.post_months if post_months is None else post_months
    first, last = _month_index(launch) - pre, _month_index(launch) + post - 1
    panel = _panel(monthly, design, launch, first, last)
    _check(panel, design, pre, post)
    after = (panel["treated"] & (panel["rel"] >= 0)).to_numpy(float)[:, None]
    (coef,), (se,), (p,) = _fit(panel, after)
    change, low, high = _as_change(coef, se)
    if np.isnan([change, low, high]).any():
        raise ValueError(words.NO_FIT)
    return Estimate(
        change, low, high, float(coef), float(se), float(p), panel["unit_id"].nunique(), panel["m"].nunique()
    )


def _check(panel: pd.DataFrame, design: Design, pre: int, post: int) -> None:
    if not (panel["treated"]).any():
        raise ValueError(words.NO_TREATED_ARRESTS)
    if panel["unit_id"].nunique() < 2:
        raise ValueError(words.NO_COMPARISON)
    months_before = panel.loc[panel["rel"] < 0, "m"].nunique()
    months_after = panel.loc[panel["rel"] >= 0, "m"].nunique()
    if months_before < min(pre, MIN_PRE_MONTHS) or months_after < 1:
        raise ValueError(words.TOO_FEW_MONTHS)
    if months_after < post:
        raise ValueError(words.TOO_FEW_MONTHS)


def event_study(monthly: pd.DataFrame, design: Design) -> pd.DataFrame:
    """One change (with its 95 % interval) per quarter from launch; quarter -1 is the reference (0)."""
    first = _month_index(design.launch) - design.pre_months
    last = _month_index(design.launch) + design.post_months - 1
    panel = _panel(monthly, design, design.launch, first, last)
    _check(panel, design, design.pre_months, design.post_months)
    quarter = np.floor_divide(panel["rel"].to_numpy(), QUARTER)
    steps = [q for q in np.unique(quarter) if q != -1]
    treated = panel["treated"].to_numpy()
    columns = np.column_stack([(treated & (quarter == q)).astype(float) for q in steps])
    coef, se, _ = _fit(panel, columns, errors="pearson")
    rows = [
        {"quarter": int(q), **dict(zip(("change", "low", "high"), _as_change(c, s), strict=True))}
        for q, c, s in zip(steps, coef, se, strict=True)
    ]
    rows.append({"quarter": -1, "change": 0.0, "low": 0.0, "high": 0.0})
    return pd.DataFrame(rows).sort_values("quarter").reset_index(drop=True)


PLACEBO_OFFSETS = (12, 24)  # months before the real launch


def placebos(monthly: pd.DataFrame, design: Design, offsets=PLACEBO_OFFSETS) -> pd.DataFrame:
    """The same estimate at false launch dates before the real one, using only months before it.

    Each false launch gets as many months after it as there are before the real launch (at most the
    design's), and the months before it that the data has (at most the design's). An interval that
    leaves out zero at a false date warns that the areas were already drifting apart.
    """
    rows = []
    monthly = with_month_index(monthly)
    first_month = monthly["m"].min() if len(monthly) else None
    for offset in offsets:
        false_launch = (pd.Timestamp(design.launch) - pd.DateOffset(months=offset)).date()
        post = min(offset, design.post_months)
        pre = min(
            design.pre_months, _month_index(false_launch) - (first_month if first_month is not None else 0)
        )
        if pre < MIN_PRE_MONTHS:
            continue
        try:
            found = estimate(monthly, design, launch=false_launch, post_months=post, pre_months=pre)
        except ValueError:
            continue
        rows.append(
            {
                "false_launch": pd.Timestamp(false_launch),
                "months_before": offset,
                "change": found.change,
                "low": found.low,
                "high": found.high,
                "covers_zero": found.covers_zero,
            }
        )
    return pd.DataFrame(
        rows, columns=["false_launch", "months_before", "change", "low", "high", "covers_zero"]
    )


def analyse(monthly: pd.DataFrame, design: Design) -> Result:
    """The estimate, event study and placebos for ``design``; a problem in words instead of a crash."""
    empty_es = pd.DataFrame(columns=["quarter", "change", "low", "high"])
    monthly = with_month_index(monthly)
    try:
        found = estimate(monthly, design)
        study = event_study(monthly, design)
    except (ValueError, np.linalg.LinAlgError) as error:
        text = str(error) if isinstance(error, ValueError) and str(error) in words.PROBLEMS else words.NO_FIT
        return Result(design, None, empty_es, placebos(monthly.iloc[0:0], design), problem=text)
    return Result(design, found, study, placebos(monthly, design))
