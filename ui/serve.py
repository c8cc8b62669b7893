"""Start the app: ``python -m ui.serve [streamlit options]`` (what ``make run`` calls).

Streamlit treats a ``pages/`` folder next to the entry script as old-style auto-discovered pages until
some session has called ``st.navigation``. On a freshly started server, a deep link such as
``/referrals`` would then run the page file on its own — without ``app.py``'s sidebar, banner and
navigation. Declaring up front that this app navigates with ``st.navigation`` closes that gap.

It also imports what the pages import before the first viewer arrives and then freezes those objects
out of the garbage collector's reach (``gc.freeze``). Streamlit runs a full collection after every
script run; without the freeze each one walks every object pandas, pyarrow, plotly and folium
created at import, which cost tens of milliseconds per rerun (see BENCHMARKS.md).

And it caps glibc's malloc arenas: Streamlit gives every viewer's script its own thread, and by
default glibc gives busy threads arenas of their own, each keeping freed memory for itself; with a
room full of viewers that alone took the app past 400 MB (BENCHMARKS.md, load test).
"""

from __future__ import annotations

import ast
import ctypes
import gc
import importlib
import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parent.parent / "app.py"
PAGES = APP.parent / "pages"


MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)


def cap_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Limit glibc's malloc arenas for threads started from now on; False where libc is not glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    return bool(libc.mallopt(_M_ARENA_MAX, arenas))


def page_imports() -> list[str]:
    """The modules app.py and the pages import at their top level, in a stable order."""
    names: set[str] = set()
    for script in (APP, *sorted(PAGES.glob("*.py"))):
        for node in ast.parse(script.read_text()).body:
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
    names.discard("__future__")
    return sorted(names)


def preload_and_freeze() -> list[str]:
    """Import what the pages need, then move every object alive now into the collector's permanent
    generation. Returns the modules that could not be imported (the page that needs one reports it)."""
    failed = []
    for name in page_imports():
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the page will show the problem in words when it runs
            failed.append(name)
    gc.collect()
    gc.freeze()
    return failed


def use_navigation_only() -> None:
    """Tell Streamlit the ``pages/`` folder is not an auto-discovered page directory."""
    PagesManager.uses_pages_directory = False


def main(argv: list[str] | None = None) -> None:
    use_navigation_only()
    cap_malloc_arenas()
    preload_and_freeze()
    cli.main(["run", str(APP), *(sys.argv[1:] if argv is None else argv)], prog_name="streamlit")


if __name__ == "__main__":
    main()
