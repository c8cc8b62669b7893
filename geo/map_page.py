"""What the Map page shows, apart from the map itself: area choices, filters, figures, downloads.

Pages pass their cached ``query`` function in (``ui.data.query``); scripts and tests pass
``functools.partial(queries.run, con)``, so the page and the benchmark load exactly the same data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import h3
import pandas as pd
from shapely import STRtree
from shapely.geometry import Point, shape

from domain import disclosure, program
from domain.figures import (
    ELIGIBLE_ARRESTS,
    ENROLLED,
    REFERRALS,
    REFERRALS_PER_100,
    count_text,
    referrals_per_100_text,
)
from domain.privacy import Disclosure, is_small, public_count
from geo.density import DensityLayer, cell_resolution, density_layer
from geo.map_style import CELL_LAYERS, LAYERS

DISTRICT_EDITIONS = {"1959-2022": "1959–2022 (the LEAD era)", "2023": "2023 (current)"}
DEFAULT_EDITION = "1959-2022"
ANY = "any"  # the filter value meaning "no filter"
# The map's layers, switched on and off above the map (and kept in a shared link): key -> name. The
# names come from the one map description (geo/map_style.py), so the switch and the legend agree.
_OUTLINES = ("neighbourhoods", "districts", "candidates", "streets", "pilot_zone")
MAP_LAYERS = {key: CELL_LAYERS[key].title for key in ("referrals", "arrests")} | {
    key: LAYERS[key].title for key in _OUTLINES
}
# Two hexagon layers over each other cannot be read: eligible arrests start switched off.
DEFAULT_LAYERS = [key for key in MAP_LAYERS if key != "arrests"]
BOUNDARY_STREETS_PATH = (
    Path(__file__).resolve().parent.parent / "data" / "boundaries" / "boundary_streets.geojson"
)

RunQuery = Callable[..., pd.DataFrame]  # (query name, **parameters) -> result


@dataclass(frozen=True)
class AreaChoice:
    """An area the picker offers: its id, a label, and the box to zoom to."""

    area_id: str
    kind: str
    label: str
    bounds: tuple[tuple[float, float], tuple[float, float]] | None  # ((south, west), (north, east))


def area_choices(area_list: pd.DataFrame, edition: str) -> dict[str, AreaChoice]:
    """The whole city, the pilot zone, the districts of ``edition`` and every neighbourhood, in order."""
    choices = {"city": AreaChoice("city", "city", "Whole city", None)}
    edition_label = DISTRICT_EDITIONS.get(edition, edition).split(" (")[0]
    suffix = {
        "pilot_zone": "",
        "district": f" District ({edition_label})",
        "neighborhood": " (neighbourhood)",
    }
    # Plain column lists: itertuples builds a namedtuple class per call, and this runs on every rerun.
    columns = ("area_id", "kind", "name", "edition", "min_lat", "min_lon", "max_lat", "max_lon")
    rows = zip(*(area_list[column].tolist() for column in columns), strict=True)
    for area_id, kind, name, area_edition, min_lat, min_lon, max_lat, max_lon in rows:
        if kind == "district" and area_edition != edition:
            continue
        label = "LEAD pilot zone" if kind == "pilot_zone" else f"{name}{suffix.get(kind, '')}"
        choices[area_id] = AreaChoice(area_id, kind, label, ((min_lat, min_lon), (max_lat, max_lon)))
    return choices


def same_area_in_edition(area_id: str, edition: str) -> str:
    """The id of the same district in another edition ('district:2023:Central'); other ids unchanged."""
    if not area_id.startswith("district:"):
        return area_id
    return f"district:{edition}:{area_id.rsplit(':', 1)[1]}"


def central_area_id(edition: str) -> str:
    return f"district:{edition}:Central"


@cache
def _boundary_streets(path: Path, modified: float) -> dict:
    data = json.loads(path.read_text())
    if data.get("type") != "FeatureCollection" or not data.get("features"):
        raise ValueError(f"{path.name}: expected a GeoJSON FeatureCollection of named streets")
    for feature in data["features"]:
        if not feature.get("properties", {}).get("name"):
            raise ValueError(f"{path.name}: a street has no 'name' property")
    return data


def boundary_streets(path: Path = BOUNDARY_STREETS_PATH) -> dict | None:
    """The four streets that bound the pilot zone (GeoJSON, each with a ``name``); None if not shipped.

    Read from the shipped file in ``data/boundaries`` (built by ``geo.build_boundaries``), cached until
    the file changes.
    """
    if not path.is_file():
        return None
    return _boundary_streets(path, path.stat().st_mtime)


@dataclass(frozen=True)
class MapContext:
    """Outlines for the map, as rows from ``queries/areas_geojson.sql`` (a ``geojson`` column each)."""

    pilot_zone: pd.DataFrame
    districts: pd.DataFrame  # one edition
    neighborhoods: pd.DataFrame
    edition: str
    streets: dict | None = None


def load_context(run_query: RunQuery, edition: str) -> MapContext:
    """The outlines the map draws for one district edition."""
    return MapContext(
        pilot_zone=run_query("areas_geojson", kind="pilot_zone", edition="any"),
        districts=run_query("areas_geojson", kind="district", edition=edition),
        neighborhoods=run_query("areas_geojson", kind="neighborhood", edition="any"),
        edition=edition,
        streets=boundary_streets(),
    )


@dataclass(frozen=True)
class MapFilters:
    """Everything that selects the records on the map: period, area, filters, and who is looking."""

    start_date: date
    end_date: date
    area_id: str = "city"
    referral_type: str = ANY
    offense_category: str = ANY
    public: bool = True

    def __post_init__(self) -> None:
        if self.public:  # public figures cover whole quarters (domain/disclosure.py)
            start, end = disclosure.widen_to_quarters(self.start_date, self.end_date)
            object.__setattr__(self, "start_date", start)
            object.__setattr__(self, "end_date", end)

    @property
    def period(self) -> str:
        return f"{self.start_date:%d %b %Y} – {self.end_date:%d %b %Y}"

    def arrest_parameters(self) -> dict:
        return {
            "start_date": self.start_date,
            "end_date": self.end_date,
            "area_id": self.area_id,
            "offense_category": self.offense_category,
        }

    def referral_parameters(self) -> dict:
        return {**self.arrest_parameters(), "referral_type": self.referral_type, "public": self.public}


# layer key -> the query counting its records per cell
_CELL_QUERIES = {"referrals": "map_referral_cells", "arrests": "map_arrest_cells"}


def _counted(run_query: RunQuery, filters: MapFilters, key: str) -> pd.DataFrame:
    """Records of layer ``key`` per cell for ``filters``, with a null-cell row for those without a place.

    The figures beside the map and the layer's hexagons come from this one result, so one scan of
    the records gives both (and a cached query serves the second use).
    """
    parameters = filters.referral_parameters() if key == "referrals" else filters.arrest_parameters()
    resolution = cell_resolution(filters.area_id, key, filters.public)
    return run_query(_CELL_QUERIES[key], **parameters, resolution=resolution)


def _drawable(counted: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``counted`` that have a cell, as ``(cell, records)`` with plain uint64 cell ids."""
    # a cell whose published count is 0 (a few records rounded down) has nothing to draw
    located = counted[counted["cell"].notna() & (counted["records"] > 0)]
    return pd.DataFrame(
        {"cell": located["cell"].to_numpy(dtype="uint64"), "records": located["records"].to_numpy()}
    )


