"""The Map page's map as a still picture (PNG): the same layers, a legend, a title, the period and notes.

For slides, printed briefs and e-mail, where an interactive map cannot go. Drawn with matplotlib's
object API (no pyplot: no global state shared between Streamlit sessions) from exactly what the
interactive map draws: the density layers as loaded for the page (small cells already left out in a
public view) and the outlines in ``MapContext``. Coordinates stay in longitude/latitude; the axes'
aspect ratio is corrected for Baltimore's latitude, which at city scale is indistinguishable from
Web Mercator.
"""

from __future__ import annotations

import io
import json
import math
import textwrap
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.density import CELL_FILL_OPACITY, DensityLayer, cell_size_text
from geo.map_page import DISTRICT_EDITIONS, MAP_LAYERS, AreaChoice, MapContext, central_area_id
from program import EXPANSION_CANDIDATES

BACKGROUND = "#f4f1ea"  # the interactive map's offline ground colour
PILOT_ZONE = "#b2182b"
CENTRAL = "#08306b"
DISTRICT = "#6b7785"
NEIGHBOURHOOD = "#9aa0a6"
CANDIDATE = "#c51b7d"
STREET = "#1b1f24"
PROPOSAL = "#e66101"  # the planner's proposal colour
DPI = 150
SIZE_INCHES = (11.0, 8.0)  # landscape, about 1650 x 1200 pixels
BRIEF_SIZE_INCHES = (7.4, 5.2)  # the hearing brief's map: half a printed page


def map_png(
    context: MapContext,
    layers: Sequence[DensityLayer],
    *,
    title: str,
    notes: Sequence[str] = (),
    area: AreaChoice | None = None,
    visible: Collection[str] | None = None,
    size: tuple[float, float] = SIZE_INCHES,
    dpi: int = DPI,
    proposals: Sequence[tuple[str, BaseGeometry]] = (),
) -> bytes:
    """The map as PNG bytes: outlines and density cells of ``visible`` layers (default: all), zoomed to
    ``area`` (default: the whole city), with ``title`` and ``notes`` (period, filters, data source)
    written above and below it and a legend of what is drawn. ``proposals``: named areas (saved
    expansion proposals) outlined on top.

    >>> png = map_png(context, layers, title="LEAD", notes=["01 Feb 2017 – 31 Dec 2024"])  # doctest: +SKIP
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"  # doctest: +SKIP
    True
    """
    shown = set(MAP_LAYERS if visible is None else visible)
    width, height = size
    fonts = _Fonts.for_width(width)
    figure = Figure(figsize=size, dpi=dpi, facecolor="white")
    FigureCanvasAgg(figure)
    # Laid out in inches, so a small picture (the printed brief's) keeps readable type.
    title_height = fonts.title / 72 * 1.7
    notes_height = len(notes) * fonts.note / 72 * 1.55 + (0.12 if notes else 0.05)
    map_box = (0.12 / width, notes_height / height, 0.68, 1 - (title_height + 0.1 + notes_height) / height)
    axes = figure.add_axes(map_box)
    axes.set_facecolor(BACKGROUND)
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_color("#555555")

    handles = []
    for layer in layers:
        if layer.key in shown:
            handles += _draw_cells(axes, layer)
    if "neighbourhoods" in shown:
        _outlines(axes, context.neighborhoods["geojson"], NEIGHBOURHOOD, 0.5)
        handles.append(_line_handle("Neighbourhood (NSA)", NEIGHBOURHOOD))
    if "districts" in shown:
        central_id = central_area_id(context.edition)
        edition = DISTRICT_EDITIONS.get(context.edition, context.edition).split(" (")[0]
        districts = context.districts
        _outlines(axes, districts.loc[districts["area_id"] != central_id, "geojson"], DISTRICT, 1.1)
        _outlines(axes, districts.loc[districts["area_id"] == central_id, "geojson"], CENTRAL, 2.0, "--")
        handles += [
            _line_handle("Central District", CENTRAL, "--"),
            _line_handle(f"Police districts ({edition})", DISTRICT),
        ]
    if "candidates" in shown:
        candidates = context.neighborhoods[context.neighborhoods["name"].isin(EXPANSION_CANDIDATES)]
        _areas(axes, candidates["geojson"], CANDIDATE, 2.2, fill_alpha=0.12)
        for row in candidates.itertuples():
            _label(axes, row.geojson, row.name, CANDIDATE, fonts.label)
        handles.append(
            Patch(
                facecolor=(0.77, 0.11, 0.49, 0.15), edgecolor=CANDIDATE, lw=2.2, label="Expansion candidate"
            )
        )
    if "streets" in shown and context.streets:
        _street_lines(axes, context.streets)
        handles.append(_line_handle("Pilot-zone boundary street", STREET))
    if "pilot_zone" in shown:
        _areas(axes, context.pilot_zone["geojson"], PILOT_ZONE, 2.6, fill_alpha=0.15)
        handles.append(
            Patch(facecolor=(0.7, 0.09, 0.17, 0.2), edgecolor=PILOT_ZONE, lw=2.6, label="LEAD pilot zone")
        )
    if area is not None and area.kind in ("district", "neighborhood"):
        frame = context.districts if area.kind == "district" else context.neighborhoods
        _outlines(axes, frame.loc[frame["area_id"] == area.area_id, "geojson"], "#111111", 2.4, ":")
        handles.append(_line_handle(textwrap.fill(f"Selected: {area.label}", 30), "#111111", ":"))

    for name, geometry in proposals:
        rings = [list(polygon.exterior.coords) for polygon in getattr(geometry, "geoms", [geometry])]
        axes.add_collection(PolyCollection(rings, facecolors=PROPOSAL, edgecolors="none", alpha=0.18))
        axes.add_collection(LineCollection(rings, colors=PROPOSAL, linewidths=2.6))
        point = geometry.representative_point()
        _label_at(axes, point.x, point.y, name, "#7f3300", fonts.label)
        handles.append(
            Patch(facecolor=(0.9, 0.38, 0.0, 0.2), edgecolor=PROPOSAL, lw=2.6, label=f"Proposal: {name}")
        )
    _frame_extent(axes, context, area)
    axes.apply_aspect()  # the map's box shrinks to the area's shape: the legend goes right beside it
    drawn = axes.get_position()
    figure.text(0.12 / width, 1 - 0.08 / height, title, fontsize=fonts.title, fontweight="bold", va="top")
    if handles:
        figure.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(drawn.x1 + 0.1 / width, drawn.y1),
            frameon=False,
            fontsize=fonts.legend,
            title="Legend",
            title_fontproperties={"weight": "bold", "size": fonts.legend + 1},
            alignment="left",
            borderaxespad=0,
        )
    for line, note in enumerate(notes):
        top = notes_height - 0.06 - line * fonts.note / 72 * 1.55
        figure.text(0.12 / width, top / height, note, fontsize=fonts.note, va="top", color="#1b1f24")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


