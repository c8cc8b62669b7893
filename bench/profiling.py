"""Where a page's script spends its time: cProfile around every script run, in the script's thread.

Streamlit runs a page in its own thread, which a ``cProfile`` started in the calling thread does
not see (and an in-process stack sampler only gets to look when the GIL changes hands, which skews
it towards system calls). So the profiler is switched on inside the script thread, around the call
that executes the script, and off again when the run ends; the statistics add up over every run.

    with profiled_script_runs() as profiler:
        at.run()
    print(summarise(profiler, runs=1))
"""

from __future__ import annotations

import cProfile
import pstats
from contextlib import contextmanager
from pathlib import Path

from streamlit.runtime.scriptrunner import script_runner

from store.connection import REPO_ROOT

# Frames left out of the cumulative list: those that wrap the whole run (the script runner, exec,
# page.run), and Streamlit's caching and context plumbing, which wraps whatever it caches (the
# cached function under it is listed instead).
WRAPPERS = (
    "exec_func_with_error_handling", "code_to_exec", "<module>", "_mpa_v1", "run_page_safely", "run",
    "<built-in method builtins.exec>", "__call__", "_get_or_create_cached_value", "_handle_cache_miss",
    "wrapped_func", "_cached_result", "<built-in method builtins.next>", "__exit__", "__enter__",
)  # fmt: skip


@contextmanager
def profiled_script_runs():
    """Profile every script run started inside the block; yields the ``cProfile.Profile``."""
    profiler = cProfile.Profile()
    original = script_runner.exec_func_with_error_handling

    def profiled(func, ctx):
        profiler.enable()
        try:
            return original(func, ctx)
        finally:
            profiler.disable()

    script_runner.exec_func_with_error_handling = profiled
    try:
        yield profiler
    finally:
        script_runner.exec_func_with_error_handling = original


def _in_repository(filename: str) -> Path | None:
    """The path of a file of this repository, relative to its root (None for anything else)."""
    path = Path(filename)
    return path.relative_to(REPO_ROOT) if path.is_absolute() and path.is_relative_to(REPO_ROOT) else None


def _where(filename: str) -> str:
    parts = Path(filename).parts
    if "site-packages" in parts:
        return "/".join(parts[parts.index("site-packages") + 1 :][:2])
    mine = _in_repository(filename)
    return str(mine) if mine is not None else Path(filename).name


def _package(filename: str, name: str) -> str:
    """Who owns a function's own time: a library, a folder of this repository, or a C built-in."""
    if filename == "~":  # C functions: DuckDB's and compile() named, the rest together
        if "_duckdb" in name:
            return "duckdb (C)"
        if "builtins.compile" in name:
            return "compile() (C)"
        return "other built-ins (C)"
    parts = Path(filename).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].split(".")[0]
    mine = _in_repository(filename)
    if mine is not None:  # a folder of the repository, or a file at its root (app.py)
        return f"{mine.parts[0]}/ (this repository)" if len(mine.parts) > 1 else "this repository"
    return "python standard library"


def summarise(profiler: cProfile.Profile, runs: int, top: int = 20) -> dict:
    """The functions with the largest cumulative and own time, in milliseconds per run."""
    stats = pstats.Stats(profiler)
    rows = []
    by_package: dict[str, float] = {}
    for (filename, line, name), (_, calls, own, cumulative, _) in stats.stats.items():
        package = _package(filename, name)
        by_package[package] = by_package.get(package, 0.0) + own
        rows.append(
            {
                "function": f"{name} ({_where(filename)}:{line})",
                "name": name,
                "calls_per_run": round(calls / runs, 1),
                "own_ms_per_run": round(1000 * own / runs, 1),
                "cumulative_ms_per_run": round(1000 * cumulative / runs, 1),
            }
        )
    total_ms = round(1000 * stats.total_tt / runs, 1)
    by_cumulative = sorted(
        (r for r in rows if r["name"] not in WRAPPERS), key=lambda r: r["cumulative_ms_per_run"], reverse=True
    )
    by_own = sorted(rows, key=lambda r: r["own_ms_per_run"], reverse=True)
    strip = lambda r: {k: v for k, v in r.items() if k != "name"}  # noqa: E731
    return {
        "profiled_ms_per_run": total_ms,
        "top_cumulative": [strip(r) for r in by_cumulative[:top]],
        "top_own": [strip(r) for r in by_own[:top]],
        # Own time summed by owner: adds up to the whole run, so it says where the time goes.
        "own_ms_per_run_by_package": {
            package: round(1000 * seconds / runs, 1)
            for package, seconds in sorted(by_package.items(), key=lambda kv: kv[1], reverse=True)
        },
    }
