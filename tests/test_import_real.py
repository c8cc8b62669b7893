"""The real BPD arrest sample (classic layout) imported whole, and the same rows in the ArcGIS layout."""

from __future__ import annotations

import csv
import threading
from pathlib import Path

import pytest

import queries
from ingest.importers import ImportRejected, ImportReport, import_arrests
from store import connect
from tests.bad_files.db_state import fresh_copy, table_checksums

pytestmark = pytest.mark.real_data

SAMPLE_NAME = "BPD_Arrests_2017-01-01_to_2018-02-17.csv"
ARCGIS_HEADER = [
    "RowID", "ArrestNumber", "Age", "Gender", "Race", "ArrestDateTime", "ArrestLocation", "IncidentOffence",
    "IncidentLocation", "Charge", "ChargeDescription", "District", "Post", "Neighborhood", "GeoLocation",
]  # fmt: skip


@pytest.fixture(scope="module")
def sample(shared_real) -> Path:
    path = shared_real / "bpd_arrests_2017_2018_sample" / SAMPLE_NAME
    if not path.exists():
        pytest.skip(f"{path} not present")
    return path


@pytest.fixture(scope="module")
def imported(sample, demo_db_path, tmp_path_factory):
    """The demo database with the whole sample imported once: (connection, report, checksums before)."""
    con = connect(fresh_copy(demo_db_path, tmp_path_factory.mktemp("real")))
    before = table_checksums(con)
    report = import_arrests(con, sample)
    yield con, report, before
    con.close()


