"""The Map page's map as a still picture: the same layers, a legend, a title, the period and notes.

For slides, printed briefs and e-mail, where an interactive map cannot go. What is drawn (which
outlines, cells, labels and legend entries, in which order and style) is decided once, in
``_drawing``, in the colours, lines and legend words of the map description (``geo.map_style``), from
exactly what the interactive map draws: the density layers as loaded for the page
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
from dataclasses import dataclass, replace
from functools import lru_cache

import pandas as pd
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from domain.program import EXPANSION_CANDIDATES
from domain.safe_text import clean_text, html_attribute, html_text
from geo.density import DensityLayer, cell_size_text
from geo.map_page import DISTRICT_EDITIONS, MAP_LAYERS, AreaChoice, MapContext, central_area_id
from geo.map_style import (
    CELLS,
    FRAME,
    GROUND,
    HALO,
    INK,
    KEY_EDGE,
    LAYERS,
    LEGEND_MAX_WIDTH,
    LEGEND_ORDER,
    STILL_LINE_SCALE,
    TEXT,
    LayerStyle,
    class_legend,
    hidden_cells_legend,
    shown_kinds,
)

BACKGROUND = GROUND  # the interactive map's offline ground colour
PILOT_ZONE = LAYERS["pilot_zone"].stroke
PROPOSAL = LAYERS["proposal"].stroke
PROPOSAL_LABEL_LIMIT = 28  # characters of a proposal's name on the map and in its legend
DPI = 150
SIZE_INCHES = (11.0, 8.0)  # landscape, about 1650 x 1200 pixels
FONT_FAMILY = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"  # matplotlib's, and the brief's


@dataclass(frozen=True)
class _Shapes:
    """Rings (lists of (lon, lat)) of one described layer: filled areas with their edges when the
    layer has a fill (or ``fills``, one colour per ring), else lines alone."""

    rings: list
    style: LayerStyle
    fills: tuple[str, ...] | None = None  # density cells: each its class colour
    seams: bool = False  # the stroke only separates neighbouring tiles (cells)


@dataclass(frozen=True)
class _Label:
    lon: float
    lat: float
    text: str
    colour: str


@dataclass(frozen=True)
class _Key:
    """A legend entry: a swatch drawn as ``style`` draws on the map, or a heading (no style)."""

    label: str
    style: LayerStyle | None = None


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
    """What the still map shows, bottom to top, and its legend, whichever way it is rendered: the
    described layers in ``geo.map_style.DRAW_ORDER``, their legend entries in ``LEGEND_ORDER``."""
    shown = set(MAP_LAYERS if visible is None else visible)
    shapes, labels, keys = [], [], []
    for layer in layers:
        if layer.key in shown:
            shapes += _cells(layer)
            keys += _cell_keys(layer)
    neighbourhoods = _by_id(context.neighborhoods)
    districts = _by_id(context.districts)
    central_id = central_area_id(context.edition)
    picked = area is not None and area.kind in ("district", "neighborhood")
    extra = (["selected_area"] if picked else []) + (["proposal"] if proposals else [])
    kinds = [key for key in shown_kinds(shown, extra) if key != "streets" or context.streets]
    fields = {
        "edition": DISTRICT_EDITIONS.get(context.edition, context.edition).split(" (")[0],
        "label": area.label if area is not None else "",
    }
    for kind in kinds:
        style = LAYERS[kind]
        if kind == "neighbourhoods":
            shapes.append(_Shapes(_rings(neighbourhoods.values()), style))
        elif kind == "districts":
            others = [text for area_id, text in districts.items() if area_id != central_id]
            shapes.append(_Shapes(_rings(others), style))
        elif kind == "central_district":
            shapes.append(_Shapes(_rings([districts[central_id]] if central_id in districts else []), style))
        elif kind == "candidates":
            names = dict(zip(context.neighborhoods["name"].tolist(), neighbourhoods.values(), strict=True))
            candidates = {name: text for name, text in names.items() if name in EXPANSION_CANDIDATES}
            shapes.append(_Shapes(_outer_rings(candidates.values()), style))
            for name, text in candidates.items():
                lon, lat = _outline(text).label_point
                labels.append(_Label(lon, lat, name, style.label))
        elif kind == "streets":
            shapes.append(_Shapes(_street_lines(context.streets), style))
        elif kind == "pilot_zone":
            shapes.append(_Shapes(_outer_rings(context.pilot_zone["geojson"].tolist()), style))
        elif kind == "selected_area":
            outlines = districts if area.kind == "district" else neighbourhoods
            shapes.append(
                _Shapes(_rings([outlines[area.area_id]] if area.area_id in outlines else []), style)
            )
        elif kind == "proposal":
            shapes += [_Shapes(_polygon_rings(geometry), style) for _, geometry in proposals]
            for name, geometry in proposals:
                point = geometry.representative_point()
                labels.append(_Label(point.x, point.y, _proposal_name(name), style.label))
    for kind in LEGEND_ORDER:
        if kind == "proposal" and kind in kinds:
            keys += [
                _Key(LAYERS[kind].legend_text(name=_proposal_name(name)), LAYERS[kind])
                for name, _ in proposals
            ]
        elif kind == "selected_area" and kind in kinds:
            keys.append(_Key(textwrap.fill(LAYERS[kind].legend_text(**fields), 30), LAYERS[kind]))
        elif kind in kinds:
            keys.append(_Key(LAYERS[kind].legend_text(**fields), LAYERS[kind]))
    return _Drawing(shapes, labels, keys, _extent(districts.values(), area))


def _proposal_name(name: str) -> str:
    # A saved proposal's name is anyone's text, of any length: one line, no control characters, and
    # short enough to stay inside the picture (the brief prints the whole name beside it).
    return clean_text(name, PROPOSAL_LABEL_LIMIT)


def _polygon_rings(geometry: BaseGeometry) -> list:
    return [list(polygon.exterior.coords) for polygon in getattr(geometry, "geoms", [geometry])]


def _by_id(outlines: pd.DataFrame) -> dict[str, str]:
    """area id -> GeoJSON text of rows from ``queries/areas_geojson.sql``, in their order."""
    return dict(zip(outlines["area_id"].tolist(), outlines["geojson"].tolist(), strict=True))


def _cells(layer: DensityLayer) -> list[_Shapes]:
    """The layer's hexagons in their class colours."""
    features = layer.cells["features"]
    if not features:
        return []
    rings = [feature["geometry"]["coordinates"][0] for feature in features]
    fills = tuple(feature["properties"]["colour"] for feature in features)
    return [_Shapes(rings, CELLS, fills=fills, seams=True)]


