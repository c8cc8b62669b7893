"""Imports point down only: pages → ui → screens / geo / planning / queries / ingest → store → domain.

Every import in a module counts, including one inside a function, so a rule cannot be dodged by
importing late.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Package -> the first-party packages it must never import.
FORBIDDEN = {
    "domain": {"ui", "pages", "geo", "planning", "queries", "store", "ingest", "screens", "streamlit", "app"},
    "store": {"ui", "pages", "geo", "planning", "queries", "ingest", "screens", "streamlit", "app"},
    "queries": {"ui", "pages", "geo", "planning", "ingest", "screens", "streamlit", "app"},
    "geo": {"ui", "pages", "screens", "app"},
    "planning": {"ui", "pages", "screens", "app"},
    "impact": {"ui", "pages", "screens", "geo", "planning", "queries", "store", "ingest", "streamlit", "app"},
    "ingest": {"ui", "pages", "screens", "app"},
    "screens": {"ui", "pages", "streamlit", "app"},
    "ui": {"pages", "app"},
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) for every import statement in a file, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def violations(package: str) -> list[str]:
    banned = FORBIDDEN[package]
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, module in imported_modules(path):
            if module.split(".")[0] in banned:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return bad


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_down(package):
    if not (ROOT / package).is_dir():
        pytest.skip(f"no {package}/ package in this checkout")
    assert violations(package) == []


def test_the_check_sees_a_late_import(tmp_path, monkeypatch):
    """The scan catches an upward import hidden inside a function, and a `from ui import module`."""
    package = tmp_path / "geo"
    package.mkdir()
    (package / "sneaky.py").write_text(
        "def f():\n    import ui.charts\n    from ui import tables\n    return ui, tables\n", encoding="utf-8"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert violations("geo") == ["geo/sneaky.py:2 imports ui.charts", "geo/sneaky.py:3 imports ui"]