def data_rows(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def test_every_row_is_accounted_for(imported, sample):
    con, report, _ = imported
    assert report.rows_read == data_rows(sample) == 27_195
    assert report.rows_loaded + report.rows_duplicate + report.rows_quarantined == report.rows_read
    assert (
        con.sql(f"select count(*) from arrests where source = '{SAMPLE_NAME}'").fetchone()[0]
        == report.rows_loaded
    )
    held = con.execute(
        "select count(distinct row_number) from quarantine where import_id = ?", [report.import_id]
    ).fetchone()[0]
    assert held == report.rows_quarantined
    # the sample repeats a few arrests row for row; about half the rows have no coordinates
    assert 0 < report.rows_duplicate < 20
    assert 0.45 < report.rows_unmapped / report.rows_loaded < 0.55
    assert report.as_of.isoformat() == "2018-02-17"


def test_reported_district_matches_point_in_polygon(imported):
    """BPD's own District field against the 1959-2022 polygon the point falls in."""
    con, _, _ = imported
    agree, both = con.sql(
        f"""
        select count(*) filter (where district = district_1959), count(*)
        from arrests
        where source = '{SAMPLE_NAME}' and district is not null and district_1959 is not null
        """
    ).fetchone()
    assert both > 13_000
    assert agree / both >= 0.97


def test_bad_points_are_quarantined_with_reasons(imported):
    con, report, _ = imported
    reasons = report.quarantined_by_reason
    assert set(reasons) <= {"placeholder coordinates (whole degrees)", "outside Baltimore City"}
    assert reasons["placeholder coordinates (whole degrees)"] == 293  # BPD's "(39, -77)" stand-in point
    mapped_outside = con.sql(
        f"""
        select count(*) from arrests a, (select st_union_agg(geom) as city from areas
                                         where kind = 'district' and edition = '1959-2022') c
        where a.source = '{SAMPLE_NAME}' and a.geom is not null and st_distance(c.city, a.geom) > 0.0015
        """
    ).fetchone()[0]
    assert mapped_outside == 0


def test_real_arrests_replace_the_demo_arrests(imported):
    con, report, before = imported
    assert report.replaced_synthetic == before["arrests"][0] > 0
    sources = queries.run(con, "data_sources")
    arrests = sources[sources["table_name"] == "arrests"]
    assert arrests["source"].tolist() == [SAMPLE_NAME]
    assert not arrests["is_synthetic"].any()
    assert arrests["last_date"].iloc[0].date().isoformat() == "2018-02-17"


def test_charges_are_classified_and_unrecognised_ones_listed(imported):
    con, report, _ = imported
    counts = dict(
        con.sql(
            f"select lead_category, count(*) from arrests where source = '{SAMPLE_NAME}' group by 1"
        ).fetchall()
    )
    assert counts["cds_possession"] > 2_000 and counts["trespass"] > 100
    assert report.categories["cds_possession"] == counts["cds_possession"]
    assert 0 < len(report.unclassified) <= 10
    code, description, count = report.unclassified[0]
    assert count == max(c for _, _, c in report.unclassified)
    in_db = con.execute(
        "select count(*) from arrests where charge_code is not distinct from ? "
        "and charge_description is not distinct from ? and lead_category is null",
        [code, description],
    ).fetchone()[0]
    assert in_db == count


def test_id_less_rows_get_stable_ids(imported):
    con, _, _ = imported
    derived = con.sql(
        f"select count(*), count(distinct arrest_id) from arrests "
        f"where source = '{SAMPLE_NAME}' and arrest_id like 'nokey-%'"
    ).fetchone()
    assert derived[0] == derived[1] > 1_000  # about 4% of BPD's rows carry no arrest number


def test_reimporting_the_file_changes_nothing(sample, demo_db_path, tmp_path):
    con = connect(fresh_copy(demo_db_path, tmp_path))
    first = import_arrests(con, sample)
    data_tables = ("areas", "arrests", "referrals", "case_managers")
    after_first = table_checksums(con, data_tables)
    second = import_arrests(con, sample)
    assert table_checksums(con, data_tables) == after_first
    assert second.rows_loaded == 0
    assert second.rows_duplicate == first.rows_loaded + first.rows_duplicate
    assert second.rows_quarantined == first.rows_quarantined
    con.close()


def to_arcgis(classic_path: Path, target: Path, rows: int) -> None:
    """The first ``rows`` sample rows rewritten in the ArcGIS Hub layout (ISO date-times, GeoLocation)."""
    with open(classic_path, newline="", encoding="utf-8") as source, open(target, "w", newline="") as out:
        reader = csv.DictReader(source)
        writer = csv.writer(out)
        writer.writerow(ARCGIS_HEADER)
        for n, row in zip(range(1, rows + 1), reader, strict=False):
            month, day, year = row["ArrestDate"].split("/")
            point = f"({row['Latitude']},{row['Longitude']})" if row["Latitude"] else ""
            writer.writerow([
                n, row["Arrest"], row["Age"], row["Sex"], row["Race"], f"{year}/{month}/{day} 05:00:00+00",
                row["ArrestLocation"], row["IncidentOffense"], row["IncidentLocation"], row["Charge"],
                row["ChargeDescription"], row["District"], row["Post"], row["Neighborhood"], point,
            ])  # fmt: skip


def test_arcgis_layout_loads_like_the_classic_one(sample, tmp_path, empty_con):
    rows = 3_000
    arcgis = tmp_path / "BPD_Arrests_arcgis.csv"
    to_arcgis(sample, arcgis, rows)
    classic = tmp_path / "BPD_Arrests_classic.csv"
    with open(sample, encoding="utf-8") as source:
        classic.write_text("".join(line for _, line in zip(range(rows + 1), source, strict=False)))

    hub = import_arrests(empty_con, arcgis)
    assert hub.rows_read == rows and hub.balanced
    assert not {"Gender", "Race"} & set(hub.columns_not_stored) and not hub.columns_unknown
    assert hub.columns_used["sex"] == "Gender" and hub.columns_used["race"] == "Race"
    assert "arrest time" in hub.columns_missing
    hub_rows = empty_con.sql(
        "select arrest_id, arrest_date, district_1959, lead_category, race, sex, arrest_time is null "
        "from arrests order by 1"
    ).fetchall()

    empty_con.execute("delete from arrests")
    old = import_arrests(empty_con, classic)
    classic_rows = empty_con.sql(
        "select arrest_id, arrest_date, district_1959, lead_category, race, sex, true from arrests order by 1"
    ).fetchall()
    assert (hub.rows_loaded, hub.rows_quarantined) == (old.rows_loaded, old.rows_quarantined)
    # id-less rows hash their own layout's text, so compare the rows that carry an arrest number
    assert [r for r in hub_rows if not r[0].startswith("nokey-")] == [
        r for r in classic_rows if not r[0].startswith("nokey-")
    ]


def test_two_imports_at_once_never_mix_or_double(sample, demo_db_path, tmp_path):
    """Two staff sessions importing the same file together: each either loads or is refused cleanly."""
    con = connect(fresh_copy(demo_db_path, tmp_path))
    outcomes: list[object] = []

    def run() -> None:
        cursor = con.cursor()
        try:
            outcomes.append(import_arrests(cursor, sample))
        except ImportRejected as refused:
            outcomes.append(refused)
        finally:
            cursor.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2
    assert all(isinstance(o, ImportRejected | ImportReport) for o in outcomes)
    assert sum(o.rows_loaded for o in outcomes if isinstance(o, ImportReport)) == 26_857
    assert con.sql("select count(*), count(distinct source) from arrests").fetchone() == (26_857, 1)
    assert con.sql("select count(*) from imports where kind = 'arrests'").fetchone()[0] == sum(
        isinstance(o, ImportReport) for o in outcomes
    )
    con.close()
