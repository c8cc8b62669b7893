"""The bad-file corpus: files an importer must survive, each with what it should make of them.

Every file is built here from a few invented arrests (no copy of real data), so the corpus is small,
reviewable and regenerated on demand:

    python tests/bad_files/make_bad_files.py /tmp/bad_files    # write the files to look at them

``expect`` is one of ``rejected`` (the whole file refused with a message containing ``match``),
``quarantined`` (loaded, with at least one quarantine entry whose reason contains ``match``) or
``loaded`` (loaded cleanly; ``match`` appears in the report's notes or columns).
"""

from __future__ import annotations

import csv
import io
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

CLASSIC_HEADER = (
    "Arrest,Age,Sex,Race,ArrestDate,ArrestTime,ArrestLocation,IncidentOffense,IncidentLocation,"
    "Charge,ChargeDescription,District,Post,Neighborhood,Longitude,Latitude,Location 1"
)
REFERRALS_HEADER = (
    "referral_id,referred_on,referral_type,offense_category,lat,lon,eligibility,ineligible_reason,"
    "intake_on,enrolled_on,case_manager_id,exited_on,exit_reason,rearrested_on"
)


@dataclass(frozen=True)
class BadFile:
    name: str
    kind: str  # 'arrests' or 'referrals'
    content: bytes
    expect: str  # 'rejected', 'quarantined' or 'loaded'
    match: str
    rows: int = 0  # data rows in the file, when it has any


def arrest_fields(
    arrest_id: str,
    date: str = "03/15/2017",
    lat: str = "39.2905",
    lon: str = "-76.6200",
    description: str = "CDS POSS",
    neighborhood: str = "Downtown",
    age: str = "34",
    time: str = "14:05",
) -> list[str]:
    """One invented arrest in the classic layout; the location pair repeats lat/lon as BPD does."""
    pair = f"({lat}, {lon})" if lat and lon else ""
    return [
        arrest_id, age, "M", "B", date, time, "100 N HOWARD ST", "Unknown Offense", "100 N HOWARD ST",
        "4 3550", description, "Central", "111", neighborhood, lon, lat, pair,
    ]  # fmt: skip


