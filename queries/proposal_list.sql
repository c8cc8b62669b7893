-- Saved expansion proposals, newest first, with their geometry as hex WKB (exact) for maps and export.
with final as (
    select area_id, name, author, note, created_at, area_km2,
           st_ashexwkb(geom) as wkb_hex
    from areas
    where kind = 'proposal'
)

select * from final
order by created_at desc, name
