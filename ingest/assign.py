"""Spatial assignment of point records (arrests, referrals) to areas and H3 cells, set-wise in DuckDB.

Every record with coordinates gets ``geom``, ``in_pilot_zone``, ``district_1959``, ``district_2023``,
``nsa``, ``h3_r8`` and ``h3_r9`` (the columns of ``store/schema.sql``), computed from the ``areas``
table loaded by ``ingest.areas.load_areas``.

BPD rounds coordinates to 4 decimals (about 11 m), so a million arrests sit on a few tens of
thousands of distinct points. The polygon tests run once per distinct (lon, lat) with DuckDB's
spatial join and the answer is joined back to the rows; H3 cells are computed for the distinct
points only.

Districts are named by their short name, the one BPD's ``District`` field carries ("Northeast",
not "Northeastern"); it is the last part of the area id ``district:<edition>:<short name>``. A
point on the shared edge of two polygons goes to the first by area id, so each point gets exactly
one district and one neighborhood.

>>> # con has the schema and the areas loaded; arrests_staging has lon/lat columns
>>> # assign_areas(con, "arrests_staging")   # adds/updates geom, in_pilot_zone, ..., h3_r9
"""

from __future__ import annotations

import duckdb
import h3.api.numpy_int as h3i
import numpy as np
import pandas as pd

from ingest.classify import sql_identifier

ASSIGNED_COLUMNS = {
    "geom": "geometry",
    "in_pilot_zone": "boolean",
    "district_1959": "varchar",
    "district_2023": "varchar",
    "nsa": "varchar",
    "h3_r8": "ubigint",
    "h3_r9": "ubigint",
}
H3_RESOLUTIONS = (8, 9)
DISTRICT_EDITIONS = {"district_1959": "1959-2022", "district_2023": "2023"}
NSA_EDITION = "2010"


