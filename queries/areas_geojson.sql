-- Outlines of the areas of one kind (and edition, or 'any') as GeoJSON geometry text.
-- @param kind str district  pilot_zone, district, neighborhood or proposal
-- @param edition str 1959-2022  '1959-2022' or '2023' for districts, 'any' otherwise
-- @column area_id id Area id
-- @column kind text Kind of area
-- @column name text Area
-- @column edition text Boundary edition
-- @column area_km2 number Area (km²)
-- @column geojson geometry Outline (GeoJSON)
with final as (
    select area_id, kind, name, edition, area_km2,
           st_asgeojson(geom) as geojson
    from areas
    where kind = $kind
      and ($edition = 'any' or edition = $edition)
)

select * from final
order by name
