"""Generations of the data file: every refresh builds a new file and swaps it in; rollback swaps back.

The data file (``data/lead.duckdb``, or ``$LEAD_DB``) is never written in place once the app serves
it. A refresh (a CLI import, a fetch from the city, the Import page, a demo rebuild) runs inside
:func:`building`:

1. take the refresh lock (``<db>.lock``): one refresh at a time, the others wait;
2. copy the current data file to ``<db>.generations/<n>.duckdb.building`` (a plain byte copy: the
   published file is closed and complete, and the app holds it read-only);
3. the refresh writes into the copy (in one transaction, as before), which is checkpointed and closed;
4. rename it to ``<n>.duckdb`` (complete), then publish it: hard-link it to ``<db>.swap`` and rename
   that over ``<db>`` (``rename`` is atomic: a reader opens the old file or the new one);
5. keep the newest ``KEEP`` generations, delete older ones.

A process killed at any step leaves ``<db>`` as it was (or, after step 4, already the new one); the
next refresh deletes what a killed one left (``*.building``, ``<db>.swap``) before it starts.
The data file and the generation it came from are the same file (two names, one inode): a running
app recognises the generation it serves by the inode (:func:`file_of`).

    >>> # with building(Path("data/lead.duckdb")) as con: import_arrests(con, path)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from store import audit
from store.connection import connect, create_schema, path_literal


def _setting(name: str, default: int, least: int) -> int:
    """A whole-number setting from the environment; a value that is not one is named, and the default used."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < least:
        print(f"{name}={raw!r} is not a whole number of at least {least}: using {default}", file=sys.stderr)
        return default
    return value


KEEP = _setting("LEAD_KEEP_GENERATIONS", 5, least=1)  # generations kept on disk, the served one included
# DuckDB's memory while it builds a generation; past it DuckDB spills to <n>.duckdb.building.tmp/ next
# to the copy. A million-row import then peaks at about 560 MB instead of 760, for about a second more
# (BENCHMARKS.md); the Import page's import stays inside the app's memory the same way.
BUILD_MEMORY_SETTING = "LEAD_BUILD_MEMORY_MB"
BUILD_MEMORY_MB = _setting(BUILD_MEMORY_SETTING, 300, least=64)
LOCK_WAIT_S = 30 * 60  # how long a refresh waits for another to finish before it gives up
COPY_CHUNK = 16 * 1024 * 1024
_NUMBERED = re.compile(r"^(\d{6})\.duckdb$")

Progress = Callable[[float, str], None]


class RefreshBusy(RuntimeError):
    """Another refresh held the lock for longer than the wait allowed."""


def folder(db: Path) -> Path:
    """``data/lead.duckdb`` -> ``data/lead.duckdb.generations``."""
    return db.with_name(db.name + ".generations")


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def token(db: Path) -> tuple | None:
    """What changes when a generation is published (inode, size, time); None when there is no file."""
    try:
        stat = os.stat(db)
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


@dataclass(frozen=True)
class Generation:
    number: int
    path: Path
    served: bool
    size_mb: float
    modified: float

    def line(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.modified))
        mark = "  <- served" if self.served else ""
        return f"{self.number:>6}  {when}  {self.size_mb:8.1f} MB  {self.path.name}{mark}"


def generations(db: Path) -> list[Generation]:
    """The kept generations, oldest first."""
    db = Path(db)
    served = token(db)
    found = []
    for path in sorted(folder(db).glob("*.duckdb")) if folder(db).is_dir() else []:
        match = _NUMBERED.match(path.name)
        if not match:
            continue
        stat = path.stat()
        found.append(
            Generation(
                int(match.group(1)),
                path,
                served is not None and stat.st_ino == served[0],
                stat.st_size / 1e6,
                stat.st_mtime,
            )
        )
    return found


def file_of(db: Path) -> Path:
    """The generation file the data file is (same inode), or the data file itself if it is none."""
    served = next((g for g in generations(db) if g.served), None)
    return served.path if served else Path(db)


def number_of(path: Path | None) -> int | None:
    match = _NUMBERED.match(path.name) if path else None
    return int(match.group(1)) if match else None