@dataclass(frozen=True)
class _Fonts:
    """Type sizes in points: a full-size picture's, scaled down with its width but never below legible."""

    title: float
    legend: float
    note: float
    label: float

    @classmethod
    def for_width(cls, width: float) -> _Fonts:
        k = width / SIZE_INCHES[0]
        return cls(
            title=max(11.0, 17 * k), legend=max(7.5, 10 * k), note=max(7.5, 10 * k), label=max(7.0, 9 * k)
        )


def _line_handle(label: str, colour: str, style: str = "-"):
    from matplotlib.lines import Line2D

    return Line2D([], [], color=colour, lw=2.2, ls=style, label=label)


@lru_cache(maxsize=2048)
def _geometry(geojson: str):
    return shape(json.loads(geojson))


def _polygons(geometries: Iterable[str]):
    for text in geometries:
        geometry = _geometry(text)
        yield from getattr(geometry, "geoms", [geometry])


def _rings(geometries: Iterable[str]) -> list[list[tuple[float, float]]]:
    rings = []
    for polygon in _polygons(geometries):
        rings.append(list(polygon.exterior.coords))
        rings += [list(interior.coords) for interior in polygon.interiors]
    return rings


def _outlines(axes, geometries: Iterable[str], colour: str, width: float, style: str = "-") -> None:
    axes.add_collection(LineCollection(_rings(geometries), colors=colour, linewidths=width, linestyles=style))


def _areas(axes, geometries: Iterable[str], colour: str, width: float, fill_alpha: float) -> None:
    outers = [list(polygon.exterior.coords) for polygon in _polygons(geometries)]
    axes.add_collection(PolyCollection(outers, facecolors=colour, edgecolors="none", alpha=fill_alpha))
    axes.add_collection(LineCollection(outers, colors=colour, linewidths=width))


def _street_lines(axes, streets: dict) -> None:
    lines = []
    for feature in streets["features"]:
        geometry = shape(feature["geometry"])
        for part in getattr(geometry, "geoms", [geometry]):
            lines.append(list(part.coords))
    axes.add_collection(LineCollection(lines, colors=STREET, linewidths=1.8))


def _label(axes, geojson: str, text: str, colour: str, size: float) -> None:
    point = _geometry(geojson).representative_point()
    _label_at(axes, point.x, point.y, text, colour, size)


def _label_at(axes, x: float, y: float, text: str, colour: str, size: float) -> None:
    axes.annotate(
        text,
        (x, y),
        ha="center",
        va="center",
        fontsize=size,
        fontweight="bold",
        color=colour,
        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.75},
    )


def _draw_cells(axes, layer: DensityLayer) -> list:
    """The layer's hexagons in their class colours; legend entries: one swatch per class."""
    features = layer.cells["features"]
    if features:
        rings = [feature["geometry"]["coordinates"][0] for feature in features]
        colours = [feature["properties"]["colour"] for feature in features]
        axes.add_collection(
            PolyCollection(
                rings, facecolors=colours, edgecolors="white", linewidths=0.4, alpha=CELL_FILL_OPACITY
            )
        )
    size = cell_size_text(layer.resolution).replace(", about", ",\nabout")
    heading = f"{layer.title}\n{size}"
    if layer.scale is None:
        return [Patch(facecolor="none", edgecolor="none", label=f"{heading}\nnone to draw")]
    entries = [Patch(facecolor="none", edgecolor="none", label=heading)]
    for colour, label in zip(layer.scale.colours, layer.scale.labels(), strict=True):
        entries.append(
            Patch(
                facecolor=colour, edgecolor="#666666", alpha=CELL_FILL_OPACITY, label=f"{label} {layer.noun}"
            )
        )
    return entries


def _frame_extent(axes, context: MapContext, area: AreaChoice | None) -> None:
    """Zoom to the picked area (with a margin) or the whole city; correct the aspect for the latitude."""
    if area is not None and area.bounds is not None:
        (south, west), (north, east) = area.bounds
    else:
        bounds = pd.DataFrame([_geometry(text).bounds for text in context.districts["geojson"]])
        west, south, east, north = bounds[0].min(), bounds[1].min(), bounds[2].max(), bounds[3].max()
    margin_x, margin_y = (east - west) * 0.06 + 0.002, (north - south) * 0.06 + 0.002
    axes.set_xlim(west - margin_x, east + margin_x)
    axes.set_ylim(south - margin_y, north + margin_y)
    axes.set_aspect(1 / math.cos(math.radians((north + south) / 2)), adjustable="box", anchor="NW")
