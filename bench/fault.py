"""The laptop that dies mid-import: kill -9 the importer, reopen the database, compare every table.

``python -m ingest arrests FILE --db DB`` runs as its own process; it is killed with SIGKILL (no
clean-up, no rollback of its own) at chosen moments, the database is reopened the way the app
opens it (DuckDB replays or discards its write-ahead log), and every table is compared with its
state before the import: row count and the sum of a 64-bit hash of every row (any changed, lost or
added value changes it). A reference import of the same file into a copy, run to the end, gives
the stage timings the kill moments are placed by, and the state a finished import leaves.

Kill moments:

* ``halfway``: half of the reference import's duration after the start, from outside (kill -9).
* ``mid-write``: inside the write transaction, halfway between "writing to the database" and
  "recording the import" in the reference run: the bulk insert is under way.
* ``before-commit`` (also the fast test's moment): the importer kills itself with SIGKILL from its
  own progress callback at "recording the import", inside the transaction after every row was
  inserted, just before the import record and the commit. Deterministic, so a test can use it.

After the last kill the same file is imported again, to the end, into the reopened database: it
must land exactly as in the reference run (the crash left nothing behind that gets in the way).

    python -m bench.fault DB FILE            # DB is copied, never changed
    python -m bench.fault --victim DB FILE "recording the import"   # (internal) self-killing importer
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from store import connect, generations
from store.connection import REPO_ROOT

WRITE_STAGE = "writing to the database"
RECORD_STAGE = "recording the import"
IMPORT_TIMEOUT_S = 900


def fingerprint(db: Path, read_only: bool = False) -> dict[str, dict]:
    """{table: {rows, checksum}} for every table of the database, plus its sequences' last values.

    Read-write by default, as the importer opens a file: replays the WAL if one was left. A served
    data file (a published generation) is never written in place: ``read_only`` reads it as the app does.
    """
    con = connect(db, read_only=read_only)
    try:
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where database_name = current_database() "
                "and schema_name = 'main' and not temporary order by table_name"
            ).fetchall()
        ]
        result = {}
        for table in tables:
            rows, checksum = con.execute(
                f'select count(*), sum(hash(t)::hugeint) from "{table}" as t'
            ).fetchone()
            result[table] = {"rows": rows, "checksum": str(checksum)}
        return result
    finally:
        con.close()


def differences(before: dict[str, dict], after: dict[str, dict], ignore: tuple[str, ...] = ()) -> list[str]:
    """What changed between two fingerprints, in words; empty when identical."""
    changed = []
    for table in sorted(set(before) | set(after)):
        if table in ignore:
            continue
        if table not in after:
            changed.append(f"table {table} is gone")
        elif table not in before:
            changed.append(f"table {table} appeared ({after[table]['rows']:,} rows)")
        elif before[table] != after[table]:
            was, now = before[table], after[table]
            what = (
                f"{was['rows']:,} rows → {now['rows']:,}"
                if was["rows"] != now["rows"]
                else "same count, other values"
            )
            changed.append(f"table {table}: {what}")
    return changed


@dataclass
class ImporterRun:
    seconds: float
    returncode: int
    stages: list[tuple[float, str]] = field(default_factory=list)  # (seconds since start, message)
    output_tail: str = ""

    @property
    def last_stage(self) -> str | None:
        return self.stages[-1][1] if self.stages else None

    def stage_started(self, text: str) -> float | None:
        return next((at for at, message in self.stages if text in message), None)


class _ProgressReader(threading.Thread):
    """Reads the importer's progress bar (``\\r``-separated) as it is printed, with timestamps."""

    def __init__(self, stream, started: float):
        super().__init__(daemon=True)
        self.stream, self.started = stream, started
        self.stages: list[tuple[float, str]] = []
        self.text = ""
        self.changed = threading.Condition()

    def run(self) -> None:
        buffer = ""
        while chunk := os.read(self.stream.fileno(), 4096).decode(errors="replace"):
            self.text += chunk
            buffer += chunk
            *lines, buffer = buffer.replace("\n", "\r").split("\r")
            for line in lines:
                self._note(line)
            # The bar starts each message with "\r" and flushes it whole: the text after the last
            # "\r" is the message showing now, with no line end until the next one comes.
            self._note(buffer)

    def _note(self, line: str) -> None:
        message = line.split("%", 1)[1].strip() if "] " in line and "%" in line else ""
        if message and (not self.stages or self.stages[-1][1] != message):
            with self.changed:
                self.stages.append((time.perf_counter() - self.started, message))
                self.changed.notify_all()

    def wait_for(self, text: str, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: any(text in m for _, m in self.stages), timeout)