def _cell_keys(layer: DensityLayer) -> list[_Key]:
    """Legend entries of a density layer: its heading, one swatch per class, what was left out."""
    size = cell_size_text(layer.resolution).replace(", about", ",\nabout")
    heading = f"{layer.title}\n{size}"
    if layer.scale is None:
        return [_Key(f"{heading}\nnone to draw")]
    classes = [
        _Key(class_legend(label, layer.noun), _class_swatch(colour))
        for colour, label in zip(layer.scale.colours, layer.scale.labels(), strict=True)
    ]
    hidden = (
        [_Key(textwrap.fill(hidden_cells_legend(bool(layer.hidden.withheld)), 30))]
        if layer.hidden.cells
        else []
    )
    return [_Key(heading), *classes, *hidden]


def _class_swatch(colour: str) -> LayerStyle:
    """A density class in the legend: the cell's colour and opacity, edged as every class swatch."""
    return replace(CELLS, stroke=KEY_EDGE, width=1.0, fill=colour)


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
    figure = _png_figure(_drawing(context, layers, area, visible, proposals), title, notes, size, dpi)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def _png_figure(drawing: _Drawing, title: str, notes: Sequence[str], size: tuple[float, float], dpi: int):
    """The PNG's matplotlib figure (object API: no pyplot state shared between sessions)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

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
            bbox={"boxstyle": "round,pad=0.2", "facecolor": HALO, "edgecolor": "none", "alpha": 0.75},
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
        figure.text(0.12 / width, top / height, note, fontsize=layout.note, va="top", color=TEXT, **plain)
    return figure


def _line_options(style: LayerStyle, width: float) -> dict:
    """matplotlib's line colour, width (points) and dash for ``style`` (dashes scale with the width,
    in matplotlib as in the description)."""
    from matplotlib.colors import to_rgba

    return {
        "colour": to_rgba(style.stroke, style.stroke_opacity),
        "width": width,
        "dash": (0, style.dash) if style.dash else "-",
        "cap": "round" if style.round_caps else "butt",
    }


def _collections(shapes: _Shapes) -> list:
    """Tiles with their seams as one collection; areas as their fill, then their outline over it.
    Each collection's gid is its layer's key."""
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.colors import to_rgba_array

    style = shapes.style
    line = _line_options(style, style.width * STILL_LINE_SCALE)
    lines = LineCollection(
        shapes.rings,
        colors=[line["colour"]],
        linewidths=line["width"],
        linestyles=line["dash"],
        capstyle=line["cap"],
        gid=style.key,
    )
    fills = shapes.fills or style.fill
    if fills is None:
        return [lines]
    faces = to_rgba_array(fills, style.fill_opacity)
    if shapes.seams:
        return [
            PolyCollection(
                shapes.rings,
                facecolors=faces,
                edgecolors=[line["colour"]],
                linewidths=line["width"],
                gid=style.key,
            )
        ]
    return [PolyCollection(shapes.rings, facecolors=faces, edgecolors="none", gid=style.key), lines]


def _handle(key: _Key):
    """A legend handle drawing ``key`` as its layer is drawn: a line, or a filled swatch."""
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    style = key.style
    if style is None:  # a heading
        return Patch(facecolor="none", edgecolor="none", label=key.label)
    line = _line_options(style, min(style.width, LEGEND_MAX_WIDTH) * STILL_LINE_SCALE)
    if style.fill is None:
        return Line2D(
            [],
            [],
            color=line["colour"],
            lw=line["width"],
            ls=line["dash"],
            dash_capstyle=line["cap"],
            label=key.label,
        )
    return Patch(
        facecolor=to_rgba(style.fill, style.fill_opacity),
        edgecolor=line["colour"],
        lw=line["width"],
        ls=line["dash"],
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
        parts.append(svg_text(0.12 * 72, note_top + layout.note * 0.8, note, layout.note, TEXT))
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
    """One path per colour, named by its layer (``data-layer``): a filled group of rings closed, lines
    left open."""
    style = shapes.style
    stroke = svg_stroke(style, style.width * STILL_LINE_SCALE)
    layer = f'data-layer="{style.key}" '
    fills = shapes.fills or ((style.fill,) * len(shapes.rings) if style.fill else None)
    if fills is None:
        return f'<path {layer}d="{_path(shapes.rings, project, closed=False)}" fill="none"{stroke}/>'
    by_colour: dict[str, list] = {}
    for ring, colour in zip(shapes.rings, fills, strict=True):
        by_colour.setdefault(colour, []).append(ring)
    return "".join(
        f'<path {layer}d="{_path(rings, project, closed=True)}" fill="{colour}" '
        f'fill-opacity="{style.fill_opacity:g}"{stroke}/>'
        for colour, rings in by_colour.items()
    )


def svg_stroke(style: LayerStyle, width: float) -> str:
    """SVG attributes of ``style``'s line drawn ``width`` wide (its dashes scale with the width)."""
    attributes = f' stroke="{style.stroke}" stroke-width="{width:g}"'
    if style.stroke_opacity < 1:
        attributes += f' stroke-opacity="{style.stroke_opacity:g}"'
    if style.dash:
        attributes += f' stroke-dasharray="{",".join(f"{d:.2f}" for d in style.dash_lengths(width))}"'
    if style.round_caps:
        attributes += ' stroke-linecap="round"'
    return attributes


