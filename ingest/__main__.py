"""Command line: ``python -m ingest setup|demo ...``.

python -m ingest setup [--db PATH]                      schema + boundaries + demo data if empty
python -m ingest demo --arrests N --seed S [--db PATH]  (re)generate the synthetic demo data
    [--effect -15] [--rearrest-hazard 0.02]               with a known answer (ingest/demo_effects.py)
python -m ingest arrests FILE [--db PATH]               load a BPD arrests CSV (replaces demo arrests)
python -m ingest referrals FILE [--db PATH]             load a referrals CSV (replaces demo referrals)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from store import audit, connect, create_schema, database_path, transaction

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
    """Load one real file; print its report. Exit code 1 when the file is rejected (database unchanged)."""
    import duckdb

    from ingest.importers import ImportRejected, import_arrests, import_referrals

    importer = {"arrests": import_arrests, "referrals": import_referrals}[command]
    try:
        con = connect(db)
    except duckdb.IOException as error:
        print(f"cannot open {db}: {error} (is the app or another import using it?)", file=sys.stderr)
        return 2
    try:
        has_areas = (
            con.sql("select count(*) > 0 from duckdb_tables() where table_name = 'areas'").fetchone()[0]
            and con.sql("select count(*) > 0 from areas").fetchone()[0]
        )
        if not has_areas:
            con.close()
            con = _prepare(db)
        else:
            create_schema(con)  # an older database gains the tables added since (the audit trail)
        con.execute("set enable_progress_bar = false")  # one progress bar: ours
        digest = audit.file_sha256(file) if file.is_file() else None
        report = importer(con, file, progress=_print_progress)
    except ImportRejected as error:
        print(f"\nREJECTED, nothing written: {error}", file=sys.stderr)
        audit.record(con, audit.cli_identity(), "import", "failed", subject=file.name, sha256=digest,
                     reason=str(error))  # fmt: skip
        return 1
    else:
        audit.record(con, audit.cli_identity(), "import", subject=file.name, sha256=digest,
                     reason=report.summary())  # fmt: skip
    finally:
        con.close()
    print("\n".join(report.lines()))
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
    args = parser.parse_args(argv)
    args.db = args.db or database_path()
    if args.command in ("arrests", "referrals"):
        return _import_file(args.command, args.db, args.file)

    if args.command in ("setup", "demo") and not 0 < args.arrests <= 5_000_000:
        parser.error(f"--arrests must be between 1 and 5,000,000 (got {args.arrests})")
    started = time.perf_counter()
    con = _prepare(args.db)
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
