"""Public suppression (ui/privacy.py): small counts hidden, and nothing hidden can be worked back out.

The strongest check here is an attack: for small random tables with their row and column totals shown,
every assignment of the hidden cells that agrees with everything published is enumerated, and each
hidden count of 1-4 must still have more than one possible value.
"""

from __future__ import annotations

import contextlib
import random

import pandas as pd
import pytest

from ui.privacy import (
    COMPLEMENT_TEXT,
    SUPPRESSED_TEXT,
    Disclosure,
    count_texts,
    has_withheld,
    mask_small,
    protect,
)
from ui.tables import table_for_reading


def _hidden(frame: pd.DataFrame, columns) -> list[list[bool]]:
    return frame[list(columns)].isna().to_numpy().tolist()


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
    masked = mask_small(frame, ["a", "b", "c"])
    assert _hidden(masked, "abc") == [[True, True, True]]


def test_two_small_counts_at_the_extremes_are_not_left_alone():
    """4 + 4 hidden beside a shown total: the hidden sum, 8, can only be 4 + 4."""
    frame = pd.DataFrame({"a": [4], "b": [4], "c": [30]})
    assert _hidden(mask_small(frame, ["a", "b", "c"]), "abc") == [[True, True, True]]
    # 2 + 4: the sum 6 could be 2 + 4, 3 + 3 or 4 + 2, so the large count stays
    frame = pd.DataFrame({"a": [2], "b": [4], "c": [30]})
    assert _hidden(mask_small(frame, ["a", "b", "c"]), "abc") == [[True, True, False]]


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
    withheld = 0
    for area in ("city", "pilot_zone", "nsa:Downtown", "district:1959-2022:Central", "nsa:Upton"):
        filters = MapFilters(date(2017, 2, 1), date(2024, 12, 31), area_id=area)
        figures = load_figures(run_query, filters)
        for layer in load_density_layers(run_query, filters, figures):
            total, unmapped = {
                "referrals": (figures.referrals, figures.referrals_unmapped),
                "arrests": (figures.eligible_arrests, figures.eligible_arrests_unmapped),
            }[layer.key]
            drawn = sum(feature["properties"]["count"] for feature in layer.cells["features"])
            missing = int(total) - int(unmapped) - drawn
            assert missing == layer.hidden.records
            assert missing == 0 or (layer.hidden.cells + layer.hidden.withheld >= 2 and missing >= 5), (
                area,
                layer.key,
            )
            withheld += layer.hidden.withheld
    assert withheld > 0  # the demo data has a lone small cell somewhere: the rule was exercised