def run_importer(
    db: Path,
    csv: Path,
    kill_after: float | None = None,
    kill_at_stage: tuple[str, float] | None = None,
    victim_stage: str | None = None,
) -> ImporterRun:
    """Run the importer CLI; kill it with SIGKILL ``kill_after`` seconds after the start, or
    ``delay`` seconds after its progress shows ``stage`` (``kill_at_stage=(stage, delay)``), or let
    it kill itself at ``victim_stage``. Without any, it runs to the end."""
    if victim_stage:
        command = [sys.executable, "-m", "bench.fault", "--victim", str(db), str(csv), victim_stage]
    else:
        command = [sys.executable, "-m", "ingest", "arrests", str(csv), "--db", str(db)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    reader = _ProgressReader(process.stdout, started)
    reader.start()
    if kill_after is not None:
        try:
            process.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
    elif kill_at_stage is not None:
        stage, delay = kill_at_stage
        if reader.wait_for(stage, IMPORT_TIMEOUT_S):
            time.sleep(delay)
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=IMPORT_TIMEOUT_S)
    seconds = time.perf_counter() - started
    reader.join(timeout=5)
    return ImporterRun(seconds, process.returncode, reader.stages, reader.text[-800:])


def _victim(db: Path, csv: Path, stage: str) -> None:
    """An importer that SIGKILLs itself when its progress reaches ``stage`` (deterministic crash)."""
    from ingest.importers import import_arrests

    def progress(fraction: float, message: str) -> None:
        print(f"\r[{'#' * int(fraction * 30):<30}] {fraction:4.0%} {message}", end="", flush=True)
        if stage in message:
            os.kill(os.getpid(), signal.SIGKILL)

    con = connect(db)
    import_arrests(con, csv, progress=progress)
    con.close()


MOMENTS = ("halfway", "mid-write", "before-commit")


def kill_test(base_db: Path, csv: Path, work: Path, moments: tuple[str, ...] = MOMENTS) -> dict:
    """Reference import, then one kill per moment on a fresh copy of ``base_db``; compare every table."""
    work.mkdir(parents=True, exist_ok=True)
    reference_db = work / "fault_reference.duckdb"
    _fresh_copy(base_db, reference_db)
    before = fingerprint(reference_db)
    reference = run_importer(reference_db, csv)
    if reference.returncode != 0:
        raise RuntimeError(f"reference import failed ({reference.returncode}): {reference.output_tail}")
    finished = fingerprint(reference_db)
    write_at, record_at = reference.stage_started(WRITE_STAGE), reference.stage_started(RECORD_STAGE)
    plans = {
        "halfway": {"kill_after": reference.seconds / 2},
        "mid-write": {"kill_at_stage": (WRITE_STAGE, max(0.0, (record_at - write_at) / 2))},
        "before-commit": {"victim_stage": RECORD_STAGE},
    }
    results = []
    victim_db = work / "fault_victim.duckdb"
    for moment in moments:
        _fresh_copy(base_db, victim_db)
        run = run_importer(victim_db, csv, **plans[moment])
        wal = victim_db.with_name(victim_db.name + ".wal")
        wal_bytes = wal.stat().st_size if wal.exists() else 0
        reopened_at = time.perf_counter()
        after = fingerprint(victim_db)
        state = _state(before, finished, after)
        results.append(
            {
                "moment": moment,
                "killed_after_s": round(run.seconds, 2),
                "killed": run.returncode == -signal.SIGKILL,
                "returncode": run.returncode,
                "stage_when_killed": run.last_stage,
                "wal_bytes_left": wal_bytes,
                "reopen_and_check_s": round(time.perf_counter() - reopened_at, 2),
                "state": state,
                "differences_from_before": differences(before, after),
            }
        )
    rerun = run_importer(victim_db, csv)
    rerun_changed = _differences_from_finished(finished, fingerprint(victim_db))
    return {
        "rows_in_file": _data_rows(csv),
        "reference_import_s": round(reference.seconds, 1),
        "reference_stages": [(round(at, 1), message) for at, message in reference.stages],
        "tables": {name: value["rows"] for name, value in before.items()},
        "kills": results,
        "import_after_crash": {
            "returncode": rerun.returncode,
            "matches_clean_import": rerun.returncode == 0 and not rerun_changed,
            "differences": rerun_changed,
        },
        # Atomic: each crash left either the database as it was, or the whole import (when the kill
        # came after the commit); never a part of it.
        "nothing_lost": all(r["killed"] and r["state"] in (UNCHANGED, COMPLETE) for r in results),
        "kills_before_commit": sum(r["state"] == UNCHANGED for r in results),
    }


