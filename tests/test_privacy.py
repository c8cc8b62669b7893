"""Public suppression (domain/privacy.py): small counts hidden, and nothing hidden can be worked back out.

The strongest check here is an attack: for small random tables with their row and column totals shown,
every assignment of the hidden cells that agrees with everything published is enumerated, and each
hidden count of 1-4 must still have more than one possible value.
"""

from __future__ import annotations

import contextlib
import random
import warnings

import numpy as np
import pandas as pd
import pytest

from domain import privacy
from domain.privacy import (
    COMPLEMENT_TEXT,
    SUPPRESSED_TEXT,
    Disclosure,
    count_texts,
    has_withheld,
    protect,
)
from ui.tables import table_for_reading


def _hidden(frame: pd.DataFrame, columns) -> list[list[bool]]:
    return frame[list(columns)].isna().to_numpy().tolist()


def _rows_masked(frame: pd.DataFrame, columns: str) -> pd.DataFrame:
    """``frame`` masked as a page masks a table whose rows each add up to a total shown elsewhere
    (``Disclosure.rows_add_up`` without a total column, then ``masked``)."""
    page = Disclosure()
    page.table("t", frame, list(columns))
    page.rows_add_up("t", frame, list(columns))
    return page.masked("t", frame, list(columns))


def test_a_lone_small_count_takes_the_smallest_other_count_with_it():
    page = Disclosure()
    for name, value in {"total": 40, "a": 3, "b": 9, "c": 28}.items():
        page.count(name, value)
    page.adds_up(["a", "b", "c"], total="total")
    assert page.hidden() == {"a", "b"}
    assert [page.text(n) for n in ("total", "a", "b", "c")] == ["40", SUPPRESSED_TEXT, COMPLEMENT_TEXT, "28"]


def test_two_small_counts_whose_sum_is_small_take_a_third():
    """1 + 2 hidden, total 30 shown: 30 - 27 = 3 would say 'three between them', so both are known
    to be 1 and 2 or 2 and 1; a third, larger count goes too."""
    frame = pd.DataFrame({"a": [1], "b": [2], "c": [27]})
    assert _hidden(_rows_masked(frame, "abc"), "abc") == [[True, True, True]]


def test_two_small_counts_at_the_extremes_are_not_left_alone():
    """4 + 4 hidden beside a shown total: the hidden sum, 8, can only be 4 + 4."""
    frame = pd.DataFrame({"a": [4], "b": [4], "c": [30]})
    assert _hidden(_rows_masked(frame, "abc"), "abc") == [[True, True, True]]
    # 2 + 4: the sum 6 could be 2 + 4, 3 + 3 or 4 + 2, so the large count stays
    frame = pd.DataFrame({"a": [2], "b": [4], "c": [30]})
    assert _hidden(_rows_masked(frame, "abc"), "abc") == [[True, True, False]]


def test_each_row_of_a_table_takes_its_own_complement():
    """Rows adding up to totals shown elsewhere: a lone small count in a row takes that row's
    smallest other non-zero count (not another row's); zeros and rows without a small count stay."""
    frame = pd.DataFrame({"a": [3, 20, 0], "b": [9, 30, 0], "c": [28, 40, 7]}, index=["x", "y", "z"])
    masked = _rows_masked(frame, "abc")
    assert _hidden(masked, "abc") == [[True, True, False], [False, False, False], [False, False, False]]
    assert count_texts(masked["a"]) == [SUPPRESSED_TEXT, "20", "0"]
    assert count_texts(masked["b"]) == [COMPLEMENT_TEXT, "30", "0"]


def test_a_hidden_total_is_not_left_as_the_sum_of_shown_parts():
    page = Disclosure()
    for name, value in {"total": 3, "a": 0, "b": 0, "c": 3}.items():
        page.count(name, value)
    page.adds_up(["a", "b", "c"], total="total")
    assert page.hidden() == {"total", "c"}  # 3 is small; zeros reveal nothing and stay


