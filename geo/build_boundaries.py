"""Build the small boundary files shipped in ``data/boundaries/`` from the city's open-data copies.

    python -m geo.build_boundaries --shared ../shared/data/real

Reads the raw files (never copied into the repository), generalises them to about 10 m, rounds
coordinates to 5 decimals and keeps only the attributes the app uses. See ``data/README.md``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import shapely

from geo import generalise, pilot_zone

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data" / "real"
OUT_DIR = REPO_ROOT / "data" / "boundaries"

DISTRICT_SOURCES = {
    "districts_1959_2022.geojson": "bpd_police_districts_1959_2022/police_districts_1959_2022.geojson",
    "districts_2023.geojson": "bpd_police_districts_2023/police_districts_2023.geojson",
}
NSA_SOURCE = "neighborhoods_nsa_2010/neighborhoods_2010_nsa.geojson"
STREETS_SOURCE = pilot_zone.STREETS_SOURCE

# Boundary files spell districts in full; BPD arrest records use the short form.
DISTRICT_SHORT_NAMES = {
    "Central": "Central",
    "Southeastern": "Southeast",
    "Eastern": "Eastern",
    "Northeastern": "Northeast",
    "Northern": "Northern",
    "Northwestern": "Northwest",
    "Western": "Western",
    "Southwestern": "Southwest",
    "Southern": "Southern",
}
NSA_COUNT = 278
# Districts are kilometres across, so 10 m is invisible. Some NSAs are only ~250 m across, where 10 m
# shifts up to 3% of their area; 4 m keeps every NSA within 1% for about 15 KiB more.
DISTRICT_TOLERANCE_M = generalise.TOLERANCE_M
NSA_TOLERANCE_M = 4.0


def _read(shared: Path, relative: str) -> gpd.GeoDataFrame:
    path = shared / relative
    if not path.exists():
        raise FileNotFoundError(f"{path}: not found (is --shared pointing at shared/data/real?)")
    gdf = gpd.read_file(path)
    if "name" not in gdf.columns:
        raise ValueError(f"{path.name}: column 'name' missing (found: {list(gdf.columns)})")
    return gdf


def build_districts(shared: Path, relative: str) -> gpd.GeoDataFrame:
    """Nine generalised police districts with ``name`` and ``short_name``."""
    raw = _read(shared, relative)
    unknown = set(raw["name"]) ^ set(DISTRICT_SHORT_NAMES)
    if unknown or len(raw) != len(DISTRICT_SHORT_NAMES):
        raise ValueError(f"{relative}: expected the 9 BPD districts, differing names: {sorted(unknown)}")
    gdf = raw[["name", "geometry"]].copy()
    gdf.insert(1, "short_name", gdf["name"].map(DISTRICT_SHORT_NAMES))
    return _generalise(gdf, DISTRICT_TOLERANCE_M)


def build_neighborhoods(shared: Path) -> gpd.GeoDataFrame:
    """The 278 Neighborhood Statistical Areas (2010), generalised, with ``name`` only, sorted by name."""
    raw = _read(shared, NSA_SOURCE)
    if len(raw) != NSA_COUNT or raw["name"].duplicated().any():
        raise ValueError(f"{NSA_SOURCE}: expected {NSA_COUNT} uniquely named NSAs, found {len(raw)}")
    gdf = raw[["name", "geometry"]].sort_values("name", kind="stable").reset_index(drop=True)
    return _generalise(gdf, NSA_TOLERANCE_M)


def _generalise(gdf: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    small = generalise.simplify_coverage(gdf, tolerance_m)
    return generalise.round_coordinates(small.to_crs(generalise.OUTPUT_CRS))


def _check_written(path: Path, expected_rows: int) -> None:
    """Re-read a written file: what ships must be valid after the text round trip."""
    back = gpd.read_file(path)
    if len(back) != expected_rows:
        raise ValueError(f"{path.name}: wrote {expected_rows} rows, read back {len(back)}")
    bad = back.loc[~shapely.is_valid(back.geometry.values), back.columns[0]]
    if len(bad):
        raise ValueError(f"{path.name}: invalid geometries after rounding: {list(bad)}")


def _write(gdf: gpd.GeoDataFrame, name: str) -> None:
    path = OUT_DIR / name
    size = generalise.write_geojson(gdf, path)
    _check_written(path, len(gdf))
    print(f"{path.relative_to(REPO_ROOT)}: {len(gdf)} features, {size / 1024:.0f} KiB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared", type=Path, default=DEFAULT_SHARED, help="folder holding the real open-data copies"
    )
    parser.add_argument(
        "--only",
        choices=["districts", "neighborhoods", "pilot"],
        action="append",
        help="build only these groups (repeatable); default: all",
    )
    args = parser.parse_args(argv)
    groups = set(args.only or ["districts", "neighborhoods", "pilot"])
    shared = args.shared.resolve()
    OUT_DIR.mkdir(parents=True, exist_ok=True)

    if "districts" in groups:
        for name, relative in DISTRICT_SOURCES.items():
            _write(build_districts(shared, relative), name)
    if "neighborhoods" in groups:
        _write(build_neighborhoods(shared), "neighborhoods_2010.geojson")
    if "pilot" in groups:
        streets = pilot_zone.load_boundary_streets(shared / STREETS_SOURCE)
        zone = pilot_zone.build_pilot_zone(streets)
        _write(generalise.round_coordinates(zone), "pilot_zone.geojson")
        context = pilot_zone.boundary_street_lines(streets, zone)
        _write(context, "boundary_streets.geojson")


if __name__ == "__main__":
    main()
