"""The Map page's map as a still picture: the same layers, a legend, a title, the period and notes.

For slides, printed briefs and e-mail, where an interactive map cannot go. What is drawn (which
outlines, cells, labels and legend entries, in which order and style) is decided once, in
``_drawing``, from exactly what the interactive map draws: the density layers as loaded for the page
(small cells already left out in a public view) and the outlines in ``MapContext``. Two renderings
follow it:

* ``map_png``: matplotlib's object API (no pyplot: no global state shared between Streamlit
  sessions), for the Map page's download. matplotlib is imported when a PNG is drawn, not before: it
  takes about 30 MB of the app's memory, and the download is made only when someone clicks it.
* ``map_svg``: SVG text written directly, for the printed hearing brief. Nothing is rasterised, so it
  costs milliseconds, and it prints sharp at any size.

Coordinates stay in longitude/latitude; the picture's aspect ratio is corrected for Baltimore's
latitude, which at city scale is indistinguishable from Web Mercator.
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
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from domain.program import EXPANSION_CANDIDATES
from domain.safe_text import clean_text, html_attribute, html_text
from geo.density import CELL_FILL_OPACITY, DensityLayer, cell_size_text
from geo.map_page import DISTRICT_EDITIONS, MAP_LAYERS, AreaChoice, MapContext, central_area_id

BACKGROUND = "#f4f1ea"  # the interactive map's offline ground colour
PILOT_ZONE = "#b2182b"
CENTRAL = "#08306b"
DISTRICT = "#6b7785"
NEIGHBOURHOOD = "#9aa0a6"
CANDIDATE = "#c51b7d"
STREET = "#1b1f24"
PROPOSAL = "#e66101"  # the planner's proposal colour
PROPOSAL_LABEL = "#7f3300"
PROPOSAL_LABEL_LIMIT = 28  # characters of a proposal's name on the map and in its legend
SELECTED = "#111111"
FRAME = "#555555"
DPI = 150
SIZE_INCHES = (11.0, 8.0)  # landscape, about 1650 x 1200 pixels
FONT_FAMILY = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"  # matplotlib's, and the brief's
# matplotlib's dash patterns, in line widths: the SVG draws the same dashes as the PNG.
DASHES = {"-": None, "--": (3.7, 1.6), ":": (1.0, 1.65)}
LEGEND_LINE_WIDTH = 2.2


@dataclass(frozen=True)
class _Shapes:
    """Rings (lists of (lon, lat)) drawn alike: filled polygons with their edges, or lines alone."""

    rings: list
    stroke: str | None
    width: float = 0.0
    dash: str = "-"
    stroke_alpha: float = 1.0
    fill: str | tuple[str, ...] | None = None  # one colour, or one per ring; None: lines only
    fill_alpha: float = 1.0
    seams: bool = False  # the stroke only separates neighbouring tiles (cells)


@dataclass(frozen=True)
class _Label:
    lon: float
    lat: float
    text: str
    colour: str


@dataclass(frozen=True)
class _Key:
    """A legend entry: a line, a filled swatch (``fill``), or a heading (neither stroke nor fill)."""

    label: str
    stroke: str | None = None
    dash: str = "-"
    width: float = LEGEND_LINE_WIDTH
    stroke_alpha: float = 1.0
    fill: str | None = None
    fill_alpha: float = 1.0


@dataclass(frozen=True)
class _Drawing:
    shapes: list[_Shapes]
    labels: list[_Label]
    keys: list[_Key]
    extent: tuple[float, float, float, float]  # west, south, east, north: what the frame shows


def _drawing(
    context: MapContext,
    layers: Sequence[DensityLayer],
    area: AreaChoice | None,
    visible: Collection[str] | None,
    proposals: Sequence[tuple[str, BaseGeometry]],
) -> _Drawing:
    """What the still map shows, bottom to top, and its legend, whichever way it is rendered."""
    shown = set(MAP_LAYERS if visible is None else visible)
    shapes, labels, keys = [], [], []
    for layer in layers:
        if layer.key in shown:
            shapes += _cells(layer)
            keys += _cell_keys(layer)
    neighbourhoods = _by_id(context.neighborhoods)
    if "neighbourhoods" in shown:
        shapes.append(_Shapes(_rings(neighbourhoods.values()), NEIGHBOURHOOD, 0.5))
        keys.append(_Key("Neighbourhood (NSA)", NEIGHBOURHOOD))
    districts = _by_id(context.districts)
    if "districts" in shown:
        central_id = central_area_id(context.edition)
        edition = DISTRICT_EDITIONS.get(context.edition, context.edition).split(" (")[0]
        others = [text for area_id, text in districts.items() if area_id != central_id]
        shapes += [
            _Shapes(_rings(others), DISTRICT, 1.1),
            _Shapes(_rings([districts[central_id]] if central_id in districts else []), CENTRAL, 2.0, "--"),
        ]
        keys += [_Key("Central District", CENTRAL, "--"), _Key(f"Police districts ({edition})", DISTRICT)]
    if "candidates" in shown:
        names = dict(zip(context.neighborhoods["name"].tolist(), neighbourhoods.values(), strict=True))
        candidates = {name: text for name, text in names.items() if name in EXPANSION_CANDIDATES}
        shapes.append(_area(_outer_rings(candidates.values()), CANDIDATE, 2.2, fill_alpha=0.12))
        for name, text in candidates.items():
            lon, lat = _outline(text).label_point
            labels.append(_Label(lon, lat, name, CANDIDATE))
        keys.append(_Key("Expansion candidate", CANDIDATE, width=2.2, fill=CANDIDATE, fill_alpha=0.15))
    if "streets" in shown and context.streets:
        shapes.append(_Shapes(_street_lines(context.streets), STREET, 1.8))
        keys.append(_Key("Pilot-zone boundary street", STREET))
    if "pilot_zone" in shown:
        zone = context.pilot_zone["geojson"].tolist()
        shapes.append(_area(_outer_rings(zone), PILOT_ZONE, 2.6, fill_alpha=0.15))
        keys.append(_Key("LEAD pilot zone", PILOT_ZONE, width=2.6, fill=PILOT_ZONE, fill_alpha=0.2))
    if area is not None and area.kind in ("district", "neighborhood"):
        outlines = districts if area.kind == "district" else neighbourhoods
        selected = [outlines[area.area_id]] if area.area_id in outlines else []
        shapes.append(_Shapes(_rings(selected), SELECTED, 2.4, ":"))
        keys.append(_Key(textwrap.fill(f"Selected: {area.label}", 30), SELECTED, ":"))
    for name, geometry in proposals:
        rings = [list(polygon.exterior.coords) for polygon in getattr(geometry, "geoms", [geometry])]
        shapes.append(_area(rings, PROPOSAL, 2.6, fill_alpha=0.18))
        point = geometry.representative_point()
        # A saved proposal's name is anyone's text, of any length: one line, no control characters, and
        # short enough to stay inside the picture (the brief prints the whole name beside it).
        name = clean_text(name, PROPOSAL_LABEL_LIMIT)
        labels.append(_Label(point.x, point.y, name, PROPOSAL_LABEL))
        keys.append(_Key(f"Proposal: {name}", PROPOSAL, width=2.6, fill=PROPOSAL, fill_alpha=0.2))
    return _Drawing(shapes, labels, keys, _extent(districts.values(), area))


def _by_id(outlines: pd.DataFrame) -> dict[str, str]:
    """area id -> GeoJSON text of rows from ``queries/areas_geojson.sql``, in their order."""
    return dict(zip(outlines["area_id"].tolist(), outlines["geojson"].tolist(), strict=True))


def _area(rings: list, colour: str, width: float, fill_alpha: float) -> _Shapes:
    return _Shapes(rings, colour, width, fill=colour, fill_alpha=fill_alpha)


def _cells(layer: DensityLayer) -> list[_Shapes]:
    """The layer's hexagons in their class colours."""
    features = layer.cells["features"]
    if not features:
        return []
    return [
        _Shapes(
            [feature["geometry"]["coordinates"][0] for feature in features],
            "white",
            0.4,
            stroke_alpha=CELL_FILL_OPACITY,
            fill=tuple(feature["properties"]["colour"] for feature in features),
            fill_alpha=CELL_FILL_OPACITY,
            seams=True,
        )
    ]


