"""BENCHMARKS.md and its JSON twin, written from one results dictionary.

The acceptance targets are checked here, at the largest database size measured. Units: seconds and
milliseconds; bytes, kB and MB are decimal (1 MB = 1,000,000 bytes), memory included, so a limit is
never met by a change of unit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import findings
from bench.figures import (
    FILTER_CHANGE_LIMIT_MS,
    FIRST_PAGE_LIMIT_S,
    IMPORT_PEAK_LIMIT_MB,
    IMPORT_RATIO_LIMIT,
    MAP_PAYLOAD_LIMIT_BYTES,
    PEAK_RSS_LIMIT_MB,
    REPLACE_SYNTHETIC_LIMIT_S,
    page_titles,
)
from bench.figures import get as _get
from bench.figures import largest as _largest
from bench.figures import mb as _mb
from bench.figures import sizes as _sizes
from store.connection import REPO_ROOT

MAP_PAGE = "map"


@dataclass(frozen=True)
class Target:
    key: str
    what: str
    limit_text: str
    measure: Callable[[dict], object]  # results -> measured value (None when not measured)
    passes: Callable[[object], bool]
    show: Callable[[object], str]
    limit: float | None = None  # a numeric target's limit, in the measured value's unit: gives the margin


def _map_payload(results: dict) -> int | None:
    return _get(_largest(results), "served", "pages", MAP_PAGE, "map_payload_bytes_max")


TARGETS = (
    Target(
        "first_page_new_viewer",
        "First page ready, a new viewer (server running)",
        f"≤ {FIRST_PAGE_LIMIT_S:g} s",
        lambda r: _get(_largest(r), "served", "first_page_warm", "seconds"),
        lambda v: v <= FIRST_PAGE_LIMIT_S,
        lambda v: f"{v:.2f} s",
        FIRST_PAGE_LIMIT_S,
    ),
    Target(
        "first_page_after_start",
        "First page ready, the first viewer after the server starts",
        f"≤ {FIRST_PAGE_LIMIT_S:g} s",
        lambda r: _get(_largest(r), "served", "first_page_cold", "seconds"),
        lambda v: v <= FIRST_PAGE_LIMIT_S,
        lambda v: f"{v:.2f} s",
        FIRST_PAGE_LIMIT_S,
    ),
    Target(
        "first_page_in_browser",
        "First page ready in a browser (Chromium, offline: map drawn), first visit",
        f"≤ {FIRST_PAGE_LIMIT_S:g} s",
        lambda r: _get(_largest(r), "served", "first_page_in_browser", "first_visit", "seconds"),
        lambda v: v <= FIRST_PAGE_LIMIT_S,
        lambda v: f"{v:.2f} s",
        FIRST_PAGE_LIMIT_S,
    ),
    Target(
        "filter_change_p95",
        "Filter change, p95 server side (one viewer, every page)",
        f"≤ {FILTER_CHANGE_LIMIT_MS:g} ms",
        lambda r: _get(_largest(r), "served", "filter_change_all_pages", "p95_ms"),
        lambda v: v <= FILTER_CHANGE_LIMIT_MS,
        lambda v: f"{v:,.0f} ms",
        FILTER_CHANGE_LIMIT_MS,
    ),
    Target(
        "map_payload",
        "Map payload (Map page's map, largest seen)",
        f"< {MAP_PAYLOAD_LIMIT_BYTES / 1000:g} kB",
        _map_payload,
        lambda v: v < MAP_PAYLOAD_LIMIT_BYTES,
        lambda v: f"{v / 1000:,.0f} kB",
        MAP_PAYLOAD_LIMIT_BYTES,
    ),
    Target(
        "peak_rss_one_viewer",
        "Peak RSS of the app, one viewer through every page",
        f"< {PEAK_RSS_LIMIT_MB:g} MB",
        lambda r: _mb(_get(_largest(r), "served", "peak_rss_mb")),
        lambda v: v < PEAK_RSS_LIMIT_MB,
        lambda v: f"{v:,.0f} MB",
        PEAK_RSS_LIMIT_MB,
    ),
    Target(
        "peak_rss_load",
        "Peak RSS of the app during the load test",
        f"< {PEAK_RSS_LIMIT_MB:g} MB",
        lambda r: _mb(_get(r, "load_test", "peak_rss_mb")),
        lambda v: v < PEAK_RSS_LIMIT_MB,
        lambda v: f"{v:,.0f} MB",
        PEAK_RSS_LIMIT_MB,
    ),
    Target(
        "load_errors",
        "Load test: errors",
        "0",
        lambda r: _get(r, "load_test", "errors"),
        lambda v: v == 0,
        lambda v: f"{v:,}",
    ),
    Target(
        "import_to_read_csv",
        "Real-file import, whole process, ÷ DuckDB loading the same file with `read_csv` (largest file)",
        f"≤ {IMPORT_RATIO_LIMIT:g}×",
        lambda r: _get(_largest(r), "import_processes", "import_to_read_csv"),
        lambda v: v <= IMPORT_RATIO_LIMIT,
        lambda v: f"{v:.2f}×",
        IMPORT_RATIO_LIMIT,
    ),
    Target(
        "import_peak_memory",
        "Real-file import, whole process, peak memory (largest file)",
        f"≤ {IMPORT_PEAK_LIMIT_MB:g} MB",
        lambda r: _get(_largest(r), "import_processes", "import", "peak_mb"),
        lambda v: v <= IMPORT_PEAK_LIMIT_MB,
        lambda v: f"{v:,.0f} MB",
        IMPORT_PEAK_LIMIT_MB,
    ),
    Target(
        "replace_synthetic",
        "First real import, replacing every synthetic arrest of the largest demo database, whole process",
        f"≤ {REPLACE_SYNTHETIC_LIMIT_S:g} s",
        lambda r: _get(_largest(r), "import_processes", "replace_synthetic", "seconds"),
        lambda v: v <= REPLACE_SYNTHETIC_LIMIT_S,
        lambda v: f"{v:.2f} s",
        REPLACE_SYNTHETIC_LIMIT_S,
    ),
    Target(
        "fault_nothing_lost",
        "Fault test: after each kill -9 every table is as before (or the whole import, if it had committed); "
        "the import after the crash lands whole",
        "yes",
        lambda r: (
            None
            if _get(r, "fault_test") is None
            else bool(
                _get(r, "fault_test", "nothing_lost")
                and _get(r, "fault_test", "import_after_crash", "matches_clean_import")
            )
        ),
        lambda v: v is True,
        lambda v: "yes" if v else "NO",
    ),
)


def acceptance(results: dict) -> list[dict]:
    rows = []
    for target in TARGETS:
        value = target.measure(results)
        rows.append(
            {
                "key": target.key,
                "what": target.what,
                "target": target.limit_text,
                "measured": None if value is None else target.show(value),
                "value": value,
                "met": None if value is None else bool(target.passes(value)),
                "margin": (
                    None if value is None or target.limit is None else target.show(abs(value - target.limit))
                ),
            }
        )
    return rows


# ------------------------------------------------------------------------------------------- markdown


def _table(header: list[str], rows: list[list[object]], align: str | None = None) -> str:
    align = align or "l" + "r" * (len(header) - 1)
    marks = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join("—" if c is None else str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _n(value, digits: int = 0, suffix: str = "") -> str | None:
    if value is None:
        return None
    return f"{value:,.{digits}f}{suffix}"


def _pair(process: dict | None) -> str | None:
    if not process:
        return None
    return f"{process['seconds']:.1f} s, {process['peak_mb']:,.0f} MB"


def _ms(summary: dict | None, key: str) -> str | None:
    return _n(_get(summary, key), 0)


def _summary_table(results: dict) -> str:
    header = ["", *[f"{size:,} arrests" for size, _ in _sizes(results)]]
    rows_spec = [
        ("Demo database build", lambda e: _n(_get(e, "database", "build_s"), 1, " s")),
        ("Database file", lambda e: _n(_get(e, "database", "db_mb"), 1, " MB")),
        ("Import, rows/s (whole import)", lambda e: _n(_get(e, "import", "import_rows_per_s"))),
        ("DuckDB `read_csv`, rows/s (same file)", lambda e: _n(_get(e, "import", "read_csv_rows_per_s"))),
        (
            "Import process ÷ DuckDB loading the file with `read_csv` (target ≤ 3)",
            lambda e: _n(_get(e, "import_processes", "import_to_read_csv"), 1, "×"),
        ),
        (
            "Import process ÷ `read_csv` counting rows only (a floor: stores nothing)",
            lambda e: _n(_get(e, "import_processes", "import_to_read_csv_scan"), 1, "×"),
        ),
        (
            "Import process peak memory (target ≤ 400 MB)",
            lambda e: _n(_get(e, "import_processes", "import", "peak_mb"), 0, " MB"),
        ),
        (
            "DuckDB loading the file with `read_csv`: seconds, peak memory",
            lambda e: _pair(_get(e, "import_processes", "read_csv")),
        ),
        (
            "First real import replacing the demo arrests (target ≤ 2 s)",
            lambda e: _n(_get(e, "import_processes", "replace_synthetic", "seconds"), 1, " s"),
        ),
        ("First page, new viewer", lambda e: _n(_get(e, "served", "first_page_warm", "seconds"), 2, " s")),
        (
            "First page, first viewer after start",
            lambda e: _n(_get(e, "served", "first_page_cold", "seconds"), 2, " s"),
        ),
        (
            "First page in a browser, map drawn",
            lambda e: _n(_get(e, "served", "first_page_in_browser", "first_visit", "seconds"), 2, " s"),
        ),
        (
            "Filter change p50 (all pages)",
            lambda e: _n(_get(e, "served", "filter_change_all_pages", "p50_ms"), 0, " ms"),
        ),
        (
            "Filter change p95 (all pages)",
            lambda e: _n(_get(e, "served", "filter_change_all_pages", "p95_ms"), 0, " ms"),
        ),
        (
            "Map payload (Map page)",
            lambda e: _n(_div(_get(e, "served", "pages", MAP_PAGE, "map_payload_bytes_max"), 1000), 0, " kB"),
        ),
        ("App peak RSS (one viewer)", lambda e: _n(_mb(_get(e, "served", "peak_rss_mb")), 0, " MB")),
    ]
    rows = [[label, *[get(entry) for _, entry in _sizes(results)]] for label, get in rows_spec]
    return _table(header, rows)


def _div(value, by):
    return None if value is None else value / by


def _served_pages_table(results: dict) -> str:
    sizes = _sizes(results)
    paths = []
    for _, entry in sizes:
        for path in _get(entry, "served", "pages", default={}):
            if path not in paths:
                paths.append(path)
    header = ["Page", *[f"{s:,}: open / change p50 / p95 (ms)" for s, _ in sizes], "bytes sent (largest)"]
    rows = []
    for path in paths:
        cells = []
        name = path
        for _, entry in sizes:
            page = _get(entry, "served", "pages", path)
            if page is None:
                cells.append(None)
                continue
            name = page["page"]
            change = page["filter_change"]
            cells.append(
                f"{page['first_run_ms']:,.0f} / {_ms(change, 'p50_ms') or '—'} / "
                f"{_ms(change, 'p95_ms') or '—'}"
            )
        largest_page = _get(sizes[-1][1], "served", "pages", path, default={}) if sizes else {}
        sent = max(
            filter(None, [largest_page.get("first_run_bytes"), largest_page.get("filter_change_bytes_max")]),
            default=None,
        )
        rows.append([name, *cells, _n(_div(sent, 1000), 0, " kB")])
    return _table(header, rows)


def _page_scripts_table(results: dict) -> str:
    sizes = _sizes(results)
    titles = []
    for _, entry in sizes:
        for title in _get(entry, "page_scripts", "pages", default={}):
            if title not in titles:
                titles.append(title)
    header = ["Page", *[f"{s:,}: first run / rerun (ms)" for s, _ in sizes]]
    rows = []
    for title in titles:
        cells = []
        for _, entry in sizes:
            page = _get(entry, "page_scripts", "pages", title)
            problems = " ⚠" if page and page.get("problems") else ""
            problems += " (staff)" if page and page.get("view") == "staff" else ""
            if page is not None and page.get("skipped"):
                cells.append("not measured (admin only)")
                continue
            cells.append(
                None
                if page is None
                else f"{page['first_run_ms']:,.0f} / {page['rerun_after_filter_ms']:,.0f}{problems}"
            )
        rows.append([title, *cells])
    cold = [_n(_get(e, "page_scripts", "cold_process_first_run_ms"), 0) for _, e in sizes]
    rows.append(["(first run in a fresh process: imports, database, first queries)", *cold])
    return _table(header, rows)


def _queries_table(results: dict) -> str:
    sizes = _sizes(results)
    names = sorted({name for _, e in sizes for name in (_get(e, "queries", default={}) or {})})
    header = ["Query", *[f"{s:,}: p50 / p95 (cold) ms" for s, _ in sizes]]
    rows = []
    for name in names:
        cells = []
        for _, entry in sizes:
            timing = _get(entry, "queries", name)
            if timing is None:
                cells.append(None)
            elif "error" in timing:
                cells.append(f"error: {timing['error'][:60]}")
            else:
                cells.append(f"{timing['p50_ms']:,.1f} / {timing['p95_ms']:,.1f} ({timing['cold_ms']:,.0f})")
        rows.append([f"`{name}`", *cells])
    return _table(header, rows)


def _naive_table(results: dict) -> str:
    payload = _map_payload(results)
    rows = []
    for item in results.get("naive_map") or []:
        ratio = f"{item['html_bytes'] / payload:,.1f}×" if payload else None
        rows.append(
            [
                f"{item['markers']:,} CircleMarkers",
                f"{item['seconds']:.2f} s",
                f"{item['html_bytes'] / 1e6:,.1f} MB",
                ratio,
            ]
        )
    largest = max(int(k) for k in results["sizes"]) if results.get("sizes") else None
    served = _get(_largest(results), "served", "pages", MAP_PAGE, default={})
    if payload:
        change = _get(served, "filter_change", "p50_ms")
        rows.append(
            [
                f"The app's Map page at {largest:,} arrests",
                f"{served['first_run_ms'] / 1000:.2f} s open, {change / 1000 if change else 0:.2f} s per "
                "filter change (p50)",
                f"{payload / 1e6:,.2f} MB",
                "1×",
            ]
        )
    return _table(["Map", "Time", "HTML / payload", "Size vs the app's map"], rows)


def _import_processes_section(results: dict) -> str:
    measured = _get(_largest(results), "import_processes")
    if not measured:
        return "Not measured in this run."
    rows = []
    for key, what in (
        (
            "read_csv",
            "DuckDB loads the file into a new database: `create table as select * from read_csv(FILE)`",
        ),
        ("read_csv_scan", "DuckDB only counts the rows: `select count(*) from read_csv(FILE, all_varchar)`"),
        ("import", "`python -m ingest arrests FILE`: the whole refresh (copy, import, checkpoint, swap)"),
        (
            "import_tight",
            f"the same with `LEAD_BUILD_MEMORY_MB={_get(measured, 'import_tight', 'build_memory_mb')}`: "
            "the build's DuckDB memory held lower",
        ),
        (
            "replace_synthetic",
            "the same with a 2-row file into the demo database: replaces every synthetic arrest",
        ),
    ):
        process = measured.get(key)
        if process:
            runs = ", ".join(f"{s:.2f}" for s in process["runs_s"])
            rows.append([what, f"{process['seconds']:.2f} s ({runs})", f"{process['cpu_s']:.2f} s",
                         f"{process['peak_mb']:,.0f} MB"])  # fmt: skip
    table = _table(["process", "wall, median (runs)", "CPU", "peak memory"], rows, "lrrr")
    stages = measured["import"].get("stages") or []
    timeline = "; ".join(
        f"{message} {at - before:.2f} s"
        for (before, message), (at, _) in zip(stages, stages[1:], strict=False)
    )
    m = measured
    return "\n".join(
        [
            f"The file: {m['rows_file']:,} rows, {m['file_mb']:,} MB; each process from start to exit, "
            "peak resident memory its own (measured from a small launcher, not this harness), medians "
            "of alternated runs in one session (load "
            f"{m.get('load_average', '?')} at the end).",
            "",
            table,
            "",
            f"Ratios: import ÷ DuckDB's load {m['import_to_read_csv']:.2f}× (CPU "
            f"{m['import_to_read_csv_cpu']:.2f}×), memory {m.get('import_memory_to_read_csv', 0):.2f}×; "
            f"import ÷ DuckDB's row count {m.get('import_to_read_csv_scan', 0):.2f}× (a floor: it "
            "stores nothing, checks nothing)"
            + (
                f"; the import with the lower bound ÷ DuckDB's load {m['import_tight_to_read_csv']:.2f}×."
                if "import_tight_to_read_csv" in m
                else "."
            ),
            "",
            f"Where the import's time goes (median run): process start {stages[0][0]:.2f} s; {timeline}."
            if stages
            else "",
        ]
    )


def _refresh_section(results: dict) -> str:
    measured = _get(results, "refresh")
    if not measured:
        return "Not measured in this run."
    first, again = measured["fetch"], measured["fetch_again"]
    fetch_rows = [
        [
            f"first fetch: {measured['rows']:,} arrests",
            f"{first['pages']:,}",
            f"{first['seconds']:.1f} s",
            f"{first['cpu_s']:.1f} s",
            f"{first['peak_mb']:,.0f} MB",
            f"{first['rows_per_s']:,}",
        ],
        [
            f"next run, after {again['new_rows']:,} newer arrests appeared",
            f"{again['pages']:,}",
            f"{again['seconds']:.1f} s",
            f"{again['cpu_s']:.1f} s",
            f"{again['peak_mb']:,.0f} MB",
            "",
        ],
    ]
    kills = measured["kills"]
    kill_rows = []
    for label, key in (("`ingest arrests`", "import"), ("`ingest fetch-arrests`", "fetch")):
        for kill in kills[key]["kills"]:
            pages = kill.get("pages_asked")
            next_run = "completes" if kill["next_run_completes"] else "**differs** from a clean run"
            if pages is not None:
                next_run += f", asks {'offsets ' + ', '.join(map(str, pages)) if pages else 'no page'} again"
            kill_rows.append(
                [
                    label,
                    kill["moment"],
                    kill.get("stage_when_killed") or "",
                    "unchanged"
                    if kill["served_file_untouched"] and kill["state"] == "unchanged"
                    else kill["state"],
                    next_run,
                ]
            )
    return "\n".join(
        [
            f"`python -m ingest fetch-arrests` as a whole process against the local fake ArcGIS layer "
            f"(the tests' fake service, pages of {measured['page_size']:,}), into a copy of "
            f"`{measured['demo_database']}`:",
            "",
            _table(["run", "pages asked", "wall", "CPU", "peak memory", "rows/s"], fetch_rows, "lrrrrr"),
            "",
            f"kill -9 at three moments of a refresh ({kills['file_rows']:,}-row file) and of a fetch "
            f"({kills['fetch_rows']:,} rows in pages of {kills['fetch_page_size']:,}), then the same command "
            "again, as the fault tests do:",
            "",
            _table(["refresh", "moment", "stage when killed", "served file", "next run"], kill_rows),
        ]
    )


def _map_scenarios_section(results: dict) -> str:
    scenarios = _largest(results).get("map_scenarios")
    if not scenarios or not scenarios.get("output"):
        return "Not run."
    command = scenarios.get("command") or "python -m bench.map_payload"
    return "\n".join(
        [
            f"`{command}` on the largest database, its output as printed: the Map page's map built and "
            "handed to `st_folium` in-process for each filter scenario (payload in KiB there, 1 KiB = 1,024 "
            "bytes; the acceptance table above uses kB of 1,000 bytes, measured on the wire).",
            "",
            "```",
            scenarios["output"],
            "```",
        ]
    )


def _load_section(results: dict) -> str:
    test = results.get("load_test")
    if not test:
        return "Not run."
    changes = test.get("changes_per_visit")
    ramp = test.get("ramp_seconds")
    lines = [
        f"{test['viewers']} viewers against one app on 127.0.0.1 with the {test['arrests']:,}-arrest "
        f"database, each for {test['seconds_each']:.0f} s: open a page, change "
        + (f"{changes[0]}–{changes[1]}" if changes else "some")
        + " of its filters one at a time (random new values), pause "
        f"{test['think_seconds'][0]:g}–{test['think_seconds'][1]:g} s between actions, move on."
        + (f" Viewers join over the first {ramp:g} s." if ramp is not None else "")
        + f" {test['requests']:,} script runs in {test['wall_seconds']:.0f} s "
        f"({test['requests_per_second']:.1f}/s).",
        "",
        _table(
            ["", "runs", "p50", "p95", "max"],
            [
                [
                    label,
                    _n(_get(test, key, "n")),
                    _n(_get(test, key, "p50_ms"), 0, " ms"),
                    _n(_get(test, key, "p95_ms"), 0, " ms"),
                    _n(_get(test, key, "max_ms"), 0, " ms"),
                ]
                for label, key in (
                    ("Filter change", "filter_change"),
                    ("Page open", "page_open"),
                    ("All", "all_runs"),
                )
            ],
        ),
        "",
        _load_reading(results, test),
        "",
        f"Errors: **{test['errors']}**"
        + (": " + "; ".join(test["error_examples"]) if test["errors"] else "")
        + f". Server tracebacks logged: {len(test.get('server_tracebacks') or [])}. "
        f"App peak RSS during the test: {_n(_mb(test.get('peak_rss_mb')), 0, ' MB')}.",
    ]
    return "\n".join(lines)


def _load_reading(results: dict, test: dict) -> str:
    """The load test's figures against the machine's load and against one viewer's."""
    loads = results.get("section_load") or {}
    busy = next(
        (v["cpu_busy_pct"] for k, v in loads.items() if "load test" in k and "postScriptGC" not in k), None
    )
    cpus = _get(results, "machine", "cpus")
    sentences = []
    if busy is not None:
        sentences.append(
            f"While it ran, the machine's {cpus} CPUs were {busy:.0f}% busy (the viewers' client included)."
        )
    alone = _get(_largest(results), "served", "filter_change_all_pages", "p50_ms")
    crowded = _get(test, "filter_change", "p50_ms")
    if alone and crowded:
        sentences.append(
            f"The median filter change took {crowded:,.0f} ms with {test['viewers']} viewers against "
            f"{alone:,.0f} ms with one ({crowded / alone:,.1f}×)."
        )
    return " ".join(sentences)


