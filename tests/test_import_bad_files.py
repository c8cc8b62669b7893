"""The bad-file corpus: every file gets a clear message or a quarantine entry, never a traceback,
and a file refused as a whole leaves the database exactly as it was."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ingest.importers import ImportRejected, import_arrests, import_referrals
from store import connect
from tests.bad_files.db_state import fresh_copy, table_checksums
from tests.bad_files.make_bad_files import GOOD_ROWS, arrest_row, classic, corpus, write_corpus

REPO_ROOT = Path(__file__).resolve().parent.parent
IMPORTERS = {"arrests": import_arrests, "referrals": import_referrals}
CORPUS = corpus()


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    """The corpus written once to a temporary folder."""
    folder = tmp_path_factory.mktemp("bad_files")
    write_corpus(folder)
    return folder


@pytest.fixture
def db(demo_db_path, tmp_path):
    """A private copy of the demo database, open for writing."""
    con = connect(fresh_copy(demo_db_path, tmp_path))
    yield con
    con.close()


def test_corpus_covers_the_issue_list():
    names = {spec.name for spec in CORPUS}
    assert len(CORPUS) >= 15
    for wanted in ("empty", "header_only", "wrong_delimiter", "binary", "json", "missing_columns", "swapped",
                   "impossible_dates", "future_dates", "huge_field", "injection", "duplicate_ids", "latin1",
                   "utf16", "unterminated_quote", "nul_bytes"):  # fmt: skip
        assert any(wanted in name for name in names), wanted


@pytest.mark.parametrize("spec", CORPUS, ids=[spec.name for spec in CORPUS])
def test_bad_file_gets_a_clear_outcome(spec, corpus_dir, db):
    before = table_checksums(db)
    importer = IMPORTERS[spec.kind]
    if spec.expect == "rejected":
        with pytest.raises(ImportRejected) as refused:
            importer(db, corpus_dir / spec.name)
        message = str(refused.value)
        assert spec.name in message and spec.match in message
        assert "Traceback" not in message
        assert table_checksums(db) == before, "a refused file must leave the database as it was"
        return

    report = importer(db, corpus_dir / spec.name)
    assert report.rows_read == spec.rows
    assert report.balanced
    stored = db.execute(
        "select rows_read, rows_loaded, rows_duplicate, rows_quarantined, status "
        "from imports where import_id = ?",
        [report.import_id],
    ).fetchone()
    assert stored == (
        report.rows_read,
        report.rows_loaded,
        report.rows_duplicate,
        report.rows_quarantined,
        "loaded",
    )
    held = db.execute(
        "select row_number, field, reason, raw from quarantine where import_id = ? order by row_number",
        [report.import_id],
    ).fetchall()
    assert len({row[0] for row in held}) == report.rows_quarantined
    if spec.expect == "quarantined":
        assert report.rows_quarantined >= 1
        assert any(spec.match in reason for _, _, reason, _ in held)
        assert all(raw for *_, raw in held), "every quarantined row keeps its raw text"
        assert report.examples and all(line.startswith("row ") for line in report.examples)
    else:
        assert report.rows_quarantined == 0
        assert report.rows_loaded + report.rows_duplicate == spec.rows
        shown = " ".join(report.notes + report.columns_unknown + report.duplicate_examples)
        assert spec.match in shown


def test_injection_strings_are_stored_as_plain_text(corpus_dir, db):
    report = import_arrests(db, corpus_dir / "injection.csv")
    assert report.rows_loaded == 2
    stored = dict(
        db.execute(
            "select arrest_id, coalesce(charge_description, '') || '|' || neighborhood from arrests "
            "where source = 'injection.csv' order by arrest_id"
        ).fetchall()
    )
    assert stored == {
        "91000012": "'); DROP TABLE arrests; --|Downtown",
        "91000013": "CDS POSS|<script>alert('x')</script>",
    }
    # the demo rows were replaced; the table itself is still there
    assert db.sql("select count(*) from arrests").fetchone()[0] == 2


def test_encodings_and_nul_bytes_come_out_as_text(corpus_dir, db):
    import_arrests(db, corpus_dir / "latin1.csv")
    import_arrests(db, corpus_dir / "utf16.csv")
    import_arrests(db, corpus_dir / "nul_bytes.csv")
    neighborhoods = db.sql("select neighborhood from arrests where source = 'latin1.csv'").fetchall()
    assert neighborhoods == [("Caf\u00e9 Hill \u00a7 3",)]
    assert db.sql("select count(*) from arrests where source = 'utf16.csv'").fetchone()[0] == 2
    descriptions = {
        r[0]
        for r in db.sql("select charge_description from arrests where source = 'nul_bytes.csv'").fetchall()
    }
    assert descriptions == {"CDS POSS"}


def test_huge_field_is_quarantined_with_a_clipped_copy(corpus_dir, db):
    report = import_arrests(db, corpus_dir / "huge_field.csv")
    field, raw = db.execute(
        "select field, raw from quarantine where import_id = ?", [report.import_id]
    ).fetchone()
    assert field == "ChargeDescription"
    assert len(raw) < 20_000
    assert json.loads(raw)["Arrest"] == "91000011"


def test_unterminated_quote_costs_only_its_own_row(corpus_dir, db):
    report = import_arrests(db, corpus_dir / "unterminated_quote.csv")
    assert (report.rows_loaded, report.rows_quarantined) == (4, 1)
    row = db.execute(
        "select row_number, reason from quarantine where import_id = ?", [report.import_id]
    ).fetchone()
    assert row == (2, "unterminated quote")


def test_quarantine_messages_name_row_column_and_value(corpus_dir, db):
    report = import_arrests(db, corpus_dir / "impossible_dates.csv")
    assert report.examples[0] == (
        "row 2, column 'ArrestDate': arrest date is not a real calendar date — ArrestDate='02/30/2017'"
    )


def test_duplicate_ids_keep_the_first_row(corpus_dir, db):
    report = import_arrests(db, corpus_dir / "duplicate_ids.csv")
    assert (report.rows_loaded, report.rows_duplicate) == (2, 2)
    kept_time = db.sql("select arrest_time::varchar from arrests where arrest_id = '90000000'").fetchone()[0]
    assert kept_time == "14:05:00"


def test_a_refused_file_does_not_remove_the_demo_data(corpus_dir, db):
    synthetic = db.sql("select count(*) from arrests where source = 'synthetic-demo'").fetchone()[0]
    with pytest.raises(ImportRejected):
        import_arrests(db, corpus_dir / "header_only.csv")
    assert (
        db.sql("select count(*) from arrests where source = 'synthetic-demo'").fetchone()[0] == synthetic > 0
    )


def test_interrupted_import_rolls_back(tmp_path, db):
    """An interruption inside the write transaction (Ctrl-C) leaves every table as it was."""
    path = tmp_path / "good.csv"
    path.write_text(classic(*GOOD_ROWS))
    before = table_checksums(db)

    def interrupt(fraction, message):
        if message.startswith("recording"):  # rows already inserted, import not yet recorded
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_arrests(db, path, progress=interrupt)
    assert table_checksums(db) == before


def test_killed_import_leaves_the_database_as_it_was(demo_db_path, tmp_path):
    """SIGKILL in the middle of the write transaction: the next open sees the old database."""
    db_path = fresh_copy(demo_db_path, tmp_path)
    csv_path = tmp_path / "good.csv"
    csv_path.write_text(classic(*GOOD_ROWS))
    with connect(db_path) as con:
        before = table_checksums(con)
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from ingest.importers import import_arrests
        from store import connect

        def die(fraction, message):
            if message.startswith("recording"):
                os.kill(os.getpid(), signal.SIGKILL)

        import_arrests(connect({str(db_path)!r}), Path({str(csv_path)!r}), progress=die)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]
    with connect(db_path) as con:
        assert table_checksums(con) == before


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "ingest", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_refuses_a_bad_file_with_exit_code_1(demo_db_path, tmp_path, corpus_dir):
    db_path = fresh_copy(demo_db_path, tmp_path)
    with connect(db_path) as con:
        before = table_checksums(con)
    done = run_cli("arrests", str(corpus_dir / "missing_columns.csv"), "--db", str(db_path))
    assert done.returncode == 1
    assert "missing_columns.csv" in done.stderr and "'arrest date' missing" in done.stderr
    # the refusal is said plainly, and the generation it published is explained, not left looking like a load
    assert "REJECTED, no record of the file written" in done.stderr
    assert "differs from the one before only by this refusal" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    with connect(db_path) as con:
        assert table_checksums(con) == before


def test_cli_prints_the_report(demo_db_path, tmp_path, corpus_dir):
    db_path = fresh_copy(demo_db_path, tmp_path)
    done = run_cli("arrests", str(corpus_dir / "swapped_lat_lon.csv"), "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    assert "rows read" in done.stdout and "latitude and longitude swapped" in done.stdout
    assert "row 2, column 'Latitude'" in done.stdout


def test_a_long_field_is_quarantined_by_its_column_whichever_reader_takes_the_file(tmp_path, db):
    """A field over 1,000 characters marks its row, naming the column, on both readers: DuckDB's
    (lines up to FAST_MAX_LINE_BYTES) and the careful one (longer lines)."""
    from ingest.importers.read import FAST_MAX_LINE_BYTES

    cases = (
        ("long.csv", 1_500, False),
        ("near_limit.csv", FAST_MAX_LINE_BYTES - 1_000, False),  # fits DuckDB's buffer as well as its limit
        ("longer.csv", FAST_MAX_LINE_BYTES + 10, True),
    )
    for n, (name, length, careful) in enumerate(cases):
        good = [arrest_row(f"9200{n}00{i}") for i in range(3)]
        rows = [*good[:2], arrest_row(f"9200{n}099", neighborhood="Y" * length), good[2]]
        path = tmp_path / name
        path.write_text(classic(*rows))
        report = import_arrests(db, path)
        assert (report.rows_loaded, report.rows_quarantined) == (3, 1), name
        assert any("read row by row" in note for note in report.notes) is careful, report.notes
        assert db.execute(
            "select row_number, field, reason from quarantine where import_id = ?", [report.import_id]
        ).fetchall() == [(3, "Neighborhood", "field longer than 1,000 characters")]


def test_ids_stay_unique_across_imports_of_overlapping_files(tmp_path, db):
    """No index guards arrest_id: the importer does, against the database and within the file."""
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(classic(*GOOD_ROWS[:3]))
    second.write_text(classic(*GOOD_ROWS[1:], GOOD_ROWS[4]))  # two already loaded, one repeated
    assert import_arrests(db, first).rows_loaded == 3
    report = import_arrests(db, second)
    assert (report.rows_loaded, report.rows_duplicate) == (2, 3)
    assert import_arrests(db, first).rows_loaded == 0
    total, distinct = db.sql("select count(*), count(distinct arrest_id) from arrests").fetchone()
    assert total == distinct == 5


def _large_arrests_file(path: Path) -> Path:
    rows = [
        arrest_row(f"8{i:07d}", lat=f"39.2{i % 900:03d}", lon=f"-76.6{i % 700:03d}") for i in range(40_000)
    ]
    path.write_text(classic(*rows))
    return path


def test_an_import_that_runs_out_of_memory_is_refused_and_names_the_setting(db, tmp_path, monkeypatch):
    """DuckDB's out-of-memory error (a refresh's bound set too low for the file) is a refusal that says
    which setting to raise, not a traceback, and not a retry with the row-by-row reader (which needs far
    more memory); nothing is written."""
    from ingest.importers import read

    def careful_read(*args, **kwargs):
        raise AssertionError("a file DuckDB could read went to the row-by-row reader")

    monkeypatch.setattr(read, "_careful_read", careful_read)
    path = _large_arrests_file(tmp_path / "arrests_large.csv")
    before = table_checksums(db)
    db.execute("set temp_directory = ''")  # nowhere to spill: the limit is a hard one
    db.execute("set threads = 2")
    db.execute("set memory_limit = '8MB'")
    with pytest.raises(ImportRejected) as refused:
        import_arrests(db, path)
    db.execute("reset memory_limit")
    message = str(refused.value)
    assert message.startswith("arrests file arrests_large.csv: the import needed more memory")
    assert message.endswith("limit from LEAD_BUILD_MEMORY_MB): raise it and try again")
    assert table_checksums(db) == before


def test_an_import_whose_spill_cannot_be_written_is_refused_with_the_cause(db, tmp_path):
    """Past its memory limit DuckDB writes to its spill folder; when it cannot (a full disk, a folder
    that cannot be made), the import is refused with DuckDB's reason, and nothing is written."""
    path = _large_arrests_file(tmp_path / "arrests_large.csv")
    (tmp_path / "a_file").write_text("not a folder")
    before = table_checksums(db)
    db.execute(f"set temp_directory = '{tmp_path / 'a_file' / 'spill'}'")
    db.execute("set threads = 2")  # as on the test machines: the memory a step needs depends on it
    db.execute("set memory_limit = '24MB'")  # under 20 MB DuckDB gives up before it tries to spill
    with pytest.raises(ImportRejected) as refused:
        import_arrests(db, path)
    db.execute("reset memory_limit")
    message = str(refused.value)
    assert message.startswith(
        "arrests file arrests_large.csv: the database could not write its working files"
    )
    assert "a_file" in message and message.endswith(
        "check the disk room and the folder it names, and try again"
    )
    assert table_checksums(db) == before
