"""The Overview's map as an SVG picture: the pilot zone inside the Central District.

The first thing a council member sees should be on screen as soon as the page is: a picture that
travels with the page (the Overview shows it as a data-URI image) needs no map library, no frame and
no further request, and it prints and projects sharp. The interactive map (Leaflet) stays one switch
away on the page.

The picture is laid out in pixels at the width it is shown at (``PictureSize``) and scales with the
page from there, so its type is as large on screen as ``PictureSize.type`` says. Boundaries are
turned into picture pixels once; labels are then placed where they fit, clear of each other. The
legend and the source sit beside the map (under it, or to its right when the picture is wide), so
nothing covers the boundaries.

East-west distances are shortened by the cosine of the latitude, which at city scale is
indistinguishable from Web Mercator.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box, shape
from shapely.geometry.base import BaseGeometry

from domain.safe_text import html_attribute, html_text
from geo.map_style import FRAME, GROUND, LAYERS, LEGEND_MAX_WIDTH, TEXT, LayerStyle
from geo.static_map import svg_key, svg_paint, svg_text

ZONE, CENTRAL, DISTRICTS, STREETS = (
    LAYERS[key] for key in ("pilot_zone", "central_district", "districts", "streets")
)
SOURCE = "Police districts as drawn 1959–2022. Boundaries: Baltimore City Open Data, generalised."
PICTURE_DESCRIPTION = (
    "Map: the LEAD pilot zone (Franklin St to Pratt St, St. Paul St to MLK Jr Blvd) inside the Central "
    "District, with the neighbouring police districts"
)
FONT = "'Source Sans', 'Source Sans Pro', 'DejaVu Sans', Arial, sans-serif"  # the page's own first
METRES_PER_DEGREE_LATITUDE = 111_132
MARGIN = 0.08  # space around the Central District, as a share of its size
# A character's width as a share of the type size (a little over the page font's average), to keep
# labels clear of each other and inside the picture.
CHARACTER_WIDTH = {False: 0.53, True: 0.6}  # regular, bold


@dataclass(frozen=True)
class PictureSize:
    """The size in pixels the picture is laid out at, and its type sizes in pixels: names of areas and
    the legend, and the smaller street names and source."""

    width: int
    height: int
    type: float
    small: float


ON_PAGE = PictureSize(width=460, height=560, type=15, small=13)  # the Overview's map column
ON_PROJECTOR = PictureSize(width=1100, height=560, type=27, small=25)  # full width: no type under 24 px


def overview_svg(
    pilot_zone: pd.DataFrame,
    districts: pd.DataFrame,
    central_id: str,
    streets: dict | None,
    size: PictureSize = ON_PAGE,
) -> str:
    """The pilot zone (shaded, named), the Central District (dashed, named) and its neighbours (named
    where they show enough to hold a name), the four boundary streets named beside the zone, a scale
    bar, a legend and the source. ``pilot_zone`` and ``districts``: rows of
    ``queries/areas_geojson.sql``; ``streets``: the boundary streets' GeoJSON
    (``geo.map_page.boundary_streets``), or None to leave their names out.

    >>> svg = overview_svg(zone_rows, district_rows, "district:1959-2022:Central", None)  # doctest: +SKIP
    >>> svg.startswith("<svg")  # doctest: +SKIP
    True
    """
    street_rows = tuple(
        (feature["properties"]["name"], json.dumps(feature["geometry"]))
        for feature in (streets or {}).get("features", [])
    )
    return _picture(
        tuple(pilot_zone["geojson"]),
        tuple(zip(districts["area_id"], districts["name"], districts["geojson"], strict=True)),
        central_id,
        street_rows,
        size,
    )


@lru_cache(maxsize=8)
def _picture(
    zone_outlines: tuple[str, ...],
    district_rows: tuple[tuple[str, str, str], ...],
    central_id: str,
    street_rows: tuple[tuple[str, str], ...],
    size: PictureSize,
) -> str:
    legend = _legend(size)
    width, height = legend.map_width, legend.map_height
    zone_lonlat = shapely.union_all([shape(json.loads(text)) for text in zone_outlines])
    outlines = {area_id: (name, shape(json.loads(text))) for area_id, name, text in district_rows}
    central_lonlat = outlines[central_id][1] if central_id in outlines else zone_lonlat
    to_pixels = _projection(central_lonlat, width, height)
    zone = to_pixels(zone_lonlat)
    named = {area_id: (name, to_pixels(geometry)) for area_id, (name, geometry) in outlines.items()}
    others = [geometry for area_id, (_, geometry) in named.items() if area_id != central_id]

    labels = _Labels(box(0, 0, width, height), size.type, size.small)
    labels.on_zone(zone)
    for name, geometry in street_rows:
        labels.beside_zone(name, to_pixels(shape(json.loads(geometry))), zone)
    scale_bar, scale_box = _scale_bar(to_pixels, width, height, size.type)
    labels.taken.append(scale_box)
    by_importance = sorted(named.items(), key=lambda item: (item[0] != central_id, -item[1][1].area))
    for area_id, (name, geometry) in by_importance:
        central = area_id == central_id
        colour = (CENTRAL if central else DISTRICTS).label
        labels.inside(f"{name} District", geometry, zone, colour, required=central)

    frame = f'width="{width}" height="{height:.1f}"'
    parts = [
        f'<clipPath id="overview-frame"><rect {frame}/></clipPath>',
        f'<g clip-path="url(#overview-frame)" stroke-linejoin="round"><rect {frame} fill="{GROUND}"/>',
        # laid out in screen pixels: every line as wide as on the interactive map
        _path("other-districts", others, svg_paint(DISTRICTS, DISTRICTS.width)),
    ]
    if central_id in named:
        parts.append(_path("central-district", [named[central_id][1]], svg_paint(CENTRAL, CENTRAL.width)))
    parts += [_path("pilot-zone", [zone], svg_paint(ZONE, ZONE.width)), *labels.svg, scale_bar, "</g>"]
    parts.append(f'<rect {frame} fill="none" stroke="{FRAME}" stroke-width="1"/>')
    parts.append(legend.svg())
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="overview-map" '
        f'viewBox="0 0 {size.width} {size.height}" width="100%" style="display:block;height:auto" '
        f'role="img" aria-label="{html_attribute(PICTURE_DESCRIPTION)}" font-family="{html_attribute(FONT)}">'
        f"<title>{html_text(PICTURE_DESCRIPTION)}</title>"
        f'<rect width="{size.width}" height="{size.height}" fill="white"/>{"".join(parts)}</svg>'
    )


def _projection(subject: BaseGeometry, width: float, height: float):
    """A function turning (lon, lat) geometries into picture pixels (y down), ``subject`` centred in a
    ``width`` x ``height`` frame with a margin around it."""
    west, south, east, north = subject.bounds
    shrink = math.cos(math.radians((south + north) / 2))
    scale = min(width / ((east - west) * shrink), height / (north - south)) / (1 + 2 * MARGIN)
    centre_x, centre_y = (west + east) / 2, (south + north) / 2

    def to_pixels(geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(
            geometry,
            lambda lonlat: np.column_stack(
                (
                    width / 2 + (lonlat[:, 0] - centre_x) * shrink * scale,
                    height / 2 - (lonlat[:, 1] - centre_y) * scale,
                )
            ),
        )

    to_pixels.metres_per_pixel = METRES_PER_DEGREE_LATITUDE / scale
    return to_pixels


def _path(layer: str, geometries: Sequence[BaseGeometry], style: str) -> str:
    """One path for the outlines of ``geometries`` (pixels); ``layer`` names it for tests and tools."""
    rings = []
    for geometry in geometries:
        for polygon in getattr(geometry, "geoms", [geometry]):
            rings += [polygon.exterior, *polygon.interiors]
    data = "".join("M" + " ".join(f"{x:.1f},{y:.1f}" for x, y in ring.coords) + "Z" for ring in rings)
    return f'<path data-layer="{layer}" d="{data}" {style}/>'


def _text_width(text: str, size: float, bold: bool) -> float:
    return len(text) * size * CHARACTER_WIDTH[bold]


class _Labels:
    """Labels placed one after another, each clear of those before it and inside the frame."""

    def __init__(self, frame: BaseGeometry, size: float, small: float) -> None:
        self.frame = frame
        self.size = size
        self.small = small
        self.taken: list[BaseGeometry] = []  # the boxes of labels already placed
        self.svg: list[str] = []

    def _add(self, x, y, text, size, colour, kind, anchor="middle", bold=True) -> None:
        width = _text_width(text, size, bold)
        left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        self.taken.append(box(left, y - size * 0.65, left + width, y + size * 0.65))
        italic = kind == "street" and STREETS.italic_label
        text_svg = svg_text(
            x, y + size * 0.35, text, size, colour, bold=bold, anchor=anchor, halo=0.9, italic=italic
        )
        self.svg.append(text_svg.replace("<text ", f'<text data-label="{kind}" ', 1))

    def on_zone(self, zone: BaseGeometry) -> None:
        """The zone's name on the zone: on one line if it fits across it, else on two."""
        text, size = ZONE.title, self.size
        point = zone.representative_point()
        west, _, east, _ = zone.bounds
        if _text_width(text, size, True) <= (east - west) * 1.1:
            self._add(point.x, point.y, text, size, ZONE.label, "pilot-zone")
        else:
            first, rest = text.split(" ", 1)
            self._add(point.x, point.y - size * 0.6, first, size, ZONE.label, "pilot-zone")
            self._add(point.x, point.y + size * 0.6, rest, size, ZONE.label, "pilot-zone")

    def beside_zone(self, name: str, street: BaseGeometry, zone: BaseGeometry) -> None:
        """A boundary street's name just outside the zone, by the edge the street runs along."""
        size = self.small
        gap = size * 0.5
        west, north, east, south = zone.bounds  # pixels: y grows downwards
        middle, centre = street.centroid, zone.centroid
        across, along = abs(middle.x - centre.x) / (east - west), abs(middle.y - centre.y) / (south - north)
        if across > along:  # an east or west edge: the name reads away from the zone
            anchor, x = ("start", east + gap) if middle.x > centre.x else ("end", west - gap)
            room = self.frame.bounds[2] - x if anchor == "start" else x
            lines = (
                [name] if _text_width(name, size, False) < room else name.replace(" / ", " /\n").split("\n")
            )
            for index, text in enumerate(lines):
                y = middle.y + (index - (len(lines) - 1) / 2) * size * 1.2
                self._add(x, y, text, size, STREETS.label, "street", anchor, bold=False)
        else:
            y = north - gap - size * 0.5 if middle.y < centre.y else south + gap + size * 0.5
            self._add(centre.x, y, name, size, STREETS.label, "street", bold=False)

    def inside(
        self, text: str, area: BaseGeometry, zone: BaseGeometry, colour: str, required: bool = False
    ) -> None:
        """``text`` inside ``area`` where it is furthest from the area's edges, without touching the
        zone, another label or the frame's edge; left out if the area shows too little to hold it,
        unless ``required``: then it may stick out of the area as long as its middle is inside."""
        size = self.size
        half_width, half_height = _text_width(text, size, True) / 2, size * 0.7
        room = area.intersection(self.frame.buffer(-size * 0.4, join_style="mitre"))
        if room.is_empty:
            return
        west, north, east, south = room.bounds
        xs, ys = np.meshgrid(np.arange(west, east, size * 0.5), np.arange(north, south, size * 0.5))
        x, y = xs.ravel(), ys.ravel()
        corners = [(dx, dy) for dx in (-half_width, 0, half_width) for dy in (-half_height, half_height)]
        fits = shapely.contains_xy(room, x, y)
        inside = fits.copy()
        for dx, dy in corners:
            inside &= shapely.contains_xy(room, x + dx, y + dy)
        if inside.any() or not required:
            fits = inside
        fits &= (x - half_width > 0) & (x + half_width < self.frame.bounds[2])
        x, y = x[fits], y[fits]
        boxes = shapely.box(x - half_width, y - half_height, x + half_width, y + half_height)
        for taken in [zone, *self.taken]:
            clear = ~shapely.intersects(boxes, taken)
            x, y, boxes = x[clear], y[clear], boxes[clear]
        if not len(x):
            return
        depth = shapely.distance(shapely.points(x, y), area.boundary)
        best = int(np.argmax(depth))
        self._add(float(x[best]), float(y[best]), text, size, colour, "district")