def _fault_section(results: dict) -> str:
    test = results.get("fault_test")
    if not test:
        return "Not run."
    rows = [
        [
            kill["moment"],
            f"{kill['killed_after_s']:.1f} s",
            kill["stage_when_killed"],
            "SIGKILL" if kill["killed"] else f"exit {kill['returncode']} (not killed)",
            kill["state"],
        ]
        for kill in test["kills"]
    ]
    tables = ", ".join(f"{name} {rows:,}" for name, rows in test["tables"].items())
    after = test["import_after_crash"]
    return "\n".join(
        [
            f"`python -m ingest arrests FILE --db DB` with a {test['rows_in_file']:,}-row classic-layout "
            "file, into a "
            f"copy of the {test['base_database_arrests']:,}-arrest demo database ({tables}). A reference "
            "import of the "
            f"same file ran to the end in {test['reference_import_s']:.0f} s; kill moments are placed by "
            "its stages. Compared: each table's row count and the sum of a 64-bit hash of every row.",
            "",
            _table(
                [
                    "Kill moment",
                    "Killed after",
                    "Importer's stage",
                    "How it ended",
                    "Database after reopening",
                ],
                rows,
                "lrlll",
            ),
            "",
            "Importing the file again into the crashed database afterwards: "
            + (
                "landed exactly as in the reference import."
                if after["matches_clean_import"]
                else f"DIFFERENT: {after['differences']}"
            ),
        ]
    )


