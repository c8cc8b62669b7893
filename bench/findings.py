"""What a run's figures say about a missed target: sentences computed from the results.

Every sentence states a measured figure or a comparison worked out from the figures (one size
against another, one setting against another, a part against the whole). None is a diagnosis
written by hand: when the code changes and the figures with it, the sentences follow; a figure
the run did not record leaves its sentence out.

    explain("first_page_new_viewer", results)
    # ['At 10,000 arrests: 0.08 s for a new viewer, 0.34 s for the first viewer after the server
    #   starts.', ..., 'The first page sends 38 kB to a new viewer.', ...]
"""

from __future__ import annotations

from collections.abc import Callable

from bench.figures import (
    FILTER_CHANGE_LIMIT_MS,
    IMPORT_PEAK_LIMIT_MB,
    IMPORT_RATIO_LIMIT,
    MAP_PAYLOAD_LIMIT_BYTES,
    PEAK_RSS_LIMIT_MB,
    get,
    largest,
    mb,
    page_titles,
    sizes,
)

PROFILED_PAGES_STATED = 3  # the slowest pages whose profile gets a sentence
LIBRARY_STATED_MB = 10.0  # libraries adding at least this much memory when imported are named
GC_OFF = "With `runner.postScriptGC` off"


def _ms(value: float) -> str:
    return f"{value:,.0f} ms"


def _mb(mib: float) -> str:
    return f"{mb(mib):,.0f} MB"


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "—"


def _times(larger: float, smaller: float) -> str:
    if not smaller:
        return "—"
    ratio = larger / smaller
    return f"{ratio:,.1f}×" if ratio < 10 else f"{ratio:,.0f}×"


def _than(value: float, other: float, show: Callable[[float], str], other_text: str) -> str:
    """'0.12 s less than the first' (or 'more than', 'the same as'): ``value`` set against ``other``."""
    if show(value) == show(other):
        return f"the same as {other_text}"
    return f"{show(abs(value - other))} {'more' if value > other else 'less'} than {other_text}"


def _smallest_and_largest(results: dict) -> tuple[tuple[int, dict], tuple[int, dict]] | None:
    """The smallest and the largest size measured, when they differ."""
    measured = sizes(results)
    return (measured[0], measured[-1]) if len(measured) > 1 else None


# --------------------------------------------------------------------------------------------- speed


def _filter_change(results: dict) -> list[str]:
    measured = sizes(results)
    if not measured:
        return []
    arrests, entry = measured[-1]
    sentences = []
    together = get(entry, "served", "filter_change_all_pages", default={})
    if together.get("n"):
        sentences.append(
            f"All pages together at {arrests:,} arrests: p50 {_ms(together['p50_ms'])}, "
            f"p95 {_ms(together['p95_ms'])}, slowest {_ms(together['max_ms'])}, over {together['n']:,} "
            "filter changes."
        )
    pair = _smallest_and_largest(results)
    small_p95 = get(pair[0][1], "served", "filter_change_all_pages", "p95_ms") if pair else None
    if small_p95 and together.get("p95_ms"):
        ratio = _times(together["p95_ms"], small_p95)
        sentences.append(
            f"At {pair[0][0]:,} arrests the p95 was {_ms(small_p95)}: {ratio} "
            f"that time for {_times(arrests, pair[0][0])} the arrests."
        )
    pages = [p for p in get(entry, "served", "pages", default={}).values() if p["filter_change"]["n"]]
    for page in sorted(pages, key=lambda p: p["filter_change"]["p95_ms"], reverse=True):
        p95 = page["filter_change"]["p95_ms"]
        if p95 > FILTER_CHANGE_LIMIT_MS:
            sentences.append(
                f"{page['page']}: p95 {_ms(p95)}, {_ms(p95 - FILTER_CHANGE_LIMIT_MS)} over the "
                f"{_ms(FILTER_CHANGE_LIMIT_MS)} target (p50 {_ms(page['filter_change']['p50_ms'])})."
            )
    sentences += slowest_steps(entry)[:PROFILED_PAGES_STATED]
    default, tuned = get(entry, "served"), get(results, "without_post_script_gc", "served")
    if default and tuned:
        before, after = default["filter_change_all_pages"], tuned["filter_change_all_pages"]
        sentences.append(
            f"{GC_OFF}, the p95 was {change(before['p95_ms'], after['p95_ms'], _ms)} and the p50 "
            f"{change(before['p50_ms'], after['p50_ms'], _ms)}."
        )
    return sentences


