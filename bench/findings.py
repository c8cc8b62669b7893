"""Why a target is missed and what would fix it, written from the figures of the run.

The numbers come from the results (profiles, the memory breakdown, the ``runner.postScriptGC``
comparison); the diagnosis of each known hot spot, and the fix it calls for, is written down here
once, from reading the code the profiles point at. A hot spot is only reported while the profile
still finds it: when its owner fixes it, it leaves the report by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 2**20 / 1e6  # the harness records MiB; the report speaks decimal MB
LIMIT_MB = 400.0


@dataclass(frozen=True)
class Hotspot:
    pattern: str  # how the function's label in a profile starts
    owner: str  # the file to change (owned by another engineer: described, not edited)
    why: str
    fix: str


HOTSPOTS = (
    Hotspot(
        "mask_small (ui/privacy.py",
        "ui/privacy.py",
        "small-count masking works cell by cell in Python: `values.apply(lambda col: col.map(is_small))`, "
        "then a loop over rows with `drop`/`idxmin` per row. `mask_small_in_column` first turns the column "
        "into a one-row frame with one column per area (287 for the ranking), so that loop runs per area; "
        "the Expansion planner masks the same ranking twice per run (`ranking_table` and "
        "`map_neighbourhoods` in planning/tables.py).",
        "vectorise: `small = values.gt(0) & values.lt(5)`; for rows with exactly one small count, hide the "
        "smallest other positive count, found for all rows at once with "
        "`values.where(~small & values.gt(0)).idxmin(axis=1)`; give `mask_small_in_column` its own Series "
        "version instead of transposing. The same rule in a few pandas calls instead of hundreds (a test "
        "comparing old and new on random frames would pin it). In planning/tables.py, mask the ranking "
        "once and reuse it for the map.",
    ),
    Hotspot(
        "query (ui/data.py",
        "queries/",
        "each filter change runs the page's arrest queries for the new period: scans of the arrests, "
        "grouped by area and month, 5–50 ms each at 1,000,000 arrests for a period of one to eleven "
        "years. `lead_category` and the assigned districts are ENUMs (about twice as fast as text); "
        "`nsa` is still text. Rewriting the arrests sorted by (eligible, date) so DuckDB's zone maps "
        "skip the rest saved about 1 ms a query and was not kept; running a page's queries side by side "
        "in threads was slower on two cores.",
        "store `nsa` as an ENUM too (its values are the shipped NSAs' names; on a copy, a further "
        "10–20 %), or keep a monthly roll-up of eligible arrests per area for whole months and read only "
        "the partial months at the period's ends from the arrests.",
    ),
    Hotspot(
        "_figure (ui/charts.py",
        "ui/charts.py and pages/referrals.py",
        "every chart is a plotly figure validated by plotly when it is built, then copied and serialised "
        "by `st.plotly_chart`: about 4.4 ms a chart (`go.Figure` with the house style, `to_dict`, "
        "`to_json`), eight charts on the Referrals page. Writing the default template's values into each "
        "figure instead of letting plotly copy the template saved 0.3 ms a chart and was not kept.",
        "fewer charts drawn per run: the Referrals page could show its sections in tabs or lazy "
        "expanders (as its data tables already are) so a filter change draws only what is open.",
    ),
    Hotspot(
        "referral_figures (ui/referral_figures.py",
        "ui/privacy.py",
        "the public view's small-count protection solves every table of the page together (interval "
        "propagation over all the sums, now in numpy over every line at once; lines found through an "
        "index), then a masked copy of each table, plus building the tables themselves from the query "
        "results: 5–8 ms outside the profiler on areas with referrals, where it was 30 ms.",
        "what is left is mostly pandas frame building per table; building the page's tables from the "
        "query results as plain arrays would take most of it. tests/test_privacy.py pins the behaviour.",
    ),
)


def _get(data, *path, default=None):
    for key in path:
        if not isinstance(data, dict) or data.get(key) is None:
            return default
        data = data[key]
    return data


def _sizes(results: dict) -> list[tuple[int, dict]]:
    return sorted(((int(k), v) for k, v in (results.get("sizes") or {}).items()), key=lambda kv: kv[0])


def hotspots_found(results: dict) -> list[tuple[Hotspot, dict[str, float]]]:
    """Known hot spots the profiles of the largest size still show: {page script: ms per rerun}."""
    sizes = _sizes(results)
    profiles = _get(sizes[-1][1], "page_scripts", "profiles", default={}) if sizes else {}
    found = []
    for hotspot in HOTSPOTS:
        where = {}
        for page, profile in profiles.items():
            row = next(
                (r for r in profile["top_cumulative"] if r["function"].startswith(hotspot.pattern)), None
            )
            if row and row["cumulative_ms_per_run"] >= 10:
                where[page] = row["cumulative_ms_per_run"]
        if where:
            found.append((hotspot, where))
    return found


def _hotspot_lines(results: dict) -> list[str]:
    lines = []
    for hotspot, where in hotspots_found(results):
        pages = ", ".join(f"{page.removeprefix('pages/')} {ms:,.0f} ms" for page, ms in where.items())
        lines.append(f"- **{hotspot.pattern.split(' (')[0]}** ({pages} per rerun, profiled): {hotspot.why} ")
        lines.append(f"  *Fix ({hotspot.owner}):* {hotspot.fix}")
    return lines


def _gc_comparison(results: dict) -> str | None:
    tuned = _get(results, "without_post_script_gc", "served")
    sizes = _sizes(results)
    default = _get(sizes[-1][1], "served") if sizes else None
    if not tuned or not default:
        return None
    before, after = default["filter_change_all_pages"], tuned["filter_change_all_pages"]
    per_page = ", ".join(
        f"{page['page']} {page['filter_change']['p50_ms']:,.0f} → "
        f"{_get(tuned, 'pages', path, 'filter_change', 'p50_ms', default=0):,.0f} ms"
        for path, page in default["pages"].items()
        if page["filter_change"]["n"]
    )
    load_before = _get(results, "load_test", "peak_rss_mb")
    load_after = _get(results, "without_post_script_gc", "load_test", "peak_rss_mb")
    memory_cost = (
        f"peak memory {default['peak_rss_mb'] * MIB:,.0f} → {tuned['peak_rss_mb'] * MIB:,.0f} MB with one "
        "viewer"
        + (
            f", {load_before * MIB:,.0f} → {load_after * MIB:,.0f} MB in the load test"
            if load_before and load_after
            else ""
        )
    )
    return (
        "Streamlit runs a full garbage collection (`gc.collect(2)`) after every script run "
        "(`runner.postScriptGC`, on by default). A one-off py-spy recording of the running server "
        "(py-spy 0.4.3, not part of `make bench`) put about half of the samples of an Overview rerun "
        "with cached queries inside it: with pandas, pyarrow and DuckDB loaded, every collection walked "
        "a large heap, until `ui.serve` froze the imported objects out of its reach (`gc.freeze`). "
        "The same drive with `--runner.postScriptGC false`: filter change "
        f"p50 {before['p50_ms']:,.0f} → {after['p50_ms']:,.0f} ms, p95 {before['p95_ms']:,.0f} → "
        f"{after['p95_ms']:,.0f} ms (p50 by page: {per_page}); {memory_cost}. "
        "With the imported objects frozen the collection is cheap, so turning it off no longer buys speed "
        "and lets garbage wait for Python's own collector (more memory under load): it stays on."
    )


def _filter_change(results: dict) -> str:
    sizes = _sizes(results)
    smallest, largest = sizes[0], sizes[-1]
    slow = sorted(
        (p for p in _get(largest[1], "served", "pages", default={}).values() if p["filter_change"]["n"]),
        key=lambda p: p["filter_change"]["p95_ms"],
        reverse=True,
    )
    by_page = "; ".join(
        f"{p['page']} p95 {p['filter_change']['p95_ms']:,.0f} ms at {largest[0]:,} arrests, "
        f"{_get(smallest[1], 'served', 'pages', path, 'filter_change', 'p95_ms', default=0):,.0f} ms at "
        f"{smallest[0]:,}"
        for path, p in ((_path_of(largest[1], p["page"]), p) for p in slow[:3])
    )
    small_p50 = _get(smallest[1], "served", "filter_change_all_pages", "p50_ms")
    large_p50 = _get(largest[1], "served", "filter_change_all_pages", "p50_ms")
    parts = [
        f"Slowest pages: {by_page}. All pages together, the median filter change takes {small_p50:,.0f} ms "
        f"at {smallest[0]:,} arrests and {large_p50:,.0f} ms at {largest[0]:,}: the time is split between "
        "the arrest scans of the new period in DuckDB and Python drawing the page (charts, maps, tables, "
        "Streamlit's own work). The profiles (section *Where a rerun's time goes*: cProfile in the "
        "script thread, milliseconds per rerun) show where:",
        "",
        *_hotspot_lines(results),
    ]
    gc = _gc_comparison(results)
    if gc:
        parts += ["", gc]
    return "\n".join(parts)


def _path_of(entry: dict, title: str) -> str:
    return next(
        (path for path, p in _get(entry, "served", "pages", default={}).items() if p["page"] == title), ""
    )


def _memory(results: dict) -> str:
    sizes = _sizes(results)
    largest = sizes[-1][1]
    memory = largest.get("memory") or {}
    steps = memory.get("rss_mb_after") or {}
    libraries = memory.get("library_import_mb") or {}
    heavy = ", ".join(f"{name} {mb * MIB:,.0f} MB" for name, mb in libraries.items() if mb >= 10)
    smallest_peak = _get(sizes[0][1], "served", "peak_rss_mb")
    opened = steps.get("database opened")
    queried = steps.get("every query run once")
    lines = [
        f"Before any viewer arrives the app's stack already holds about {opened * MIB:,.0f} MB: Python and "
        f"Streamlit, then the libraries the pages import ({heavy}), then the DuckDB file with the spatial "
        f"extension (the memory table below). Running every query once at {sizes[-1][0]:,} arrests brings "
        f"it to {queried * MIB:,.0f} MB (DuckDB's own buffers are only "
        f"{memory.get('duckdb_buffers_mb', 0) * MIB:,.0f} MB of that; the rest is query results turned "
        "into pandas frames and the allocator keeping freed memory). " + _floor_sentence(sizes, smallest_peak)
        if opened and queried and smallest_peak
        else "The memory breakdown was not measured in this run.",
        "",
        "What would bring it down (each measured or estimated here, none enough on its own):",
        "- Keep `runner.postScriptGC` on if memory is the priority: turning it off raised the peak "
        "(see the comparison above).",
        "- DuckDB settings in `store/connection.py` (`SET threads = 1`, `SET memory_limit = '64MB'` for the "
        "app's read connection): about 10 MB less after every query, measured in a separate process.",
        "- The query cache in `ui/data.py` (128 results, 1 h) and the rendered maps in `ui/maps.py` (32, "
        "1 h) are bounded; smaller bounds trade memory for repeated work under many viewers.",
        "- `MALLOC_ARENA_MAX=2` (fewer glibc arenas for Streamlit's many threads) was tried: no gain.",
        "",
        "If the target matters more than the stack, it needs a decision from the lead: the floor is set by "
        "pandas + pyarrow (required by Streamlit) and DuckDB with spatial, which together already take "
        "most of 400 MB.",
    ]
    return "\n".join(lines)


def _floor_sentence(sizes: list[tuple[int, dict]], smallest_peak: float) -> str:
    smallest_mb, largest_mb = (
        smallest_peak * MIB,
        _get(sizes[-1][1], "served", "peak_rss_mb", default=0) * MIB,
    )
    if smallest_mb >= LIMIT_MB:
        return (
            f"With the smallest database ({sizes[0][0]:,} arrests) the app already peaks at "
            f"{smallest_mb:,.0f} MB: "
            "the target is below this stack's floor once a viewer has been through the pages, whatever the "
            "data."
        )
    return (
        f"With the smallest database ({sizes[0][0]:,} arrests) the app peaks at {smallest_mb:,.0f} MB, just "
        "under "
        f"the target: the stack alone nearly fills it, and what {sizes[-1][0]:,} arrests add (query results, "
        f"DuckDB's buffers) takes the peak {largest_mb - smallest_mb:,.0f} MB higher."
    )


def _first_page(results: dict) -> str:
    cold = _get(_sizes(results)[-1][1], "page_scripts", "cold_process_first_run_ms")
    return (
        "The first viewer after a restart waits for the database's first reads and the first rendering "
        "of each map; `python -m ui.serve` imports the pages' libraries before the server accepts "
        f"anyone (a fresh process under AppTest, which does not, takes {cold / 1000:.1f} s for its first "
        "run)."
        if cold
        else "No profile of the cold start in this run."
    )


def _first_page_in_browser(results: dict) -> str:
    served = _get(_sizes(results)[-1][1], "served", default={})
    visit = _get(served, "first_page_in_browser", "first_visit", default={})
    server = _get(served, "first_page_warm", "seconds")
    if not visit or server is None:
        return "No browser measurement in this run."
    return (
        f"In Chromium, the headline figures are on screen after {visit['page_shown_s']:.2f} s and "
        f"the map picture with the pilot zone after {visit['seconds']:.2f} s; "
        f"the server's part is {server:.2f} s (a new viewer, server side). The map is an SVG image "
        "that comes with the page (no map library, no frame, no further request), so nearly all of the "
        "time is the browser on the same two shared cores with software rendering, loading and running "
        "Streamlit's own scripts (several MB of JavaScript) before the page's first message. The "
        "same time at 10,000 arrests shows it does not depend on the data. What would cut it: a lighter "
        "front end than Streamlit's for the first page, or a machine with more cores and a GPU; a laptop "
        "at a hearing is faster than this virtual machine."
    )


def _load_errors(results: dict) -> str:
    examples = _get(results, "load_test", "error_examples", default=[])
    tracebacks = _get(results, "load_test", "server_tracebacks", default=[])
    return "\n".join(
        ["Errors seen by viewers (first ones):", *[f"- {e}" for e in examples]]
        + (["", "Server log:", "```", *tracebacks[:2], "```"] if tracebacks else [])
    )


def _fault(results: dict) -> str:
    kills = _get(results, "fault_test", "kills", default=[])
    after = _get(results, "fault_test", "import_after_crash", default={})
    lines = [f"- {k['moment']}: {k['state']}" for k in kills]
    if not after.get("matches_clean_import"):
        lines.append(f"- import after the crash: {after.get('differences')}")
    return "\n".join(
        ["The database was not left whole:", *lines, "", "This is the importer's (ingest/) to fix."]
    )


EXPLAINERS = {
    "filter_change_p95": _filter_change,
    "peak_rss_one_viewer": _memory,
    "peak_rss_load": lambda results: (
        "Same causes as with one viewer, plus a Streamlit session per viewer, "
        "up to twenty script runs' working memory at once, and the query cache (up to 512 results) filling "
        "with every new period the viewers pick."
    ),
    "first_page_new_viewer": _first_page,
    "first_page_after_start": _first_page,
    "first_page_in_browser": _first_page_in_browser,
    "load_errors": _load_errors,
    "fault_nothing_lost": _fault,
    "map_payload": lambda results: (
        "The Map page's payload is the folium map's HTML and script sent to the "
        "browser; see the map engineer's bench/map_payload.py for its parts."
    ),
}


def explain(key: str, results: dict) -> str:
    """The diagnosis for a missed target (markdown)."""
    explainer = EXPLAINERS.get(key)
    if explainer is None:
        return "No diagnosis written for this target."
    try:
        return explainer(results)
    except (KeyError, TypeError, ValueError, IndexError) as error:
        return f"(The diagnosis could not be drawn from this run's results: {type(error).__name__}: {error}.)"