def test_rows_and_columns_of_a_table_with_its_margins():
    """Months (rows) by type (columns) with a total column, and every column's sum shown elsewhere."""
    frame = pd.DataFrame({"arrest": [3, 12, 20], "social": [15, 18, 25], "total": [18, 30, 45]})
    masked = protect(
        frame, ["arrest", "social"], row_total="total", column_totals=["arrest", "social", "total"]
    )
    hidden = _hidden(masked, ["arrest", "social", "total"])
    assert hidden[0][:2] == [True, True]  # the 3 and its row partner
    assert sum(row[0] for row in hidden) >= 2 and sum(row[1] for row in hidden) >= 2  # and column partners
    assert has_withheld(masked)
    assert count_texts(masked["arrest"])[0] == SUPPRESSED_TEXT
    assert COMPLEMENT_TEXT in count_texts(masked["social"])


def test_staff_view_hides_nothing():
    page = Disclosure(public=False)
    page.count("a", 2)
    page.count("total", 2)
    page.adds_up(["a"], "total")
    assert page.hidden() == set() and page.text("a") == "2"


def test_tables_for_reading_say_fewer_than_5_or_withheld_truthfully():
    frame = pd.DataFrame({"reason": ["x", "y", "z"], "people": [2, 11, 40]})
    masked = protect(frame, ["people"], column_totals=["people"])
    table = table_for_reading(masked, counts=["people"], public=True)
    assert table["people"].tolist() == [SUPPRESSED_TEXT, COMPLEMENT_TEXT, "40"]
    assert table.attrs == {}  # nothing about what was hidden travels on to the browser


def _feasible_values(values: dict, hidden: set, lines: list[tuple[list, object]], cap: int) -> dict[str, set]:
    """Every value each hidden cell can take, given what is shown and that hidden small counts are 1-4."""
    # what the page says about a hidden cell: "fewer than 5" is 1-4, "withheld" is 5 or more
    domains = {name: range(1, 5) if 0 < values[name] < 5 else range(5, cap + 1) for name in hidden}
    order = sorted(hidden, key=str)  # row by row: each row's sum prunes early
    watched = [name for name in order if 0 < values[name] < 5]
    possible = {name: set() for name in order}

    def consistent(assigned: dict) -> bool:
        """False when some line can no longer add up, whatever the cells not yet assigned are."""
        for parts, total in lines:
            low = high = 0
            for name, sign in [*((p, 1) for p in parts), (total, -1)]:
                if name in assigned or name not in hidden:
                    value = assigned.get(name, values[name])
                    low, high = low + sign * value, high + sign * value
                else:
                    domain = domains[name]
                    low += sign * (domain[0] if sign > 0 else domain[-1])
                    high += sign * (domain[-1] if sign > 0 else domain[0])
            if low > 0 or high < 0:
                return False
        return True

    def search(index: int, assigned: dict) -> None:
        if index == len(order):
            if consistent(assigned):
                for name in order:
                    possible[name].add(assigned[name])
                if all(len(possible[name]) > 1 and values[name] in possible[name] for name in watched):
                    raise _Enough  # every small count already has two readings: no need to go on
            return
        for candidate in domains[order[index]]:
            assigned[order[index]] = candidate
            if consistent(assigned):
                search(index + 1, assigned)
            del assigned[order[index]]

    with contextlib.suppress(_Enough):
        search(0, {})
    return possible


class _Enough(Exception):
    pass