def _profile_section(results: dict) -> str:
    profiles = _get(_largest(results), "page_scripts", "profiles", default={})
    if not profiles:
        return "No profile taken."
    titles = page_titles(_largest(results))
    summary = []
    for path, profile in profiles.items():
        owners = ", ".join(
            f"{owner} {ms:,.0f}" for owner, ms in list(profile["own_ms_per_run_by_package"].items())[:5]
        )
        top = ", ".join(
            f"`{row['function'].split(' (')[0]}` {row['cumulative_ms_per_run']:,.0f}"
            for row in profile["top_cumulative"][:5]
        )
        summary.append([titles.get(path, f"`{path}`"), _n(profile["mean_rerun_ms_profiled"], 0), owners, top])
    slowest_path, slowest = next(iter(profiles.items()))
    rows = [
        [
            f"`{row['function']}`",
            _n(row["cumulative_ms_per_run"], 1),
            _n(row["own_ms_per_run"], 1),
            _n(row["calls_per_run"], 0),
        ]
        for row in slowest["top_cumulative"][:15]
    ]
    own = [
        [f"`{row['function']}`", _n(row["own_ms_per_run"], 1), _n(row["calls_per_run"], 0)]
        for row in slowest["top_own"][:10]
    ]
    return "\n".join(
        [
            f"Each page's script rerun {slowest['reruns']} times with its period moved (the new period's "
            "queries run, the rest come from the cache), under cProfile in the script thread (AppTest). "
            "Milliseconds per rerun, the profiler's overhead included. Own time by owner adds up to "
            "the whole rerun; cumulative time of a function includes what it calls.",
            "",
            *[f"- {sentence}" for sentence in findings.slowest_steps(_largest(results))],
            "",
            _table(
                ["Page", "rerun ms", "own time by owner (ms)", "largest cumulative (ms)"], summary, "lrll"
            ),
            "",
            f"Slowest page in detail: {titles.get(slowest_path, f'`{slowest_path}`')}.",
            "",
            _table(["Function (cumulative)", "cumulative ms", "own ms", "calls"], rows),
            "",
            _table(["Function (own time)", "own ms", "calls"], own),
        ]
    )


