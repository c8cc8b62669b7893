"""Density cells for maps: H3 cell ids counted in DuckDB become hexagons with a colour class.

Counting happens in SQL (``queries/map_*_cells.sql``); this module only turns ``(cell, records)`` rows
into GeoJSON hexagons, hides small counts in public views, and picks colours from a sequential,
colour-blind-safe ColorBrewer palette whose darkest class is the highest count, so the busiest cells
stand out on a light basemap and on a washed-out projector.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

import h3.api.basic_int as h3
import numpy as np
import pandas as pd

from domain.privacy import COMPLEMENT_TEXT, SUPPRESSED_TEXT, is_small
from geo.map_style import CELL_LAYERS, CELLS

# (name, colours lightest first): the palettes of ``geo.map_style``, as ``colour_scale`` takes them
REFERRAL_PALETTE = (CELL_LAYERS["referrals"].palette, CELL_LAYERS["referrals"].colours)
ARREST_PALETTE = (CELL_LAYERS["arrests"].palette, CELL_LAYERS["arrests"].colours)
COORDINATE_DECIMALS = 5  # about 1 m: far finer than a hexagon, and keeps the map payload small

CITY_RESOLUTION = 8  # about 0.74 km2 a cell: the whole city in a few hundred cells
AREA_RESOLUTION = 9  # about 0.11 km2 a cell: finer grain once zoomed to a district or neighbourhood
# Referral cells are participant data: never finer than resolution 8 in a public view, so a cell
# cannot single out a street corner.
PUBLIC_REFERRAL_MAX_RESOLUTION = 8
_CELL_AREA_KM2 = {8: 0.74, 9: 0.11}
_NICE_STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9, 10)
_MIN_CLASS_GROWTH = 1.25
_CLASS_SHARES = (0.2, 0.4, 0.6, 0.8)  # quantiles that bound the count classes


def cell_resolution(area_id: str, layer: str, public: bool) -> int:
    """The H3 resolution to count ``layer`` ('referrals' or 'arrests') at for the chosen area.

    >>> cell_resolution("city", "arrests", public=True)
    8
    >>> cell_resolution("district:1959-2022:Central", "referrals", public=True)
    8
    >>> cell_resolution("district:1959-2022:Central", "referrals", public=False)
    9
    """
    if layer not in ("referrals", "arrests"):
        raise ValueError(f"cell_resolution: unknown layer {layer!r} (expected 'referrals' or 'arrests')")
    resolution = CITY_RESOLUTION if area_id == "city" else AREA_RESOLUTION
    if layer == "referrals" and public:
        resolution = min(resolution, PUBLIC_REFERRAL_MAX_RESOLUTION)
    return resolution


def cell_size_text(resolution: int) -> str:
    """How big a cell is, for legends: 'H3 resolution 8, about 0.74 km² a cell'."""
    area = _CELL_AREA_KM2.get(resolution)
    size = f", about {area:.2f} km² a cell" if area else ""
    return f"H3 resolution {resolution}{size}"


@dataclass(frozen=True)
class HiddenCells:
    """What a public view left off the map: cells with 1-4 records, how many records all hidden cells
    hold, and how many cells of 5 or more were withheld with them (see ``domain.privacy``)."""

    cells: int
    records: int
    withheld: int = 0


def split_small_cells(
    cells: pd.DataFrame, public: bool, withheld: Collection[int] = ()
) -> tuple[pd.DataFrame, HiddenCells]:
    """The cells to draw, and a summary of those hidden because their count is 1-4 (public views only).

    ``cells`` has columns ``cell`` and ``records``; cells with no records never come out of SQL.
    ``withheld``: ids of cells of 5 or more to leave out too, so that the small ones cannot be worked
    out by subtracting the drawn cells from a total shown beside the map.
    """
    _check_cells(cells)
    if not public:
        return cells.reset_index(drop=True), HiddenCells(0, 0)
    # Plain lists: a map has a few hundred cells, where pandas' per-call overhead is most of the time.
    withheld = set(withheld)
    small = [is_small(count) for count in cells["records"].tolist()]
    extra = [int(cell) in withheld for cell in cells["cell"].tolist()]
    extra = [kept_back and not tiny for kept_back, tiny in zip(extra, small, strict=True)]
    hidden = np.logical_or(small, extra, dtype=bool)
    summary = HiddenCells(sum(small), int(cells["records"].to_numpy()[hidden].sum()), sum(extra))
    return cells[~hidden].reset_index(drop=True), summary


def hidden_text(hidden: HiddenCells, noun: str) -> str | None:
    """A caption for hidden cells, itself suppressed when the records they hold are 1-4."""
    if hidden.cells == 0 and hidden.withheld == 0:
        return None
    total = SUPPRESSED_TEXT if is_small(hidden.records) else f"{hidden.records:,}"
    places = "cell" if hidden.cells == 1 else "cells"
    small = f"{hidden.cells:,} {places} with {SUPPRESSED_TEXT} {noun} not drawn"
    if not hidden.withheld:
        return f"{small} ({total} {noun} in all)."
    more = "1 more cell" if hidden.withheld == 1 else f"{hidden.withheld:,} more cells"
    return (
        f"{small}, and {more} {COMPLEMENT_TEXT} so that those cannot be worked out by subtraction from "
        f"the total ({total} {noun} in all)."
    )


@dataclass(frozen=True)
class ColourScale:
    """Count classes and their colours. ``lower_bounds[i]`` is the first count of class ``i``.

    >>> scale = ColourScale("demo", (5, 10, 25), ("#eee", "#999", "#333"))
    >>> scale.colour(12), scale.labels()
    ('#999', ['5–9', '10–24', '25 or more'])
    """

    palette: str
    lower_bounds: tuple[int, ...]
    colours: tuple[str, ...]

    def colour(self, count: int) -> str:
        index = bisect.bisect_right(self.lower_bounds, count) - 1
        return self.colours[max(index, 0)]

    def labels(self) -> list[str]:
        labels = []
        for index, low in enumerate(self.lower_bounds):
            if index + 1 < len(self.lower_bounds):
                high = self.lower_bounds[index + 1] - 1
                labels.append(f"{low:,}" if high == low else f"{low:,}–{high:,}")
            else:
                labels.append(f"{low:,} or more")
        return labels


def colour_scale(counts: pd.Series, palette: tuple[str, tuple[str, ...]]) -> ColourScale | None:
    """Up to five classes with round-number bounds from the quantiles of ``counts``; None if empty.

    Quantile classes keep every colour in use whether a cell holds 5 records or 5,000, and round
    bounds (5, 10, 25, 400, ...) are what a reader can say out loud in a meeting.
    """
    name, colours = palette
    values = pd.Series(counts, dtype="float64").to_numpy()
    values = values[values > 0]  # NaN is not > 0 either
    if not values.size:
        return None
    lowest, highest = int(values.min()), values.max()
    bounds = [lowest]
    # numpy's linear quantiles, as pandas' Series.quantile computes them; all four in one call
    for quantile in np.quantile(values, _CLASS_SHARES).tolist():
        bound = _nice(quantile)
        # a class must span a real step (not "9" between "5–8" and "10–24"), and hold some cell
        if bound >= max(bounds[-1] * _MIN_CLASS_GROWTH, bounds[-1] + 2) and bound <= highest:
            bounds.append(bound)
    picked = _spread(colours, len(bounds))
    return ColourScale(name, tuple(bounds), picked)


def _nice(value: float) -> int:
    """The round number (1, 1.5, 2, 2.5, 3, ... 9 times a power of ten) nearest ``value``, at least 1."""
    if value < 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    candidates = [step * power for step in _NICE_STEPS if float(step * power).is_integer()]
    return int(min(candidates, key=lambda candidate: (abs(candidate - value), candidate)))


def _spread(colours: tuple[str, ...], count: int) -> tuple[str, ...]:
    """``count`` colours spread over the palette, always ending on its darkest."""
    if count >= len(colours):
        return colours
    if count == 1:
        return (colours[-1],)
    step = (len(colours) - 1) / (count - 1)
    return tuple(colours[round(index * step)] for index in range(count))


def cell_polygon(cell: int) -> dict:
    """The GeoJSON Polygon of an H3 cell (lon/lat, closed ring, rounded coordinates)."""
    return {"type": "Polygon", "coordinates": [list(_cell_ring(int(cell)))]}


@lru_cache(maxsize=50_000)
def _cell_ring(cell: int) -> tuple[tuple[float, float], ...]:
    # A cell's outline never changes, and h3 takes a third of a millisecond to compute one: cached,
    # a filter change only pays for cells it has never drawn before.
    ring = [
        (round(lng, COORDINATE_DECIMALS), round(lat, COORDINATE_DECIMALS))
        for lat, lng in h3.cell_to_boundary(cell)
    ]
    return (*ring, ring[0])


def cells_feature_collection(
    cells: pd.DataFrame, layer: str, period: str, scale: ColourScale | None, resolution: int
) -> dict:
    """Hexagons as a GeoJSON FeatureCollection: count, period and colour in each feature's properties.

    ``layer`` names what is counted ("Referrals", "LEAD-eligible arrests"); it titles each tooltip.
    Pass only the cells to draw (see ``split_small_cells``).
    """
    _check_cells(cells)
    features = []
    for cell, records in zip(cells["cell"].tolist(), cells["records"].tolist(), strict=True):
        records = int(records)
        features.append(
            {
                "type": "Feature",
                "geometry": cell_polygon(cell),
                "properties": {
                    "cell": h3.int_to_str(int(cell)),
                    "resolution": resolution,
                    "layer": layer,
                    "count": records,
                    "count_text": f"{records:,}",
                    "period": period,
                    "colour": scale.colour(records) if scale else CELLS.fill,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _check_cells(cells: pd.DataFrame) -> None:
    missing = {"cell", "records"} - set(cells.columns)
    if missing:
        raise ValueError(f"density cells: columns {sorted(missing)} missing (found: {list(cells.columns)})")


@dataclass(frozen=True)
class DensityLayer:
    """One density layer ready to draw: its hexagons, colour scale and what was hidden."""

    key: str  # 'referrals' or 'arrests'
    title: str
    noun: str
    period: str
    cells: dict  # GeoJSON FeatureCollection
    scale: ColourScale | None
    resolution: int
    hidden: HiddenCells
    show: bool


# Shown when the map opens: two hexagon layers over each other cannot be read.
SHOWN_AT_FIRST = {"referrals": True, "arrests": False}


def density_layer(
    key: str, cells: pd.DataFrame, period: str, resolution: int, public: bool, withheld: Collection[int] = ()
) -> DensityLayer:
    """Hexagons for ``key`` from ``(cell, records)`` rows; cells of 1-4 (and ``withheld``, their
    complements) are left out in public views."""
    if key not in CELL_LAYERS:
        raise ValueError(f"density_layer: unknown layer {key!r} (expected one of {sorted(CELL_LAYERS)})")
    style = CELL_LAYERS[key]
    shown, hidden = split_small_cells(cells, public, withheld)
    scale = colour_scale(shown["records"], (style.palette, style.colours))
    collection = cells_feature_collection(shown, style.noun.capitalize(), period, scale, resolution)
    return DensityLayer(
        key, style.title, style.noun, period, collection, scale, resolution, hidden, SHOWN_AT_FIRST[key]
    )