def slowest_steps(entry: dict) -> list[str]:
    """For each profiled page of one size, slowest first: its slowest step and the owner of most of
    its own time, against the whole profiled rerun."""
    titles = page_titles(entry)
    sentences = []
    for path, profile in get(entry, "page_scripts", "profiles", default={}).items():
        whole = profile["mean_rerun_ms_profiled"]
        if not profile["top_cumulative"] or not whole:
            continue
        step = profile["top_cumulative"][0]
        sentence = (
            f"The slowest step of the {titles.get(path, path)} page's rerun under the profiler is "
            f"`{step['function'].split(' (')[0]}`: {_ms(step['cumulative_ms_per_run'])} of "
            f"{_ms(whole)} ({_share(step['cumulative_ms_per_run'], whole)})"
        )
        owners = profile.get("own_ms_per_run_by_package") or {}
        if owners:
            owner, own = max(owners.items(), key=lambda kv: kv[1])
            sentence += f"; by owner, {owner} holds the most own time, {_ms(own)} ({_share(own, whole)})"
        sentences.append(sentence + ".")
    return sentences


def change(before: float, after: float, show: Callable[[float], str]) -> str:
    """'114 ms → 125 ms (+11 ms)': a figure before and after, and the difference."""
    sign = "+" if after >= before else "−"
    return f"{show(before)} → {show(after)} ({sign}{show(abs(after - before))})"


def _first_page(results: dict) -> list[str]:
    measured = sizes(results)
    pair = _smallest_and_largest(results)
    sentences = []
    for arrests, entry in pair or measured[-1:]:
        warm = get(entry, "served", "first_page_warm", "seconds")
        cold = get(entry, "served", "first_page_cold", "seconds")
        if warm is not None and cold is not None:
            sentences.append(
                f"At {arrests:,} arrests: {warm:.2f} s for a new viewer, {cold:.2f} s for the first viewer "
                "after the server starts."
            )
    entry = largest(results)
    sent = get(entry, "served", "first_page_warm", "bytes")
    if sent:
        sentences.append(f"The first page sends {sent / 1000:,.0f} kB to a new viewer.")
    fresh = get(entry, "page_scripts", "cold_process_first_run_ms")
    if fresh:
        sentences.append(f"A fresh process under AppTest takes {fresh / 1000:.2f} s for its first run.")
    return sentences


def _first_page_in_browser(results: dict) -> list[str]:
    measured = sizes(results)
    if not measured:
        return []
    arrests, entry = measured[-1]
    first = get(entry, "served", "first_page_in_browser", "first_visit")
    if not first:
        return []
    sentences = [
        f"In Chromium at {arrests:,} arrests the headline figures were on screen after "
        f"{first['page_shown_s']:.2f} s and the map drawn after {first['seconds']:.2f} s."
    ]
    server = get(entry, "served", "first_page_warm", "seconds")
    if server is not None:
        sentences.append(
            f"The server's part, a new viewer's first page over the websocket, was {server:.2f} s "
            f"({_share(server, first['seconds'])} of the browser's time)."
        )
    second = get(entry, "served", "first_page_in_browser", "second_visit", "seconds")
    if second is not None:
        against_first = _than(second, first["seconds"], _s, "the first")
        sentences.append(f"A second visit took {second:.2f} s, {against_first}.")
    pair = _smallest_and_largest(results)
    smaller = get(pair[0][1], "served", "first_page_in_browser", "first_visit", "seconds") if pair else None
    if smaller is not None:
        sentences.append(
            f"At {pair[0][0]:,} arrests the first visit took {smaller:.2f} s, "
            f"{_than(smaller, first['seconds'], _s, f'at {arrests:,}')}."
        )
    return sentences


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def _map_payload(results: dict) -> list[str]:
    measured = sizes(results)
    if not measured:
        return []
    arrests, entry = measured[-1]
    pages = [p for p in get(entry, "served", "pages", default={}).values() if p.get("map_payload_bytes_max")]
    sentences = []
    if pages:
        sentences.append(
            f"Largest map payload per page at {arrests:,} arrests: "
            + ", ".join(f"{p['page']} {p['map_payload_bytes_max'] / 1000:,.0f} kB" for p in pages)
            + f", against {MAP_PAYLOAD_LIMIT_BYTES / 1000:,.0f} kB."
        )
    for page in pages:
        sent = max(page.get("first_run_bytes") or 0, page.get("filter_change_bytes_max") or 0)
        if sent:
            sentences.append(
                f"The {page['page']} page's map is {_share(page['map_payload_bytes_max'], sent)} of the "
                f"{sent / 1000:,.0f} kB its largest run sent."
            )
    return sentences