def _cell_keys(layer: DensityLayer) -> list[_Key]:
    """Legend entries of a density layer: its heading, then one swatch per class."""
    size = cell_size_text(layer.resolution).replace(", about", ",\nabout")
    heading = f"{layer.title}\n{size}"
    if layer.scale is None:
        return [_Key(f"{heading}\nnone to draw")]
    return [_Key(heading)] + [
        _Key(
            f"{label} {layer.noun}",
            "#666666",
            width=1.0,
            stroke_alpha=CELL_FILL_OPACITY,
            fill=colour,
            fill_alpha=CELL_FILL_OPACITY,
        )
        for colour, label in zip(layer.scale.colours, layer.scale.labels(), strict=True)
    ]


@dataclass(frozen=True)
class _Outline:
    """A boundary's rings as lists of (lon, lat) points, and where its name goes. Shared between
    calls (an outline never changes): read them, never change them."""

    rings: tuple  # every ring, holes included: to outline it
    outer_rings: tuple  # the outer ring of each part: to shade it
    bounds: tuple[float, float, float, float]  # west, south, east, north
    label_point: tuple[float, float]  # inside the area (shapely's representative point)


@lru_cache(maxsize=2048)
def _outline(geojson: str) -> _Outline:
    geometry = shape(json.loads(geojson))
    rings, outer_rings = [], []
    for polygon in getattr(geometry, "geoms", [geometry]):
        outer_rings.append(list(polygon.exterior.coords))
        rings += [outer_rings[-1], *(list(interior.coords) for interior in polygon.interiors)]
    point = geometry.representative_point()
    return _Outline(tuple(rings), tuple(outer_rings), geometry.bounds, (point.x, point.y))


