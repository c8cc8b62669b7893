"""Does the Impact page's estimate recover a known answer? Coverage over seeded synthetic demos.

``python -m bench.impact_coverage [--seeds 50] [--arrests 250000] [--effect -15]``

For each seed the demo generator draws its arrests exactly as ``generate_demo`` does (the seed's arrest
stream, ``ingest.demo._draw_arrests``) and injects the effect through the same hook and stream
(``ingest.demo.inject_arrest_effect``, stream 5); only the synthetic block layout is built once and
shared by every seed (placing blocks is the slow, spatial part and does not touch the dates). The
monthly counts come from the page's own query (``queries/impact_monthly_eligible_arrests.sql``) run on
those arrests, and the estimate from the page's own code (``impact.did``) with the matched comparison
group. Reported: how many 95 % intervals cover the injected effect, and how many cover zero when no
effect is injected (issue #13: at least 45 of 50 each).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

import queries
from domain import impact as words
from impact import did

FIRST_MONTH = date(2014, 1, 1)


@dataclass
class Generator:
    """What every seed shares: the calibration and one synthetic block layout."""

    cal: object
    places: object

    @classmethod
    def build(cls, place_seed: int = 2017) -> Generator:
        from ingest.areas import load_areas
        from ingest.demo import build_places, load_calibration
        from store import connect, create_schema

        with tempfile.TemporaryDirectory() as folder:
            con = connect(Path(folder) / "areas.duckdb")
            try:
                create_schema(con)
                load_areas(con)
                cal = load_calibration()
                places = build_places(
                    con, cal, np.random.default_rng(np.random.SeedSequence(place_seed).spawn(6)[1])
                )
            finally:
                con.close()
        return cls(cal, places)

    def monthly(self, seed: int, arrests: int, effect: float) -> pd.DataFrame:
        """The page's monthly counts for one seeded demo carrying ``effect``."""
        from ingest.demo import _draw_arrests, inject_arrest_effect

        streams = np.random.SeedSequence(seed).spawn(6)
        frame = _draw_arrests(arrests, self.cal, self.places, np.random.default_rng(streams[0]))
        frame = inject_arrest_effect(frame, self.cal, self.places, effect, np.random.default_rng(streams[5]))
        points = self.places.points
        point = frame["point_idx"].to_numpy()
        located = point >= 0
        idx = np.maximum(point, 0)
        rows = pd.DataFrame(
            {
                "arrest_date": pd.to_datetime(frame["arrest_date"]).dt.date,
                "lead_category": self.cal.charges["lead_category"].to_numpy(object)[
                    frame["pair_idx"].to_numpy()
                ],
                "in_pilot_zone": np.where(located, points["in_pilot_zone"].to_numpy(object)[idx], None),
                "district_1959": np.where(located, points["district_1959"].to_numpy(object)[idx], None),
                "nsa": np.where(located, points["nsa"].to_numpy(object)[idx], None),
            }
        )
        con = duckdb.connect()
        try:
            con.register("rows", rows)
            con.execute(
                "create table arrests as select cast(arrest_date as date) as arrest_date, lead_category, "
                "cast(in_pilot_zone as boolean) as in_pilot_zone, district_1959, nsa from rows"
            )
            return queries.run(con, "impact_monthly_eligible_arrests", first_month=FIRST_MONTH)
        finally:
            con.close()


def estimate_for(monthly: pd.DataFrame, post_months: int = 24) -> did.Estimate:
    """The page's default estimate: pilot zone, matched comparison group, ``post_months`` after launch."""
    rollout = words.ROLLOUTS["pilot_zone"]
    monthly = did.with_month_index(monthly)
    table = did.candidates(monthly, rollout.treated, rollout.launch, words.PRE_MONTHS)
    design = did.Design(
        rollout.treated,
        rollout.launch,
        did.matched(table, words.COMPARISON_SIZE),
        words.PRE_MONTHS,
        post_months,
    )
    return did.estimate(monthly, design)


def coverage(generator: Generator, seeds, arrests: int, effect: float) -> list[did.Estimate]:
    return [estimate_for(generator.monthly(seed, arrests, effect)) for seed in seeds]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.impact_coverage", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--arrests", type=int, default=250_000)
    parser.add_argument("--effect", type=float, default=-15.0, help="injected change in percent")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    generator = Generator.build()
    seeds = range(1, args.seeds + 1)
    effect = args.effect / 100
    with_effect = coverage(generator, seeds, args.arrests, effect)
    without = coverage(generator, seeds, args.arrests, 0.0)
    covered = sum(e.covers(effect) for e in with_effect)
    zero_with_effect = sum(e.covers_zero for e in with_effect)
    zero = sum(e.covers_zero for e in without)
    changes = np.array([e.change for e in with_effect])
    print(f"{args.seeds} seeded demos of {args.arrests:,} arrests each, pilot zone, matched comparison group")
    print(
        f"injected {words.percent(effect)}: 95% CI covers it in {covered}/{args.seeds} "
        f"(mean estimate {words.percent(changes.mean(), 1)}; CI also covers 0 in {zero_with_effect})"
    )
    print(f"no effect: 95% CI covers 0 in {zero}/{args.seeds}")
    print(f"{time.perf_counter() - started:.0f} s")
    return 0 if covered >= 0.9 * args.seeds and zero >= 0.9 * args.seeds else 1


if __name__ == "__main__":
    sys.exit(main())
