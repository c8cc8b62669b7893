-- LEAD-eligible arrests per month in the pilot zone, the rest of the Central District (1959-2022)
-- and elsewhere in the city, for `window_months` complete months either side of the launch, indexed
-- so that each area's average month before launch is 100. Only arrests with a mapped location count
-- (an unmapped arrest cannot be placed in an area); months outside the loaded arrest data are left out.
-- The months and area groups come from the `eligible_arrests_around` macro (store/macros.sql).
-- @param launch_on date 2017-02-01  launch date (first day of a month)
-- @param window_months int 12  months before and after launch
-- @column month date Month
-- @column months_from_launch number Months from launch
-- @column area_group text Area
-- @column eligible_arrests count LEAD-eligible arrests
-- @column index_to_before ratio Index (average month before launch = 100)
with grid as (
    select month, months_from_launch, group_order, area_group, eligible_arrests
    from eligible_arrests_around($launch_on, $window_months)
),

final as (
    select month, months_from_launch, group_order, area_group, eligible_arrests,
           round(100.0 * eligible_arrests
                 / nullif(avg(eligible_arrests) filter (where months_from_launch < 0)
                          over (partition by area_group), 0), 1) as index_to_before
    from grid
)

select month, months_from_launch, area_group, eligible_arrests, index_to_before
from final
order by group_order, month
