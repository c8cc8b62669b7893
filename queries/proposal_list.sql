-- Saved expansion proposals, newest first, with their geometry as hex WKB (exact) for maps and export.
-- @column area_id id Proposal id
-- @column name text Proposal
-- @column author text Author
-- @column note text Note
-- @column created_at date Saved
-- @column area_km2 number Area (km²)
-- @column wkb_hex geometry Outline (hex WKB)
with final as (
    select area_id, name, author, note, created_at, area_km2,
           st_ashexwkb(geom) as wkb_hex
    from areas
    where kind = 'proposal'
)

select * from final
order by created_at desc, name
