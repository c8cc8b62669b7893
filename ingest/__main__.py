"""Command line: ``python -m ingest setup|demo ...``.

python -m ingest setup [--db PATH]                      schema + boundaries + demo data if empty
python -m ingest demo --arrests N --seed S [--db PATH]  (re)generate the synthetic demo data
    [--effect -15] [--rearrest-hazard 0.02]               with a known answer (ingest/demo_effects.py)
python -m ingest arrests FILE [--db PATH]               load a BPD arrests CSV (replaces demo arrests)
python -m ingest referrals FILE [--db PATH]             load a referrals CSV (replaces demo referrals)
python -m ingest fetch-arrests [--url URL] [--db PATH]  new arrests from the city's ArcGIS service
python -m ingest rollback [--db PATH]                   serve the previous generation again
python -m ingest generations [--db PATH]                list the kept generations

Imports and `demo` never write the served file in place: they build a new generation and swap it in
(store/generations.py), so they run while the app serves the same database.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from store import audit, connect, create_schema, database_path, generations, transaction

DEFAULT_DEMO_ARRESTS = 250_000
DEFAULT_SEED = 2017


def _print_progress(fraction: float, message: str) -> None:
    width = 30
    filled = int(round(fraction * width))
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} {message:<48}", end="", flush=True)
    if fraction >= 1:
        print()


def _prepare(db: Path):
    from ingest.areas import load_areas

    con = connect(db)
    create_schema(con)
    with transaction(con):
        loaded = load_areas(con)
    print(f"{db}: schema ready, {loaded} boundary areas loaded")
    return con


def _demo(con, arrests: int, seed: int, effects=None) -> None:
    from ingest.demo import generate_demo
    from ingest.demo_effects import NO_EFFECTS

    started = time.perf_counter()
    written = generate_demo(
        con, arrests=arrests, seed=seed, progress=_print_progress, effects=effects or NO_EFFECTS
    )
    con.execute("checkpoint")
    print(
        f"synthetic demo data: {written['arrests']:,} arrests, {written['referrals']:,} referrals, "
        f"{written['case_managers']:,} case managers in {time.perf_counter() - started:.1f} s"
    )
    for table in written["kept_real"]:
        print(f"{table}: imported real records kept; no synthetic {table} were added (never mixed)")


def _import_file(command: str, db: Path, file: Path) -> int:
    """Load one real file into a new generation of the database and publish it; print its report.

    Exit code 1 when the file is rejected (no record of it is written; the new generation differs from
    the served one only by the refusal's row in the audit trail), 2 when another refresh kept the lock
    too long (nothing published).
    """
    from ingest.importers import ImportRejected, import_arrests, import_referrals

    importer = {"arrests": import_arrests, "referrals": import_referrals}[command]
    built = generations.Built()
    # the file's hash for the audit trail, read beside the import (hashlib lets go of the GIL)
    hashing = ThreadPoolExecutor(max_workers=1)
    digest_of = hashing.submit(audit.file_sha256, file) if file.is_file() else None
    try:
        with generations.building(db, progress=_print_progress, built=built) as con:
            _ensure_areas(con)
            try:
                report = importer(con, file, progress=_print_progress)
            except ImportRejected as error:
                digest = _digest(digest_of)
                # nothing of the file was written (the importer's transaction rolled back); the new
                # generation carries only this row, so the refusal is on record like a success
                audit.record(con, audit.cli_identity(), "import", "failed", subject=file.name,
                             sha256=digest, reason=str(error))  # fmt: skip
                rejected = error
            else:
                digest = _digest(digest_of)
                audit.record(con, audit.cli_identity(), "import", subject=file.name, sha256=digest,
                             reason=report.summary())  # fmt: skip
                rejected = None
    except generations.RefreshBusy as error:
        print(f"\n{error}", file=sys.stderr)
        return 2
    finally:
        hashing.shutdown(cancel_futures=True)
    if rejected is not None:
        print(
            f"\nREJECTED, no record of the file written: {rejected}\n"
            f"(generation {built.number} differs from the one before only by this refusal, "
            "in the audit trail)",
            file=sys.stderr,
        )
        return 1
    print("\n".join(report.lines()))
    print(_published(db, built))
    return 0


def _digest(future) -> str | None:
    """The file's SHA-256, or None when there is no file or it could not be read (the import says why)."""
    if future is None:
        return None
    try:
        return future.result()
    except OSError:
        return None


def _ensure_areas(con) -> None:
    """A new database gets its boundaries before the first import (records are placed in them)."""
    if not con.sql("select count(*) > 0 from areas where kind <> 'proposal'").fetchone()[0]:
        from ingest.areas import load_areas

        with transaction(con):
            load_areas(con)


def _published(db: Path, built: generations.Built) -> str:
    line = f"published generation {built.number} as {db} in {built.seconds:.1f} s"
    if built.pruned:
        line += f"; removed old generations {', '.join(p.name for p in built.pruned)}"
    if built.removed_leftovers:
        line += f"; cleaned up after an interrupted refresh: {', '.join(built.removed_leftovers)}"
    return line


def _fetch(db: Path, args) -> int:
    """Fetch new arrests from the city's ArcGIS service into a new generation; exit 1 when the service
    failed or changed (nothing published; the pages fetched so far are kept for the next run)."""
    from ingest.fetch import FetchFailed, FetchSettings, fetch_arrests
    from ingest.importers import ImportRejected

    settings = FetchSettings(
        url=args.url,
        page_size=args.page_size,
        timeout_s=args.timeout,
        retries=args.retries,
        format=args.format,
    )
    try:
        result = fetch_arrests(db, settings, progress=_print_progress)
    except (FetchFailed, ImportRejected) as error:
        print(f"\nFETCH FAILED, nothing published: {error}", file=sys.stderr)
        return 1
    except generations.RefreshBusy as error:
        print(f"\n{error}", file=sys.stderr)
        return 2
    print()
    print("\n".join(result.lines()))
    if result.built:
        print(_published(db, result.built))
    return 0


def _rollback(db: Path) -> int:
    try:
        target = generations.rollback(db)
    except LookupError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"rolled back: {db} is generation {target.number} again ({target.path.name})")
    return 0


