"""Small-count suppression for public views: one place for the rule.

Counts from 1 to 4 are shown as "fewer than 5" in public mode; zero stays zero (nothing to protect).
Hiding a small count is not enough when a total is shown on the same page: total minus the counts still
shown would give it back. So every sum a page shows (a row total, a column total, a headline that a
breakdown adds up to) is declared as a *line* (parts that add up to a total), and in every line either no
part is hidden, or the hidden parts are at least two and cannot be worked out from the total:

* one hidden part alone is revealed by subtraction, so the smallest non-zero part still shown is hidden
  too (complementary suppression);
* the hidden parts' sum (total minus what is shown) must not itself be a small count, nor pin every hidden
  part down (two small parts summing to 8 are both 4);
* a hidden total with every part shown is a sum anyone can do, so a part goes too.

The rule is applied until every line holds (hiding only ever adds cells, so it ends). ``Disclosure``
solves it for the named counts of a whole page; ``protect`` and ``mask_small_in_column`` apply it to one
table.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from domain.program import SMALL_COUNT_THRESHOLD

SUPPRESSED_TEXT = f"fewer than {SMALL_COUNT_THRESHOLD}"
# A count of 5 or more hidden only so that a small one cannot be worked out: "fewer than 5" would be false.
COMPLEMENT_TEXT = "withheld"
COMPLEMENT_NOTE = (
    f"“{COMPLEMENT_TEXT}”: a count of {SMALL_COUNT_THRESHOLD} or more left out so that one of "
    f"{SUPPRESSED_TEXT} cannot be worked out by subtraction from a total."
)
_LARGEST_SMALL = SMALL_COUNT_THRESHOLD - 1
_COMPLEMENTS = "lead_withheld"  # DataFrame.attrs key: {column: {row index labels withheld}}


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def is_small(value) -> bool:
    """True for a count that must not be shown publicly (1 to threshold-1)."""
    if _missing(value):  # None, NaN and pandas' NA: no count, nothing to hide
        return False
    return 0 < int(value) < SMALL_COUNT_THRESHOLD


def hidden_label(attrs: dict, column, index) -> str:
    """How a hidden cell of a masked table reads: "withheld" for a complement, else "fewer than 5".

    ``attrs`` are the masked frame's (or one of its columns') ``.attrs``, which pandas carries along.
    """
    return COMPLEMENT_TEXT if index in attrs.get(_COMPLEMENTS, {}).get(column, ()) else SUPPRESSED_TEXT


def count_texts(values: pd.Series) -> list[str]:
    """A masked count column as text: '1,234', or how its hidden cells read (see ``hidden_label``)."""
    return [
        hidden_label(values.attrs, values.name, index) if _missing(value) else f"{int(value):,}"
        for index, value in values.items()
    ]


def has_withheld(frame: pd.DataFrame) -> bool:
    """Whether a masked table holds complements ("withheld" cells), which a caption should explain."""
    return any(frame.attrs.get(_COMPLEMENTS, {}).values())


def public_count(value, public: bool = True) -> str:
    """A count as text, with small counts replaced in public views."""
    if _missing(value):
        return "—"
    if public and is_small(value):
        return SUPPRESSED_TEXT
    return f"{int(value):,}"


# The rule ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    parts: np.ndarray  # indices of the cells that add up to the total
    total: int | None  # index of the total's cell; None: the total is shown elsewhere on the page


def _line_is_safe(values: np.ndarray, hidden: np.ndarray, line: _Line) -> bool:
    hidden_parts = line.parts[hidden[line.parts]]
    if line.total is not None and hidden[line.total]:
        # total and parts both unknown: safe unless every part is shown (then the total is their sum)
        return hidden_parts.size > 0 or values[line.total] == 0
    if hidden_parts.size == 0:
        return True
    if hidden_parts.size == 1:
        return False
    hidden_sum = values[hidden_parts].sum()
    if hidden_sum < SMALL_COUNT_THRESHOLD:
        return False
    all_small = bool(((values[hidden_parts] > 0) & (values[hidden_parts] <= _LARGEST_SMALL)).all())
    # every hidden part small and their sum at an extreme (all ones, all fours): each is known
    return not (all_small and hidden_sum in (hidden_parts.size, _LARGEST_SMALL * hidden_parts.size))


def _hide_one_more(values: np.ndarray, hidden: np.ndarray, line: _Line) -> bool:
    """Hide the smallest non-zero part still shown (or else the total); False when nothing is left."""
    shown = line.parts[~hidden[line.parts] & (values[line.parts] > 0)]
    if shown.size:
        hidden[shown[np.argmin(values[shown])]] = True
        return True
    if line.total is not None and not hidden[line.total] and values[line.total] > 0:
        hidden[line.total] = True
        return True
    return False


def _bounds(values: np.ndarray, hidden: np.ndarray, lines: Sequence[_Line]) -> tuple[np.ndarray, np.ndarray]:
    """The narrowest range a reader can put on every cell from what the page shows.

    Shown cells are known; a hidden cell reads "fewer than 5" (so 1-4) or "withheld" (5 or more); then
    every line's sum narrows the ranges of its cells until nothing changes (interval propagation, which
    also chains lines: row totals against column totals, say). All lines narrow at once, each cell
    keeping the narrowest range any of its lines allows: numpy over every line in one step instead of
    a Python loop line by line, settling on the same ranges (tests/test_privacy.py compares the two).
    """
    small = (values > 0) & (values < SMALL_COUNT_THRESHOLD)
    ceiling = float(values.sum())
    low = np.where(hidden, np.where(small, 1.0, SMALL_COUNT_THRESHOLD), values)
    high = np.where(hidden, np.where(small, _LARGEST_SMALL, ceiling), values)
    if not lines:
        return low, high
    count = len(lines)
    parts = np.concatenate([line.parts for line in lines]).astype(int)
    line_of = np.repeat(np.arange(count), [line.parts.size for line in lines])  # the line of each part
    has_total = np.array([line.total is not None for line in lines])
    totals = np.array([line.total for line in lines if line.total is not None], dtype=int)
    # a line whose total is shown elsewhere adds up to its parts' true sum
    shown_total = np.bincount(line_of, values[parts], minlength=count)
    # Line by line, 100 passes were allowed; all at once narrows at least as far in lines × 100 steps
    # (in practice a handful settle it).
    for _ in range(100 * count):
        total_low, total_high = shown_total.copy(), shown_total.copy()
        total_low[has_total], total_high[has_total] = low[totals], high[totals]
        sum_low = np.bincount(line_of, low[parts], minlength=count)
        sum_high = np.bincount(line_of, high[parts], minlength=count)
        narrowed_low, narrowed_high = low.copy(), high.copy()
        # a part is at least the total less the most the other parts can be, and at most the total
        # less the least they can be; a total lies between its parts' least and most
        np.maximum.at(narrowed_low, parts, total_low[line_of] - (sum_high[line_of] - high[parts]))
        np.minimum.at(narrowed_high, parts, total_high[line_of] - (sum_low[line_of] - low[parts]))
        np.maximum.at(narrowed_low, totals, sum_low[has_total])
        np.minimum.at(narrowed_high, totals, sum_high[has_total])
        if np.array_equal(narrowed_low, low) and np.array_equal(narrowed_high, high):
            break
        if (narrowed_low > narrowed_high).any():
            # The lines contradict each other: public counts are rounded one cell at a time
            # (domain/disclosure.py), so a published total need not equal its published parts. Past
            # this point the ranges would only run apart; what was narrowed so far stands.
            break
        low, high = narrowed_low, narrowed_high
    return low, high


@dataclass(frozen=True)
class _Incidence:
    """Which cell is in which line, as two parallel arrays: ``cells[i]`` is a part or the total of
    line ``lines[i]``."""

    cells: np.ndarray
    lines: np.ndarray

    @classmethod
    def of(cls, lines: Sequence[_Line]) -> _Incidence:
        members = [_cells(line) for line in lines]
        return cls(
            np.fromiter((cell for cells in members for cell in cells), dtype=int),
            np.repeat(np.arange(len(lines)), [len(cells) for cells in members]),
        )

    def lines_through(self, cells: Sequence[int]) -> list[int]:
        """The indices of the lines through any of ``cells``, in ascending order."""
        return np.unique(self.lines[np.isin(self.cells, cells)]).tolist()


def _protect_exposed(
    values: np.ndarray, hidden: np.ndarray, lines: Sequence[_Line], exposed: np.ndarray
) -> bool:
    """For each small count a reader can pin down, hide one more count: in a line through it, or else
    in the nearest line linked to it through hidden cells (the chain of sums that pinned it)."""
    incidence = _Incidence.of(lines)
    progress = False
    for cell in np.flatnonzero(exposed):
        reached, frontier, seen = {int(cell)}, [int(cell)], set()
        while frontier:
            # the lines through the frontier not looked at yet, first declared first
            through = [index for index in incidence.lines_through(frontier) if index not in seen]
            if not through:
                break
            seen.update(through)
            if any(_hide_one_more(values, hidden, lines[index]) for index in through):
                progress = True
                break
            linked = {int(c) for index in through for c in _cells(lines[index]) if hidden[c]} - reached
            reached |= linked
            frontier = list(linked)
    return progress


def _cells(line: _Line) -> list[int]:
    return [*line.parts.tolist(), *([] if line.total is None else [line.total])]


def _solve(values: np.ndarray, lines: Sequence[_Line]) -> np.ndarray:
    """Which cells to hide: the small ones, then complements until every line is safe and no small
    count can be pinned down by combining the lines."""
    hidden = (values > 0) & (values < SMALL_COUNT_THRESHOLD)
    small = hidden.copy()
    if not small.any():  # nothing to protect: every line is safe as it is
        return hidden
    while True:
        changed = True
        while changed:
            changed = False
            for line in lines:
                while not _line_is_safe(values, hidden, line):
                    if not _hide_one_more(values, hidden, line):
                        break
                    changed = True
        low, high = _bounds(values, hidden, lines)
        exposed = small & (low >= high)
        if not exposed.any() or not _protect_exposed(values, hidden, lines, exposed):
            return hidden


class Disclosure:
    """The counts one page shows, the sums that tie them together, and which of them a public view hides.

    Name every count (any hashable; a table's cells are ``(key, row label, column)``), declare every sum
    the page lets a reader do with ``adds_up``, then read counts back as shown (``shown``, ``text``,
    ``masked``). A staff view (``public=False``) hides nothing.

    >>> page = Disclosure()
    >>> _ = page.count("all", 30), page.count("a", 3), page.count("b", 12), page.count("c", 15)
    >>> page.adds_up(["a", "b", "c"], total="all")
    >>> [page.text(name) for name in ("all", "a", "b", "c")]
    ['30', 'fewer than 5', 'withheld', '15']
    """

    def __init__(self, public: bool = True):
        self.public = public
        self._index: dict[Hashable, int] = {}
        self._values: list[float] = []
        self._lines: list[tuple[tuple[Hashable, ...], Hashable | None]] = []
        self._hidden: set[Hashable] | None = None

    def count(self, name: Hashable, value) -> Hashable:
        """Register a count shown on the page (a missing value counts as nothing to hide)."""
        if name not in self._index:
            self._index[name] = len(self._values)
            self._values.append(0.0 if _missing(value) else float(value))
            self._hidden = None
        return name

    def table(self, key: str, frame: pd.DataFrame, columns: Sequence[str], by: str | None = None) -> None:
        """Register the count ``columns`` of ``frame``: cell ``(key, row label, column)``, where the row
        label is the value in column ``by`` (e.g. the month), or the row's index."""
        labels = [_label(label) for label in (frame[by].tolist() if by else frame.index.tolist())]
        for column in columns:
            for label, value in zip(labels, frame[column].tolist(), strict=True):
                self.count((key, label, column), value)

    def adds_up(self, parts: Iterable[Hashable], total: Hashable | None = None) -> None:
        """Declare that ``parts`` add up to ``total`` (a registered count), or to a total shown elsewhere
        on the page when ``total`` is None. One part and a total declare that two counts are equal."""
        self._lines.append((tuple(parts), total))
        self._hidden = None

    def rows_add_up(self, key: str, frame: pd.DataFrame, parts: Sequence[str], total: str | None = None,
                    by: str | None = None) -> None:  # fmt: skip
        """Each row's ``parts`` columns add up to its ``total`` column (or to a total shown elsewhere)."""
        for label in frame[by].tolist() if by else frame.index.tolist():
            row = _label(label)
            self.adds_up([(key, row, c) for c in parts], None if total is None else (key, row, total))

    def column_adds_up(self, key: str, frame: pd.DataFrame, column: str, total: Hashable | None = None,
                       by: str | None = None) -> None:  # fmt: skip
        """The ``column`` of a table adds up to ``total`` (a registered count, or one shown elsewhere)."""
        labels = frame[by].tolist() if by else frame.index.tolist()
        self.adds_up([(key, _label(label), column) for label in labels], total)

    def same_rows(self, key: str, frame: pd.DataFrame, column: str, other_key: str, other_column: str,
                  by: str) -> None:  # fmt: skip
        """Rows of one table repeat the counts of another (matched on ``by``): hide them together."""
        for label in frame[by].tolist():
            mine, theirs = (key, _label(label), column), (other_key, _label(label), other_column)
            if theirs in self._index:
                self.adds_up([mine], theirs)

    def hidden(self) -> set[Hashable]:
        if self._hidden is None:
            if not self.public:
                self._hidden = set()
            else:
                values = np.asarray(self._values, dtype=float)
                lines = [
                    _Line(
                        np.asarray([self._index[p] for p in parts if p in self._index], dtype=int),
                        None if total is None else self._index[total],
                    )
                    for parts, total in self._lines
                ]
                hidden = _solve(values, lines)
                names = list(self._index)
                self._hidden = {names[i] for i in np.flatnonzero(hidden)}
        return self._hidden

    def is_hidden(self, name: Hashable) -> bool:
        return name in self.hidden()

    def shown(self, name: Hashable):
        """The count, or None when a public view hides it."""
        return None if self.is_hidden(name) else self._values[self._index[name]]

    def text(self, name: Hashable) -> str:
        """The count as a reader sees it: '1,234', or 'fewer than 5' / 'withheld' when hidden."""
        value = self._values[self._index[name]]
        if not self.is_hidden(name):
            return f"{int(value):,}"
        return SUPPRESSED_TEXT if is_small(value) else COMPLEMENT_TEXT

    def masked(
        self, key: str, frame: pd.DataFrame, columns: Sequence[str], by: str | None = None
    ) -> pd.DataFrame:
        """Copy of a registered table with the hidden cells set to missing (for charts and downloads)."""
        labels = [_label(label) for label in (frame[by].tolist() if by else frame.index.tolist())]
        rows = frame.index.tolist()
        masked = frame.copy()
        hidden = self.hidden()
        withheld = dict(masked.attrs.get(_COMPLEMENTS, {}))
        for column in columns:
            gone = np.fromiter(((key, label, column) in hidden for label in labels), bool, len(labels))
            masked[column] = _nullable_floats(frame[column], gone)
            values = frame[column].tolist() if gone.any() else []
            # a list, not a set: Streamlit writes a frame's attrs into the Arrow metadata it sends
            withheld[column] = [rows[i] for i in np.flatnonzero(gone) if not is_small(values[i])]
        masked.attrs[_COMPLEMENTS] = withheld
        return masked


def _nullable_floats(values: pd.Series, gone: np.ndarray) -> pd.arrays.FloatingArray:
    """``values.astype("Float64")`` with the rows where ``gone`` is True missing too (built from numpy
    arrays: the pandas steps, ``astype`` then ``where`` or ``.loc``, cost ten times as much)."""
    numbers = values.to_numpy(dtype=float, na_value=np.nan)
    return pd.arrays.FloatingArray(numbers, np.isnan(numbers) | gone)


def _label(value) -> Hashable:
    """A row label usable as part of a name (dates and numpy scalars made plain and hashable)."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value.item() if hasattr(value, "item") else value


# One table ----------------------------------------------------------------------------------------------


def protect(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    row_total: str | None = None,
    rows_add_up: bool = False,
    column_totals: Collection[str] = (),
) -> pd.DataFrame:
    """Copy of ``frame`` with small counts in ``columns`` (and ``row_total``) hidden, and complements.

    ``row_total``: a column holding each row's total of ``columns``; ``rows_add_up``: each row's
    ``columns`` add up to a total shown elsewhere; ``column_totals``: columns whose sum is shown
    elsewhere on the page (a headline figure, say).
    """
    page = Disclosure()
    counted = [*columns, *([row_total] if row_total else [])]
    page.table("t", frame, counted)
    if row_total or rows_add_up:
        page.rows_add_up("t", frame, list(columns), row_total)
    for column in column_totals:
        page.column_adds_up("t", frame, column)
    return page.masked("t", frame, counted)


def mask_small_in_column(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Copy of ``frame`` with small counts in ``column`` set to missing, down the column.

    For a breakdown whose total is shown elsewhere (eligible arrests by area, say): when one count
    in the column is small, the next smallest non-zero count is hidden too, so the hidden value
    cannot be recovered by subtracting the others from that total.
    """
    return protect(frame, [column], column_totals=[column])


def hide_where_missing(frame: pd.DataFrame, hidden: str, dependents: list[str]) -> pd.DataFrame:
    """Copy of ``frame`` with ``dependents`` missing wherever ``hidden`` is missing.

    For figures computed from a count (a ratio, a mean) that would give the hidden count away.
    """
    masked = frame.copy()
    gone = frame[hidden].isna().to_numpy()
    for column in dependents:
        masked[column] = _nullable_floats(frame[column], gone)
    return masked


def public_delta(current, previous, public: bool = True):
    """The change from ``previous`` to ``current``, or None when either side is missing or, in a
    public view, small (a difference next to a shown count would reveal the hidden one)."""
    sides = (current, previous)
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in sides):
        return None
    if public and any(is_small(v) for v in sides):
        return None
    return int(current) - int(previous)
