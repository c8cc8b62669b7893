"""Import from bytes (the staff import page's uploads) through the same code path as the command line."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb

from ingest.importers.arrests import import_arrests
from ingest.importers.referrals import import_referrals
from ingest.importers.report import ImportReport

IMPORTERS = {"arrests": import_arrests, "referrals": import_referrals}


def import_bytes(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    name: str,
    data: bytes,
    progress: Callable[[float, str], None] | None = None,
) -> ImportReport:
    """Write ``data`` to a private temporary file and import it as ``kind`` under the file name ``name``.

    The temporary file is deleted afterwards; ``name`` (the uploaded file's name) is what the report,
    the ``imports`` row and the records' ``source`` carry.
    """
    if kind not in IMPORTERS:
        raise ValueError(f"unknown kind of file {kind!r} (expected one of {sorted(IMPORTERS)})")
    with tempfile.TemporaryDirectory(prefix="lead-import-") as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(data)
        return IMPORTERS[kind](con, path, name=name, progress=progress)


def import_bytes_as_generation(
    db: Path,
    kind: str,
    name: str,
    data: bytes,
    progress: Callable[[float, str], None] | None = None,
) -> ImportReport:
    """:func:`import_bytes` into a new generation of ``db``, published when it succeeds (the app's
    Import page: its import is a refresh like the command line's, never a write to the served file).

    Raises ``ImportRejected`` (nothing published) for a bad file or when another refresh holds the
    database for too long.
    """
    from ingest.importers.read import ImportRejected
    from store import generations

    try:
        with generations.building(db, progress=progress) as con:
            return import_bytes(con, kind, name, data, progress=progress)
    except generations.RefreshBusy as error:
        raise ImportRejected(f"{kind} file {name}: {error}") from error
