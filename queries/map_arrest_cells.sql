-- LEAD-eligible arrests per H3 cell, for the density map and the figures beside it: one period, one
-- area, optional offense filter. One scan gives both: the cells are what the map draws, and their
-- counts add up to the eligible arrests the page shows (geo.map_page.load_figures sums them).
-- Records without coordinates have no cell: they come as one row with a null cell, counted in the
-- figures and never drawn. records_unmapped: the row's records without coordinates (h3_r8 is null).
-- The eligible arrests come from the `area_eligible_arrests` macro (store/macros.sql).
-- @param start_date date 2017-02-01  first day of the period
-- @param end_date date 2024-12-31  last day of the period
-- @param area_id str city  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param offense_category str any  'any' or one of the LEAD offense categories
-- @param resolution int 8  H3 resolution of the cells: 8 (about 0.74 km2) or 9 (about 0.11 km2)
-- @column cell geometry H3 cell
-- @column records count LEAD-eligible arrests
-- @column records_unmapped count Without a location
with picked as (
    select case $resolution when 8 then h3_r8 when 9 then h3_r9 end as cell,
           h3_r8 is null as unmapped
    from area_eligible_arrests($area_id, $start_date, $end_date)
    where $offense_category = 'any' or lead_category = $offense_category
),

final as (
    select cell,
           count(*) as records,
           count(*) filter (where unmapped) as records_unmapped
    from picked
    group by cell
)

select cell, records, records_unmapped
from final
order by cell nulls last
