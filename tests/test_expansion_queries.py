"""The planner's queries against independent recounts: spatial SQL written here, shapely, numpy."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon, box

import queries
from domain.program import EXPANSION_CANDIDATES
from geo.proposal import from_wkb_hex, to_geojson_text
from planning.projection import CASE_MANAGEMENT_SITE, Assumptions, project
from store import connect, create_schema

START, END = date(2017, 2, 1), date(2024, 12, 31)
DAYS = (END - START).days + 1
SITE = {"site_lon": CASE_MANAGEMENT_SITE.lon, "site_lat": CASE_MANAGEMENT_SITE.lat}
EDITION = "1959-2022"
TO_METRES = Transformer.from_crs("EPSG:4326", "EPSG:26985", always_xy=True)

# Eligible arrests counted from geometry alone: each point goes to the area it lies in, and a point on
# the shared edge of two areas to the first by area id (the documented rule of ingest.assign).
RECOUNT_SQL = """
with eligible as (
    select arrest_id, arrest_date, lead_category, geom
    from arrests
    where arrest_date between $start and $end and lead_category is not null and geom is not null
),
hits as (
    select e.arrest_id, e.arrest_date, e.lead_category, a.kind, min(a.area_id) as area_id
    from eligible e
    join areas a on st_intersects(a.geom, e.geom)
    where a.kind = 'neighborhood' or (a.kind = 'district' and a.edition = $edition)
    group by e.arrest_id, e.arrest_date, e.lead_category, a.kind
)
select area_id, arrest_date, lead_category from hits
"""


@pytest.fixture(scope="module")
def ranking(demo_con):
    return queries.run(
        demo_con,
        "expansion_ranking",
        edition=EDITION,
        start_date=START,
        end_date=END,
        candidates="|".join(EXPANSION_CANDIDATES),
        **SITE,
    ).set_index("area_id")


@pytest.fixture(scope="module")
def recounted(demo_con):
    return demo_con.execute(RECOUNT_SQL, {"start": START, "end": END, "edition": EDITION}).df()


def test_ranking_lists_every_neighbourhood_and_district_once(ranking, demo_con):
    expected = demo_con.execute(
        "select count(*) from areas where kind = 'neighborhood' or (kind = 'district' and edition = ?)",
        [EDITION],
    ).fetchone()[0]
    assert len(ranking) == expected == 278 + 9
    assert ranking.index.is_unique


def test_ranking_counts_equal_a_direct_spatial_recount(ranking, recounted):
    counts = recounted.groupby("area_id").size()
    possession = recounted[recounted.lead_category == "cds_possession"].groupby("area_id").size()
    assert counts.sum() > 1000  # the demo data really has eligible arrests to count
    for area_id, row in ranking.iterrows():
        n = int(counts.get(area_id, 0))
        assert row.eligible_arrests == n, area_id
        assert row.eligible_per_year == pytest.approx(n * 365.25 / DAYS), area_id
        assert row.eligible_per_year_km2 == pytest.approx(n * 365.25 / DAYS / row.area_km2), area_id
        if n:
            assert row.possession_share == pytest.approx(possession.get(area_id, 0) / n), area_id
        else:
            assert pd.isna(row.possession_share)


def test_ranking_trend_equals_a_least_squares_fit_of_the_last_36_full_months(ranking, recounted):
    months = pd.period_range("2022-01", "2024-12", freq="M")  # the period ends 31 Dec 2024: 36 full months
    recounted = recounted.assign(month=pd.to_datetime(recounted.arrest_date).dt.to_period("M"))
    checked = 0
    for area_id in ranking.index[ranking.eligible_arrests >= 20]:
        monthly = (
            recounted[recounted.area_id == area_id].groupby("month").size().reindex(months, fill_value=0)
        )
        values = monthly.to_numpy(dtype=float)
        slope = np.polyfit(np.arange(len(values)), values, 1)[0]
        expected = 100 * 12 * slope / values.mean() if values.mean() > 0 else None
        actual = ranking.loc[area_id, "trend_pct_per_year"]
        if expected is None:
            assert pd.isna(actual)
        else:
            assert actual == pytest.approx(expected, rel=1e-9, abs=1e-9), area_id
        checked += 1
    assert checked >= 20
    assert (ranking.trend_months == 36).all()


def test_trend_needs_a_year_of_full_months(demo_con):
    short = queries.run(
        demo_con,
        "expansion_ranking",
        edition=EDITION,
        start_date=date(2018, 1, 15),  # January is partial: full months are Feb-Nov, ten of them
        end_date=date(2018, 11, 30),
        candidates="Mondawmin",
        **SITE,
    )
    assert (short.trend_months == 10).all()
    assert short.trend_pct_per_year.isna().all()


def test_distance_and_central_share_equal_shapely(ranking, demo_con):
    areas = demo_con.execute(
        "select area_id, st_ashexwkb(geom) as wkb from areas where area_id in ? ",
        [list(ranking.index)],
    ).df()
    site = shapely.Point(TO_METRES.transform(CASE_MANAGEMENT_SITE.lon, CASE_MANAGEMENT_SITE.lat))
    central = from_wkb_hex(areas.set_index("area_id").wkb["district:1959-2022:Central"])
    for row in areas.itertuples():
        geometry = from_wkb_hex(row.wkb)
        centre = shapely.Point(TO_METRES.transform(geometry.centroid.x, geometry.centroid.y))
        assert ranking.loc[row.area_id, "km_from_site"] == pytest.approx(
            centre.distance(site) / 1000, abs=1e-6
        )
        share = geometry.intersection(central).area / geometry.area
        assert ranking.loc[row.area_id, "central_share"] == pytest.approx(share, abs=1e-6)
    assert ranking.loc["district:1959-2022:Central", "central_share"] == pytest.approx(1)
    assert ranking.loc["nsa:Mondawmin", "central_share"] == 0


def test_the_named_candidates_are_flagged_and_exist(ranking):
    flagged = ranking[ranking.is_candidate]
    assert sorted(flagged.name) == sorted(EXPANSION_CANDIDATES)
    assert (flagged.kind == "neighborhood").all()


def _insert_arrests(con, rows):
    frame = pd.DataFrame(rows, columns=["arrest_id", "arrest_date", "lead_category", "lon", "lat"])
    con.register("hand_arrests", frame)
    con.execute(
        """
        insert into arrests (arrest_id, arrest_date, lead_category, lon, lat, geom, source)
        select arrest_id, arrest_date, lead_category, lon, lat, st_point(lon, lat), 'hand-built'
        from hand_arrests
        """
    )
    con.unregister("hand_arrests")


def test_hand_built_area_count_and_projection_equal_a_hand_calculation(empty_con):
    """A triangle with known arrests in, near (inside its bounding box) and far from it."""
    triangle = Polygon([(-76.640, 39.280), (-76.620, 39.280), (-76.640, 39.300)])
    inside = [(-76.636, 39.284), (-76.630, 39.283), (-76.635, 39.292)]  # below the hypotenuse
    near = [(-76.622, 39.298), (-76.625, 39.295)]  # in the bounding box, above the hypotenuse
    rows = []
    for i in range(40):  # 40 eligible in the period inside, 10 of them possession
        lon, lat = inside[i % 3]
        category = "cds_possession" if i < 10 else "larceny"
        rows.append((f"in-{i}", date(2016 + i % 4, 1 + i % 12, 1 + i % 28), category, lon, lat))
    rows += [(f"inel-{i}", date(2017, 5, 1), None, *inside[0]) for i in range(5)]  # not LEAD-eligible
    rows += [(f"old-{i}", date(2015, 12, 31), "trespass", *inside[1]) for i in range(3)]  # before the period
    rows += [(f"near-{i}", date(2018, 3, 3), "trespass", *near[i % 2]) for i in range(7)]
    rows += [(f"far-{i}", date(2018, 3, 3), "larceny", -76.58, 39.33) for i in range(6)]
    _insert_arrests(empty_con, rows)

    # a four-year period of exactly 4 x 365.25 = 1,461 days, so "per year" is a quarter of the count
    counts = queries.run(
        empty_con,
        "expansion_area_arrests",
        geojson=to_geojson_text(triangle),
        start_date=date(2016, 1, 1),
        end_date=date(2019, 12, 31),
        **SITE,
    ).iloc[0]
    assert counts.period_days == 1461
    assert counts.eligible_arrests == 40
    assert counts.eligible_per_year == 10.0  # 40 / 4
    assert counts.possession_share == 0.25  # 10 / 40

    assumptions = Assumptions(referrals_per_eligible_arrest=0.5, enrolment_rate=0.8, months_in_program=6)
    p = project(counts.eligible_per_year, assumptions)
    assert p.referrals_per_year == 5.0  # 10 x 0.5
    assert p.participants_per_year == 4.0  # 5 x 0.8
    assert p.concurrent_participants == 2.0  # 4 x 6 / 12
    assert (p.case_managers, p.peers) == (1, 1)  # ceil(2 / 28)
    assert p.program_cost_per_year_startup == 21_576  # 4 x 6 = 24 person-months x $899
    assert p.program_cost_per_year_steady == 12_768  # 24 x $532
    assert p.justice_cost_change_participants == -8_400  # 4 x -$2,100
    assert p.justice_cost_change_if_booked == 23_844  # 4 x $5,961
    assert p.justice_cost_difference == -32_244  # -8,400 - 23,844


def test_area_count_equals_a_shapely_count_on_the_demo_data(demo_con):
    east_side = box(-76.600113, 39.294985, -76.585007, 39.305081)
    bent = Polygon([(-76.64, 39.28), (-76.60, 39.28), (-76.62, 39.30), (-76.63, 39.285)])
    points = demo_con.execute(
        "select lon, lat, lead_category from arrests "
        "where lead_category is not null and geom is not null and arrest_date between ? and ?",
        [START, END],
    ).df()
    for shape in (east_side, bent):
        inside = shapely.contains_xy(shape, points.lon.to_numpy(), points.lat.to_numpy())
        counts = queries.run(
            demo_con,
            "expansion_area_arrests",
            geojson=to_geojson_text(shape),
            start_date=START,
            end_date=END,
            **SITE,
        ).iloc[0]
        assert counts.eligible_arrests == inside.sum() > 20
        possession = (points.lead_category[inside] == "cds_possession").sum()
        assert counts.possession_share == pytest.approx(possession / inside.sum())


def test_observed_ratios_equal_a_direct_recount(demo_con):
    observed = queries.run(
        demo_con,
        "expansion_observed_ratios",
        area_id="pilot_zone",
        start_date=START,
        end_date=END,
        public=False,
    ).iloc[0]
    referrals = demo_con.execute(
        "select r.referred_on, r.enrolled_on, r.exited_on from referrals r "
        "join areas a on a.area_id = 'pilot_zone' and st_intersects(a.geom, r.geom) "
        "where r.referred_on between ? and ?",
        [START, END],
    ).df()
    eligible = demo_con.execute(
        "select count(*) from arrests r "
        "join areas a on a.area_id = 'pilot_zone' and st_intersects(a.geom, r.geom) "
        "where r.lead_category is not null and r.arrest_date between ? and ?",
        [START, END],
    ).fetchone()[0]
    exited = referrals.dropna(subset=["enrolled_on", "exited_on"])
    exited = exited[exited.exited_on >= exited.enrolled_on]
    days = (pd.to_datetime(exited.exited_on) - pd.to_datetime(exited.enrolled_on)).dt.days
    assert observed.referrals == len(referrals) > 0
    assert observed.eligible_arrests == eligible > 0
    assert observed.enrolled == referrals.enrolled_on.notna().sum()
    assert observed.exited == len(exited)
    assert observed.mean_months_in_program == pytest.approx(days.mean() / (365.25 / 12))


def test_an_older_database_gets_the_area_measures_when_opened(tmp_path):
    """A database written before areas had stored measures is upgraded by create_schema, and the
    ranking then reads the same measures as a freshly loaded one."""
    path = tmp_path / "old.duckdb"
    con = connect(path)
    con.execute(
        "create table areas (area_id varchar primary key, kind varchar not null, name varchar not null, "
        "edition varchar, geom geometry not null, area_km2 double, author varchar, note varchar, "
        "created_at timestamp default current_timestamp)"
    )
    central, half_in = box(-76.63, 39.28, -76.60, 39.30), box(-76.61, 39.28, -76.59, 39.30)
    con.execute(
        "insert into areas (area_id, kind, name, edition, geom) values "
        "('district:1959-2022:Central', 'district', 'Central', '1959-2022', st_geomfromtext(?)), "
        "('nsa:Half', 'neighborhood', 'Half', '2010', st_geomfromtext(?))",
        [central.wkt, half_in.wkt],
    )
    create_schema(con)
    share, x_m, y_m = con.execute(
        "select central_share, centroid_x_m, centroid_y_m from areas where area_id = 'nsa:Half'"
    ).fetchone()
    assert share == pytest.approx(0.5)
    assert (x_m, y_m) == pytest.approx(TO_METRES.transform(-76.60, 39.29), abs=0.01)
    con.close()