def _experiment_section(results: dict) -> str:
    tuned = results.get("without_post_script_gc")
    default = _get(_largest(results), "served")
    if not tuned or not tuned.get("served") or not default:
        return "Not run."
    served = tuned["served"]
    rows = [
        [
            "Filter change p50 / p95, all pages",
            f"{_ms(default['filter_change_all_pages'], 'p50_ms')} / "
            f"{_ms(default['filter_change_all_pages'], 'p95_ms')} ms",
            f"{_ms(served['filter_change_all_pages'], 'p50_ms')} / "
            f"{_ms(served['filter_change_all_pages'], 'p95_ms')} ms",
        ]
    ]
    for path, page in default["pages"].items():
        other = _get(served, "pages", path)
        if not page["filter_change"]["n"] or not other:
            continue
        rows.append(
            [
                f"{page['page']}: filter change p50 / p95",
                f"{_ms(page['filter_change'], 'p50_ms')} / {_ms(page['filter_change'], 'p95_ms')} ms",
                f"{_ms(other['filter_change'], 'p50_ms')} / {_ms(other['filter_change'], 'p95_ms')} ms",
            ]
        )
    rows.append(
        [
            "First page, first viewer after start / new viewer",
            f"{default['first_page_cold']['seconds']:.2f} / {default['first_page_warm']['seconds']:.2f} s",
            f"{served['first_page_cold']['seconds']:.2f} / {served['first_page_warm']['seconds']:.2f} s",
        ]
    )
    rows.append(
        [
            "Peak RSS, one viewer",
            _n(_mb(default["peak_rss_mb"]), 0, " MB"),
            _n(_mb(served["peak_rss_mb"]), 0, " MB"),
        ]
    )
    load_default, load_tuned = results.get("load_test"), tuned.get("load_test")
    if load_default and load_tuned:
        rows += [
            [
                f"Load test ({load_default['viewers']} viewers): runs/s",
                _n(load_default["requests_per_second"], 1),
                _n(load_tuned["requests_per_second"], 1),
            ],
            [
                "Load test: filter change p50 / p95",
                f"{_ms(load_default['filter_change'], 'p50_ms')} / "
                f"{_ms(load_default['filter_change'], 'p95_ms')} ms",
                f"{_ms(load_tuned['filter_change'], 'p50_ms')} / "
                f"{_ms(load_tuned['filter_change'], 'p95_ms')} ms",
            ],
            ["Load test: errors", load_default["errors"], load_tuned["errors"]],
            [
                "Load test: peak RSS",
                _n(_mb(load_default["peak_rss_mb"]), 0, " MB"),
                _n(_mb(load_tuned["peak_rss_mb"]), 0, " MB"),
            ],
        ]
    p95 = default["filter_change_all_pages"]["p95_ms"], served["filter_change_all_pages"]["p95_ms"]
    peaks = _mb(default["peak_rss_mb"]), _mb(served["peak_rss_mb"])
    return "\n".join(
        [
            "The same one-viewer drive and load test against the app started with "
            f"`{' '.join(tuned['streamlit_options'])}` (no change to the app's files).",
            "",
            _table(["", "as configured", "postScriptGC off"], rows, "lrr"),
            "",
            f"With it off: filter change p95 {findings.change(*p95, lambda v: f'{v:,.0f} ms')}; peak with "
            f"one viewer {findings.change(*peaks, lambda v: f'{v:,.0f} MB')}.",
        ]
    )


