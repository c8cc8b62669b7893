"""The audit trail's one writer: every row of the ``audit`` table is added here, and only added.

Who did what, when, and with what outcome: the signed-in identity (or ``cli:<os user>`` for the
command line), one of ``ACTIONS``, the file, proposal, page or download concerned, a file's SHA-256
for an import, and ``ok`` / ``refused`` / ``failed`` with the reason in words. Nothing in the code
base updates or deletes an audit row (a test scans for it); the admin page reads the rows through
``queries/audit_log.sql``.

>>> from store import connect, create_schema
>>> con = connect(":memory:"); create_schema(con)
>>> record(con, "cli:ada", "import", subject="arrests.csv", sha256=file_sha256(b"x"), reason="3 rows loaded")
>>> con.sql("select who, action, outcome from audit").fetchall()
[('cli:ada', 'import', 'ok')]
"""

from __future__ import annotations

import getpass
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from store import app_rows

TABLE = "audit"  # written by the app itself: a database swap must carry it over
ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "import",
    "proposal_saved",
    "proposal_deleted",
    "staff_page_opened",
    "staff_export_downloaded",
    "rollback",
)
OUTCOMES = ("ok", "refused", "failed")
TEXT_LIMIT = 500  # subject and reason are cut here: a file name or a message is someone else's text


def record(
    con: duckdb.DuckDBPyConnection,
    who: str,
    action: str,
    outcome: str = "ok",
    *,
    role: str | None = None,
    subject: str | None = None,
    sha256: str | None = None,
    reason: str | None = None,
) -> None:
    """Append one row to the audit trail (on a cursor of ``con``, in its own transaction)."""
    if action not in ACTIONS:
        raise ValueError(f"audit action {action!r} unknown (known: {', '.join(ACTIONS)})")
    if outcome not in OUTCOMES:
        raise ValueError(f"audit outcome {outcome!r} unknown (known: {', '.join(OUTCOMES)})")
    if not who:
        raise ValueError("an audit row needs someone: the identity, or cli:<os user>")
    cursor = con.cursor()  # the app shares one connection between sessions: write on a cursor of it
    try:
        cursor.execute(
            f"insert into {app_rows.target(con, TABLE)} "
            "(happened_at, who, role, action, subject, sha256, outcome, reason) "
            "values (?, ?, ?, ?, ?, ?, ?, ?)",
            [datetime.now(UTC).replace(tzinfo=None), who[:TEXT_LIMIT], role, action,
             _cut(subject), sha256, outcome, _cut(reason)],
        )  # fmt: skip
    finally:
        cursor.close()


def has_row(con: duckdb.DuckDBPyConnection, who: str, subject: str) -> bool:
    """Whether a sign-in (or failed one) of ``who`` about ``subject`` is recorded already: a login at
    the identity provider opens a session per browser tab, and is one sign-in all the same."""
    cursor = con.cursor()
    try:
        found = cursor.execute(
            f"select count(*) from {TABLE} where who = ? and subject = ? "
            "and action in ('sign_in', 'sign_in_failed')",
            [who[:TEXT_LIMIT], _cut(subject)],
        ).fetchone()[0]
    finally:
        cursor.close()
    return found > 0


def _cut(text: str | None) -> str | None:
    return None if text is None else str(text)[:TEXT_LIMIT]


def file_sha256(content: bytes | Path) -> str:
    """The SHA-256 of a file's bytes (or of the file at a path, read in blocks), as hex.

    >>> file_sha256(b"")[:16]
    'e3b0c44298fc1c14'
    """
    digest = hashlib.sha256()
    if isinstance(content, Path):
        with content.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    else:
        digest.update(content)
    return digest.hexdigest()


def cli_identity() -> str:
    """Who runs the command line: ``cli:<os user>``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        user = "unknown"
    return f"cli:{user}"
