-- Referrals per H3 cell, for the density map: one period, one area, optional type and offense filters.
-- Records without coordinates have no cell and are left out (map_figures counts them).
-- @param start_date date 2017-02-01  first day of the period
-- @param end_date date 2024-12-31  last day of the period
-- @param area_id str city  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param referral_type str any  'any', 'arrest' or 'social_contact'
-- @param offense_category str any  'any' or one of the LEAD offense categories
-- @param resolution int 8  H3 resolution of the cells: 8 (about 0.74 km2) or 9 (about 0.11 km2)
with picked as (
    select case $resolution when 8 then h3_r8 when 9 then h3_r9 end as cell
    from referrals
    where referred_on between $start_date and $end_date
      and ($referral_type = 'any' or referral_type = $referral_type)
      and ($offense_category = 'any' or offense_category = $offense_category)
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),

final as (
    select cell, count(*) as records
    from picked
    where cell is not null
    group by cell
)

select cell, records
from final
order by cell