def _totals(counted: pd.DataFrame) -> tuple[int, int]:
    """(all records, records without coordinates) of one layer's counts."""
    return int(counted["records"].sum()), int(counted["records_unmapped"].sum())


def load_density_layers(
    run_query: RunQuery,
    filters: MapFilters,
    keys: Collection[str] = ("referrals", "arrests"),
) -> list[DensityLayer]:
    """Referral and eligible-arrest cells for ``filters``, counted in DuckDB, small cells hidden if public.

    The page shows each layer's total beside the map: drawn cells plus records without a place add
    up to it, so a public view also withholds whatever cells would let a hidden one be worked out by
    subtraction. The totals come from the same counts as the cells (the figures of ``load_figures``
    are sums of them).
    ``keys``: the layers to load (a picture that draws only referrals need not count arrests).
    """
    layers = []
    for key in (key for key in _CELL_QUERIES if key in keys):
        counted = _counted(run_query, filters, key)
        cells = _drawable(counted)
        withheld = _withheld_cells(cells, *_totals(counted)) if filters.public else set()
        resolution = cell_resolution(filters.area_id, key, filters.public)
        layers.append(density_layer(key, cells, filters.period, resolution, filters.public, withheld))
    return layers


def _withheld_cells(cells: pd.DataFrame, total: int, unmapped: int) -> set[int]:
    """Cells of 5 or more to leave off a public map so that no small cell follows from the total."""
    counts = Disclosure(public=True)
    counts.count("total", total)
    counts.count("unmapped", unmapped)
    ids = [int(cell) for cell in cells["cell"]]
    for cell, records in zip(ids, cells["records"].tolist(), strict=True):
        counts.count(cell, records)
    counts.adds_up([*ids, "unmapped"], "total")
    records = dict(zip(ids, cells["records"].tolist(), strict=True))
    return {cell for cell in counts.hidden() if cell in records and not is_small(records[cell])}