def _scale_bar(to_pixels, width: float, height: float, size: float) -> tuple[str, BaseGeometry]:
    """A bar of a round length (at most a fifth of the map's width) in the bottom right corner, and
    the box it takes."""
    metres_per_pixel = to_pixels.metres_per_pixel
    length = next((m for m in (5000, 2000, 1000, 500, 250, 100) if m / metres_per_pixel <= width / 5), 100)
    pixels = length / metres_per_pixel
    right, bottom = width - size, height - size * 0.8
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length} m"
    area = box(right - pixels - size * 0.4, bottom - size * 1.9, right + size * 0.4, bottom + size * 0.4)
    west, north, east, south = area.bounds
    svg = (
        f'<g data-part="scale"><rect x="{west:.1f}" y="{north:.1f}" width="{east - west:.1f}" '
        f'height="{south - north:.1f}" fill="white" fill-opacity="0.85"/>'
        f'<path d="M{right - pixels:.1f},{bottom - size * 0.3:.1f}v{size * 0.3:.1f}h{pixels:.1f}'
        f'v{-size * 0.3:.1f}" fill="none" stroke="{TEXT}" stroke-width="2"/>'
        f"{svg_text(right - pixels / 2, bottom - size * 0.6, text, size, TEXT, anchor='middle')}</g>"
    )
    return svg, area