def _memory_section(results: dict) -> str:
    entry = _largest(results)
    memory = entry.get("memory")
    served_peak = _mb(_get(entry, "served", "peak_rss_mb"))
    if not memory:
        return "Not measured."
    steps = [[step, _n(_mb(mb), 0, " MB")] for step, mb in memory["rss_mb_after"].items()]
    pages = _get(entry, "served", "pages", default={})
    steps += [
        [
            f"the app server, after one viewer's {page['page']} runs",
            _n(_mb(page.get("server_rss_mb_after")), 0, " MB"),
        ]
        for page in pages.values()
        if page.get("server_rss_mb_after")
    ]
    libraries = ", ".join(
        f"{name} {_mb(mb):,.0f} MB" for name, mb in memory["library_import_mb"].items() if mb >= 1
    )
    return "\n".join(
        [
            "A fresh process doing what the app does, step by step, then the app server itself as one viewer "
            "goes through the pages (resident memory after each step):",
            "",
            _table(["After", "RSS"], steps),
            "",
            f"What each library adds when imported (dependencies first): {libraries}. DuckDB's own buffers "
            f"after every query: {_mb(memory['duckdb_buffers_mb']):,.0f} MB. "
            + _peak_against_fresh_process(served_peak, memory["rss_mb_after"]),
        ]
    )


