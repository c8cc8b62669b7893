"""``python -m bench [--quick] [--sizes N ...] [--out DIR] [--report-only]``: run the benchmarks, write
BENCHMARKS.md and the JSON (``--out``: both into DIR instead; ``--report-only``: rewrite the markdown
from the JSON of the last run).

Exit code 0 when every section ran (targets met or not: the report says which); 1 when a section
failed to run at all.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from bench import report
from bench.run import FULL, QUICK, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, to check the harness (a few minutes)"
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", help="database sizes in arrests (default: the plan's)"
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite the markdown from the plan's JSON, measuring nothing",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write BENCHMARKS.md and results.json into DIR (with --report-only: read the plan's JSON, "
        "write both there), leaving the committed files alone",
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    markdown_path, json_path = plan.markdown, plan.json_path
    if args.out:
        markdown_path, json_path = args.out / "BENCHMARKS.md", args.out / "results.json"
    if args.report_only:
        saved = json.loads(plan.json_path.read_text())
        saved.pop("acceptance", None)
        report.write(saved, markdown_path, json_path)
        print(f"wrote {markdown_path} from {plan.json_path}")
        return 0
    if args.sizes:
        if any(not 0 < size <= 5_000_000 for size in args.sizes):
            parser.error("--sizes: each between 1 and 5,000,000 arrests")
        plan = replace(plan, sizes=tuple(sorted(set(args.sizes))))
        if plan.fault_base_size not in plan.sizes:
            plan = replace(plan, fault_base_size=min(plan.sizes))
    results = run(plan)
    rows = report.write(results, markdown_path, json_path)
    print(f"\nwrote {markdown_path} and {json_path}")
    for row in rows:
        verdict = "not measured" if row["met"] is None else ("met" if row["met"] else "MISSED")
        print(f"  {verdict:>12}  {row['what']}: {row['measured']} (target {row['target']})")
    failed = results.get("section_failures") or {}
    for name, text in failed.items():
        print(f"  section failed: {name}: {text.splitlines()[0]}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