@contextlib.contextmanager
def refresh_lock(db: Path, wait_s: float = LOCK_WAIT_S, progress: Progress | None = None) -> Iterator[None]:
    """Hold the refresh lock of ``db`` (an OS lock: released by the kernel if the holder dies)."""
    path = lock_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        deadline = time.monotonic() + wait_s
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RefreshBusy(
                        f"{db}: another refresh has held {path.name} for over {wait_s:.0f} s; try again later"
                    ) from None
                if not told and progress:
                    progress(0.0, "waiting for another refresh to finish")
                    told = True
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _clean_leftovers(db: Path) -> list[str]:
    """What a killed refresh left behind; only called with the lock held, so nothing is in progress."""
    removed = []
    leftovers = [db.with_name(db.name + ".swap")]
    if folder(db).is_dir():
        leftovers += list(folder(db).glob("*.building")) + list(folder(db).glob("*.building.wal"))
        leftovers += list(folder(db).glob("*.duckdb.wal"))  # a published generation is closed: no WAL
        for spill in folder(db).glob("*.building.tmp"):  # what DuckDB had spilled to disk
            shutil.rmtree(spill, ignore_errors=True)
            removed.append(spill.name)
    for path in leftovers:
        if path.exists():
            path.unlink()
            removed.append(path.name)
    return removed


def _copy(source: Path, target: Path, progress: Progress) -> None:
    size = source.stat().st_size
    done = 0
    with open(source, "rb") as reading, open(target, "wb") as writing:
        while chunk := reading.read(COPY_CHUNK):
            writing.write(chunk)
            done += len(chunk)
            progress(0.01, f"copying the serving database ({done / 1e6:.0f} of {size / 1e6:.0f} MB)")
        writing.flush()
        os.fsync(writing.fileno())


def _settle_wal(db: Path) -> None:
    """A data file with a write-ahead log was written in place (an older tool, a killed writer):
    open it once, which replays or discards the log, so the copy is complete."""
    if db.with_name(db.name + ".wal").exists():
        con = connect(db)
        con.execute("checkpoint")
        con.close()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _next_number(db: Path) -> int:
    return max((g.number for g in generations(db)), default=0) + 1


def _keep_current_as_generation(db: Path) -> None:
    """The first refresh of a data file that is no generation yet: keep it as one, for rollback."""
    if db.exists() and not any(g.served for g in generations(db)):
        os.link(db, folder(db) / f"{_next_number(db):06d}.duckdb")


def adopt(db: Path) -> Path:
    """The generation file the data file is, making it one first if it is none (a hard link: no copy).

    The app attaches the data file by this name: DuckDB refuses to attach one path twice in a
    process, and the data file's own name outlives the inode behind it at each swap.
    """
    db = Path(db)
    if file_of(db) == db:
        with refresh_lock(db):
            folder(db).mkdir(parents=True, exist_ok=True)
            _settle_wal(db)  # the log is named after the file: attached by another name, it would be missed
            _keep_current_as_generation(db)
    return file_of(db)


def publish(db: Path, generation: Path) -> None:
    """Make ``generation`` the data file, atomically (hard link, then rename over the data file)."""
    swap = db.with_name(db.name + ".swap")
    swap.unlink(missing_ok=True)
    os.link(generation, swap)
    os.replace(swap, db)
    _fsync_dir(db.parent)


def prune(db: Path, keep: int | None = None) -> list[Path]:
    """Delete the oldest generations beyond ``keep`` (``KEEP``; never the served one); return them."""
    keep = KEEP if keep is None else keep
    kept = generations(db)
    doomed = [g for g in kept[: max(0, len(kept) - keep)] if not g.served]
    for g in doomed:
        g.path.unlink()  # a process still reading it keeps its open file until it closes it
    return [g.path for g in doomed]


@dataclass
class Built:
    """What :func:`building` made: filled in when the block ends without an exception."""

    number: int = 0
    path: Path | None = None
    seconds: float = 0.0
    removed_leftovers: tuple[str, ...] = ()
    pruned: tuple[Path, ...] = ()