def svg_paint(style: LayerStyle, width: float) -> str:
    """SVG attributes drawing an area or line of ``style``: its fill (or none) and its line."""
    fill = f'fill="{style.fill}" fill-opacity="{style.fill_opacity:g}"' if style.fill else 'fill="none"'
    return fill + svg_stroke(style, width)


def svg_key(style: LayerStyle, x: float, y: float, width: float, height: float, line_width: float) -> str:
    """A legend swatch ``width`` x ``height`` at (x, y), top left: a filled box edged as the layer, or
    its line across the middle."""
    if style.fill:
        return (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
            f"{svg_paint(style, line_width)}/>"
        )
    middle = y + height / 2
    return f'<path d="M{x:.1f},{middle:.1f}h{width:.1f}" fill="none"{svg_stroke(style, line_width)}/>'


def _path(rings: Iterable, project, closed: bool) -> str:
    end = "Z" if closed else ""
    return "".join("M" + " ".join(project(lon, lat) for lon, lat in ring) + end for ring in rings)


def svg_text(
    x: float,
    y: float,
    text: str,
    size: float,
    colour: str = INK,
    *,
    bold: bool = False,
    anchor: str = "start",
    halo: float = 0.0,
    upwards: bool = False,
    italic: bool = False,
) -> str:
    """A line of text with its baseline at ``y``; ``anchor``: which end of it ``x`` is (start, middle or
    end). ``halo``: the opacity of a white rim that keeps it readable over a map or bars (in place of
    the PNG's white box, which would need the text's width). ``upwards``: turned to read bottom to top.
    ``italic``: slanted, as street names are.
    """
    style = ' font-weight="bold"' if bold else ""
    if italic:
        style += ' font-style="italic"'
    if anchor != "start":
        style += f' text-anchor="{anchor}"'
    if halo:
        style += (
            f' stroke="{HALO}" stroke-width="2.4" stroke-opacity="{halo:g}" stroke-linejoin="round"'
            ' paint-order="stroke"'
        )
    if upwards:
        style += f' transform="rotate(-90 {x:.1f} {y:.1f})"'
    text = html_text(text)  # escaped, and cleaned of characters an SVG file may not hold (NUL)
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" fill="{colour}"{style}>{text}</text>'


