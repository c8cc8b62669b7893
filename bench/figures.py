"""Reading one run's results dictionary (a figure by its path, the sizes in order, MiB as MB), and
the acceptance limits the figures are judged against.

The harness records memory in MiB (what /proc and the allocator speak); the report states it in
decimal MB, like every other size, so a limit is never met by a change of unit.
"""

from __future__ import annotations

FIRST_PAGE_LIMIT_S = 2.0
FILTER_CHANGE_LIMIT_MS = 150.0
MAP_PAYLOAD_LIMIT_BYTES = 500_000
PEAK_RSS_LIMIT_MB = 400.0
# issue #14: a real-file import as a whole process, against DuckDB loading the same file
IMPORT_RATIO_LIMIT = 3.0
IMPORT_PEAK_LIMIT_MB = 400.0
REPLACE_SYNTHETIC_LIMIT_S = 2.0

MIB = 2**20 / 1e6  # MB in one MiB


def get(data, *path, default=None):
    """``data[path[0]][path[1]]...``, or ``default`` where a step is missing or None."""
    for key in path:
        if not isinstance(data, dict) or data.get(key) is None:
            return default
        data = data[key]
    return data


def sizes(results: dict) -> list[tuple[int, dict]]:
    """(arrests, that size's entry) for every database size measured, smallest first."""
    return sorted(((int(k), v) for k, v in (results.get("sizes") or {}).items()), key=lambda kv: kv[0])


def largest(results: dict) -> dict:
    """The entry of the largest database size measured ({} when none was)."""
    measured = sizes(results)
    return measured[-1][1] if measured else {}


def mb(mib: float | None) -> float | None:
    return None if mib is None else mib * MIB


def page_titles(entry: dict) -> dict[str, str]:
    """Page script path -> the page's title, from the AppTest timings of one size."""
    pages = get(entry, "page_scripts", "pages", default={})
    return {page["script"]: title for title, page in pages.items() if page.get("script")}