def _rings(geometries: Iterable[str]) -> list[list[tuple[float, float]]]:
    """Every ring of every geometry, holes included: outlines."""
    return [ring for text in geometries for ring in _outline(text).rings]


def _outer_rings(geometries: Iterable[str]) -> list[list[tuple[float, float]]]:
    """The outer ring of each part of every geometry: shaded areas."""
    return [ring for text in geometries for ring in _outline(text).outer_rings]


def _street_lines(streets: dict) -> list[list[tuple[float, float]]]:
    """The lines of a GeoJSON FeatureCollection of LineStrings and MultiLineStrings."""
    lines = []
    for feature in streets["features"]:
        geometry = feature["geometry"]
        parts = [geometry["coordinates"]] if geometry["type"] == "LineString" else geometry["coordinates"]
        lines += [[tuple(point[:2]) for point in part] for part in parts]
    return lines


def _extent(districts: Iterable[str], area: AreaChoice | None) -> tuple[float, float, float, float]:
    """The picked area (with a margin) or the whole city (all ``districts``): west, south, east, north."""
    if area is not None and area.bounds is not None:
        (south, west), (north, east) = area.bounds
    else:
        bounds = [_outline(text).bounds for text in districts]
        west, south = min(b[0] for b in bounds), min(b[1] for b in bounds)
        east, north = max(b[2] for b in bounds), max(b[3] for b in bounds)
    margin_x, margin_y = (east - west) * 0.06 + 0.002, (north - south) * 0.06 + 0.002
    return west - margin_x, south - margin_y, east + margin_x, north + margin_y