@pytest.mark.parametrize("seed", range(150))
def test_no_hidden_small_count_can_be_worked_out_from_the_totals(seed):
    """A 2 x 3 or 3 x 3 table of counts 0-9 with row totals, column totals and the grand total shown."""
    rng = random.Random(seed)
    rows, columns = rng.choice([2, 3]), 3
    values = {(r, c): rng.choice([0, 1, 2, 3, 4, 5, 6, 9]) for r in range(rows) for c in range(columns)}
    for r in range(rows):
        values[(r, "total")] = sum(values[(r, c)] for c in range(columns))
    for c in [*range(columns), "total"]:
        values[("total", c)] = sum(values[(r, c)] for r in range(rows))
    page = Disclosure()
    for name, value in values.items():
        page.count(name, value)
    lines = []
    for r in range(rows):
        lines.append(([(r, c) for c in range(columns)], (r, "total")))
    for c in [*range(columns), "total"]:
        lines.append(([(r, c) for r in range(rows)], ("total", c)))
    lines.append(([("total", c) for c in range(columns)], ("total", "total")))  # the row of column totals
    for parts, total in lines:
        page.adds_up(parts, total)
    hidden = page.hidden()
    small = {name for name, value in values.items() if 0 < value < 5}
    assert small <= hidden
    if not hidden:
        return
    possible = _feasible_values(values, hidden, lines, cap=max(values.values()))
    for name in small:
        assert values[name] in possible[name]
        assert len(possible[name]) > 1, (
            f"{name}={values[name]} recoverable: {values}, hidden {sorted(hidden, key=str)}"
        )


def test_a_public_map_never_leaves_one_small_cell_to_subtraction(demo_con):
    """Drawn cells + records without a place add up to the total beside the map: whatever is missing
    is either nothing, or at least two cells holding at least 5 records between them."""
    from datetime import date
    from functools import partial

    import queries
    from geo.map_page import MapFilters, load_density_layers, load_figures

    run_query = partial(queries.run, demo_con)
    hidden = 0
    areas = ("city", "pilot_zone", "nsa:Downtown", "district:1959-2022:Central", "nsa:Upton")
    periods = ((date(2017, 2, 1), date(2024, 12, 31)), (date(2019, 1, 1), date(2019, 3, 31)))
    for area, period in ((area, period) for area in areas for period in periods):
        filters = MapFilters(*period, area_id=area)
        figures = load_figures(run_query, filters)
        for layer in load_density_layers(run_query, filters):
            total, unmapped = {
                "referrals": (figures.referrals, figures.referrals_unmapped),
                "arrests": (figures.eligible_arrests, figures.eligible_arrests_unmapped),
            }[layer.key]
            counts = [feature["properties"]["count"] for feature in layer.cells["features"]]
            if layer.key == "referrals":
                # published per quarter and cell (domain/disclosure.py): every count a multiple of 5,
                # the total beside the map published for the area as a whole
                assert all(count % 5 == 0 and count >= 5 for count in counts), (area, counts)
                continue
            drawn = sum(counts)
            missing = int(total) - int(unmapped) - drawn
            assert missing == layer.hidden.records
            small_total = int(total) < 5  # then the total itself reads "fewer than 5" beside the map
            assert (
                missing == 0
                or small_total
                or (layer.hidden.cells + layer.hidden.withheld >= 2 and missing >= 5)
            ), (
                area,
                layer.key,
            )
            hidden += layer.hidden.cells
    assert hidden > 0  # the demo data has small arrest cells somewhere: the rule was exercised


def _protect_exposed_by_scanning_every_line(values, hidden, lines, exposed) -> bool:
    """``domain.privacy._protect_exposed`` as first written: every line scanned at every step of the walk.
    The module's version looks the lines up in an index; both must hide the same cells."""
    progress = False
    for cell in np.flatnonzero(exposed):
        reached, frontier, seen = {int(cell)}, [int(cell)], set()
        while frontier:
            through = [
                index
                for index, line in enumerate(lines)
                if index not in seen and any(c in line.parts or line.total == c for c in frontier)
            ]
            if not through:
                break
            seen.update(through)
            if any(privacy._hide_one_more(values, hidden, lines[index]) for index in through):
                progress = True
                break
            linked = {
                int(c) for index in through for c in privacy._cells(lines[index]) if hidden[c]
            } - reached
            reached |= linked
            frontier = list(linked)
    return progress