def _peak_against_fresh_process(served_peak: float | None, steps: dict) -> str:
    if served_peak is None or not steps:
        return ""
    step, fresh = list(steps.items())[-1]
    difference = served_peak - _mb(fresh)
    return (
        f"The app's peak with one viewer: {served_peak:,.0f} MB, {abs(difference):,.0f} MB "
        f"{'above' if difference >= 0 else 'below'} the fresh process after “{step}”."
    )


def _acceptance_table(rows: list[dict]) -> str:
    def verdict(met):
        return "not measured" if met is None else ("**met**" if met else "**missed**")

    return _table(
        ["At the largest size", "Target", "Measured", ""],
        [[r["what"], r["target"], r["measured"], verdict(r["met"])] for r in rows],
        "lrrl",
    )


def _load_lines(results: dict) -> str:
    rows = []
    for name, load in (results.get("section_load") or {}).items():
        rows.append(
            [
                name,
                f"{load['seconds']:.0f} s",
                f"{load['cpu_busy_pct']:.0f}%",
                f"{load['load_before']:.1f} → {load['load_after']:.1f}",
            ]
        )
    return _table(["Section", "Took", "CPU busy (all processes)", "Load average (1 min)"], rows, "lrrr")


def _safe(render: Callable[[dict], str], results: dict) -> str:
    """A section's text; a section that cannot be drawn says so instead of losing the whole report."""
    try:
        return render(results)
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as error:
        return f"(This section could not be drawn from the results: {type(error).__name__}: {error}.)"


