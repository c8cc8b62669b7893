-- Referrals in one period by where they happened: the pilot zone, the rest of the Central District
-- (1959-2022 boundaries, the LEAD era), elsewhere in the city, or no location recorded.
-- Every group appears, zero when empty. Tallied per quarter and group, published by the disclosure
-- macros (public views).
-- @param start_date date 2017-01-01  first day of the period
-- @param end_date date 2017-12-31  last day of the period
-- @param public bool true  true: published counts (whole quarters, rounded; domain/disclosure.py), false: exact
-- @column area_group text Area
-- @column referrals count People referred
with area_groups (group_order, area_group) as (
    values (1, 'pilot_zone'), (2, 'rest_of_central'), (3, 'elsewhere'), (4, 'location_not_recorded')
),

period_referrals as (
    select grid_quarter(referred_on) as cell_quarter,
           case when geom is null then 'location_not_recorded'
                when in_pilot_zone then 'pilot_zone'
                when district_1959 = 'Central' then 'rest_of_central'
                else 'elsewhere' end as area_group,
           record_key
    from referrals
    where referred_on between $start_date and $end_date
),

cells as (
    select cell_quarter, area_group, tally(record_key, true) as referrals
    from period_referrals
    group by all
),

counted as (
    select area_group, published_sum(referrals, $public) as referrals
    from cells
    group by area_group
),

final as (
    select area_groups.group_order, area_groups.area_group, coalesce(counted.referrals, 0) as referrals
    from area_groups
    left join counted using (area_group)
)

select area_group, referrals
from final
order by group_order
