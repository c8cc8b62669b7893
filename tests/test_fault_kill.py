"""kill -9 during an import leaves every table as it was: the fast variant of the benchmark's fault test.

The importer kills itself with SIGKILL from its progress callback at "recording the import", inside
its write transaction after every row was inserted (deterministic, unlike a timer). The benchmark
(`python -m bench.fault`) does the same with a million rows and kills from outside too.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from bench import fault, import_throughput


@pytest.fixture(scope="module")
def arrests_file(tmp_path_factory):
    """A 3,000-row classic-layout arrests file (the real sample resampled, or demo arrests)."""
    path = tmp_path_factory.mktemp("fault") / "arrests_classic.csv"
    import_throughput.build_file(path, 3_000)
    return path


def test_fingerprint_notices_one_changed_value(tmp_path, demo_db_path):
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_db_path, db)
    before = fault.fingerprint(db)
    assert before["arrests"]["rows"] > 0 and {"areas", "referrals", "imports"} <= set(before)
    con = duckdb.connect(str(db))
    con.execute(
        "update arrests set age = coalesce(age, 0) + 1 where arrest_id = (select min(arrest_id) from arrests)"
    )
    con.close()
    after = fault.fingerprint(db)
    assert fault.differences(before, after) == ["table arrests: same count, other values"]
    assert fault.differences(before, before) == []


def test_kill_inside_the_write_transaction_loses_nothing(tmp_path, demo_db_path, arrests_file):
    result = fault.kill_test(demo_db_path, arrests_file, tmp_path, moments=("before-commit",))
    (kill,) = result["kills"]
    assert kill["killed"], f"the importer was not killed: exit {kill['returncode']}"
    assert kill["stage_when_killed"].startswith("recording the import")
    assert kill["state"] == fault.UNCHANGED, kill["differences_from_before"]
    assert result["nothing_lost"] and result["kills_before_commit"] == 1
    # the crashed database takes the same file afterwards exactly as a clean one does
    assert result["import_after_crash"]["matches_clean_import"], result["import_after_crash"]
    assert result["tables"]["arrests"] > 0


def test_a_partial_database_is_called_out():
    before = {"arrests": {"rows": 10, "checksum": "1"}, "imports": {"rows": 0, "checksum": "0"}}
    finished = {"arrests": {"rows": 30, "checksum": "3"}, "imports": {"rows": 1, "checksum": "9"}}
    partial = {"arrests": {"rows": 20, "checksum": "2"}, "imports": {"rows": 0, "checksum": "0"}}
    later_clock = {"arrests": {"rows": 30, "checksum": "3"}, "imports": {"rows": 1, "checksum": "8"}}
    assert fault._state(before, finished, before) == fault.UNCHANGED
    assert fault._state(before, finished, later_clock) == fault.COMPLETE
    assert fault._state(before, finished, partial).startswith(
        "PARTIAL OR CORRUPT: table arrests: 10 rows → 20"
    )


def test_a_refresh_killed_at_three_moments_leaves_the_served_database_as_it_was(
    tmp_path, demo_db_path, arrests_file
):
    """kill -9 while copying, inside the import, and with the new generation complete but not swapped in."""
    result = fault.refresh_kill_test(demo_db_path, ["arrests", str(arrests_file)], tmp_path)
    moments = {kill["moment"]: kill for kill in result["kills"]}
    assert set(moments) == {"copying", "importing", "publishing"}
    for moment, kill in moments.items():
        assert kill["killed"], f"{moment}: not killed ({kill})"
        assert kill["served_file_untouched"] and kill["state"] == fault.UNCHANGED, (moment, kill)
        assert kill["next_run_completes"], (moment, kill["next_run_differences"])
    assert moments["copying"]["stage_when_killed"].startswith("copying the serving database")
    assert any(name.endswith(".building") for name in moments["copying"]["left_behind"])
    assert moments["importing"]["stage_when_killed"] == fault.WRITE_STAGE
    assert moments["publishing"]["stage_when_killed"].startswith("publishing generation")
    # what a killed refresh left is removed by the next one
    assert moments["copying"]["next_run_cleaned"] and moments["importing"]["next_run_cleaned"]
    assert result["served_unchanged_every_time"] and result["next_run_completes_every_time"]


def test_a_fetch_killed_at_three_moments_leaves_the_served_database_as_it_was(tmp_path, demo_db_path):
    """kill -9 between two pages, inside the import, and before the swap; the next run resumes."""
    from bench.fake_arcgis import FakeArcGIS, synthetic_rows

    with FakeArcGIS(synthetic_rows(1_200), max_record_count=400) as fake:
        result = fault.refresh_kill_test(
            demo_db_path,
            ["fetch-arrests", "--url", fake.url, "--timeout", "5"],
            tmp_path,
            moments=fault.FETCH_MOMENTS,
            watch_rerun=(fake.requests.clear, lambda: {"pages_asked": fake.asked_offsets()}),
        )
    moments = {kill["moment"]: kill for kill in result["kills"]}
    for moment, kill in moments.items():
        assert kill["killed"], f"{moment}: not killed ({kill})"
        assert kill["served_file_untouched"] and kill["state"] == fault.UNCHANGED, (moment, kill)
        assert kill["next_run_completes"], (moment, kill["next_run_differences"])
    assert moments["fetching"]["stage_when_killed"].startswith("fetching page 2")
    # the next run asks only for the pages it did not have: the first was kept from the killed run
    assert moments["fetching"]["pages_asked"] == [400, 800]
    assert moments["importing"]["pages_asked"] == moments["publishing"]["pages_asked"] == []
