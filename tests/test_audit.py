"""The audit trail's writer (store/audit.py): append-only, validated, and the command line's imports."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from store import audit, connect, create_schema

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "data" / "templates" / "referrals.csv"
# SQL that would change or remove audit rows, anywhere in the code base's own files
CHANGING_THE_TRAIL = re.compile(
    r"\b(update\s+audit|delete\s+from\s+audit|truncate\s+audit|drop\s+table\s+(if\s+exists\s+)?audit)\b",
    re.IGNORECASE,
)
CODE = (
    "app.py",
    "domain",
    "geo",
    "ingest",
    "pages",
    "planning",
    "queries",
    "screens",
    "store",
    "ui",
    "bench",
)


@pytest.fixture
def con():
    con = connect(":memory:")
    create_schema(con)
    yield con
    con.close()


def rows(con) -> list[tuple]:
    return con.execute(
        "select who, role, action, subject, sha256, outcome, reason from audit order by happened_at"
    ).fetchall()


def test_a_row_records_who_what_when_and_the_outcome(con):
    audit.record(con, "sam@city.example", "proposal_deleted", "refused", role="viewer", subject="proposal:x",
                 reason="needs staff")  # fmt: skip
    assert rows(con) == [("sam@city.example", "viewer", "proposal_deleted", "proposal:x", None, "refused",
                          "needs staff")]  # fmt: skip
    when = con.execute("select happened_at from audit").fetchone()[0]
    assert when.tzinfo is None  # UTC, stored without a zone


@pytest.mark.parametrize(
    ("who", "action", "outcome"),
    [("", "sign_in", "ok"), ("a", "sign_in_maybe", "ok"), ("a", "sign_in", "fine")],
)
def test_an_unknown_action_or_outcome_or_nobody_is_refused(con, who, action, outcome):
    with pytest.raises(ValueError, match="audit|someone"):
        audit.record(con, who, action, outcome)
    assert rows(con) == []


def test_the_database_refuses_an_action_the_schema_does_not_list(con):
    import duckdb

    with pytest.raises(duckdb.ConstraintException):
        con.execute(
            "insert into audit (happened_at, who, action, outcome) values (now(), 'x', 'looked', 'ok')"
        )


def test_long_text_is_cut_not_refused(con):
    audit.record(con, "x" * 2_000, "import", subject="y" * 2_000, reason="z" * 2_000)
    who, subject, reason = con.execute("select who, subject, reason from audit").fetchone()
    assert len(who) == len(subject) == len(reason) == audit.TEXT_LIMIT


def test_the_file_hash_is_sha256_of_its_bytes(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"abc")
    expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # FIPS 180-2 example
    assert audit.file_sha256(path) == audit.file_sha256(b"abc") == expected


def test_no_code_changes_or_removes_audit_rows():
    """Rows are only ever added: nothing in the app, the command line or the benchmarks updates,
    deletes, truncates or drops the audit table (tests may build their own databases)."""
    found = []
    for name in CODE:
        target = ROOT / name
        files = [target] if target.is_file() else [*target.rglob("*.py"), *target.rglob("*.sql")]
        for path in files:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if CHANGING_THE_TRAIL.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
    assert CHANGING_THE_TRAIL.search("DELETE FROM audit where 1=1")  # the scan sees what it looks for


def test_a_command_line_import_leaves_one_row_with_the_file_hash(demo_db_path, tmp_path):
    db = Path(shutil.copy(demo_db_path, tmp_path / "cli.duckdb"))
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "referrals", str(TEMPLATE), "--db", str(db)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    bad = tmp_path / "notes.csv"
    bad.write_text("Name,Phone\nA,1\n")
    refused = subprocess.run(
        [sys.executable, "-m", "ingest", "arrests", str(bad), "--db", str(db)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert refused.returncode == 1
    con = connect(db, read_only=True)
    try:
        found = rows(con)
    finally:
        con.close()
    who = audit.cli_identity()
    assert who.startswith("cli:") and len(who) > len("cli:")
    assert [row[:6] for row in found] == [
        (who, None, "import", "referrals.csv", audit.file_sha256(TEMPLATE), "ok"),
        (who, None, "import", "notes.csv", audit.file_sha256(bad), "failed"),
    ]
    assert found[0][6].startswith("referrals file referrals.csv: 3 rows read, 3 loaded")
    assert "required column" in found[1][6]


def test_no_audit_row_is_lost_by_a_refresh_or_a_rollback(demo_db_path, tmp_path):
    """The app's rows live in its own file (store/app_rows.py), a command-line import's in the
    generation it builds; the serving connection shows both, across a swap and a rollback."""
    from store import generations
    from store.serving import Serving

    db = Path(shutil.copy(demo_db_path, tmp_path / "lead.duckdb"))
    serving = Serving(db)
    try:
        audit.record(serving.con, "sam@city.example", "sign_in", role="staff", subject="oidc")
        done = subprocess.run(
            [sys.executable, "-m", "ingest", "referrals", str(TEMPLATE), "--db", str(db)],
            cwd=ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        audit.record(serving.con, "sam@city.example", "proposal_saved", role="staff", subject="proposal:x")
        assert serving.refresh()
        trail = [row[2:4] for row in rows(serving.con)]
        assert trail == [("sign_in", "oidc"), ("import", "referrals.csv"), ("proposal_saved", "proposal:x")]
        generations.rollback(db)
        assert serving.refresh()
        trail = [row[2:4] for row in rows(serving.con)]
        assert trail == [
            ("sign_in", "oidc"),
            ("import", "referrals.csv"),
            ("proposal_saved", "proposal:x"),
            ("rollback", "generation 1"),
        ]
        assert (
            serving.con.execute("select count(*) from referrals where source = 'referrals.csv'").fetchone()[0]
            == 0
        )
    finally:
        serving.close()
