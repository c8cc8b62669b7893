"""The headline figures' one definition (domain/figures.py): formula, rounding, hide rule, words."""

import ast
import math
from pathlib import Path

import pandas as pd
import pytest

from domain import figures
from domain.privacy import SUPPRESSED_TEXT


@pytest.mark.parametrize(
    ("referrals", "arrests", "expected"),
    [(3, 8, 37.5), (1, 16, 6.3), (1, 3, 33.3), (2, 3, 66.7), (0, 7, 0.0), (375, 100, 375.0)],
)
def test_ratio_is_per_100_and_rounds_half_up_to_one_decimal(referrals, arrests, expected):
    assert figures.referrals_per_100(referrals, arrests) == expected


@pytest.mark.parametrize("arrests", [0, None, math.nan])
def test_no_ratio_without_arrests_to_divide_by(arrests):
    assert figures.referrals_per_100(4, arrests) is None
    assert figures.referrals_per_100_text(4, arrests, public=False) == figures.NO_VALUE


def test_the_column_version_agrees_with_the_scalar_one():
    referrals = pd.Series([3, 1, 5, None], index=[10, 11, 12, 13])
    arrests = pd.Series([8, 16, 0, 9], index=[10, 11, 12, 13])
    column = figures.referrals_per_100_column(referrals, arrests)
    assert list(column.index) == [10, 11, 12, 13]
    assert column.iloc[:2].tolist() == [37.5, 6.3]
    assert column.iloc[2:].isna().all()


def test_hide_rule_small_or_withheld_counts_in_public_only():
    assert figures.ratio_is_hidden(3, 100, public=True)
    assert figures.ratio_is_hidden(100, 4, public=True)
    assert not figures.ratio_is_hidden(3, 100, public=False)
    assert not figures.ratio_is_hidden(10, 100, public=True)
    assert figures.ratio_is_hidden(10, 100, public=True, withheld=True)
    assert not figures.ratio_is_hidden(10, 100, public=False, withheld=True)
    assert figures.ratio_is_hidden(0, 4, public=True)  # arrests 1-4 are hidden even with no referral


def test_the_hidden_text_follows_the_threshold_text():
    assert SUPPRESSED_TEXT in figures.RATIO_HIDDEN_TEXT
    assert figures.referrals_per_100_text(3, 100, public=True) == figures.RATIO_HIDDEN_TEXT
    assert figures.referrals_per_100_text(10, 100, public=True, withheld=True) == figures.RATIO_HIDDEN_TEXT
    assert figures.referrals_per_100_text(3, 100, public=False) == "3.0"


def test_counts_are_written_through_the_disclosure_rule():
    assert figures.count_text("referrals", 3, public=True) == SUPPRESSED_TEXT
    assert figures.count_text("referrals", 1234, public=True) == "1,234"
    assert figures.count_text("referrals", 3, public=False) == "3"
    with pytest.raises(KeyError):
        figures.count_text("diversion_ratio", 3, public=True)


def test_every_figure_has_one_distinct_label():
    labels = [figure.label for figure in figures.FIGURES.values()]
    assert len(set(labels)) == len(labels)
    assert figures.FIGURES["referrals_per_100"].label == "Referrals per 100 eligible arrests"


def _string_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string literal of a module except docstrings (which may quote what a page shows)."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_the_small_count_words_have_one_source():
    """No module writes "fewer than 5" (or any "fewer than") itself: the words come from domain/privacy.py,
    derived from the threshold, so changing the threshold changes every page."""
    root = Path(__file__).resolve().parent.parent
    home = root / "domain" / "privacy.py"
    found = []
    for folder in ("app.py", "domain", "screens", "ui", "geo", "planning", "pages", "queries", "ingest"):
        for path in sorted((root / folder).rglob("*.py")) if (root / folder).is_dir() else [root / folder]:
            if path == home:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found += [
                f"{path.relative_to(root)}:{line}"
                for line, text in _string_literals(tree)
                if "fewer than" in text.lower()
            ]
    assert found == []