def _random_page(rng: random.Random) -> tuple[np.ndarray, list[privacy._Line]]:
    """Counts and lines like a page's: a table of months by type with row totals and column totals
    (some shown, some shown elsewhere), a second chart repeating the row totals, and a breakdown of
    the grand total."""
    rows, columns = rng.randint(2, 14), rng.randint(2, 4)
    table = [[rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 8, 12, 30]) for _ in range(columns)] for _ in range(rows)]
    values, lines = [], []

    def cell(value) -> int:
        values.append(value)
        return len(values) - 1

    grid = [[cell(value) for value in row] for row in table]
    row_totals = [cell(sum(row)) for row in table]
    grand = cell(sum(map(sum, table)))
    for r in range(rows):
        lines.append(privacy._Line(np.array(grid[r]), row_totals[r] if rng.random() < 0.8 else None))
    for c in range(columns):
        total = cell(sum(row[c] for row in table)) if rng.random() < 0.5 else None
        lines.append(privacy._Line(np.array([row[c] for row in grid]), total))
    lines.append(privacy._Line(np.array(row_totals), grand))
    repeated = [cell(values[row_totals[r]]) for r in range(rows)]  # the same totals in another chart
    lines += [
        privacy._Line(np.array([mine]), theirs) for mine, theirs in zip(repeated, row_totals, strict=True)
    ]
    parts = rng.randint(2, 5)
    breakdown = [rng.randint(0, 6) for _ in range(parts - 1)]
    breakdown.append(max(0, values[grand] - sum(breakdown)))
    if sum(breakdown) == values[grand]:
        lines.append(privacy._Line(np.array([cell(v) for v in breakdown]), grand))
    return np.array(values, dtype=float), lines


def test_the_indexed_walk_hides_what_scanning_every_line_hid(monkeypatch):
    """On random pages, the solver with the line index hides exactly the cells the first version hid."""
    rng = random.Random(20261121)
    exercised = 0
    for _ in range(400):
        values, lines = _random_page(rng)
        indexed = privacy._solve(values, lines)
        with monkeypatch.context() as patched:
            calls = []

            def scanning(*args, calls=calls):
                calls.append(1)
                return _protect_exposed_by_scanning_every_line(*args)

            patched.setattr(privacy, "_protect_exposed", scanning)
            scanned = privacy._solve(values, lines)
        exercised += bool(calls)
        assert indexed.tolist() == scanned.tolist(), (
            values.tolist(),
            [(line.parts.tolist(), line.total) for line in lines],
        )
    assert exercised >= 40  # the walk ran on enough of them to mean something


def _bounds_line_by_line(values, hidden, lines) -> tuple[np.ndarray, np.ndarray, bool]:
    """``domain.privacy._bounds`` as first written: a Python loop narrowing one line after the other, at
    most 100 passes. Also says whether it settled within them."""
    small = (values > 0) & (values < 5)
    ceiling = float(values.sum())
    low = np.where(hidden, np.where(small, 1.0, 5), values)
    high = np.where(hidden, np.where(small, 4, ceiling), values)
    for _ in range(100):
        changed = False
        for line in lines:
            parts = line.parts
            if line.total is None:
                total_low = total_high = values[parts].sum()
            else:
                total_low, total_high = low[line.total], high[line.total]
            sum_low, sum_high = low[parts].sum(), high[parts].sum()
            part_low = np.maximum(low[parts], total_low - (sum_high - high[parts]))
            part_high = np.minimum(high[parts], total_high - (sum_low - low[parts]))
            if (part_low > low[parts]).any() or (part_high < high[parts]).any():
                low[parts], high[parts] = part_low, part_high
                changed = True
            if line.total is not None:
                narrowed = max(total_low, sum_low), min(total_high, sum_high)
                if narrowed != (total_low, total_high):
                    low[line.total], high[line.total] = narrowed
                    changed = True
        if not changed:
            return low, high, True
    return low, high, False