def _list_generations(db: Path) -> int:
    kept = generations.generations(db)
    if not kept:
        print(f"{db}: no generations yet (the first refresh keeps the current file as one)")
    for g in kept:
        print(g.line())
    return 0


def _effects(parser, args):
    """The demo's injected effects from ``--effect`` (percent) and ``--rearrest-hazard``."""
    from ingest.demo_effects import DemoEffects

    try:
        return DemoEffects(getattr(args, "effect", 0.0) / 100, getattr(args, "rearrest_hazard", None))
    except ValueError as error:
        parser.error(str(error))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Build and load the LEAD database.")
    commands = parser.add_subparsers(dest="command", required=True)
    setup = commands.add_parser("setup", help="create the database with boundaries and demo data if empty")
    setup.add_argument("--db", type=Path, default=None)
    setup.add_argument("--arrests", type=int, default=DEFAULT_DEMO_ARRESTS)
    setup.add_argument("--seed", type=int, default=DEFAULT_SEED)
    demo = commands.add_parser("demo", help="(re)generate the synthetic demo data")
    demo.add_argument("--db", type=Path, default=None)
    demo.add_argument("--arrests", type=int, default=DEFAULT_DEMO_ARRESTS)
    demo.add_argument("--seed", type=int, default=DEFAULT_SEED)
    demo.add_argument(  # --- impact (#13): a known answer for the Impact page
        "--effect", type=float, default=0.0,
        help="injected change in LEAD-eligible pilot-zone arrests after launch, in percent (e.g. -15)",
    )  # fmt: skip
    demo.add_argument(
        "--rearrest-hazard", type=float, default=None,
        help="participants' re-arrest hazard per month (e.g. 0.02); default: the generator's own draws",
    )  # fmt: skip
    for command, what in (("arrests", "a BPD arrests CSV"), ("referrals", "a case-management referrals CSV")):
        importer = commands.add_parser(command, help=f"load {what}; prints the import report")
        importer.add_argument("file", type=Path)
        importer.add_argument("--db", type=Path, default=None)
    from ingest.fetch import DEFAULT_SERVICE_URL, PAGE_SIZE, RETRIES, TIMEOUT_S

    fetch = commands.add_parser(
        "fetch-arrests", help="fetch new arrests from Open Baltimore's ArcGIS service"
    )
    fetch.add_argument("--db", type=Path, default=None)
    fetch.add_argument(
        "--url", default=DEFAULT_SERVICE_URL, help="the FeatureServer layer (.../FeatureServer/0)"
    )
    fetch.add_argument("--page-size", type=int, default=PAGE_SIZE)
    fetch.add_argument("--timeout", type=float, default=TIMEOUT_S, help="seconds to wait for one page")
    fetch.add_argument("--retries", type=int, default=RETRIES, help="times a failing page is asked again")
    fetch.add_argument("--format", choices=("json", "geojson"), default="json")
    for command, what in (
        ("rollback", "serve the previous generation again"),
        ("generations", "list generations"),
    ):
        commands.add_parser(command, help=what).add_argument("--db", type=Path, default=None)
    args = parser.parse_args(argv)
    args.db = args.db or database_path()
    if args.command in ("arrests", "referrals"):
        return _import_file(args.command, args.db, args.file)
    if args.command == "rollback":
        return _rollback(args.db)
    if args.command == "fetch-arrests":
        return _fetch(args.db, args)
    if args.command == "generations":
        return _list_generations(args.db)

    if args.command in ("setup", "demo") and not 0 < args.arrests <= 5_000_000:
        parser.error(f"--arrests must be between 1 and 5,000,000 (got {args.arrests})")
    started = time.perf_counter()
    if args.command == "demo" and args.db.exists():  # the app may be serving it: a new generation
        built = generations.Built()
        try:
            with generations.building(args.db, progress=_print_progress, built=built) as con:
                _ensure_areas(con)
                _demo(con, args.arrests, args.seed)
        except duckdb.OutOfMemoryException as error:
            print(
                f"\ndemo data not rebuilt: DuckDB needed more memory than {generations.BUILD_MEMORY_SETTING}="
                f"{generations.BUILD_MEMORY_MB} MB allows ({str(error).splitlines()[0]}); the served data is "
                "unchanged — raise it and run again",
                file=sys.stderr,
            )
            return 1
        print(_published(args.db, built))
        return 0
    try:
        con = _prepare(args.db)
    except duckdb.IOException as error:
        print(f"cannot open {args.db} to set it up: {error} (is the app serving it? `setup` runs before "
              "serving; imports and `demo` run while it serves)", file=sys.stderr)  # fmt: skip
        return 2
    try:
        empty = con.sql("select count(*) = 0 from arrests").fetchone()[0]
        if args.command == "demo" or empty:
            _demo(con, args.arrests, args.seed, _effects(parser, args))
        else:
            print("arrest data already present: left as it is (use `python -m ingest demo` to regenerate)")
    finally:
        con.close()
    size_mb = args.db.stat().st_size / 1e6 if args.db.exists() else 0
    print(f"done in {time.perf_counter() - started:.1f} s; {args.db} is {size_mb:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
