-- Headline figures for the referrals page, one area and period: people referred in the period, how
-- many of them were found eligible, enrolled and re-arrested after enrolment (cohort of the period's
-- referrals, followed to the latest data), the active caseload on the last day of the period, the
-- LEAD-eligible arrests in the same area and period, and referrals per 100 of those arrests.
-- Referral counts are tallied per quarter and published by the disclosure macros (public views).
-- The eligible arrests come from the `area_eligible_arrests` macro (store/macros.sql).
-- @param area_id str pilot_zone  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param start_date date 2017-01-01  first day of the period
-- @param end_date date 2017-12-31  last day of the period
-- @param public bool true  true: published counts (whole quarters, rounded; domain/disclosure.py), false: exact
-- @column referrals count People referred
-- @column found_eligible count Found eligible
-- @column enrolled count Enrolled
-- @column active_caseload count Active caseload
-- @column rearrested count Re-arrested after enrolment
-- @column eligible_arrests count LEAD-eligible arrests
with area_referrals as (
    select referred_on, eligibility, enrolled_on, exited_on, rearrested_on, record_key
    from referrals
    where in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),

cohort_cells as (
    select grid_quarter(referred_on) as cell_quarter,
           tally(record_key, true) as referrals,
           tally(record_key, eligibility = 'eligible') as found_eligible,
           tally(record_key, enrolled_on is not null) as enrolled,
           tally(record_key, rearrested_on >= enrolled_on) as rearrested
    from area_referrals
    where referred_on between $start_date and $end_date
    group by cell_quarter
),

cohort_counts as (
    select published_sum(referrals, $public) as referrals,
           published_sum(found_eligible, $public) as found_eligible,
           published_sum(enrolled, $public) as enrolled,
           published_sum(rearrested, $public) as rearrested
    from cohort_cells
),

caseload as (
    -- one cell: the people on the caseload on the period's last day
    select published(count(*), coalesce(sum(record_key), 0), $public) as active_caseload
    from area_referrals
    where enrolled_on <= $end_date
      and (exited_on is null or exited_on > $end_date)
),

eligible_arrests as (
    select count(*) as eligible_arrests
    from area_eligible_arrests($area_id, $start_date, $end_date)
),

final as (
    select referrals, found_eligible, enrolled, active_caseload, rearrested, eligible_arrests
    from cohort_counts, caseload, eligible_arrests
)

select * from final
