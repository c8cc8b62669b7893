"""fetch-arrests against a local fake ArcGIS FeatureServer (bench/fake_arcgis.py): no network.

Paging, a 500 page, a slow page, a truncated body, an ArcGIS error answer, a changed field, a fetch
that stops and resumes, an incremental second fetch; rows from the real Open Baltimore sample when
``../shared`` is there (compared with importing the same rows as a file), synthetic rows otherwise.
"""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys

import duckdb
import pytest

from bench.fake_arcgis import FakeArcGIS, rows_from_classic_csv, synthetic_rows
from bench.server import free_port
from ingest.fetch import FetchFailed, FetchSettings, fetch_arrests, spool_folder
from ingest.importers import import_arrests
from store import connect, generations
from tests.bad_files.db_state import fresh_copy, table_checksums
from tests.conftest import REPO_ROOT


@pytest.fixture
def db(demo_db_path, tmp_path):
    """A private copy of the demo database (synthetic arrests only)."""
    return fresh_copy(demo_db_path, tmp_path, "lead.duckdb")


def settings(fake: FakeArcGIS, **overrides) -> FetchSettings:
    """Quick retries for tests: a 1 s timeout and short pauses."""
    return FetchSettings(**{"url": fake.url, "timeout_s": 1.0, "retries": 3, "backoff_s": 0.05, **overrides})


def real_arrests(db) -> set[str]:
    with connect(db, read_only=True) as con:
        return {
            r[0]
            for r in con.execute("select arrest_id from arrests where source <> 'synthetic-demo'").fetchall()
        }


def test_pages_are_followed_until_the_service_says_there_are_no_more(db):
    rows = synthetic_rows(1_000)
    with FakeArcGIS(rows, max_record_count=400) as fake:
        result = fetch_arrests(db, settings(fake))
    assert result.pages == 3 and result.rows == 1_000 and result.retries == 0
    assert fake.asked_offsets() == [0, 400, 800]
    assert all(
        r["resultRecordCount"] == "400" and r["orderByFields"] == "OBJECTID ASC" for r in fake.requests
    )
    assert fake.requests[0]["where"] == "1=1"  # only demo data loaded: everything
    assert real_arrests(db) == {r["ArrestNumber"] for r in rows}
    assert result.report.rows_loaded == 1_000 and result.report.replaced_synthetic == 20_000
    assert result.built.number == 2 and not spool_folder(db).exists()


def test_a_500_a_slow_page_a_cut_body_and_an_error_answer_are_asked_again(db):
    rows = synthetic_rows(900)
    with FakeArcGIS(rows, max_record_count=300, slow_s=2.5) as fake:
        fake.faults[0] = ["500"]
        fake.faults[300] = ["slow", "truncate"]
        fake.faults[600] = ["error"]
        result = fetch_arrests(db, settings(fake))
    assert result.retries == 4 and result.rows == 900
    assert fake.asked_offsets() == [0, 0, 300, 300, 300, 600, 600]
    assert real_arrests(db) == {r["ArrestNumber"] for r in rows}


def test_a_changed_field_stops_the_fetch_before_anything_is_written(db):
    with connect(db, read_only=True) as con:
        before = table_checksums(con)
    with FakeArcGIS(synthetic_rows(50)) as fake:
        fake.renamed["ArrestDateTime"] = "BookingDateTime"
        with pytest.raises(FetchFailed, match=r"changed its fields: required column 'arrest date' missing"):
            fetch_arrests(db, settings(fake))
        assert fake.requests == []  # found in the layer's description, before any page
    with connect(db, read_only=True) as con:
        assert table_checksums(con) == before
    assert [g.served for g in generations.generations(db)] in ([], [True])


def test_a_field_that_changes_between_pages_stops_the_fetch(db):
    with FakeArcGIS(synthetic_rows(600), max_record_count=300) as fake:
        original = fake._fields
        fake._fields = lambda: original() if len(fake.requests) < 2 else [
            {**f, "name": "BookingNumber"} if f["name"] == "ArrestNumber" else f for f in original()
        ]  # fmt: skip
        with pytest.raises(FetchFailed, match="'arrest number' missing"):
            fetch_arrests(db, settings(fake))
    assert real_arrests(db) == set()