# -------------------------------------------------------------------------------------------- memory


def _memory(results: dict) -> list[str]:
    measured = sizes(results)
    if not measured:
        return []
    arrests, entry = measured[-1]
    sentences = []
    memory = entry.get("memory") or {}
    steps = memory.get("rss_mb_after") or {}
    if steps:
        sentences.append(
            "A fresh process doing what the app does, resident memory step by step: "
            + ", ".join(f"{step} {_mb(value)}" for step, value in steps.items())
            + "."
        )
        before_viewers = list(steps.values())[-1]
        sentences.append(
            f"That is {_share(mb(before_viewers), PEAK_RSS_LIMIT_MB)} of the {PEAK_RSS_LIMIT_MB:,.0f} MB "
            "target before any viewer."
        )
    libraries = sorted((memory.get("library_import_mb") or {}).items(), key=lambda kv: kv[1], reverse=True)
    heavy = [(name, value) for name, value in libraries if mb(value) >= LIBRARY_STATED_MB]
    if heavy:
        sentences.append(
            f"Libraries adding {LIBRARY_STATED_MB:,.0f} MB or more when imported: "
            + ", ".join(f"{name} {_mb(value)}" for name, value in heavy)
            + "."
        )
    if memory.get("duckdb_buffers_mb") is not None and steps:
        sentences.append(
            f"DuckDB's own buffers after every query: {_mb(memory['duckdb_buffers_mb'])} of "
            f"{_mb(list(steps.values())[-1])}."
        )
    sentences += _drive_memory(entry)
    pair = _smallest_and_largest(results)
    small_peak = get(pair[0][1], "served", "peak_rss_mb") if pair else None
    peak = get(entry, "served", "peak_rss_mb")
    if small_peak and peak:
        sentences.append(
            f"Peak with one viewer at {pair[0][0]:,} arrests against {arrests:,}: "
            f"{change(small_peak, peak, _mb)} for {_times(arrests, pair[0][0])} the arrests."
        )
    tuned = get(results, "without_post_script_gc", "served", "peak_rss_mb")
    if tuned and peak:
        sentences.append(f"{GC_OFF}, the peak with one viewer was {change(peak, tuned, _mb)}.")
    return sentences


def _drive_memory(entry: dict) -> list[str]:
    """Where the server's memory rose while one viewer went through the pages."""
    start = get(entry, "served", "rss_at_start_mb")
    peak = get(entry, "served", "peak_rss_mb")
    after = [
        (page["page"], page["server_rss_mb_after"])
        for page in get(entry, "served", "pages", default={}).values()
        if page.get("server_rss_mb_after")
    ]
    if start is None or peak is None or not after:
        return []
    befores = [start, *(value for _, value in after[:-1])]
    rises = [(title, now - before) for (title, now), before in zip(after, befores, strict=True)]
    title, rise = max(rises, key=lambda kv: kv[1])
    return [
        f"With one viewer the server went from {_mb(start)} at start to a peak of {_mb(peak)}; the largest "
        f"rise, {_mb(rise)}, came with the {title} page's runs."
    ]


def _memory_under_load(results: dict) -> list[str]:
    test = results.get("load_test") or {}
    peak, one_viewer = test.get("peak_rss_mb"), get(largest(results), "served", "peak_rss_mb")
    sentences = []
    if peak and one_viewer:
        sentences.append(
            f"Peak with one viewer against {test.get('viewers', '?')} viewers in the load test: "
            f"{change(one_viewer, peak, _mb)}."
        )
    if test.get("requests") and test.get("wall_seconds"):
        sentences.append(
            f"The load test ran {test['requests']:,} script runs in {test['wall_seconds']:,.0f} s."
        )
    tuned = get(results, "without_post_script_gc", "load_test", "peak_rss_mb")
    if tuned and peak:
        sentences.append(f"{GC_OFF}, the load test's peak was {change(peak, tuned, _mb)}.")
    return sentences


# ------------------------------------------------------------------------------------ errors, faults


def _load_errors(results: dict) -> list[str]:
    test = results.get("load_test") or {}
    sentences = []
    if test.get("errors") is not None:
        of_all = f" of {test['requests']:,}" if test.get("requests") else ""
        sentences.append(f"{test['errors']:,}{of_all} script runs in the load test showed an error.")
    examples = (test.get("error_examples") or [])[:3]
    if examples:
        errors = max(len(examples), test.get("errors") or 0)
        sentences.append(f"The first {len(examples)} of the {errors:,} errors: " + "; ".join(examples) + ".")
    tracebacks = test.get("server_tracebacks") or []
    if tracebacks:
        last_lines = "; ".join(f"`{t.strip().splitlines()[-1]}`" for t in tracebacks[:3] if t.strip())
        sentences.append(f"The server logged {len(tracebacks):,} tracebacks, ending: {last_lines}.")
    return sentences