def _relative(path: str | Path) -> str:
    """A path as the repository's reader types it: relative to the repository when inside it."""
    path = Path(path)
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def _acceptance_summary(rows: list[dict], largest: int) -> str:
    measured = [row for row in rows if row["met"] is not None]
    met = sum(row["met"] for row in measured)
    unmeasured = len(rows) - len(measured)
    return (
        f"At {largest:,} arrests {met} of the {len(measured)} targets measured are met"
        + (f"; {unmeasured} not measured in this run" if unmeasured else "")
        + "."
    )


def _missed_section(rows: list[dict], results: dict) -> list[str]:
    """For each missed target: its figure against the target, then what the run's figures say."""
    missed = [row for row in rows if row["met"] is False]
    if not missed:
        return []
    parts = ["", "## Missed targets: what the figures show", ""]
    for row in missed:
        margin = f", missed by {row['margin']}" if row.get("margin") else ""
        sentences = findings.explain(row["key"], results)
        parts += [
            f"### {row['what']}",
            "",
            f"Measured {row['measured']} against the target {row['target']}{margin}.",
            "",
            *([f"- {sentence}" for sentence in sentences] or ["No further figures for it in this run."]),
            "",
        ]
    return parts


def _duration(results: dict) -> str:
    from datetime import datetime

    took = datetime.fromisoformat(results["finished_at"]) - datetime.fromisoformat(results["started_at"])
    return f"{took.total_seconds() / 60:,.0f} min"