UNCHANGED = "unchanged"
COMPLETE = "whole import (committed before the kill)"


def _state(before: dict, finished: dict, after: dict) -> str:
    """Which valid state a crashed database is in, or what is wrong with it."""
    if not differences(before, after):
        return UNCHANGED
    if not _differences_from_finished(finished, after):
        return COMPLETE
    return "PARTIAL OR CORRUPT: " + "; ".join(differences(before, after))


def _differences_from_finished(finished: dict, after: dict) -> list[str]:
    """Differences from the reference import's result: the ``CLOCKED`` tables by row count, every
    other table value by value."""
    changed = differences(finished, after, ignore=CLOCKED)
    for table in CLOCKED:
        if finished.get(table, {}).get("rows") != after.get(table, {}).get("rows"):
            changed.append(f"table {table}: another number of rows")
    return changed


# Tables whose rows record clock times (the import log, the audit trail): two runs of the same import
# differ there by design, so they are compared by row count
CLOCKED = ("imports", "audit")


# A refresh (store/generations.py) killed at three moments. The victim SIGKILLs itself when its own
# progress shows the stage, so each moment is hit exactly, however fast or slow the machine.
REFRESH_MOMENTS = {
    # the copy of the served file is half written (the copy goes in small chunks in the victim)
    "copying": ("copying the serving database", 2),
    # inside the import's write transaction, in the new generation's file
    "importing": (WRITE_STAGE, 1),
    # the new generation is complete on disk under its final name; the data file is not yet swapped
    "publishing": ("publishing generation", 1),
    # fetch-arrests: the first page is spooled, the second is being asked for
    "fetching": ("fetching page", 2),
}
FETCH_MOMENTS = ("fetching", "importing", "publishing")
VICTIM_COPY_CHUNK = 256 * 1024


