-- Headline figures beside the map for one period and area, with the map's filters: referrals, enrolled,
-- LEAD-eligible arrests, the diversion ratio (referrals per 100 eligible arrests, same area and period),
-- and how many of each have no coordinates (counted here, not drawn on the map).
-- The referral type filters referrals only; the offense category filters both sides of the ratio.
-- @param start_date date 2017-02-01  first day of the period
-- @param end_date date 2024-12-31  last day of the period
-- @param area_id str city  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param referral_type str any  'any', 'arrest' or 'social_contact'
-- @param offense_category str any  'any' or one of the LEAD offense categories
with period_referrals as (
    select referral_id, enrolled_on, h3_r8
    from referrals
    where referred_on between $start_date and $end_date
      and ($referral_type = 'any' or referral_type = $referral_type)
      and ($offense_category = 'any' or offense_category = $offense_category)
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),

period_eligible_arrests as (
    select arrest_id, h3_r8
    from arrests
    where arrest_date between $start_date and $end_date
      and lead_category is not null
      and ($offense_category = 'any' or lead_category = $offense_category)
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),

referral_counts as (
    select count(*) as referrals,
           count(enrolled_on) as enrolled,
           count(*) filter (where h3_r8 is null) as referrals_unmapped
    from period_referrals
),

arrest_counts as (
    select count(*) as eligible_arrests,
           count(*) filter (where h3_r8 is null) as eligible_arrests_unmapped
    from period_eligible_arrests
),

final as (
    select referrals, enrolled, eligible_arrests,
           case when eligible_arrests > 0
                then round(100.0 * referrals / eligible_arrests, 1) end as diversion_ratio,
           referrals_unmapped, eligible_arrests_unmapped
    from referral_counts, arrest_counts
)

select * from final
