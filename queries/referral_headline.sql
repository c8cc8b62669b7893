-- Headline figures for the referrals page, one area and period: people referred in the period, how
-- many of them were found eligible, enrolled and re-arrested after enrolment (cohort of the period's
-- referrals, followed to the latest data), the active caseload on the last day of the period, the
-- LEAD-eligible arrests in the same area and period, and referrals per 100 of those arrests.
-- @param area_id str pilot_zone  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param start_date date 2017-02-01  first day of the period
-- @param end_date date 2017-12-31  last day of the period
with area_referrals as (
    select referred_on, eligibility, enrolled_on, exited_on, rearrested_on
    from referrals
    where in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),

cohort_counts as (
    select count(*) as referrals,
           count(*) filter (where eligibility = 'eligible') as found_eligible,
           count(enrolled_on) as enrolled,
           count(*) filter (where rearrested_on >= enrolled_on) as rearrested
    from area_referrals
    where referred_on between $start_date and $end_date
),

caseload as (
    select count(*) as active_caseload
    from area_referrals
    where enrolled_on <= $end_date
      and (exited_on is null or exited_on > $end_date)
),

eligible_arrests as (
    select count(*) as eligible_arrests
    from arrests
    where arrest_date between $start_date and $end_date
      and lead_category is not null
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),

final as (
    select referrals, found_eligible, enrolled, active_caseload, rearrested, eligible_arrests,
           case when eligible_arrests > 0
                then round(100.0 * referrals / eligible_arrests, 1) end as diversion_ratio
    from cohort_counts, caseload, eligible_arrests
)

select * from final