def _fault(results: dict) -> list[str]:
    test = results.get("fault_test") or {}
    sentences = [
        f"Killed {kill['moment']} after {kill['killed_after_s']:.1f} s, during "
        f"“{kill['stage_when_killed']}”: the database after reopening was {kill['state']}."
        for kill in test.get("kills") or []
        if kill.get("killed_after_s") is not None
    ]
    after = test.get("import_after_crash") or {}
    if after:
        sentences.append(
            "The import after the crash "
            + (
                "landed exactly as the reference import did."
                if after.get("matches_clean_import")
                else f"differed from the reference import: {after.get('differences')}."
            )
        )
    return sentences


def _import_stages(measured: dict) -> list[tuple[str, float]]:
    """(stage, seconds) of the import's median run, longest first."""
    stages = measured["import"].get("stages") or []
    spans = [(message, at - before) for (before, message), (at, _) in zip(stages, stages[1:], strict=False)]
    return sorted(spans, key=lambda span: -span[1])


def _import_time(results: dict) -> list[str]:
    measured = get(largest(results), "import_processes")
    if not measured:
        return []
    slowest = "; ".join(f"{stage} {seconds:.1f} s" for stage, seconds in _import_stages(measured)[:3])
    return [
        f"The whole import of {measured['rows_file']:,} rows took {measured['import']['seconds']:.1f} s "
        f"against {measured['read_csv']['seconds']:.1f} s for DuckDB loading the same file "
        f"({measured['import_to_read_csv']:.2f}×). Its longest stages: {slowest}."
    ]


def _import_memory(results: dict) -> list[str]:
    measured = get(largest(results), "import_processes")
    if not measured:
        return []
    pool = measured.get("build_memory_mb")
    held = f"held to {pool:,} MB" if pool else "bounded"
    return [
        f"The import peaked at {measured['import']['peak_mb']:,.0f} MB against "
        f"{measured['read_csv']['peak_mb']:,.0f} MB for DuckDB loading the same file into a database of "
        f"its own. While a generation builds, DuckDB's memory is {held} (LEAD_BUILD_MEMORY_MB) and the "
        "file's text and checked values spill to disk beyond it; the rest is the Python process with its "
        "libraries and DuckDB's own working memory outside that bound.",
        *_tighter_bound(measured),
    ]


def _tighter_bound(measured: dict) -> list[str]:
    """What the import measured with a lower bound says about the trade between memory and time."""
    tight = measured.get("import_tight")
    if not tight:
        return []
    ratio = measured["import_tight_to_read_csv"]
    memory_met = tight["peak_mb"] <= IMPORT_PEAK_LIMIT_MB
    time_met = ratio <= IMPORT_RATIO_LIMIT
    verdict = {
        (True, True): "both targets are met at that bound",
        (True, False): "the memory target is met at that bound and the time target is not",
        (False, True): "the time target is met at that bound and the memory target is not",
        (False, False): "neither target is met at that bound",
    }[memory_met, time_met]
    return [
        f"With LEAD_BUILD_MEMORY_MB={tight['build_memory_mb']:,} the same import peaked at "
        f"{tight['peak_mb']:,.0f} MB and took {tight['seconds']:.1f} s ({ratio:.2f}× DuckDB's load): "
        f"{verdict}."
    ]


EXPLAINERS: dict[str, Callable[[dict], list[str]]] = {
    "import_to_read_csv": _import_time,
    "import_peak_memory": _import_memory,
    "first_page_new_viewer": _first_page,
    "first_page_after_start": _first_page,
    "first_page_in_browser": _first_page_in_browser,
    "filter_change_p95": _filter_change,
    "map_payload": _map_payload,
    "peak_rss_one_viewer": _memory,
    "peak_rss_load": _memory_under_load,
    "load_errors": _load_errors,
    "fault_nothing_lost": _fault,
}


def explain(key: str, results: dict) -> list[str]:
    """The sentences the figures of ``results`` give about the target ``key`` (none when the run did
    not record them)."""
    explainer = EXPLAINERS.get(key)
    if explainer is None:
        return []
    try:
        return explainer(results)
    except (KeyError, TypeError, ValueError, IndexError, ZeroDivisionError) as error:
        return [f"The figures for this target could not be read from the results: {type(error).__name__}."]
