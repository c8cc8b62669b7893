-- Candidate areas for expansion: every 2010 NSA and the police districts of one edition, with
-- LEAD-eligible arrests in the period, per year and per km², the share that is CDS possession, the
-- trend of monthly counts over the period's last three years, the distance from the case-management
-- site to the area's centre, and the share of the area inside the Central District (1959-2022), where
-- LEAD already runs.
-- Arrests are counted by their precomputed NSA / district (ingest.assign), so each counts once per kind.
-- The distance and the Central share come from each area's stored measures (store/area_measures.sql),
-- so a filter change does no geometry.
-- @param edition str 1959-2022  district edition: '1959-2022' or '2023'
-- @param start_date date 2017-02-01  first day of the period
-- @param end_date date 2018-01-31  last day of the period
-- @param site_lon float -76.6085374  case-management site, longitude
-- @param site_lat float 39.2898077  case-management site, latitude
-- @param candidates str Mondawmin|Fells  NSA names named as candidates, separated by '|'
-- @column area_id id Area id
-- @column kind text Kind of area
-- @column name text Area
-- @column is_candidate flag Named candidate
-- @column area_km2 number Area (km²)
-- @column eligible_arrests count LEAD-eligible arrests
-- @column eligible_per_year rate Eligible arrests per year
-- @column eligible_per_year_km2 rate Eligible arrests per km² a year
-- @column possession_share share Share that is CDS possession
-- @column trend_pct_per_year percent Trend, % a year (last 3 years)
-- @column trend_months count Months in the trend
-- @column km_from_site number km from case management
-- @column central_share share Share inside the Central District
with candidate_areas as (
    select area_id, kind, name, area_km2, central_share, centroid_x_m, centroid_y_m
    from areas
    where kind = 'neighborhood'
       or (kind = 'district' and edition = $edition)
),

-- One pass over the period's arrests: counts per NSA × district × month, a few thousand rows that
-- every later step reads instead of the arrests.
monthly_cells as (
    select nsa,
           case when $edition = '2023' then district_2023 else district_1959 end as district,
           cast(date_trunc('month', arrest_date) as date) as month_start,
           count(*) as arrests,
           count(*) filter (where lead_category = 'cds_possession') as possession_arrests
    from arrests
    where arrest_date between $start_date and $end_date
      and lead_category is not null
    group by all
),

monthly_counts as (
    select 'nsa:' || nsa as area_id, month_start,
           sum(arrests) as arrests, sum(possession_arrests) as possession_arrests
    from monthly_cells
    where nsa is not null
    group by all
    union all
    select 'district:' || $edition || ':' || district as area_id, month_start,
           sum(arrests) as arrests, sum(possession_arrests) as possession_arrests
    from monthly_cells
    where district is not null
    group by all
),

totals as (
    select area_id,
           cast(sum(arrests) as bigint) as eligible_arrests,
           cast(sum(possession_arrests) as bigint) as possession_arrests
    from monthly_counts
    group by area_id
),

-- The last 36 calendar months wholly inside the period (fewer if the period is shorter): a partial
-- first or last month would bend the trend.
period_months as (
    select cast(month_start as date) as month_start
    from generate_series(
        cast(date_trunc('month', cast($start_date as date)) as timestamp),
        cast($end_date as timestamp),
        interval 1 month
    ) as months(month_start)
    where cast(month_start as date) >= $start_date
      and cast(month_start + interval 1 month - interval 1 day as date) <= $end_date
),

full_months as (
    select month_start, row_number() over (order by month_start) as month_index
    from period_months
    qualify row_number() over (order by month_start desc) <= 36
),

monthly_series as (
    select c.area_id, m.month_index, coalesce(mc.arrests, 0) as arrests
    from candidate_areas as c
    cross join full_months as m
    left join monthly_counts as mc
      on mc.area_id = c.area_id and mc.month_start = m.month_start
),

-- Least-squares slope of monthly counts, as a change per year relative to the average month;
-- needs a year of full months so one season does not pass for a trend.
trends as (
    select area_id,
           count(*) as trend_months,
           case when count(*) >= 12 and avg(arrests) > 0
                then 100.0 * 12 * regr_slope(arrests, month_index) / avg(arrests) end as trend_pct_per_year
    from monthly_series
    group by area_id
),

site as (
    select st_x(point) as x_m, st_y(point) as y_m
    from (select st_transform(st_point($site_lon, $site_lat), 'EPSG:4326', 'EPSG:26985', always_xy := true) as point)
),

final as (
    select
        c.area_id,
        c.kind,
        c.name,
        c.kind = 'neighborhood'
            and list_contains(string_split($candidates, '|'), c.name) as is_candidate,
        c.area_km2,
        coalesce(t.eligible_arrests, 0) as eligible_arrests,
        coalesce(t.eligible_arrests, 0) * 365.25 / (date_diff('day', $start_date, $end_date) + 1)
            as eligible_per_year,
        coalesce(t.eligible_arrests, 0) * 365.25 / (date_diff('day', $start_date, $end_date) + 1)
            / nullif(c.area_km2, 0) as eligible_per_year_km2,
        t.possession_arrests / nullif(t.eligible_arrests, 0) as possession_share,
        tr.trend_pct_per_year,
        tr.trend_months,
        sqrt((c.centroid_x_m - s.x_m) ** 2 + (c.centroid_y_m - s.y_m) ** 2) / 1000 as km_from_site,
        coalesce(c.central_share, 0) as central_share
    from candidate_areas as c
    cross join site as s
    left join totals as t on t.area_id = c.area_id
    left join trends as tr on tr.area_id = c.area_id
)

select area_id, kind, name, is_candidate, area_km2, eligible_arrests, eligible_per_year,
       eligible_per_year_km2, possession_share, trend_pct_per_year, trend_months, km_from_site,
       central_share
from final
order by kind, eligible_per_year desc, name
