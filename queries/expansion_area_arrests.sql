-- LEAD-eligible arrests inside one arbitrary area (a drawn or picked proposal) in a period: the count,
-- per year, the share that is CDS possession, and the distance from the case-management site to the
-- area's centre. Points are tested with st_contains after a bounding-box prefilter on lon/lat.
-- @param geojson str {"type":"Polygon","coordinates":[[[-76.64,39.28],[-76.62,39.28],[-76.62,39.29],[-76.64,39.29],[-76.64,39.28]]]}  the area as GeoJSON geometry (EPSG:4326)
-- @param start_date date 2017-02-01  first day of the period
-- @param end_date date 2018-01-31  last day of the period
-- @param site_lon float -76.6085374  case-management site, longitude
-- @param site_lat float 39.2898077  case-management site, latitude
-- @column eligible_arrests count LEAD-eligible arrests
-- @column eligible_per_year rate Eligible arrests per year
-- @column possession_share share Share that is CDS possession
-- @column period_days number Days in the period
-- @column km_from_site number km from case management
with shape as (
    select geom,
           st_xmin(geom) as min_lon, st_xmax(geom) as max_lon,
           st_ymin(geom) as min_lat, st_ymax(geom) as max_lat
    from (select st_geomfromgeojson($geojson) as geom)
),

nearby as (
    select a.geom, a.lead_category
    from arrests as a
    cross join shape as s
    where a.arrest_date between $start_date and $end_date
      and a.lead_category is not null
      and a.lon between s.min_lon and s.max_lon
      and a.lat between s.min_lat and s.max_lat
),

inside as (
    select n.lead_category
    from nearby as n
    cross join shape as s
    where st_contains(s.geom, n.geom)
),

counts as (
    select count(*) as eligible_arrests,
           count(*) filter (where lead_category = 'cds_possession') as possession_arrests
    from inside
),

final as (
    select
        c.eligible_arrests,
        c.eligible_arrests * 365.25 / (date_diff('day', $start_date, $end_date) + 1) as eligible_per_year,
        c.possession_arrests / nullif(c.eligible_arrests, 0) as possession_share,
        date_diff('day', $start_date, $end_date) + 1 as period_days,
        st_distance(
            st_transform(st_centroid(s.geom), 'EPSG:4326', 'EPSG:26985', always_xy := true),
            st_transform(st_point($site_lon, $site_lat), 'EPSG:4326', 'EPSG:26985', always_xy := true)
        ) / 1000 as km_from_site
    from counts as c
    cross join shape as s
)

select * from final