@dataclass(frozen=True)
class _Layout:
    """Type sizes (points) and the boxes of the picture (inches): shared by the PNG and the SVG.

    Laid out in inches, so a small picture (the printed brief's) keeps readable type: a full-size
    picture's type is scaled down with its width, but never below legible.
    """

    width: float
    height: float
    title: float
    legend: float
    note: float
    label: float
    title_height: float
    notes_height: float

    @classmethod
    def for_size(cls, size: tuple[float, float], notes: int) -> _Layout:
        width, height = size
        k = width / SIZE_INCHES[0]
        title, note = max(11.0, 17 * k), max(7.5, 10 * k)
        return cls(
            width=width,
            height=height,
            title=title,
            legend=max(7.5, 10 * k),
            note=note,
            label=max(7.0, 9 * k),
            title_height=title / 72 * 1.7,
            notes_height=notes * note / 72 * 1.55 + (0.12 if notes else 0.05),
        )

    @property
    def map_box(self) -> tuple[float, float, float, float]:
        """Left, bottom, width, height of the largest map box, as fractions of the picture."""
        top = (self.title_height + 0.1 + self.notes_height) / self.height
        return 0.12 / self.width, self.notes_height / self.height, 0.68, 1 - top

    def note_top(self, line: int) -> float:
        """Inches from the bottom to the top of note ``line``."""
        return self.notes_height - 0.06 - line * self.note / 72 * 1.55


# The PNG ---------------------------------------------------------------------------------------------


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
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    drawing = _drawing(context, layers, area, visible, proposals)
    layout = _Layout.for_size(size, len(notes))
    width, height = size
    plain = {"parse_math": False}  # text is text: a "$" in a name or note is a dollar sign, not mathtext
    figure = Figure(figsize=size, dpi=dpi, facecolor="white")
    FigureCanvasAgg(figure)
    axes = figure.add_axes(layout.map_box)
    axes.set_facecolor(BACKGROUND)
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_color(FRAME)
    for shapes in drawing.shapes:
        for collection in _collections(shapes):
            axes.add_collection(collection)
    for label in drawing.labels:
        axes.annotate(
            label.text,
            (label.lon, label.lat),
            ha="center",
            va="center",
            fontsize=layout.label,
            fontweight="bold",
            color=label.colour,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.75},
            **plain,
        )
    west, south, east, north = drawing.extent
    axes.set_xlim(west, east)
    axes.set_ylim(south, north)
    axes.set_aspect(1 / _shrink(drawing.extent), adjustable="box", anchor="NW")
    axes.apply_aspect()  # the map's box shrinks to the area's shape: the legend goes right beside it
    drawn = axes.get_position()
    figure.text(
        0.12 / width, 1 - 0.08 / height, title, fontsize=layout.title, fontweight="bold", va="top", **plain
    )
    if drawing.keys:
        legend = figure.legend(
            handles=[_handle(key) for key in drawing.keys],
            loc="upper left",
            bbox_to_anchor=(drawn.x1 + 0.1 / width, drawn.y1),
            frameon=False,
            fontsize=layout.legend,
            title="Legend",
            title_fontproperties={"weight": "bold", "size": layout.legend + 1},
            alignment="left",
            borderaxespad=0,
        )
        for text in legend.get_texts():
            text.set_parse_math(False)
    for line, note in enumerate(notes):
        top = layout.note_top(line)
        figure.text(
            0.12 / width, top / height, note, fontsize=layout.note, va="top", color="#1b1f24", **plain
        )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def _collections(shapes: _Shapes) -> list:
    """Tiles with their seams as one collection; areas as their fill, then their outline over it."""
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.colors import to_rgba, to_rgba_array

    edge = to_rgba(shapes.stroke or "none", shapes.stroke_alpha)
    lines = LineCollection(shapes.rings, colors=edge, linewidths=shapes.width, linestyles=shapes.dash)
    if shapes.fill is None:
        return [lines]
    faces = to_rgba_array(shapes.fill, shapes.fill_alpha)
    if shapes.seams:
        return [PolyCollection(shapes.rings, facecolors=faces, edgecolors=edge, linewidths=shapes.width)]
    return [PolyCollection(shapes.rings, facecolors=faces, edgecolors="none"), lines]


def _handle(key: _Key):
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if key.fill is None and key.stroke is not None:
        return Line2D([], [], color=key.stroke, lw=key.width, ls=key.dash, label=key.label)
    return Patch(
        facecolor=to_rgba(key.fill or "none", key.fill_alpha),
        edgecolor=to_rgba(key.stroke or "none", key.stroke_alpha),
        lw=key.width,
        label=key.label,
    )


# The SVG ---------------------------------------------------------------------------------------------


