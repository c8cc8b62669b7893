-- The Map page's referral figures for one period, area and filters: referrals, of them enrolled, and
-- those without coordinates. Counted for the area as a whole (per quarter, published by the
-- disclosure macros in public views), so they match the other pages' figures for the same area and
-- period; the hexagons' own published counts need not add up to them.
-- @param start_date date 2017-01-01  first day of the period
-- @param end_date date 2024-12-31  last day of the period
-- @param area_id str city  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param referral_type str any  'any', 'arrest' or 'social_contact'
-- @param offense_category str any  'any' or one of the LEAD offense categories
-- @param public bool true  true: published counts (whole quarters, rounded; domain/disclosure.py), false: exact
-- @column records count People referred
-- @column enrolled count Enrolled
-- @column records_unmapped count Without a location
with cells as (
    select grid_quarter(referred_on) as cell_quarter,
           tally(record_key, true) as records,
           tally(record_key, enrolled_on is not null) as enrolled,
           tally(record_key, h3_r8 is null) as records_unmapped
    from referrals
    where referred_on between $start_date and $end_date
      and ($referral_type = 'any' or referral_type = $referral_type)
      and ($offense_category = 'any' or offense_category = $offense_category)
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
    group by cell_quarter
),

final as (
    select published_sum(records, $public) as records,
           published_sum(enrolled, $public) as enrolled,
           published_sum(records_unmapped, $public) as records_unmapped
    from cells
)

select * from final
