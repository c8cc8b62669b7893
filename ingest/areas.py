"""Load the shipped boundary files (``data/boundaries/``) into the ``areas`` table."""

from __future__ import annotations

from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd

from store.connection import REPO_ROOT, fill_area_measures

BOUNDARIES_DIR = REPO_ROOT / "data" / "boundaries"
METRIC_CRS = "EPSG:26985"  # NAD83 / Maryland, metres

# file -> (kind, edition, area_id prefix)
BOUNDARY_FILES = {
    "pilot_zone.geojson": ("pilot_zone", None, "pilot_zone"),
    "districts_1959_2022.geojson": ("district", "1959-2022", "district:1959-2022:"),
    "districts_2023.geojson": ("district", "2023", "district:2023:"),
    "neighborhoods_2010.geojson": ("neighborhood", "2010", "nsa:"),
}


def _area_rows(path: Path, kind: str, edition: str | None, id_prefix: str) -> pd.DataFrame:
    frame = gpd.read_file(path)
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise ValueError(f"boundary file {path.name}: expected EPSG:4326, found {frame.crs}")
    names = frame["name"].astype(str)
    # District ids use BPD's short names ("Southeast"), the form arrest records carry.
    id_names = frame["short_name"].astype(str) if kind == "district" else names
    area_ids = [id_prefix] if kind == "pilot_zone" else [id_prefix + n for n in id_names]
    return pd.DataFrame(
        {
            "area_id": area_ids,
            "kind": kind,
            "name": names,
            "edition": edition,
            "wkb": frame.geometry.to_wkb(),
            "area_km2": frame.geometry.to_crs(METRIC_CRS).area / 1e6,
        }
    )


def load_areas(con: duckdb.DuckDBPyConnection, boundaries_dir: Path = BOUNDARIES_DIR) -> int:
    """Replace every non-proposal area with the shipped boundaries; return how many were loaded.

    Saved proposals are left untouched, so re-running setup never loses a user's work.
    """
    missing = [name for name in BOUNDARY_FILES if not (boundaries_dir / name).exists()]
    if missing:
        raise FileNotFoundError(f"boundary files missing in {boundaries_dir}: {', '.join(missing)}")
    rows = pd.concat(
        [_area_rows(boundaries_dir / name, *spec) for name, spec in BOUNDARY_FILES.items()],
        ignore_index=True,
    )
    con.register("incoming_areas", rows)
    try:
        con.execute("delete from areas where kind <> 'proposal'")
        con.execute(
            """
            insert into areas (area_id, kind, name, edition, geom, area_km2)
            select area_id, kind, name, edition, st_geomfromwkb(wkb), area_km2
            from incoming_areas
            """
        )
    finally:
        con.unregister("incoming_areas")
    fill_area_measures(con)
    return len(rows)