# The counts load_figures gives, in order (headline_figures and unmapped_text read them by name).
_FIGURE_NAMES = (
    "referrals",
    "enrolled",
    "eligible_arrests",
    "referrals_unmapped",
    "eligible_arrests_unmapped",
)


def load_figures(run_query: RunQuery, filters: MapFilters) -> pd.Series:
    """Referrals, enrolled, LEAD-eligible arrests (same area and period) and how many of each have no
    coordinates, for ``filters``: counts only; ``headline_figures`` derives the ratio from them.

    Arrests are summed from their layer's cell counts (the query the map draws from); referrals are
    counted for the area as a whole (``map_referral_totals``), published as on every other page in a
    public view. The referral type filters referrals only; the offense category filters both.
    Counts come as floats, as they did from one SQL row.
    """
    referral_totals = run_query("map_referral_totals", **filters.referral_parameters()).iloc[0]
    arrests, arrests_unmapped = _totals(_counted(run_query, filters, "arrests"))
    values = (
        int(referral_totals["records"]),
        int(referral_totals["enrolled"]),
        arrests,
        int(referral_totals["records_unmapped"]),
        arrests_unmapped,
    )
    return pd.Series(values, index=list(_FIGURE_NAMES), dtype="float64", name=0)


# Figures beside the map -------------------------------------------------------------------------------

# pages/map.py's caption says what the ratio is in the same words as its help.
RATIO_HELP = REFERRALS_PER_100.help
_SHOWN_COUNTS = (REFERRALS, ENROLLED, ELIGIBLE_ARRESTS)


@dataclass(frozen=True)
class HeadlineFigure:
    key: str  # a key of domain.figures.FIGURES
    label: str
    value: str  # as shown: small counts, and the ratio they would give away, hidden in public views
    help: str | None = None


def headline_figures(counts: pd.Series, public: bool) -> list[HeadlineFigure]:
    """People referred, enrolled, LEAD-eligible arrests and referrals per 100 of them, as shown.

    ``counts`` holds ``referrals``, ``enrolled`` and ``eligible_arrests`` (a ``load_figures`` result,
    or a row of ``queries/referral_headline.sql``). Labels, the ratio's formula and rounding, and what
    a public view hides are ``domain.figures``'s, so the Overview and the brief read the same.

    >>> counts = pd.Series({"referrals": 3, "enrolled": 2, "eligible_arrests": 400})
    >>> [figure.value for figure in headline_figures(counts, public=True)]
    ['fewer than 5', 'fewer than 5', '400', '— (fewer than 5 in a count)']
    """
    shown = [
        HeadlineFigure(
            figure.key, figure.label, count_text(figure.key, counts[figure.key], public), figure.help
        )
        for figure in _SHOWN_COUNTS
    ]
    ratio = referrals_per_100_text(counts["referrals"], counts["eligible_arrests"], public)
    return [
        *shown,
        HeadlineFigure(REFERRALS_PER_100.key, REFERRALS_PER_100.label, ratio, REFERRALS_PER_100.help),
    ]


_UNMAPPED = {"eligible_arrests_unmapped": "eligible arrests", "referrals_unmapped": "referrals"}


def unmapped_text(figures: pd.Series, public: bool) -> str | None:
    """Say how many counted records have no coordinates (in the figures, not on the map)."""
    parts = [
        f"{public_count(figures[column], public)} {noun}"
        for column, noun in _UNMAPPED.items()
        if int(figures[column])
    ]
    if not parts:
        return None
    return f"{' and '.join(parts)} have no location: counted in the figures, not drawn on the map."


def filter_details(filters: MapFilters, area: AreaChoice, synthetic: bool) -> dict[str, str]:
    """What the map and figures cover, in words: written into every download."""
    referral_type = filters.referral_type
    offense = filters.offense_category
    return {
        "Area": area.label,
        "Period": filters.period,
        "Referral type": "All referral types"
        if referral_type == ANY
        else program.REFERRAL_TYPE_LABELS[referral_type],
        "Offense category": "All LEAD offenses" if offense == ANY else program.LEAD_CATEGORY_LABELS[offense],
        "View": "Public (counts of 1-4 suppressed)" if filters.public else "Staff",
        "Data": "Demo data — synthetic, not real people or police records" if synthetic else "Loaded records",
    }


