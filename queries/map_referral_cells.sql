-- Referrals per H3 cell, for the density map and the figures beside it: one period, one area,
-- optional type and offense filters. The counts add up to the page's referral figures
-- (geo.map_page.load_figures sums them): referrals, of them enrolled, and those without coordinates.
-- Records without coordinates have no cell: they come as one row with a null cell, counted in the
-- figures and never drawn. records_unmapped: the row's records without coordinates (h3_r8 is null).
-- Each cell's counts are tallied per quarter and published by the disclosure macros (public views).
-- @param start_date date 2017-01-01  first day of the period
-- @param end_date date 2024-12-31  last day of the period
-- @param area_id str city  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param referral_type str any  'any', 'arrest' or 'social_contact'
-- @param offense_category str any  'any' or one of the LEAD offense categories
-- @param resolution int 8  H3 resolution of the cells: 8 (about 0.74 km2) or 9 (about 0.11 km2)
-- @param public bool true  true: published counts (whole quarters, rounded; domain/disclosure.py), false: exact
-- @column cell geometry H3 cell
-- @column records count People referred
-- @column enrolled count Enrolled
-- @column records_unmapped count Without a location
with picked as (
    select case $resolution when 8 then h3_r8 when 9 then h3_r9 end as cell,
           grid_quarter(referred_on) as cell_quarter,
           enrolled_on,
           record_key
    from referrals
    where referred_on between $start_date and $end_date
      and ($referral_type = 'any' or referral_type = $referral_type)
      and ($offense_category = 'any' or offense_category = $offense_category)
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),

cells as (
    select cell, cell_quarter,
           tally(record_key, true) as records,
           tally(record_key, enrolled_on is not null) as enrolled
    from picked
    group by all
),

counted as (
    select cell,
           published_sum(records, $public) as records,
           published_sum(enrolled, $public) as enrolled
    from cells
    group by cell
),

final as (
    select cell, records, enrolled,
           case when cell is null then records else 0 end as records_unmapped
    from counted
)

select cell, records, enrolled, records_unmapped
from final
order by cell nulls last
