"""How `python -m ui.serve` prepares the server before the first viewer."""

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from unittest import mock

import pytest

from store.connection import REPO_ROOT
from ui import chrome
from ui.serve import cap_malloc_arenas, page_imports


def test_page_imports_are_what_app_and_pages_import():
    names = page_imports()
    assert {"streamlit", "ui.data", "geo.maps", "planning.projection"} <= set(names)
    assert "__future__" not in names
    assert names == sorted(names)


def test_preload_imports_every_page_dependency_and_freezes_it():
    """Run in a fresh interpreter: a page that imports a missing module is named, and the objects
    created by the imports are out of the collector's reach afterwards."""
    script = (
        "import gc, json\n"
        "from ui.serve import preload_and_freeze\n"
        "before = gc.get_freeze_count()\n"
        "failed = preload_and_freeze()\n"
        "print(json.dumps([failed, before, gc.get_freeze_count(), gc.collect()]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    failed, before, frozen, collected = json.loads(done.stdout.splitlines()[-1])
    assert failed == []
    assert before == 0 and frozen > 50_000
    assert collected < 1_000  # a full collection now finds little to walk or free


def test_malloc_arenas_are_capped_on_glibc():
    if not Path("/lib/x86_64-linux-gnu/libc.so.6").exists() and not Path("/usr/lib/libc.so.6").exists():
        pytest.skip("not a glibc system: the cap does not apply")
    assert cap_malloc_arenas() is True


def test_at_most_two_pages_run_at_once_and_a_failed_page_frees_its_turn():
    running, most = 0, 0
    lock = threading.Lock()

    class SlowPage:
        title = "slow"

        def __init__(self, fail: bool = False):
            self.fail = fail

        def run(self):
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.05)
            with lock:
                running -= 1
            if self.fail:
                raise RuntimeError("boom")

    with mock.patch.object(chrome.st, "error"):
        pages = [SlowPage(fail=index % 3 == 0) for index in range(8)]
        threads = [threading.Thread(target=chrome.run_page_safely, args=(page,)) for page in pages]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    assert most == chrome.CONCURRENT_PAGE_RUNS == 2
    assert chrome._page_runs.acquire(blocking=False) and chrome._page_runs.acquire(blocking=False)
    chrome._page_runs.release()
    chrome._page_runs.release()