def export_notes(details: dict[str, str]) -> list[str]:
    """Three short lines for the box on an exported map: where and when, which records, what data."""
    return [
        f"{details['Area']} · {details['Period']}",
        f"{details['Referral type']} · {details['Offense category']} · {details['View']}",
        details["Data"],
    ]


def download_stem(filters: MapFilters) -> str:
    """A file name stem naming area and period, safe on any file system: 'lead-map-nsa-fells-point-...'."""
    area = re.sub(r"[^a-z0-9]+", "-", filters.area_id.lower()).strip("-")
    return f"lead-map-{area}-{filters.start_date}-{filters.end_date}"


def figures_table(figures: list[HeadlineFigure], details: dict[str, str]) -> pd.DataFrame:
    """The figures as a table for download: one row per figure, then what they cover (area, period...)."""
    rows = [{"figure": figure.label, "value": figure.value} for figure in figures]
    rows += [{"figure": name, "value": value} for name, value in details.items()]
    return pd.DataFrame(rows, columns=["figure", "value"])


def cells_download(layers: list[DensityLayer], details: dict[str, str]) -> dict:
    """Every drawn cell of every density layer as one FeatureCollection, with what it covers.

    Holds exactly what the map draws: in public views the cells of 1-4 are not in it either.
    """
    features = [feature for layer in layers for feature in layer.cells["features"]]
    return {"type": "FeatureCollection", "metadata": details, "features": features}


# The map in words and as a table (its text alternative, WCAG 1.1.1) ------------------------------------

TABLE_AREA = "Neighbourhood"
MAP_TABLE_NOTE = (
    "Each row adds up the drawn cells whose centre lies in the neighbourhood: the same counts the map "
    "shows, nothing it hides. A cell can reach over a neighbourhood's edge."
)


def counts_by_neighbourhood(
    layers: list[DensityLayer], neighborhoods: pd.DataFrame, visible: Collection[str], public: bool
) -> pd.DataFrame:
    """What the map's cells hold, per neighbourhood: the records of every drawn cell whose centre lies
    in it, per density layer switched on, most first.

    Built only from the drawn cells (``DensityLayer.cells``: in a public view those already published,
    small ones left out), so the table tells nothing the map does not; counts are written by
    ``domain.privacy.public_count``. ``neighborhoods``: rows with ``name`` and ``geojson``.
    """
    drawn = [layer for layer in layers if layer.key in visible]
    columns = [TABLE_AREA, *(CELL_LAYERS[layer.key].noun.capitalize() for layer in drawn)]
    if not drawn or neighborhoods.empty:
        return pd.DataFrame(columns=columns)
    shapes = [shape(json.loads(text)) for text in neighborhoods["geojson"]]
    tree, names = STRtree(shapes), neighborhoods["name"].tolist()
    totals: dict[str, dict[str, int]] = {}  # neighbourhood -> layer -> records
    for layer in drawn:
        for feature in layer.cells["features"]:
            lat, lon = _cell_centre(feature["properties"]["cell"])
            point = Point(lon, lat)
            found = [i for i in tree.query(point) if shapes[i].covers(point)]
            if not found:
                continue  # a cell centred outside every neighbourhood (the harbour, the county line)
            row = totals.setdefault(names[found[0]], {})
            row[layer.key] = row.get(layer.key, 0) + int(feature["properties"]["count"])
    first = drawn[0].key
    ordered = sorted(totals.items(), key=lambda item: (-item[1].get(first, 0), item[0]))
    rows = [
        [name, *(public_count(row.get(layer.key, 0), public) for layer in drawn)] for name, row in ordered
    ]
    return pd.DataFrame(rows, columns=columns)


def _cell_centre(cell: str) -> tuple[float, float]:
    return h3.cell_to_latlng(cell)


def map_description(
    layers: list[DensityLayer], visible: Collection[str], area_label: str, period: str
) -> str:
    """What the map shows, in one paragraph (read first by a screen reader, before the table)."""
    parts = []
    for layer in layers:
        if layer.key not in visible:
            continue
        cells = len(layer.cells["features"])
        classes = ", ".join(layer.scale.labels()) if layer.scale else "none"
        parts.append(
            f"{layer.noun} counted per hexagonal cell: {cells:,} cells drawn, in classes of {classes} "
            f"{layer.noun}"
        )
    outlines = [MAP_LAYERS[key] for key in _OUTLINES if key in visible]
    what = "; ".join(parts) if parts else "no density layer switched on"
    over = f" Outlines drawn: {', '.join(outlines)}." if outlines else ""
    return f"Map of {area_label}, {period}: {what}.{over}"
