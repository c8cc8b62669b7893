-- Headline figures for one area and period: referrals, found eligible, enrolled,
-- LEAD-eligible arrests, and the diversion ratio (referrals per 100 eligible arrests).
-- Referral counts are tallied per quarter and published by the disclosure macros (public views).
-- The eligible arrests come from the `area_eligible_arrests` macro (store/macros.sql).
-- @param area_id str pilot_zone  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param start_date date 2017-01-01  first day of the period
-- @param end_date date 2024-12-31  last day of the period
-- @param public bool true  true: published counts (whole quarters, rounded; domain/disclosure.py), false: exact
-- @column referrals count People referred
-- @column found_eligible count Found eligible
-- @column enrolled count Enrolled
-- @column eligible_arrests count LEAD-eligible arrests
-- @column diversion_ratio ratio Referrals per 100 eligible arrests
with referral_cells as (
    select grid_quarter(referred_on) as cell_quarter,
           tally(record_key, true) as referrals,
           tally(record_key, eligibility = 'eligible') as found_eligible,
           tally(record_key, enrolled_on is not null) as enrolled
    from referrals
    where referred_on between $start_date and $end_date
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
    group by cell_quarter
),

referral_counts as (
    select published_sum(referrals, $public) as referrals,
           published_sum(found_eligible, $public) as found_eligible,
           published_sum(enrolled, $public) as enrolled
    from referral_cells
),

arrest_counts as (
    select count(*) as eligible_arrests
    from area_eligible_arrests($area_id, $start_date, $end_date)
),

final as (
    select referrals, found_eligible, enrolled, eligible_arrests,
           case when eligible_arrests > 0
                then round(100.0 * referrals / eligible_arrests, 1) end as diversion_ratio
    from referral_counts, arrest_counts
)

select * from final
