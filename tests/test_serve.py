"""How `python -m ui.serve` prepares the server before the first viewer."""

import json
import subprocess
import sys

from store.connection import REPO_ROOT
from ui.serve import page_imports


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