@dataclass(frozen=True)
class _Legend:
    """A key and a name per boundary, then the source: in a band under the map (entries flowing in
    rows), or in a column to its right when the picture is wide (entries one under another)."""

    entries: tuple[tuple[LayerStyle, str, float, float], ...]  # layer, name, x, baseline y
    source: tuple[tuple[float, float, str], ...]  # x, baseline y, line
    type: float
    small: float
    map_width: float  # what the legend leaves of the picture for the map
    map_height: float

    def svg(self) -> str:
        size = self.type
        parts = ['<g data-part="legend">']
        for style, name, x, y in self.entries:
            line = min(style.width, LEGEND_MAX_WIDTH)
            parts.append(svg_key(style, x, y - size * 0.75, size * 2, size * 0.9, line))
            parts.append(svg_text(x + size * 2.5, y, name, size, TEXT))
        parts += [svg_text(x, y, text, self.small, TEXT) for x, y, text in self.source]
        parts.append("</g>")
        return "".join(parts)


# The legend: the three boundaries drawn, as the map description names them.
_KEYS = tuple((style, style.legend_text()) for style in (ZONE, CENTRAL, DISTRICTS))


def _legend(size: PictureSize) -> _Legend:
    """Where the legend's entries and source lines go, and the room left for the map."""
    type_size = size.type
    line = type_size * 1.7
    if size.width > size.height * 1.6:  # wide: a column on the right, as wide as its longest entry
        column = max(type_size * 2.5 + _text_width(name, type_size, bold=False) for _, name in _KEYS)
        left = size.width - column - type_size * 0.6
        entries = [
            (key, name, left, type_size * 1.4 + index * line) for index, (key, name) in enumerate(_KEYS)
        ]
        top = entries[-1][3] + line * 1.2
        source = _source_lines(left, top, column, size.small)
        return _Legend(tuple(entries), source, type_size, size.small, left - type_size * 1.2, size.height)
    x, y = type_size * 0.6, type_size * 1.8
    entries = []
    for key, name in _KEYS:
        width = type_size * 2.5 + _text_width(name, type_size, bold=False)
        if x > type_size and x + width > size.width - type_size * 0.6:
            x, y = type_size * 0.6, y + line
        entries.append((key, name, x, y))
        x += width + type_size * 1.5
    source = _source_lines(type_size * 0.6, y + line * 0.95, size.width - type_size * 1.2, size.small)
    top = size.height - (source[-1][1] + size.small * 0.7)  # the band's top: the map ends there
    entries = [(key, name, x, top + y) for key, name, x, y in entries]
    source = tuple((x, top + y, text) for x, y, text in source)
    return _Legend(tuple(entries), source, type_size, size.small, size.width, top)


def _source_lines(left: float, top: float, width: float, size: float) -> tuple:
    """The source note in type of ``size`` in lines no wider than ``width``: (x, baseline y, text)."""
    lines = [""]
    for word in SOURCE.split():
        if lines[-1] and _text_width(f"{lines[-1]} {word}", size, bold=False) > width:
            lines.append(word)
        else:
            lines[-1] = f"{lines[-1]} {word}".strip()
    return tuple((left, top + index * size * 1.3, text) for index, text in enumerate(lines))