def _rerun_section(results: dict) -> list[str]:
    plan = results.get("plan") or {}
    work = _relative(plan["work"]) if plan.get("work") else "data/bench"
    commands = [
        "make bench          # python -m bench",
        "make bench-quick    # python -m bench --quick",
        ".venv/bin/python -m bench --quick --out /tmp/bench   # the report somewhere else",
    ]
    if plan.get("load_viewers") and plan.get("load_seconds"):
        commands.append(
            f".venv/bin/python -m bench.load http://127.0.0.1:8501 --viewers {plan['load_viewers']} "
            f"--seconds {plan['load_seconds']:g}   # against any running app"
        )
    if plan.get("fault_base_size") and plan.get("fault_rows"):
        commands.append(
            f".venv/bin/python -m bench.fault {work}/demo_{plan['fault_base_size']}.duckdb "
            f"{work}/arrests_classic_{plan['fault_rows']}.csv"
        )
    loads = results.get("section_load") or {}
    busiest = max(loads.items(), key=lambda kv: kv[1]["cpu_busy_pct"], default=None)
    return [
        "## How to rerun",
        "",
        f"This run (plan “{plan.get('name', '?')}”) took {_duration(results)}.",
        "",
        "```sh",
        *commands,
        "```",
        "",
        f"Databases, test files and server logs stay in `{work}/` (not committed)."
        + (
            f" The busiest section was “{busiest[0]}”, with the CPUs {busiest[1]['cpu_busy_pct']:.0f}% busy."
            if busiest
            else ""
        ),
        "",
    ]


def markdown(results: dict, json_path: Path | None = None) -> str:
    """BENCHMARKS.md for ``results``; ``json_path``: where the same figures are written as JSON."""
    rows = acceptance(results)
    machine = results["machine"]
    largest = max(int(k) for k in results["sizes"]) if results.get("sizes") else 0
    quick = results["plan"]["name"] != "full"
    failures = results.get("section_failures") or {}
    twin = f" in `{_relative(json_path)}`" if json_path else ""
    parts = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`python -m bench`); do not edit by hand: the figures and this file are "
        f"rewritten together, with the same figures{twin}."
        + (" **Quick run: small sizes, for checking the harness only.**" if quick else ""),
        "",
        f"Run {results['started_at'].replace('T', ' ')} – {results['finished_at'][11:]} on "
        f"{machine['cpu_model']} "
        f"({machine['cpus']} CPUs), memory {machine['memory']}; {machine['os']}, Python {machine['python']}, "
        f"DuckDB {machine['duckdb']}, Streamlit {machine['streamlit']}. The load on the machine while each "
        "section ran is at the end; other busy processes at the start: "
        + (", ".join(results.get("busy_before") or []) or "none")
        + ".",
        "",
        "## Acceptance",
        "",
        _acceptance_table(rows),
        "",
        _acceptance_summary(rows, largest),
        "",
        "Server-side times run from the moment a viewer's request leaves it to the moment the server's "
        '"script finished" message arrives, over a websocket on 127.0.0.1 (the browser\'s drawing is not in '
        "them). Filter changes use random new values.",
    ]
    if failures:
        parts += [
            "",
            "**Sections that failed:** "
            + "; ".join(f"{name}: {text.splitlines()[0]}" for name, text in failures.items()),
        ]
    parts += _missed_section(rows, results)
    parts += [
        "",
        "## By database size",
        "",
        _safe(_summary_table, results),
        "",
        "## Pages served (one viewer, server side)",
        "",
        "Open = the page's first run in a session; change = a run after one filter change. Bytes: "
        "everything the server sent for the run.",
        "",
        _safe(_served_pages_table, results),
        "",
        "## Page scripts under AppTest",
        "",
        "Each page's script in-process (no server, no websocket): first run with an empty query cache, then "
        "a rerun with the period moved, in a new AppTest session, so the new period's queries run and the "
        "rest come from the cache. ⚠ marks a page that showed an error.",
        "",
        _safe(_page_scripts_table, results),
        "",
        "## Queries",
        "",
        "Every query of the `queries` package with its declared example parameters, read-only connection; "
        "cold = first run.",
        "",
        _safe(_queries_table, results),
        "",
        "## Map payload per filter scenario",
        "",
        _safe(_map_scenarios_section, results),
        "",
        f"## A real-file import as whole processes ({largest:,} rows)",
        "",
        _safe(_import_processes_section, results),
        "",
        "## Refresh from the city's service, and kill -9",
        "",
        _safe(_refresh_section, results),
        "",
        "## Naive baseline: one marker per arrest",
        "",
        _safe(_naive_table, results),
        "",
        "## Load test",
        "",
        _safe(_load_section, results),
        "",
        "## Fault test",
        "",
        _safe(_fault_section, results),
        "",
        f"## Where a rerun's time goes at {largest:,} arrests",
        "",
        _safe(_profile_section, results),
        "",
        f"## Streamlit's garbage collection after every run turned off ({largest:,} arrests)",
        "",
        _safe(_experiment_section, results),
        "",
        f"## Memory at {largest:,} arrests",
        "",
        _safe(_memory_section, results),
        "",
        "## Load on the machine during the run",
        "",
        _safe(_load_lines, results),
        "",
        *_safe_lines(_rerun_section, results),
    ]
    return "\n".join(parts)


def _safe_lines(render: Callable[[dict], list[str]], results: dict) -> list[str]:
    return _safe(lambda r: "\n".join(render(r)), results).split("\n")


def write(results: dict, markdown_path: Path, json_path: Path) -> list[dict]:
    rows = acceptance(results)
    results = {**results, "acceptance": rows}
    markdown_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    markdown_path.write_text(markdown(results, json_path))
    return rows
