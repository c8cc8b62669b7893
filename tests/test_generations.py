"""Refresh while serving: new generations, the atomic swap, rollback, and the app's own rows kept.

The app side is ``store.serving.Serving`` (what ``ui/data.py`` caches); a refresh is
``store.generations.building`` (what every import command, the Import page and fetch-arrests use).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from shapely.geometry import box

from ingest.importers import ImportRejected, import_arrests
from ingest.proposals import delete_proposal, save_proposal
from store import app_rows, audit, connect, generations
from store.serving import Serving
from tests.bad_files.db_state import fresh_copy
from tests.conftest import REPO_ROOT

EAST = box(-76.600, 39.295, -76.585, 39.305)
WEST = box(-76.650, 39.284, -76.632, 39.292)
FEW_ARRESTS = (
    "Arrest,ArrestDate,ChargeDescription,Latitude,Longitude\n"
    "91000001,03/01/2017,CDS POSS,39.29,-76.62\n"
    "91000002,03/02/2017,CDS POSS,39.30,-76.61\n"
)


@pytest.fixture
def db(demo_db_path, tmp_path):
    """A private copy of the demo database (20,000 synthetic arrests)."""
    return fresh_copy(demo_db_path, tmp_path, "lead.duckdb")


@pytest.fixture
def arrests_csv(tmp_path):
    path = tmp_path / "few_arrests.csv"
    path.write_text(FEW_ARRESTS)
    return path


def _count(con, sql: str) -> int:
    return con.execute(sql).fetchone()[0]


def _import(db, csv) -> generations.Built:
    built = generations.Built()
    with generations.building(db, built=built) as con:
        import_arrests(con, csv)
    return built


def test_an_import_builds_a_new_generation_and_swaps_it_in(db, arrests_csv):
    inode_before = os.stat(db).st_ino
    built = _import(db, arrests_csv)
    kept = generations.generations(db)
    # the file it replaced is kept as generation 1, the import is generation 2 and is served
    assert [g.number for g in kept] == [1, 2] and built.number == 2
    assert [g.served for g in kept] == [False, True]
    assert kept[0].path.stat().st_ino == inode_before and os.stat(db).st_ino == kept[1].path.stat().st_ino
    with connect(db, read_only=True) as con:
        assert _count(con, "select count(*) from arrests") == 2
    with connect(kept[0].path, read_only=True) as con:
        assert _count(con, "select count(*) from arrests") == 20_000
    assert not list(generations.folder(db).glob("*.building*"))


def test_a_rejected_import_publishes_nothing(db, tmp_path):
    bad = tmp_path / "notes.csv"
    bad.write_text("Name,Phone\nA,1\n")
    token = generations.token(db)
    with pytest.raises(ImportRejected), generations.building(db) as con:
        import_arrests(con, bad)
    assert generations.token(db) == token
    assert [g.served for g in generations.generations(db)] == [True]  # only the adopted original
    assert not list(generations.folder(db).glob("*.building*"))


def test_rollback_serves_the_previous_generation_and_keeps_the_newer_one(db, arrests_csv):
    built = generations.Built()
    with generations.building(db, built=built) as con:
        import_arrests(con, arrests_csv)
        audit.record(con, "cli:ada", "import", subject=arrests_csv.name, sha256="ab" * 32)
    restored = generations.rollback(db)
    assert restored.number == 1
    with connect(db, read_only=True) as con:
        assert _count(con, "select count(*) from arrests") == 20_000
        # the data is generation 1's; the record of the import it undid, and of the rollback, stay
        trail = con.execute("select who, action, subject from audit order by happened_at").fetchall()
    assert trail == [
        ("cli:ada", "import", arrests_csv.name),
        (audit.cli_identity(), "rollback", "generation 1"),
    ]
    # published as a copy (generation 3), so the undone generation 2 is still there to go back to
    kept = generations.generations(db)
    assert [g.number for g in kept] == [1, 2, 3] and [g.served for g in kept] == [False, False, True]
    with pytest.raises(LookupError, match="no earlier generation"):
        generations.rollback(db)  # generation 3 restores 1: there is nothing older


def test_a_build_bounds_duckdb_memory_and_spills_beside_its_copy(db, arrests_csv, monkeypatch):
    monkeypatch.setattr(generations, "BUILD_MEMORY_MB", 64)
    with generations.building(db) as con:
        limit = con.sql("select current_setting('memory_limit')").fetchone()[0]
        spill = Path(con.sql("select current_setting('temp_directory')").fetchone()[0])
        # a sort larger than the limit completes by spilling to the build's own folder
        con.execute(
            "create temp table big as select range as n, md5(range::varchar) as h from range($n)",
            {"n": 2_000_000},
        )
        con.execute("create temp table sorted as select * from big order by h")
        spilled_into = spill.is_dir() and spill.parent == generations.folder(db)
        import_arrests(con, arrests_csv)
    assert limit == "61.0 MiB"  # 64 MB, as DuckDB prints it
    assert spilled_into and spill.name.endswith(".building.tmp")
    assert not spill.exists()  # removed with the build


def test_a_database_in_a_folder_with_a_quote_in_its_name_refreshes(demo_db_path, tmp_path, arrests_csv):
    (tmp_path / "o'brien").mkdir()
    db = fresh_copy(demo_db_path, tmp_path / "o'brien", "lead.duckdb")
    built = _import(db, arrests_csv)
    assert built.number == 2
    with connect(db, read_only=True) as con:
        assert _count(con, "select count(*) from arrests") == 2
    assert generations.rollback(db).number == 1  # a rollback attaches the served file by its path
    with connect(db, read_only=True) as con:
        assert _count(con, "select count(*) from arrests") == 20_000


@pytest.mark.parametrize("raw", ["1GB", "12.5", "10", " "])
def test_a_setting_that_is_not_a_whole_number_is_named_and_the_default_used(raw, monkeypatch, capsys):
    monkeypatch.setenv("LEAD_BUILD_MEMORY_MB", raw)
    assert generations._setting("LEAD_BUILD_MEMORY_MB", 300, least=64) == 300
    warned = capsys.readouterr().err
    if raw.strip():
        assert f"LEAD_BUILD_MEMORY_MB={raw!r} is not a whole number of at least 64: using 300" in warned
    else:
        assert warned == ""  # unset or blank: the default, silently
    monkeypatch.setenv("LEAD_BUILD_MEMORY_MB", "512")
    assert generations._setting("LEAD_BUILD_MEMORY_MB", 300, least=64) == 512


def test_what_a_killed_build_spilled_is_removed_by_the_next_refresh(db, arrests_csv):
    generations.folder(db).mkdir(exist_ok=True)
    spill = generations.folder(db) / "000007.duckdb.building.tmp"
    spill.mkdir()
    (spill / "duckdb_temp_storage-0.tmp").write_bytes(b"\0" * 1024)
    built = _import(db, arrests_csv)
    assert not spill.exists() and spill.name in built.removed_leftovers


def test_only_the_newest_generations_are_kept(db, arrests_csv, monkeypatch):
    monkeypatch.setattr(generations, "KEEP", 3)
    for _ in range(4):
        built = _import(db, arrests_csv)
    assert [g.number for g in generations.generations(db)] == [3, 4, 5]
    assert built.pruned


def test_the_serving_connection_follows_a_swap_and_keeps_the_app_rows(db, arrests_csv):
    serving = Serving(db)
    try:
        con = serving.con
        assert _count(con, "select count(*) from arrests") == 20_000
        save_proposal(con, "East side", EAST, "Planner", None)
        assert not serving.refresh()  # nothing published: nothing to do
        _import(db, arrests_csv)  # a refresh while the app holds the database
        save_proposal(con, "West side", WEST, "Planner", None)  # saved between the build and the swap
        assert serving.refresh()
        assert _count(con, "select count(*) from arrests") == 2
        names = [
            r[0] for r in con.execute("select name from areas where kind = 'proposal' order by 1").fetchall()
        ]
        assert names == ["East side", "West side"]
        assert _count(con, "select count(*) from areas where kind <> 'proposal'") > 250  # the boundaries
        # the proposals live in the app's file, which no refresh replaced
        assert serving.generation_file.name == "000002.duckdb"
    finally:
        serving.close()
    with connect(app_rows.app_path(db), read_only=True) as app:
        assert _count(app, "select count(*) from areas where kind = 'proposal'") == 2


def test_proposals_saved_in_the_data_file_before_are_carried_over_once(db, tmp_path):
    with connect(db) as con:
        save_proposal(con, "Old proposal", EAST, "Earlier version", None)
    serving = Serving(db)
    try:
        assert _count(serving.con, "select count(*) from areas where kind = 'proposal'") == 1
        assert delete_proposal(serving.con, "proposal:old-proposal")
        csv = tmp_path / "few.csv"
        csv.write_text(FEW_ARRESTS)
        _import(db, csv)  # the new generation still holds the old row in its own areas table
        serving.refresh()
        assert _count(serving.con, "select count(*) from areas where kind = 'proposal'") == 0  # stays deleted
    finally:
        serving.close()


def test_a_table_the_app_writes_that_the_schema_lacks_is_tolerated_and_used_once_it_exists(
    db, tmp_path, monkeypatch
):
    declared = (*app_rows.APP_WRITTEN, app_rows.AppRows("notes", None, "a table added later"))
    monkeypatch.setattr(app_rows, "APP_WRITTEN", declared)
    serving = Serving(db)
    try:
        assert "notes" not in serving.app_tables  # schema.sql does not define it (yet)
        assert "audit" in serving.app_tables
    finally:
        serving.close()
    schema = tmp_path / "schema.sql"
    schema.write_text(
        app_rows.SCHEMA_SQL.read_text()
        + "\ncreate table if not exists notes (logged_at timestamp default current_timestamp, what text);\n"
    )
    monkeypatch.setattr(app_rows, "SCHEMA_SQL", schema)
    serving = Serving(db)
    try:
        assert "notes" in serving.app_tables
        serving.con.execute(
            f"insert into {app_rows.target(serving.con, 'notes')} (what) values ('signed in')"
        )
        assert serving.con.execute("select what from notes").fetchall() == [("signed in",)]
    finally:
        serving.close()


def test_a_cli_import_runs_while_another_process_serves_the_database(db, arrests_csv):
    """The failure the issue reports ("Conflicting lock is held"), with the app's connection in a process."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from store.serving import Serving; s = Serving(sys.argv[1]); "
         "print('serving', flush=True); sys.stdin.readline(); s.refresh(); "
         "print(s.con.execute('select count(*) from arrests').fetchone()[0], flush=True)",
         str(db)],
        cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        lines = iter(holder.stdout.readline, "")
        assert "serving" in (line.strip() for line in lines)  # (a slow machine may print more first)
        done = subprocess.run(
            [sys.executable, "-m", "ingest", "arrests", str(arrests_csv), "--db", str(db)],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "published generation 2" in done.stdout
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert next(lines).strip() == "2"  # the serving process sees the new data
    finally:
        holder.kill()
        holder.wait()


def test_refreshes_wait_for_each_other(db):
    order = []

    def refresh(name: str, hold: float) -> None:
        with generations.building(db) as con:
            order.append(f"{name} starts")
            con.execute("create table if not exists marks (name varchar)")
            con.execute("insert into marks values (?)", [name])
            time.sleep(hold)
            order.append(f"{name} ends")

    first = threading.Thread(target=refresh, args=("first", 1.0))
    first.start()
    while not order:
        time.sleep(0.01)
    refresh("second", 0)
    first.join()
    assert order == ["first starts", "first ends", "second starts", "second ends"]
    with connect(db, read_only=True) as con:  # the second built on the first: nothing lost
        assert sorted(r[0] for r in con.execute("select name from marks").fetchall()) == ["first", "second"]


def test_a_busy_lock_gives_up_with_a_clear_message(db):
    with (
        generations.refresh_lock(db),
        pytest.raises(generations.RefreshBusy, match="another refresh"),
        generations.refresh_lock(db, wait_s=0.3),
    ):
        pass


def test_the_cli_lists_and_rolls_back(db, arrests_csv):
    def cli(*args):
        return subprocess.run(
            [sys.executable, "-m", "ingest", *args, "--db", str(db)],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    _import(db, arrests_csv)
    listed = cli("generations")
    assert listed.returncode == 0 and "000002.duckdb  <- served" in listed.stdout
    rolled = cli("rollback")
    assert rolled.returncode == 0 and "generation 1 again" in rolled.stdout
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from arrests").fetchone()[0] == 20_000


def test_a_demo_rebuild_that_runs_out_of_memory_names_the_setting_and_publishes_nothing(db):
    """A bound too low for the demo asked for: a message naming LEAD_BUILD_MEMORY_MB, exit 1, the served
    file as it was and nothing left of the build (with 64 MB, 500,000 arrests do not fit)."""
    served = db.stat()
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "demo", "--arrests", "500000", "--db", str(db)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "LEAD_BUILD_MEMORY_MB": "64"},
    )  # fmt: skip
    assert done.returncode == 1, done.stdout[-500:] + done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert (
        "demo data not rebuilt: DuckDB needed more memory than LEAD_BUILD_MEMORY_MB=64 MB allows"
        in done.stderr
    )
    assert "the served data is unchanged" in done.stderr
    assert (db.stat().st_ino, db.stat().st_mtime_ns) == (served.st_ino, served.st_mtime_ns)
    assert not list(generations.folder(db).glob("*.building*"))
