-- LEAD-eligible arrests per month in each unit the Impact page compares: the pilot zone, the rest of the
-- Central District (1959-2022) and every neighbourhood (2010 NSA) outside that district, which are the
-- candidate comparison areas (never reached by the program). Every unit has a row for every complete
-- month of the loaded arrest data, zero when it had none. Arrests without a location cannot be placed.
-- @param first_month date 2014-01-01  first month counted (earlier loaded months are left out)
-- @column month date Month
-- @column unit_id id Area id
-- @column unit_name text Area
-- @column eligible_arrests count LEAD-eligible arrests
with span as (
    select greatest(date_trunc('month', min(arrest_date)), date_trunc('month', $first_month)) as first_month,
           date_trunc('month', max(arrest_date) + 1) - interval 1 month as last_month
    from arrests
),

months as (
    select cast(month as date) as month
    from span, generate_series(span.first_month, span.last_month, interval 1 month) as series(month)
),

placed as (
    select cast(date_trunc('month', arrest_date) as date) as month,
           case when in_pilot_zone then 'pilot_zone'
                when district_1959 = 'Central' then 'rest_of_central'
                else 'nsa:' || nsa end as unit_id
    from arrests
    where lead_category is not null
      and (in_pilot_zone or district_1959 is not null)
      and (in_pilot_zone or district_1959 = 'Central' or nsa is not null)
      and arrest_date >= (select min(month) from months)
      and arrest_date < (select max(month) from months) + interval 1 month
),

counted as (
    select month, unit_id, count(*) as eligible_arrests
    from placed
    group by all
),

units as (
    select distinct unit_id from counted
),

final as (
    select months.month, units.unit_id,
           case units.unit_id when 'pilot_zone' then 'LEAD pilot zone'
                when 'rest_of_central' then 'Rest of Central District (1959–2022)'
                else units.unit_id[5:] end as unit_name,
           coalesce(counted.eligible_arrests, 0) as eligible_arrests
    from months
    cross join units
    left join counted using (month, unit_id)
)

select month, unit_id, unit_name, eligible_arrests
from final
order by unit_id, month