def _margins_table(rng: random.Random) -> tuple[np.ndarray, list[privacy._Line]]:
    """A 2-4 x 2-4 table of counts with its row totals, column totals and grand total (cells chained
    both ways, where propagation takes several passes)."""
    rows, columns = rng.randint(2, 4), rng.randint(2, 4)
    table = [[rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 15]) for _ in range(columns)] for _ in range(rows)]
    values = [value for row in table for value in row]
    grid = np.arange(rows * columns).reshape(rows, columns)
    row_totals = [len(values) + r for r in range(rows)]
    values += [sum(row) for row in table]
    column_totals = [len(values) + c for c in range(columns)]
    values += [sum(row[c] for row in table) for c in range(columns)]
    grand = len(values)
    values.append(sum(map(sum, table)))
    lines = [privacy._Line(grid[r], row_totals[r]) for r in range(rows)]
    lines += [privacy._Line(grid[:, c], column_totals[c]) for c in range(columns)]
    lines += [privacy._Line(np.array(row_totals), grand), privacy._Line(np.array(column_totals), grand)]
    return np.array(values, dtype=float), lines


def test_bounds_all_lines_at_once_match_bounds_line_by_line():
    """The numpy ``_bounds`` settles on the ranges the line-by-line loop settled on, for the cells a
    solve hides, the small ones alone, and random hidden sets, on random pages and tables."""
    rng = random.Random(4)
    compared = 0
    for case in range(600):
        values, lines = (_random_page if case % 2 else _margins_table)(rng)
        small = (values > 0) & (values < 5)
        random_hidden = np.array([rng.random() < 0.4 for _ in values]) & (values > 0)
        for hidden in (privacy._solve(values, lines), small, small | random_hidden):
            low, high = privacy._bounds(values, hidden, lines)
            old_low, old_high, settled = _bounds_line_by_line(values, hidden, lines)
            assert ((low >= old_low) & (high <= old_high)).all()  # never a wider range than before
            if settled:
                assert low.tolist() == old_low.tolist() and high.tolist() == old_high.tolist()
                compared += 1
            assert (low <= values).all() and (values <= high).all()  # and every true count inside
    assert compared >= 1500


def test_masked_columns_are_what_the_pandas_steps_made():
    """``masked`` and ``hide_where_missing`` build their nullable columns from numpy arrays; the frames
    are equal, dtypes included, to the pandas ``astype("Float64")`` then ``where`` they replace."""
    rng = np.random.default_rng(5)
    for _ in range(50):
        n = int(rng.integers(1, 30))
        frame = pd.DataFrame(
            {
                "ints": rng.integers(0, 9, n),
                "floats": np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 9, n) * 1.5),
                "nullable": pd.array(
                    np.where(rng.random(n) < 0.2, None, rng.integers(0, 9, n)), dtype="Int64"
                ),
            }
        )
        gone = rng.random(n) < 0.3
        for column in frame:
            expected = frame[column].astype("Float64").where(pd.Series(~gone, index=frame.index))
            got = pd.Series(privacy._nullable_floats(frame[column], gone), index=frame.index, name=column)
            pd.testing.assert_series_equal(got, expected)
        by_pandas = frame.copy()
        for column in ("ints", "nullable"):
            by_pandas[column] = by_pandas[column].astype("Float64")
            by_pandas.loc[frame["floats"].isna(), column] = pd.NA
        pd.testing.assert_frame_equal(
            privacy.hide_where_missing(frame, "floats", ["ints", "nullable"]), by_pandas
        )


def test_totals_that_do_not_add_up_settle_without_running_apart():
    """Published counts are rounded cell by cell, so a total can differ from the sum of its parts: the
    ranges stop narrowing when the lines contradict each other instead of running off to overflow."""
    values = np.array([2.0, 10.0, 5.0, 10.0])  # the total 5 is less than its parts' 2 + 10
    hidden = np.array([True, True, False, False])
    lines = [privacy._Line(np.array([0, 1]), 2), privacy._Line(np.array([0, 1]), None)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in numpy would fail the test
        low, high = privacy._bounds(values, hidden, lines)
    assert np.all(np.isfinite(low)) and np.all(np.isfinite(high))
    assert (low <= high).all()
    assert low[0] >= 1 and high[0] <= 4  # the small cell keeps at least its "fewer than 5" range