@contextlib.contextmanager
def building(db: Path, progress: Progress | None = None, built: Built | None = None):
    """A read-write connection to a new generation, a copy of the data file; published when the block
    ends without an exception, thrown away otherwise. The data file is never written in place.

    The connection has the schema (``create_schema``); a data file that does not exist yet starts empty.
    """
    db = Path(db)
    progress = progress or (lambda fraction, message: None)
    built = built if built is not None else Built()
    started = time.perf_counter()
    with refresh_lock(db, progress=progress):
        folder(db).mkdir(parents=True, exist_ok=True)
        built.removed_leftovers = tuple(_clean_leftovers(db))
        if db.exists():
            _settle_wal(db)
            _keep_current_as_generation(db)
        number = _next_number(db)
        work = folder(db) / f"{number:06d}.duckdb.building"
        if db.exists():
            _copy(db, work, progress)
        con = connect(work)
        spill = work.with_name(work.name + ".tmp")
        try:
            con.execute("set enable_progress_bar = false")
            con.execute(f"set temp_directory = {path_literal(spill)}")
            con.execute(f"set memory_limit = '{BUILD_MEMORY_MB}MB'")
            create_schema(con)
            yield con
            progress(0.96, "checkpointing the new generation")
            con.execute("checkpoint")
            con.close()
        except BaseException:
            con.close()
            for leftover in (work, work.with_name(work.name + ".wal")):
                leftover.unlink(missing_ok=True)
            raise
        finally:
            shutil.rmtree(spill, ignore_errors=True)
        final = work.with_name(f"{number:06d}.duckdb")
        try:
            os.replace(work, final)
        except BaseException:
            work.unlink(missing_ok=True)
            raise
        progress(0.98, f"publishing generation {number}")
        publish(db, final)
        built.number, built.path = number, final
        built.pruned = tuple(prune(db))
        built.seconds = time.perf_counter() - started
        progress(1.0, f"generation {number} published")


def rollback(db: Path) -> Generation:
    """Serve again the data of the generation before the served one; return that generation.

    It is published as a new generation, a copy of the older one that also carries the command-line
    audit rows the served one holds (``store/audit.py``): a rollback undoes data, never the record of
    who did what. The copy notes which generation it restores (``ORIGIN_TABLE``), so a second rollback
    goes one further back instead of returning to the data just undone.
    """
    db = Path(db)
    with refresh_lock(db):
        _clean_leftovers(db)
        kept = generations(db)
        served = next((g for g in kept if g.served), None)
        limit = (_restores(served.path) or served.number) if served else None
        older = [g for g in kept if limit is None or g.number < limit]
        if not older:
            raise LookupError(
                f"{db}: no earlier generation to roll back to (kept: {[g.number for g in kept] or 'none'})"
            )
        target = older[-1]
        number = _next_number(db)
        work = folder(db) / f"{number:06d}.duckdb.building"
        _copy(target.path, work, lambda fraction, message: None)
        try:
            con = connect(work)
            try:
                con.execute("set enable_progress_bar = false")
                create_schema(con)
                con.execute(
                    f"create or replace table {ORIGIN_TABLE} as select {target.number}::integer as restores"
                )
                if served is not None:
                    _carry_cli_audit(con, served.path)
                audit.record(con, audit.cli_identity(), "rollback", subject=f"generation {target.number}",
                             reason=f"generation {served.number if served else '?'} undone")  # fmt: skip
                con.execute("checkpoint")
            finally:
                con.close()
            final = work.with_name(f"{number:06d}.duckdb")
            os.replace(work, final)
        except BaseException:
            for leftover in (work, work.with_name(work.name + ".wal")):
                leftover.unlink(missing_ok=True)
            raise
        publish(db, final)
        prune(db)
        return target


ORIGIN_TABLE = "generation_origin"  # in a rolled-back copy: the generation whose data it restores


def _restores(path: Path) -> int | None:
    """The generation a rolled-back copy restores, None for a generation built by a refresh."""
    with duckdb.connect(str(path), read_only=True) as con:
        if not con.execute(
            "select count(*) from duckdb_tables() where table_name = ?", [ORIGIN_TABLE]
        ).fetchone()[0]:
            return None
        return con.execute(f"select max(restores) from {ORIGIN_TABLE}").fetchone()[0]


def _carry_cli_audit(con: duckdb.DuckDBPyConnection, served: Path) -> None:
    """The served generation's command-line audit rows that the restored copy lacks, appended to it."""
    con.execute(f"attach {path_literal(served)} as undone (read_only)")
    try:
        if con.execute(
            "select count(*) from duckdb_tables() where database_name = 'undone' and table_name = ?",
            [audit.TABLE],
        ).fetchone()[0]:
            con.execute(
                f"insert into {audit.TABLE} select * from (select * from undone.main.{audit.TABLE} "
                f"where who like 'cli:%' except all select * from {audit.TABLE})"
            )
    finally:
        con.execute("detach undone")