def h3_cells(lat: np.ndarray, lon: np.ndarray, resolution: int) -> np.ndarray:
    """H3 cell ids (uint64) of points; 0 where the coordinates are missing or out of range.

    h3-py has no array API, so this calls the C binding once per point: pass distinct points.

    >>> int(h3_cells(np.array([39.2904]), np.array([-76.6214]), 8)[0]) > 0
    True
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    out = np.zeros(len(lat), dtype=np.uint64)
    to_cell = h3i.latlng_to_cell
    out[ok] = np.fromiter(
        (to_cell(a, b, resolution) for a, b in zip(lat[ok].tolist(), lon[ok].tolist(), strict=True)),
        dtype=np.uint64,
        count=int(ok.sum()),
    )
    return out


def _check_areas(con: duckdb.DuckDBPyConnection) -> None:
    present = dict(
        con.sql(
            "select coalesce(kind || ':' || edition, kind), count(*) from areas "
            "where kind in ('pilot_zone', 'district', 'neighborhood') group by all"
        ).fetchall()
    )
    wanted = ["pilot_zone", "district:1959-2022", "district:2023", f"neighborhood:{NSA_EDITION}"]
    missing = [w for w in wanted if not present.get(w)]
    if missing:
        raise ValueError(
            f"areas table: no {', '.join(missing)} rows (found: {present or 'none'}); "
            "load the boundaries first with ingest.areas.load_areas(con)"
        )


def build_point_areas(
    con: duckdb.DuckDBPyConnection,
    table: str,
    into: str = "point_areas",
    lon_col: str = "lon",
    lat_col: str = "lat",
) -> int:
    """Create temp table ``into`` with one row per distinct (lon, lat) of ``table``; return its size.

    Columns: lon, lat and the ``ASSIGNED_COLUMNS``. Join it back on (lon, lat) to fill the records,
    e.g. ``select s.*, p.* exclude (lon, lat) from staging s left join point_areas p using (lon, lat)``.
    """
    _check_areas(con)
    src, out = sql_identifier(table), sql_identifier(into)
    lon, lat = sql_identifier(lon_col), sql_identifier(lat_col)
    con.execute(
        f"""
        create or replace temp table {out} as
        with points as (
            select distinct {lon} as lon, {lat} as lat
            from {src}
            where {lon} is not null and {lat} is not null
        ),
        located as (
            select lon, lat, st_point(lon, lat) as geom from points
        ),
        zone as (
            select geom from areas where kind = 'pilot_zone'
        ),
        districts as (
            select edition, regexp_extract(area_id, '^district:[^:]+:(.*)$', 1) as short_name, area_id, geom
            from areas
            where kind = 'district'
        ),
        nsas as (
            select name, area_id, geom from areas where kind = 'neighborhood' and edition = '{NSA_EDITION}'
        ),
        in_zone as (
            select distinct l.lon, l.lat from located as l join zone as z on st_intersects(z.geom, l.geom)
        ),
        in_1959 as (
            select l.lon, l.lat, arg_min(d.short_name, d.area_id) as district
            from located as l join districts as d on st_intersects(d.geom, l.geom)
            where d.edition = '{DISTRICT_EDITIONS["district_1959"]}'
            group by l.lon, l.lat
        ),
        in_2023 as (
            select l.lon, l.lat, arg_min(d.short_name, d.area_id) as district
            from located as l join districts as d on st_intersects(d.geom, l.geom)
            where d.edition = '{DISTRICT_EDITIONS["district_2023"]}'
            group by l.lon, l.lat
        ),
        in_nsa as (
            select l.lon, l.lat, arg_min(n.name, n.area_id) as nsa
            from located as l join nsas as n on st_intersects(n.geom, l.geom)
            group by l.lon, l.lat
        ),
        final as (
            select
                l.lon,
                l.lat,
                l.geom,
                z.lon is not null as in_pilot_zone,
                d59.district as district_1959,
                d23.district as district_2023,
                n.nsa,
                null::ubigint as h3_r8,
                null::ubigint as h3_r9
            from located as l
            left join in_zone as z on z.lon = l.lon and z.lat = l.lat
            left join in_1959 as d59 on d59.lon = l.lon and d59.lat = l.lat
            left join in_2023 as d23 on d23.lon = l.lon and d23.lat = l.lat
            left join in_nsa as n on n.lon = l.lon and n.lat = l.lat
        )
        select * from final
        """
    )
    points = con.sql(f"select lon, lat from {out}").fetchnumpy()
    cells = pd.DataFrame({"lon": points["lon"], "lat": points["lat"]})
    for res in H3_RESOLUTIONS:
        cells[f"h3_r{res}"] = h3_cells(points["lat"], points["lon"], res)
    con.register("_point_cells", cells)
    try:
        con.execute(
            f"""
            update {out} as p
            set h3_r8 = nullif(c.h3_r8, 0), h3_r9 = nullif(c.h3_r9, 0)
            from _point_cells as c
            where c.lon = p.lon and c.lat = p.lat
            """
        )
    finally:
        con.unregister("_point_cells")
    return len(cells)


def assign_areas(
    con: duckdb.DuckDBPyConnection,
    table: str,
    lon_col: str = "lon",
    lat_col: str = "lat",
) -> dict[str, int]:
    """Add (if missing) and fill the spatial columns of ``table`` from its lon/lat, set-wise.

    Rows without coordinates get NULL in every assigned column. Returns
    ``{"rows": ..., "points": distinct points, "mapped": rows with coordinates, "outside_city": ...}``
    where ``outside_city`` counts mapped rows that fall in no 1959-2022 district.
    """
    points = build_point_areas(con, table, "_assign_point_areas", lon_col, lat_col)
    tbl, lon, lat = sql_identifier(table), sql_identifier(lon_col), sql_identifier(lat_col)
    for column, sql_type in ASSIGNED_COLUMNS.items():
        con.execute(f"alter table {tbl} add column if not exists {column} {sql_type}")
    sets = ", ".join(f"{c} = p.{c}" for c in ASSIGNED_COLUMNS)
    nulls = ", ".join(f"{c} = null" for c in ASSIGNED_COLUMNS)
    con.execute(f"update {tbl} set {nulls} where {lon} is null or {lat} is null")
    con.execute(
        f"""
        update {tbl} as t
        set {sets}
        from _assign_point_areas as p
        where t.{lon} = p.lon and t.{lat} = p.lat
        """
    )
    con.execute("drop table _assign_point_areas")
    rows, mapped, outside = con.sql(
        f"select count(*), count({lon} + {lat}), "
        f"count(*) filter (where geom is not null and district_1959 is null) from {tbl}"
    ).fetchone()
    return {"rows": rows, "points": points, "mapped": mapped, "outside_city": outside}