def map_svg(
    context: MapContext,
    layers: Sequence[DensityLayer],
    *,
    title: str,
    notes: Sequence[str] = (),
    area: AreaChoice | None = None,
    visible: Collection[str] | None = None,
    size: tuple[float, float] = SIZE_INCHES,
    proposals: Sequence[tuple[str, BaseGeometry]] = (),
) -> str:
    """The same picture as ``map_png`` as an SVG document (text), one user unit to a point: to be put
    inline in an HTML page (it inherits nothing it needs) or saved as a ``.svg`` file.

    >>> svg = map_svg(context, layers, title="LEAD", size=(7.4, 3.5))  # doctest: +SKIP
    >>> svg.startswith("<svg")  # doctest: +SKIP
    True
    """
    drawing = _drawing(context, layers, area, visible, proposals)
    layout = _Layout.for_size(size, len(notes))
    width, height = size[0] * 72, size[1] * 72
    box_left, box_bottom, box_width, box_height = layout.map_box
    # The frame's shape fitted into the largest map box, anchored top left (as the PNG's axes).
    west, south, east, north = drawing.extent
    shrink = _shrink(drawing.extent)
    scale = min(box_width * width / ((east - west) * shrink), box_height * height / (north - south))
    left, top = box_left * width, (1 - box_bottom - box_height) * height
    map_width, map_height = (east - west) * shrink * scale, (north - south) * scale

    def point(lon: float, lat: float) -> tuple[float, float]:
        return left + (lon - west) * shrink * scale, top + (north - lat) * scale

    def project(lon: float, lat: float) -> str:
        x, y = point(lon, lat)
        return f"{x:.1f},{y:.1f}"

    frame = f'x="{left:.1f}" y="{top:.1f}" width="{map_width:.1f}" height="{map_height:.1f}"'
    parts = [
        svg_text(0.12 * 72, 0.08 * 72 + layout.title * 0.8, title, layout.title, bold=True),
        f'<clipPath id="static-map-frame"><rect {frame}/></clipPath>',
        f'<g clip-path="url(#static-map-frame)" stroke-linejoin="round"><rect {frame} fill="{BACKGROUND}"/>',
        *(_svg_shapes(shapes, project) for shapes in drawing.shapes),
        "</g>",
        f'<rect {frame} fill="none" stroke="{FRAME}" stroke-width="0.8"/>',
    ]
    for label in drawing.labels:  # as matplotlib's annotations: drawn when their point is in the frame
        if west <= label.lon <= east and south <= label.lat <= north:
            x, y = point(label.lon, label.lat)
            baseline = y + layout.label * 0.35  # centred on the point, as the PNG's labels
            parts.append(
                svg_text(
                    x, baseline, label.text, layout.label, label.colour, bold=True, anchor="middle", halo=0.8
                )
            )
    if drawing.keys:
        parts.append(_svg_legend(drawing.keys, left + map_width + 0.1 * 72, top, layout.legend))
    for line, note in enumerate(notes):
        note_top = height - layout.note_top(line) * 72
        parts.append(svg_text(0.12 * 72, note_top + layout.note * 0.8, note, layout.note, "#1b1f24"))
    return svg_document(width, height, title, parts)


def _shrink(extent: tuple[float, float, float, float]) -> float:
    """How much shorter a degree of longitude is than a degree of latitude in the middle of ``extent``."""
    return math.cos(math.radians((extent[1] + extent[3]) / 2))