def _svg_legend(keys: Sequence[_Key], left: float, top: float, size: float) -> str:
    """The legend as matplotlib lays it out: a bold title, then a handle and a label per entry (each
    entry a group, ``data-part="legend-entry"``)."""
    left, top = left + 0.4 * size, top + 0.4 * size  # matplotlib's padding inside a legend's box
    handle_width, handle_height = 2.0 * size, 0.7 * size
    parts = ['<g data-part="legend">', svg_text(left, top + (size + 1) * 0.8, "Legend", size + 1, bold=True)]
    y = top + (size + 1) * 1.1 + 0.5 * size  # the top of the next entry
    for key in keys:
        parts.append('<g data-part="legend-entry">')
        lines = key.label.split("\n")
        block = ((len(lines) - 1) * 1.2 + 1) * size  # matplotlib's line spacing, 1.2
        if key.style is not None:
            line_width = min(key.style.width, LEGEND_MAX_WIDTH) * STILL_LINE_SCALE
            top_of_key = y + block / 2 - handle_height / 2
            parts.append(svg_key(key.style, left, top_of_key, handle_width, handle_height, line_width))
        for index, text in enumerate(lines):
            baseline = y + (index * 1.2 + 0.8) * size
            parts.append(svg_text(left + handle_width + 0.8 * size, baseline, text, size))
        parts.append("</g>")
        y += block + 0.5 * size
    parts.append("</g>")
    return "".join(parts)
