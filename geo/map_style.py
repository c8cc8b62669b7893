"""The one description of the maps: each kind of layer, how it is drawn and what the legend calls it.

Every map of the dashboard is drawn from this module: the folium maps on screen (Map page, Overview,
expansion planner; ``geo.layers`` turns a ``LayerStyle`` into a Leaflet path style and a legend row),
the SVG pictures (Overview picture, hearing brief) and the PNG download (``geo.static_map`` turns it
into SVG attributes and matplotlib artists). A renderer never writes a colour, a line width, a dash or
a legend text of a layer described here, so a download cannot drift from the screen.

Units: line widths are screen pixels (CSS px, as Leaflet takes them). A picture laid out in pixels
(the Overview picture) draws them as they are; a still map laid out in points (PNG, brief) draws
``STILL_LINE_SCALE`` of them, thin enough for a map printed a few inches wide. Dashes are multiples of
the line width, so a thicker line keeps the same rhythm.

Every mark colour (a layer's stroke, the colour a name is written in) reaches WCAG 1.4.11's 3:1
against each ground it is drawn on (``GROUNDS``), at the opacity it is drawn with; names reach 4.5:1
(1.4.3, text). Fills are exempt: each is under a stroke that passes (areas), or encodes a count whose
number is written in the legend and the cell's tooltip (density classes).
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, replace

from domain.privacy import COMPLEMENT_TEXT, SUPPRESSED_TEXT

GROUND = "#f4f1ea"  # the map's own ground: Leaflet's offline background, the still maps' frame
# What a mark may be drawn on: the offline ground, the online basemap's light-grey land, the page.
GROUNDS = {"offline ground": GROUND, "basemap light grey": "#f2f2f2", "white": "#ffffff"}
TEXT = "#2b2f36"  # legend entries, notes, street names on the Overview picture
INK = "#111111"  # titles, and the outline of a shape under the pointer
FRAME = "#555555"  # the still maps' frame
HALO = "#ffffff"  # the rim around a name written over the map
KEY_EDGE = "#666666"  # the edge of a legend swatch of a data class (cells, densities)
# The ring around whatever has the keyboard focus, on the page and inside the map frames (WCAG 2.4.7):
# 6:1 or more against white, the map's ground and the basemap.
FOCUS_RING = "#1a5fb4"
STILL_LINE_SCALE = 0.65  # points of line in a still map per screen pixel
LEGEND_MAX_WIDTH = 3.0  # screen pixels: a legend's line is never thicker than this

SITE_MARK = "★"  # the case-management site, on the map and in its legend

SOLID: tuple[float, ...] = ()
DASHED = (2.7, 2.0)  # in line widths: 8 px on, 6 px off at 3 px
DOTTED = (0.25, 1.75)  # with round caps: a row of dots


@dataclass(frozen=True)
class LayerStyle:
    """How one kind of layer is drawn and named.

    ``title`` names the layer in the layer switcher; ``legend`` is its legend entry, in words that
    say what the mark means (``{name}``-style fields are filled by ``legend_text``); ``detail`` is
    added to it where the map can show more than one edition of the layer. ``label`` is the colour a
    name written on the layer takes (None: the layer names nothing).
    """

    key: str
    title: str
    legend: str
    stroke: str
    width: float
    dash: tuple[float, ...] = SOLID
    stroke_opacity: float = 1.0
    fill: str | None = None
    fill_opacity: float = 0.0
    round_caps: bool = False
    label: str | None = None
    italic_label: bool = False
    detail: str = ""

    def dash_lengths(self, width: float | None = None) -> tuple[float, ...]:
        """The dash pattern in the units of ``width`` (default: screen pixels at the layer's width)."""
        width = self.width if width is None else width
        return tuple(round(part * width, 2) for part in self.dash)

    def legend_text(self, **fields: str) -> str:
        """The legend entry, its fields filled (``detail`` is added only when its fields are given).

        >>> LAYERS["districts"].legend_text(edition="2023")
        'Other police districts (2023)'
        >>> LAYERS["districts"].legend_text()
        'Other police districts'
        """
        text = self.legend.format(**fields)
        # Without its fields, the map draws only one edition and says which elsewhere.
        with suppress(KeyError):
            text += " " + self.detail.format(**fields) if self.detail else ""
        return text


# Bottom to top: the order every renderer draws in (density cells go under all of them).
_LAYERS = (
    LayerStyle(
        "neighbourhoods",
        title="Neighbourhoods (NSA)",
        legend="Neighbourhood (NSA)",
        stroke="#7d848c",
        width=0.8,
    ),
    LayerStyle(
        "districts",
        title="Police districts",
        legend="Other police districts",
        detail="({edition})",
        stroke="#6b7785",
        width=1.5,
        label="#4a525c",
    ),
    LayerStyle(
        "central_district",
        title="Central District",
        legend="Central District",
        stroke="#08306b",
        width=3,
        dash=DASHED,
        label="#08306b",
    ),
    # Magenta: apart from the red pilot zone, the navy Central District and both cell palettes.
    LayerStyle(
        "candidates",
        title="Expansion candidates",
        legend="Expansion candidate",
        stroke="#c51b7d",
        width=3.5,
        fill="#c51b7d",
        fill_opacity=0.12,
        label="#8e0152",
    ),
    LayerStyle(
        "streets",
        title="Boundary streets",
        legend="Pilot-zone boundary street",
        stroke="#1b1f24",
        width=2.5,
        label="#1b1f24",
        italic_label=True,
    ),
    LayerStyle(
        "pilot_zone",
        title="LEAD pilot zone",
        legend="LEAD pilot zone",
        stroke="#b2182b",
        width=5,
        fill="#b2182b",
        fill_opacity=0.15,
        label="#7a0c1c",
    ),
    LayerStyle(
        "site",
        title="Case management",
        legend=f"{SITE_MARK} Case management",
        stroke="#b2182b",
        width=0,
        label=INK,
    ),
    LayerStyle(
        "selected_area",
        title="Selected: {label}",
        legend="Selected: {label}",
        stroke=INK,
        width=4,
        dash=DOTTED,
        round_caps=True,
    ),
    # Orange: the area being drawn or picked in the planner, and a saved proposal wherever it is shown.
    LayerStyle(
        "picked_area",
        title="Picked neighbourhoods",
        legend="Your proposal (drawn or picked)",
        stroke="#e66101",
        width=4,
        fill="#e66101",
        fill_opacity=0.18,
    ),
    LayerStyle(
        "proposal",
        title="Proposal: {name}",
        legend="Proposal: {name}",
        stroke="#e66101",
        width=4,
        fill="#e66101",
        fill_opacity=0.18,
        label="#7f3300",
    ),
    LayerStyle(
        "comparison",
        title="{name}",
        legend="{name}",
        stroke="#17936f",
        width=4,
        fill="#17936f",
        fill_opacity=0.2,
        label=INK,
    ),
)
LAYERS = {style.key: style for style in _LAYERS}
DRAW_ORDER = tuple(LAYERS)
# The legend's order: the program's own areas, the context, then what the reader picked or added.
LEGEND_ORDER = (
    "pilot_zone",
    "central_district",
    "districts",
    "candidates",
    "streets",
    "neighbourhoods",
    "site",
    "selected_area",
    "picked_area",
    "proposal",
    "comparison",
)
# Distinct, colour-blind-safer outlines for up to four proposals compared side by side (ColorBrewer
# Dark2, its green darkened to reach 3:1 on the map's ground).
COMPARISON_COLOURS = ("#17936f", "#d95f02", "#7570b3", "#e7298a")


# The Map page's layer switch (``geo.map_page.MAP_LAYERS``) showing a described layer, where its key differs.
SWITCHES = {"central_district": "districts"}


def shown_kinds(switched_on: Iterable[str], extra: Iterable[str] = ()) -> list[str]:
    """The described layers the switches ``switched_on`` show, and ``extra`` ones, in drawing order.

    >>> shown_kinds(["pilot_zone", "districts"], extra=["proposal"])
    ['districts', 'central_district', 'pilot_zone', 'proposal']
    """
    wanted = set(switched_on)
    extra = set(extra)
    return [key for key in DRAW_ORDER if SWITCHES.get(key, key) in wanted or key in extra]


def comparison_style(index: int) -> LayerStyle:
    """The style of the ``index``-th proposal on the comparison map (its own colour)."""
    colour = COMPARISON_COLOURS[index % len(COMPARISON_COLOURS)]
    return replace(LAYERS["comparison"], stroke=colour, fill=colour)


# Density cells ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellStyle:
    """A density layer of hexagons: what it counts and its sequential palette, lightest first."""

    key: str
    title: str
    noun: str
    palette: str
    colours: tuple[str, ...]


# The five darkest classes of ColorBrewer's 6-class schemes: the palest class of each scheme all but
# vanishes against the cream offline background and on a projector, so it is left out.
CELL_LAYERS = {
    "referrals": CellStyle(
        "referrals",
        "Referrals per cell",
        "referrals",
        "ColorBrewer YlGnBu",
        ("#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
    ),
    "arrests": CellStyle(
        "arrests",
        "Eligible arrests per cell",
        "eligible arrests",
        "ColorBrewer YlOrBr",
        ("#fee391", "#fec44f", "#fe9929", "#d95f0e", "#993404"),
    ),
}
# The white seams between cells, and the cells' fill opacity (``fill`` stands in for a cell of no class).
CELLS = LayerStyle(
    "cells",
    title="",
    legend="",
    stroke="white",  # a seam, not a mark: it only parts neighbouring cells
    width=0.6,
    stroke_opacity=0.62,
    fill="#888888",
    fill_opacity=0.62,
)


def hidden_cells_legend(withheld: bool) -> str:
    """The legend's note on cells a public view leaves out.

    >>> hidden_cells_legend(False)
    'Cells with fewer than 5 not drawn'
    """
    note = f"Cells with {SUPPRESSED_TEXT} not drawn"
    return note + (f", nor cells {COMPLEMENT_TEXT} to protect them" if withheld else "")


def class_legend(label: str, noun: str) -> str:
    """A class's legend entry: '5–9 referrals'."""
    return f"{label} {noun}"


# The planner's neighbourhood densities ---------------------------------------------------------------


@dataclass(frozen=True)
class ChoroplethStyle:
    """Neighbourhoods filled by a rate: the outline is the neighbourhoods' own (``LAYERS``)."""

    title: str
    unit: str
    colours: tuple[str, ...]
    no_data: str
    fill_opacity: float
    hidden_legend: str
    hidden_tooltip: str


# Purples: sequential, readable on a projector, and clear of the pilot zone's red and the proposal's orange.
ARREST_DENSITY = ChoroplethStyle(
    title="LEAD-eligible arrests per km² (neighbourhoods)",
    unit="Eligible arrests a year per km²",
    colours=("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"),
    no_data="#d9d9d9",
    fill_opacity=0.55,
    hidden_legend=f"Hidden ({SUPPRESSED_TEXT}) or {COMPLEMENT_TEXT}",
    hidden_tooltip=f"{SUPPRESSED_TEXT} arrests (hidden), or {COMPLEMENT_TEXT} to protect one",
)


# Contrast (WCAG 2.2 relative luminance) --------------------------------------------------------------


def _channels(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    if len(text) == 3:
        text = "".join(2 * c for c in text)
    if len(text) != 6:
        raise ValueError(f"colour {colour!r}: expected #rrggbb")
    return tuple(int(text[i : i + 2], 16) for i in (0, 2, 4))


def _luminance(channels: tuple[float, float, float]) -> float:
    def linear(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(value) for value in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(colour: str, ground: str, opacity: float = 1.0) -> float:
    """WCAG contrast ratio of ``colour`` drawn at ``opacity`` over ``ground``.

    >>> round(contrast("#000000", "#ffffff"), 1)
    21.0
    """
    over = _channels(ground)
    drawn = tuple(opacity * c + (1 - opacity) * g for c, g in zip(_channels(colour), over, strict=True))
    light, dark = sorted((_luminance(drawn), _luminance(over)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