def svg_document(width: float, height: float, title: str, parts: Iterable[str]) -> str:
    """A picture of ``width`` x ``height`` points on white: ``parts`` are its SVG elements, ``title`` what
    a screen reader says it is. Inline in HTML it needs nothing from the page."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.1f} {height:.1f}" '
        f'width="{width:.1f}pt" height="{height:.1f}pt" role="img" aria-label="{html_attribute(title)}" '
        f'font-family="{FONT_FAMILY}"><title>{html_text(title)}</title>'
        f'<rect width="{width:.1f}" height="{height:.1f}" fill="white"/>{"".join(parts)}</svg>'
    )


def _svg_shapes(shapes: _Shapes, project) -> str:
    """One path per colour: a filled group of rings closed, lines left open."""
    stroke = _stroke(shapes.stroke, shapes.width, shapes.dash, shapes.stroke_alpha)
    if shapes.fill is None:
        return f'<path d="{_path(shapes.rings, project, closed=False)}" fill="none"{stroke}/>'
    fills = [shapes.fill] * len(shapes.rings) if isinstance(shapes.fill, str) else shapes.fill
    by_colour: dict[str, list] = {}
    for ring, colour in zip(shapes.rings, fills, strict=True):
        by_colour.setdefault(colour, []).append(ring)
    return "".join(
        f'<path d="{_path(rings, project, closed=True)}" fill="{colour}" '
        f'fill-opacity="{shapes.fill_alpha:g}"{stroke}/>'
        for colour, rings in by_colour.items()
    )


def _stroke(colour: str | None, width: float, dash: str, alpha: float) -> str:
    """SVG attributes of a line: matplotlib's dashes scale with the line's width, so they do here."""
    if colour is None:
        return ' stroke="none"'
    attributes = f' stroke="{colour}" stroke-width="{width:g}"'
    if alpha < 1:
        attributes += f' stroke-opacity="{alpha:g}"'
    if DASHES[dash]:
        attributes += f' stroke-dasharray="{",".join(f"{d * width:.2f}" for d in DASHES[dash])}"'
    return attributes


def _path(rings: Iterable, project, closed: bool) -> str:
    end = "Z" if closed else ""
    return "".join("M" + " ".join(project(lon, lat) for lon, lat in ring) + end for ring in rings)


def svg_text(
    x: float,
    y: float,
    text: str,
    size: float,
    colour: str = "#111111",
    *,
    bold: bool = False,
    anchor: str = "start",
    halo: float = 0.0,
    upwards: bool = False,
) -> str:
    """A line of text with its baseline at ``y``; ``anchor``: which end of it ``x`` is (start, middle or
    end). ``halo``: the opacity of a white rim that keeps it readable over a map or bars (in place of
    the PNG's white box, which would need the text's width). ``upwards``: turned to read bottom to top.
    """
    style = ' font-weight="bold"' if bold else ""
    if anchor != "start":
        style += f' text-anchor="{anchor}"'
    if halo:
        style += (
            f' stroke="white" stroke-width="2.4" stroke-opacity="{halo:g}" stroke-linejoin="round"'
            ' paint-order="stroke"'
        )
    if upwards:
        style += f' transform="rotate(-90 {x:.1f} {y:.1f})"'
    text = html_text(text)  # escaped, and cleaned of characters an SVG file may not hold (NUL)
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" fill="{colour}"{style}>{text}</text>'


def _svg_legend(keys: Sequence[_Key], left: float, top: float, size: float) -> str:
    """The legend as matplotlib lays it out: a bold title, then a handle and a label per entry."""
    left, top = left + 0.4 * size, top + 0.4 * size  # matplotlib's padding inside a legend's box
    handle_width, handle_height = 2.0 * size, 0.7 * size
    parts = [svg_text(left, top + (size + 1) * 0.8, "Legend", size + 1, bold=True)]
    y = top + (size + 1) * 1.1 + 0.5 * size  # the top of the next entry
    for key in keys:
        lines = key.label.split("\n")
        block = ((len(lines) - 1) * 1.2 + 1) * size  # matplotlib's line spacing, 1.2
        middle = y + block / 2
        stroke = _stroke(key.stroke, key.width, key.dash, key.stroke_alpha)
        if key.fill is not None:
            parts.append(
                f'<rect x="{left:.1f}" y="{middle - handle_height / 2:.1f}" width="{handle_width:.1f}" '
                f'height="{handle_height:.1f}" fill="{key.fill}" fill-opacity="{key.fill_alpha:g}"{stroke}/>'
            )
        elif key.stroke is not None:
            parts.append(f'<path d="M{left:.1f},{middle:.1f}h{handle_width:.1f}" fill="none"{stroke}/>')
        for index, text in enumerate(lines):
            baseline = y + (index * 1.2 + 0.8) * size
            parts.append(svg_text(left + handle_width + 0.8 * size, baseline, text, size))
        y += block + 0.5 * size
    return "".join(parts)
