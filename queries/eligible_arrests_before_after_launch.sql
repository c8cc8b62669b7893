-- Average LEAD-eligible arrests per month before and after launch in the pilot zone, the rest of the
-- Central District (1959-2022) and elsewhere in the city, over `window_months` complete months either
-- side (fewer when the loaded arrest data do not reach that far), and the change in percent.
-- Same months and area groups as eligible_arrests_around_launch; mapped arrests only.
-- @param launch_on date 2017-02-01  launch date (first day of a month)
-- @param window_months int 12  months before and after launch
with window_months as (
    select cast(month as date) as month,
           datediff('month', cast($launch_on as date), month) as months_from_launch
    from generate_series(
        date_trunc('month', cast($launch_on as date)) - to_months($window_months),
        date_trunc('month', cast($launch_on as date)) + to_months($window_months - 1),
        interval 1 month
    ) as series(month)
),

covered_months as (
    select window_months.*
    from window_months, (select min(arrest_date) as first_on, max(arrest_date) as last_on from arrests)
    where window_months.month >= first_on
      and last_day(window_months.month) <= last_on
),

area_groups (group_order, area_group) as (
    values (1, 'pilot_zone'), (2, 'rest_of_central'), (3, 'elsewhere')
),

grouped_arrests as (
    select cast(date_trunc('month', arrest_date) as date) as month,
           case when in_pilot_zone then 'pilot_zone'
                when district_1959 = 'Central' then 'rest_of_central'
                else 'elsewhere' end as area_group
    from arrests
    where lead_category is not null
      and geom is not null
      and arrest_date >= (select min(month) from covered_months)
      and arrest_date <= (select last_day(max(month)) from covered_months)
),

counted as (
    select month, area_group, count(*) as eligible_arrests
    from grouped_arrests
    group by all
),

grid as (
    select covered_months.month, covered_months.months_from_launch, area_groups.group_order,
           area_groups.area_group, coalesce(counted.eligible_arrests, 0) as eligible_arrests
    from covered_months
    cross join area_groups
    left join counted using (month, area_group)
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
