-- Average LEAD-eligible arrests per month before and after launch in the pilot zone, the rest of the
-- Central District (1959-2022) and elsewhere in the city, over `window_months` complete months either
-- side (fewer when the loaded arrest data do not reach that far), and the change in percent.
-- Same months and area groups as eligible_arrests_around_launch (the `eligible_arrests_around` macro).
-- @param launch_on date 2017-02-01  launch date (first day of a month)
-- @param window_months int 12  months before and after launch
-- @column area_group text Area
-- @column months_before count Months before launch
-- @column months_after count Months after launch
-- @column before_per_month rate Eligible arrests per month before launch
-- @column after_per_month rate Eligible arrests per month after launch
-- @column change_pct percent Change (%)
with grid as (
    select month, months_from_launch, group_order, area_group, eligible_arrests
    from eligible_arrests_around($launch_on, $window_months)
),

summary as (
    select group_order, area_group,
           count(*) filter (where months_from_launch < 0) as months_before,
           count(*) filter (where months_from_launch >= 0) as months_after,
           avg(eligible_arrests) filter (where months_from_launch < 0) as before_per_month,
           avg(eligible_arrests) filter (where months_from_launch >= 0) as after_per_month
    from grid
    group by all
),

final as (
    select group_order, area_group, months_before, months_after,
           round(before_per_month, 1) as before_per_month,
           round(after_per_month, 1) as after_per_month,
           round(100.0 * (after_per_month - before_per_month) / nullif(before_per_month, 0), 1)
               as change_pct
    from summary
)

select area_group, months_before, months_after, before_per_month, after_per_month, change_pct
from final
order by group_order