def refresh_kill_test(
    base_db: Path,
    command: list[str],
    work: Path,
    moments: tuple[str, ...] = ("copying", "importing", "publishing"),
    watch_rerun: tuple[Callable[[], None], Callable[[], dict]] | None = None,
) -> dict:
    """Kill ``python -m ingest <command> --db DB`` (a refresh) at each moment on a fresh copy of
    ``base_db``; the served file must be unchanged, and the next run must complete as a clean one does.

    ``watch_rerun``: (called before each next run, called after it: what to add to that kill's result),
    e.g. the pages a resumed fetch asked the service for."""
    work.mkdir(parents=True, exist_ok=True)
    db = work / "refresh_victim.duckdb"
    _fresh_copy(base_db, db)
    before = fingerprint(db, read_only=True)
    clean = _run_ingest(command, db)
    if clean.returncode != 0:
        raise RuntimeError(f"clean refresh failed ({clean.returncode}): {clean.output_tail}")
    finished = fingerprint(db, read_only=True)
    results = []
    for moment in moments:
        _fresh_copy(base_db, db)
        served_before = _served(db)
        run = _run_ingest(command, db, victim=moment)
        untouched = _served(db, before_swap=served_before)
        left = (
            sorted(p.name for p in generations.folder(db).iterdir())
            if generations.folder(db).is_dir()
            else []
        )
        left += [p.name for p in (db.with_name(db.name + ".swap"),) if p.exists()]
        after = fingerprint(db, read_only=True)
        if watch_rerun:
            watch_rerun[0]()
        rerun = _run_ingest(command, db)
        rerun_changed = _differences_from_finished(finished, fingerprint(db, read_only=True))
        results.append(
            {
                "moment": moment,
                "killed": run.returncode == -signal.SIGKILL,
                "stage_when_killed": run.last_stage,
                "killed_after_s": round(run.seconds, 2),
                "served_file_untouched": untouched,
                "state": _state(before, finished, after),
                "left_behind": left,
                "next_run_returncode": rerun.returncode,
                "next_run_completes": rerun.returncode == 0 and not rerun_changed,
                "next_run_differences": rerun_changed,
                "next_run_cleaned": [line for line in rerun.output_tail.splitlines() if "cleaned up" in line],
                **(watch_rerun[1]() if watch_rerun else {}),
            }
        )
    return {
        "command": " ".join(command),
        "clean_refresh_s": round(clean.seconds, 1),
        "kills": results,
        "served_unchanged_every_time": all(r["killed"] and r["state"] == UNCHANGED for r in results),
        "next_run_completes_every_time": all(r["next_run_completes"] for r in results),
    }


def _served(db: Path, before_swap: tuple | None = None):
    """The served file's identity (inode, size, mtime); with ``before_swap``: whether it is unchanged."""
    token = generations.token(db)
    return token if before_swap is None else token == before_swap


def _run_ingest(command: list[str], db: Path, victim: str | None = None) -> ImporterRun:
    args = [*command, "--db", str(db)]
    args = ["-m", "bench.fault", "--victim-refresh", victim, *args] if victim else ["-m", "ingest", *args]
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, *args], cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    reader = _ProgressReader(process.stdout, started)
    reader.start()
    process.wait(timeout=IMPORT_TIMEOUT_S)
    reader.join(timeout=5)
    return ImporterRun(time.perf_counter() - started, process.returncode, reader.stages, reader.text[-1500:])


def _victim_refresh(moment: str, ingest_args: list[str]) -> int:
    """``python -m ingest <args>`` that SIGKILLs itself at ``moment`` (see ``REFRESH_MOMENTS``)."""
    import ingest.__main__ as cli

    stage, occurrence = REFRESH_MOMENTS[moment]
    generations.COPY_CHUNK = VICTIM_COPY_CHUNK
    seen = [0]
    show = cli._print_progress

    def progress(fraction: float, message: str) -> None:
        show(fraction, message)
        if stage in message:
            seen[0] += 1
            if seen[0] >= occurrence:
                os.kill(os.getpid(), signal.SIGKILL)

    cli._print_progress = progress
    return cli.main(ingest_args)


def _fresh_copy(source: Path, target: Path) -> None:
    for leftover in (target, target.with_name(target.name + ".wal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(generations.folder(target), ignore_errors=True)
    shutil.rmtree(target.with_name(target.name + ".fetch"), ignore_errors=True)  # a fetch's spool
    shutil.copyfile(source, target)


def _data_rows(csv: Path) -> int:
    with open(csv, "rb") as handle:
        return sum(1 for _ in handle) - 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    if argv is None and len(sys.argv) > 2 and sys.argv[1] == "--victim-refresh":
        return _victim_refresh(sys.argv[2], sys.argv[3:])
    parser.add_argument("--victim", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("db", type=Path)
    parser.add_argument("file", type=Path)
    parser.add_argument("stage", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, default=REPO_ROOT / "data" / "bench" / "fault")
    args = parser.parse_args(argv)
    if args.victim:
        _victim(args.db, args.file, args.stage)
        return 3  # not reached when the stage comes
    print(json.dumps(kill_test(args.db, args.file, args.work), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
