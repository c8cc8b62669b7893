-- Headline figures for one area and period: referrals, found eligible, enrolled,
-- LEAD-eligible arrests, and the diversion ratio (referrals per 100 eligible arrests).
-- @param area_id str pilot_zone  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param start_date date 2017-02-01  first day of the period
-- @param end_date date 2024-12-31  last day of the period
with period_referrals as (
    select referral_id, eligibility, enrolled_on
    from referrals
    where referred_on between $start_date and $end_date
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),

period_eligible_arrests as (
    select arrest_id
    from arrests
    where arrest_date between $start_date and $end_date
      and lead_category is not null
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),

referral_counts as (
    select count(*) as referrals,
           count(*) filter (where eligibility = 'eligible') as found_eligible,
           count(enrolled_on) as enrolled
    from period_referrals
),

arrest_counts as (
    select count(*) as eligible_arrests
    from period_eligible_arrests
),

final as (
    select referrals, found_eligible, enrolled, eligible_arrests,
           case when eligible_arrests > 0
                then round(100.0 * referrals / eligible_arrests, 1) end as diversion_ratio
    from referral_counts, arrest_counts
)

select * from final