def line(fields: list[str], delimiter: str = ",") -> str:
    """Fields joined the way a CSV writer does: quoted only when they hold the delimiter or a quote."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(fields)
    return buffer.getvalue()


def arrest_row(arrest_id: str, **changes: str) -> str:
    return line(arrest_fields(arrest_id, **changes))


def classic(*rows: str, header: str = CLASSIC_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


GOOD_ROWS = [arrest_row(f"9000000{i}", lat=f"39.29{i}5", lon=f"-76.62{i}0") for i in range(5)]


def corpus() -> list[BadFile]:
    """Every bad file, built in memory."""
    rng = random.Random(6)
    files = [
        BadFile("empty.csv", "arrests", b"", "rejected", "empty"),
        BadFile("blank_space.csv", "arrests", b"  \n\n \r\n", "rejected", "blank space"),
        BadFile("header_only.csv", "arrests", classic().encode(), "rejected", "no data rows"),
        BadFile(
            "binary.csv",
            "arrests",
            bytes(rng.randrange(256) for _ in range(4096)),
            "rejected",
            "binary",
        ),
        BadFile("workbook.xlsx.csv", "arrests", b"PK\x03\x04" + bytes(200), "rejected", "Excel"),
        BadFile(
            "records.json",
            "arrests",
            json.dumps([{"Arrest": "90000001", "ArrestDate": "2017-03-15"}]).encode(),
            "rejected",
            "JSON",
        ),
        BadFile(
            "login_page.csv",
            "arrests",
            b"<!DOCTYPE html><html><body>Please sign in</body></html>\n",
            "rejected",
            "HTML",
        ),
        BadFile(
            "missing_columns.csv",
            "arrests",
            b"Arrest,Age,Charge,ChargeDescription\n90000001,34,4 3550,CDS POSS\n",
            "rejected",
            "'arrest date' missing",
            rows=1,
        ),
        BadFile(
            "wrong_delimiter.csv",
            "arrests",
            classic(*(row.replace(",", ";") for row in GOOD_ROWS)).encode(),
            "rejected",
            "check the delimiter",
            rows=5,
        ),
        BadFile(
            "semicolons.csv",
            "arrests",
            "\n".join(
                [CLASSIC_HEADER.replace(",", ";")]
                + [line(arrest_fields(f"9200000{i}"), delimiter=";") for i in range(3)]
            ).encode(),
            "loaded",
            "semicolons",
            rows=3,
        ),
        BadFile(
            "swapped_lat_lon.csv",
            "arrests",
            classic(GOOD_ROWS[0], arrest_row("91000001", lat="-76.6200", lon="39.2905")).encode(),
            "quarantined",
            "swapped",
            rows=2,
        ),
        BadFile(
            "zero_coordinates.csv",
            "arrests",
            classic(GOOD_ROWS[0], arrest_row("91000002", lat="0", lon="0")).encode(),
            "quarantined",
            "(0, 0)",
            rows=2,
        ),
        BadFile(
            "outside_city.csv",
            "arrests",
            # the Washington Monument, and a point in Baltimore County just past the city line
            classic(
                GOOD_ROWS[0],
                arrest_row("91000003", lat="38.8895", lon="-77.0353"),
                arrest_row("91000004", lat="39.3700", lon="-76.5000"),
            ).encode(),
            "quarantined",
            "outside Baltimore City",
            rows=3,
        ),
        BadFile(
            "impossible_dates.csv",
            "arrests",
            classic(
                GOOD_ROWS[0],
                arrest_row("91000005", date="02/30/2017"),
                arrest_row("91000006", date="13/45/2017"),
                arrest_row("91000007", date="yesterday"),
                arrest_row("91000008", date="01/01/1900"),
            ).encode(),
            "quarantined",
            "not a real calendar date",
            rows=5,
        ),
        BadFile(
            "future_dates.csv",
            "arrests",
            classic(GOOD_ROWS[0], arrest_row("91000009", date="07/04/2099")).encode(),
            "quarantined",
            "in the future",
            rows=2,
        ),
        BadFile(
            "bad_age_and_time.csv",
            "arrests",
            classic(GOOD_ROWS[0], arrest_row("91000010", age="999", time="25:99")).encode(),
            "quarantined",
            "age is not a whole number",
            rows=2,
        ),
        BadFile(
            "huge_field.csv",
            "arrests",
            classic(GOOD_ROWS[0], arrest_row("91000011", description="X" * 5_000_000)).encode(),
            "quarantined",
            "longer than",
            rows=2,
        ),
        BadFile(
            "injection.csv",
            "arrests",
            "\n".join(
                [
                    line([*CLASSIC_HEADER.split(","), 'x"; drop table arrests; --']),
                    line([*arrest_fields("91000012", description="'); DROP TABLE arrests; --"), "1"]),
                    line([*arrest_fields("91000013", neighborhood="<script>alert('x')</script>"), "2"]),
                ]
            ).encode(),
            "loaded",
            "drop table arrests",
            rows=2,
        ),
        BadFile(
            "duplicate_ids.csv",
            "arrests",
            classic(
                GOOD_ROWS[0], GOOD_ROWS[0], GOOD_ROWS[0].replace("14:05", "15:00"), GOOD_ROWS[1]
            ).encode(),
            "loaded",
            "repeats row 1",
            rows=4,
        ),
        BadFile(
            "latin1.csv",
            "arrests",
            classic(arrest_row("91000014", neighborhood="Caf\u00e9 Hill \u00a7 3")).encode("cp1252"),
            "loaded",
            "Windows-1252",
            rows=1,
        ),
        BadFile(
            "utf16.csv",
            "arrests",
            classic(*GOOD_ROWS[:2]).encode("utf-16"),
            "loaded",
            "utf-16",
            rows=2,
        ),
        BadFile(
            "unterminated_quote.csv",
            "arrests",
            classic(GOOD_ROWS[0], GOOD_ROWS[1].replace("CDS POSS", '"CDS POSS'), *GOOD_ROWS[2:]).encode(),
            "quarantined",
            "unterminated quote",
            rows=5,
        ),
        BadFile(
            "mac_line_endings.csv",
            "arrests",
            classic(*GOOD_ROWS[:3]).replace("\n", "\r").encode(),
            "loaded",
            "",  # nothing to say: old Mac line ends load like any others
            rows=3,
        ),
        BadFile(
            "latin1_huge_field.csv",
            "arrests",
            classic(GOOD_ROWS[0], arrest_row("91000015", neighborhood="P\u00e9na " + "y" * 3_000_000)).encode(
                "cp1252"
            ),
            "quarantined",
            "longer than",
            rows=2,
        ),
        BadFile(
            "nul_bytes.csv",
            "arrests",
            classic(*GOOD_ROWS[:3]).replace("CDS POSS", "CDS\x00 POSS").encode(),
            "loaded",
            "NUL bytes removed",
            rows=3,
        ),
        BadFile(
            "ragged_rows.csv",
            "arrests",
            classic(*GOOD_ROWS[:3], GOOD_ROWS[3] + ",extra,fields", "90000009,34").encode(),
            "quarantined",
            "wrong number of fields",
            rows=5,
        ),
        BadFile(
            "referrals_bad_values.csv",
            "referrals",
            "\n".join(
                [
                    REFERRALS_HEADER,
                    "R-1,2017-03-06,arrest,cds_possession,39.2916,-76.6226,eligible,,2017-03-06,2017-03-08,CM-01,,,",
                    "R-2,2017-03-06,drive-by,,,,eligible,,,,,,,",
                    "R-3,2017-03-06,arrest,,,,eligible,open_warrant,,,,,,",
                    "R-4,2017-03-06,arrest,,,,eligible,,,2017-02-01,,,,",
                    "R-5,2016-05-01,social contact,,,,pending,,,,,,,",
                    "R-6,2017-03-06,Social-contact referral,Prostitution,,,Not eligible,Open warrant,,,,,,",
                ]
            ).encode()
            + b"\n",
            "quarantined",
            "referral type is not one of",
            rows=6,
        ),
        BadFile(
            "referrals_missing_columns.csv",
            "referrals",
            b"referral_id,referred_on\nR-1,2017-03-06\n",
            "rejected",
            "'referral type' missing",
            rows=1,
        ),
    ]
    return files


def write_corpus(directory: Path) -> list[tuple[BadFile, Path]]:
    """Write every corpus file into ``directory``; return (spec, path) pairs."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in corpus():
        path = directory / spec.name
        path.write_bytes(spec.content)
        written.append((spec, path))
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bad_files")
    for spec, path in write_corpus(target):
        print(f"{path}  ({spec.kind}: {spec.expect}, '{spec.match}')")