def test_a_fetch_that_gave_up_resumes_where_it_stopped(db):
    rows = synthetic_rows(900)
    with FakeArcGIS(rows, max_record_count=300) as fake:
        fake.faults[300] = ["500"] * 4  # more failures than retries
        with pytest.raises(FetchFailed, match=r"HTTP 500 \(asked 4 times\).*next run resumes"):
            fetch_arrests(db, settings(fake))
        assert real_arrests(db) == set()  # nothing published
        assert sorted(p.name for p in spool_folder(db).glob("page-*.json")) == ["page-000000.json"]
        fake.requests.clear()
        result = fetch_arrests(db, settings(fake))
    assert fake.asked_offsets() == [300, 600]  # the first page was not asked again
    assert result.pages_resumed == 1 and result.pages == 3
    assert real_arrests(db) == {r["ArrestNumber"] for r in rows}


def test_a_second_fetch_asks_only_from_the_last_loaded_day(db):
    rows = synthetic_rows(300)
    with FakeArcGIS(rows, max_record_count=500) as fake:
        fetch_arrests(db, settings(fake))
        later = synthetic_rows(30, start=dt.date(2023, 6, 1), seed=15)
        for n, row in enumerate(later):
            row["ArrestNumber"] = f"24{n:06d}"
        fake.add_rows(later)
        fake.requests.clear()
        result = fetch_arrests(db, settings(fake))
    assert fake.requests[0]["where"] == "ArrestDateTime >= TIMESTAMP '2023-04-10 00:00:00'"
    # the last loaded day again (it may have had more arrests since): those rows are duplicates
    assert result.report.rows_loaded == 30 and result.report.rows_duplicate == result.rows - 30
    assert real_arrests(db) == {r["ArrestNumber"] for r in rows + later}


def test_geojson_answers_page_the_same_way(db):
    rows = synthetic_rows(500)
    with FakeArcGIS(rows, max_record_count=200) as fake:
        result = fetch_arrests(db, settings(fake, format="geojson"))
    assert result.pages == 3 and real_arrests(db) == {r["ArrestNumber"] for r in rows}
    with connect(db, read_only=True) as con:
        assert con.execute("select count(*) from arrests where geom is null").fetchone()[0] == 0


def test_offline_is_said_plainly(db):
    url = f"http://127.0.0.1:{free_port()}/arcgis/rest/services/BPD_Arrests/FeatureServer/0"
    with pytest.raises(FetchFailed, match="cannot reach 127.0.0.1.*offline"):
        fetch_arrests(db, FetchSettings(url=url, timeout_s=1, retries=1, backoff_s=0.01))


def test_the_command_line_fetches_and_reports(db):
    with FakeArcGIS(synthetic_rows(120), max_record_count=50) as fake:
        done = subprocess.run(
            [sys.executable, "-m", "ingest", "fetch-arrests", "--url", fake.url, "--db", str(db)],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "120 rows in 3 pages" in done.stdout and "published generation 2" in done.stdout
    with duckdb.connect(str(db), read_only=True) as con:  # the audit row: service, hash
        trail = con.execute("select who, action, subject, sha256, outcome from audit").fetchall()
    assert len(trail) == 1 and trail[0][0].startswith("cli:") and trail[0][1] == "import"
    assert fake.url in trail[0][2] and len(trail[0][3]) == 64 and trail[0][4] == "ok"


def test_real_rows_are_checked_and_quarantined_as_the_file_is(db, shared_real, tmp_path):
    """Rows of the real sample served by the fake service land as importing the same rows as a file."""
    sample = next((shared_real / "bpd_arrests_2017_2018_sample").glob("BPD_Arrests_*.csv"))
    part = tmp_path / "part.csv"
    with open(sample, newline="", encoding="utf-8") as source, open(part, "w", newline="") as target:
        reader, writer = csv.reader(source), csv.writer(target)
        for n, row in enumerate(reader):
            if n > 3_000:
                break
            writer.writerow(row)
    as_file = fresh_copy(db, tmp_path, "as_file.duckdb")
    with generations.building(as_file) as con:
        from_file = import_arrests(con, part)
    with FakeArcGIS(rows_from_classic_csv(part), max_record_count=1000) as fake:
        fetched = fetch_arrests(db, settings(fake)).report
    assert fetched.rows_read == from_file.rows_read == 3_000
    assert (fetched.rows_loaded, fetched.rows_duplicate, fetched.rows_quarantined) == (
        from_file.rows_loaded,
        from_file.rows_duplicate,
        from_file.rows_quarantined,
    )
    assert fetched.quarantined_by_reason == from_file.quarantined_by_reason
    # rows without an arrest number get an id from their content, which differs between the layouts
    fetched_ids, file_ids = real_arrests(db), real_arrests(as_file)
    assert {i for i in fetched_ids if not i.startswith("nokey-")} == {
        i for i in file_ids if not i.startswith("nokey-")
    }
    assert sum(i.startswith("nokey-") for i in fetched_ids) == sum(i.startswith("nokey-") for i in file_ids)
