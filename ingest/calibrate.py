"""Write the demo generator's calibration tables from the real BPD arrest sample.

    python -m ingest.calibrate [--shared ../shared/data/real] [--out data/calibration]

Reads ``bpd_arrests_2017_2018_sample/BPD_Arrests_*.csv`` (classic Open Baltimore layout) and writes
AGGREGATE tables only; no arrest record, id, address or exact point leaves this script, and every
count below ``MIN_COUNT`` is dropped so no small group can be singled out:

``charge_mix.csv``        charge_code, charge_description, lead_category, arrests, with_coordinates
                          (the most frequent code/description pairs as BPD spells them)
``hotspots_h3r8.csv``     h3_r8 (hex id), grp ('cds', 'other_lead', 'non_lead'), arrests
``hour_of_day.csv``       hour (0-23), arrests
``weekday.csv``           isodow (1 = Monday ... 7 = Sunday), arrests
``age.csv``               age_from, age_to, arrests
``summary.csv``           metric, value (rows, date range, share with coordinates, possession share)
``demographics.csv``      district, race, sex, arrests (BPD's reported district; race and sex as codes
                          of ``domain.equity``; cells under ``MIN_COUNT`` dropped)

``lead_category`` in charge_mix is informative; the generator re-classifies with
``ingest.classify`` so the rule table stays the one place where charges are classified.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb
import h3
import pandas as pd

from ingest.assign import h3_cells
from ingest.classify import classify_frame
from store.connection import REPO_ROOT

CALIBRATION_DIR = REPO_ROOT / "data" / "calibration"
SHARED_REAL = REPO_ROOT.parent / "shared" / "data" / "real"  # the workspace's copies of Open Baltimore
SAMPLE_GLOB = "bpd_arrests_2017_2018_sample/BPD_Arrests_*.csv"
MIN_COUNT = 5  # smallest count written to any calibration table
MAX_CHARGE_PAIRS = 500  # in practice every pair that meets MIN_COUNT (about 400)
REQUIRED_COLUMNS = (
    "Arrest", "Age", "ArrestDate", "ArrestTime", "Charge", "ChargeDescription", "District", "Race", "Sex",
)  # fmt: skip
COORD_COLUMNS = ("Longitude", "Latitude")
CATEGORY_GROUP = {
    "cds_possession": "cds",
    "cds_distribution": "cds",
    "prostitution": "other_lead",
    "larceny": "other_lead",
    "trespass": "other_lead",
    "public_urination": "other_lead",
}
# BPD's one-letter codes (the importers read the same codes: ingest/importers/people.py)
RACE_CODES = {"B": "black", "W": "white", "A": "asian", "I": "american_indian", "U": "unknown"}
SEX_CODES = {"M": "male", "F": "female", "U": "unknown"}
UNKNOWN_DISTRICT = "unknown"
AGE_TOP_BIN = 70  # ages from here up are one bin: single years there are too thin to publish


def find_sample(shared: Path) -> Path:
    """The arrest sample CSV under the shared real-data folder."""
    found = sorted(Path(shared).glob(SAMPLE_GLOB))
    if not found:
        raise FileNotFoundError(f"no {SAMPLE_GLOB} under {shared}")
    return found[-1]


def read_sample(path: Path) -> pd.DataFrame:
    """Read the classic-layout arrests CSV as text columns, with parsed date, hour, age and coordinates."""
    con = duckdb.connect()
    raw = con.sql(f"select * from read_csv('{Path(path).as_posix()}', all_varchar = true, header = true)")
    missing = [c for c in REQUIRED_COLUMNS + COORD_COLUMNS if c not in raw.columns]
    if missing:
        raise ValueError(
            f"arrests file {Path(path).name}: column(s) {missing} missing (found: {raw.columns})"
        )
    frame = con.sql(
        """
        select
            trim(Charge) as charge_code,
            trim(ChargeDescription) as charge_description,
            try_strptime(ArrestDate, '%m/%d/%Y')::date as arrest_date,
            try_cast(split_part(ArrestTime, ':', 1) as integer) as hour,
            try_cast(Age as integer) as age,
            try_cast(Longitude as double) as lon,
            try_cast(Latitude as double) as lat,
            trim(District) as district,
            upper(trim(Race)) as race_code,
            upper(trim(Sex)) as sex_code
        from raw
        """
    ).df()
    con.close()
    return frame


def _min_count(frame: pd.DataFrame, column: str = "arrests") -> pd.DataFrame:
    return frame.loc[frame[column] >= MIN_COUNT].reset_index(drop=True)


def build_tables(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """All calibration tables (name -> DataFrame) from the parsed sample."""
    frame = frame.copy()
    frame["lead_category"] = classify_frame(frame)
    frame["mapped"] = frame["lon"].notna() & frame["lat"].notna()
    tables: dict[str, pd.DataFrame] = {}

    pairs = (
        frame.groupby(["charge_code", "charge_description"], dropna=False)
        .agg(arrests=("mapped", "size"), with_coordinates=("mapped", "sum"))
        .reset_index()
    )
    pairs["lead_category"] = classify_frame(pairs)
    pairs = _min_count(pairs.sort_values(["arrests", "charge_code"], ascending=[False, True]))
    tables["charge_mix"] = pairs.head(MAX_CHARGE_PAIRS)[
        ["charge_code", "charge_description", "lead_category", "arrests", "with_coordinates"]
    ]

    mapped = frame.loc[frame["mapped"]].copy()
    mapped["h3_r8"] = [h3.int_to_str(int(c)) for c in h3_cells(mapped["lat"], mapped["lon"], 8)]
    mapped["grp"] = mapped["lead_category"].map(CATEGORY_GROUP).fillna("non_lead")
    spots = mapped.groupby(["grp", "h3_r8"]).size().rename("arrests").reset_index()
    tables["hotspots_h3r8"] = _min_count(
        spots.sort_values(["grp", "arrests", "h3_r8"], ascending=[True, False, True])
    )[["h3_r8", "grp", "arrests"]]

    hours = frame["hour"].dropna().astype(int)
    hours = hours[(hours >= 0) & (hours <= 23)]
    tables["hour_of_day"] = hours.value_counts().reindex(range(24), fill_value=0).rename_axis("hour")
    tables["hour_of_day"] = tables["hour_of_day"].rename("arrests").reset_index()

    dates = pd.to_datetime(frame["arrest_date"].dropna())
    tables["weekday"] = (
        dates.dt.day_of_week.add(1)
        .value_counts()
        .sort_index()
        .rename_axis("isodow")
        .rename("arrests")
        .reset_index()
    )

    ages = frame["age"].dropna().astype(int)
    ages = ages[(ages >= 10) & (ages <= 100)]
    low = max(int(ages.min()), 10)
    age_bins = pd.DataFrame({"age": ages.clip(upper=AGE_TOP_BIN)})
    by_age = age_bins.value_counts("age").sort_index().rename("arrests").reset_index()
    # fold thin single years at the young end into the next one up so every bin meets MIN_COUNT
    rows, carry, start = [], 0, low
    for age, count in zip(by_age["age"], by_age["arrests"], strict=True):
        carry += int(count)
        if carry >= MIN_COUNT:
            top = int(ages.max()) if age == AGE_TOP_BIN else int(age)
            rows.append((start, top, carry))
            carry, start = 0, int(age) + 1
    if carry and rows:
        rows[-1] = (rows[-1][0], rows[-1][1], rows[-1][2] + carry)
    tables["age"] = pd.DataFrame(rows, columns=["age_from", "age_to", "arrests"])

    cds = frame["lead_category"].isin(["cds_possession", "cds_distribution"])
    possession = (frame["lead_category"] == "cds_possession").sum()
    summary = [
        ("rows", len(frame)),
        ("date_from", str(dates.min().date())),
        ("date_to", str(dates.max().date())),
        ("share_with_coordinates", round(float(frame["mapped"].mean()), 4)),
        (
            "share_with_coordinates_lead",
            round(float(frame.loc[frame["lead_category"].notna(), "mapped"].mean()), 4),
        ),
        (
            "share_with_coordinates_non_lead",
            round(float(frame.loc[frame["lead_category"].isna(), "mapped"].mean()), 4),
        ),
        ("cds_possession_share_of_cds", round(float(possession / max(int(cds.sum()), 1)), 4)),
        ("charge_pairs_written", len(tables["charge_mix"])),
        ("charge_pairs_share_of_rows", round(float(tables["charge_mix"]["arrests"].sum() / len(frame)), 4)),
    ]
    for category, count in frame["lead_category"].value_counts().sort_index().items():
        summary.append((f"arrests_{category}", int(count)))
    tables["summary"] = pd.DataFrame(summary, columns=["metric", "value"])
    tables["demographics"] = demographics(frame)
    return tables


def demographics(frame: pd.DataFrame) -> pd.DataFrame:
    """Arrests per BPD district, race and sex (codes of ``domain.equity``), cells under ``MIN_COUNT``
    dropped. The demo generator draws each synthetic arrest's race and sex from its district's shares."""
    people = pd.DataFrame(
        {
            "district": frame["district"].fillna("").replace("", UNKNOWN_DISTRICT),
            "race": frame["race_code"].map(RACE_CODES).fillna("unknown"),
            "sex": frame["sex_code"].map(SEX_CODES).fillna("unknown"),
        }
    )
    cells = people.value_counts(["district", "race", "sex"]).rename("arrests").reset_index()
    cells = cells.sort_values(["district", "race", "sex"]).reset_index(drop=True)
    return _min_count(cells)[["district", "race", "sex", "arrests"]]


def write_tables(tables: dict[str, pd.DataFrame], out: Path) -> list[Path]:
    """Write each table as ``<name>.csv`` into ``out``; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in tables.items():
        path = out / f"{name}.csv"
        table.to_csv(path, index=False, lineterminator="\n")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED_REAL, help="folder holding the real data sets")
    parser.add_argument("--out", type=Path, default=CALIBRATION_DIR)
    args = parser.parse_args(argv)
    sample = find_sample(args.shared)
    tables = build_tables(read_sample(sample))
    for path in write_tables(tables, args.out):
        print(f"{path}: {len(tables[path.stem])} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
