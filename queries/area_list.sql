-- Areas a user can pick: the city, the pilot zone, districts of one edition and neighbourhoods,
-- with the bounding box to zoom to.
-- @param edition str 1959-2022  district edition: '1959-2022' or '2023'
-- @column area_id id Area id
-- @column kind text Kind of area
-- @column name text Area
-- @column edition text Boundary edition
-- @column min_lon geometry Westmost longitude
-- @column min_lat geometry Southmost latitude
-- @column max_lon geometry Eastmost longitude
-- @column max_lat geometry Northmost latitude
with picked as (
    select area_id, kind, name, edition, geom
    from areas
    where kind in ('pilot_zone', 'neighborhood')
       or (kind = 'district' and edition = $edition)
),

final as (
    select area_id, kind, name, edition,
           st_xmin(geom) as min_lon, st_ymin(geom) as min_lat,
           st_xmax(geom) as max_lon, st_ymax(geom) as max_lat,
           case kind when 'pilot_zone' then 0 when 'district' then 1 else 2 end as kind_order
    from picked
)

select area_id, kind, name, edition, min_lon, min_lat, max_lon, max_lat
from final
order by kind_order, name
