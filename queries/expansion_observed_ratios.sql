-- What LEAD achieved where it ran, as defaults for the planner: referrals, LEAD-eligible arrests and
-- enrolments in one area and period, and the mean months in program of participants who have exited.
-- Referral counts are tallied per quarter and published by the disclosure macros (public views); the
-- mean is left out of a public view when the published number of exits is small.
-- The eligible arrests come from the `area_eligible_arrests` macro (store/macros.sql).
-- @param area_id str pilot_zone  'pilot_zone' or 'district:<edition>:<name>' (any in_area id)
-- @param start_date date 2017-01-01  first day of the period
-- @param end_date date 2018-03-31  last day of the period
-- @param public bool true  true: published counts (whole quarters, rounded; domain/disclosure.py), false: exact
-- @column referrals count People referred
-- @column eligible_arrests count LEAD-eligible arrests
-- @column enrolled count Enrolled
-- @column exited count Exited the program
-- @column mean_months_in_program number Average months in program
with cells as (
    select grid_quarter(referred_on) as cell_quarter,
           tally(record_key, true) as referrals,
           tally(record_key, enrolled_on is not null) as enrolled,
           tally(record_key, exited_on >= enrolled_on) as exited,
           -- 365.25 / 12 days in an average month
           sum(date_diff('day', enrolled_on, exited_on)) filter (where exited_on >= enrolled_on) as days_in_program
    from referrals
    where referred_on between $start_date and $end_date
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
    group by cell_quarter
),

area_eligible_arrests as (
    select count(*) as eligible_arrests
    from area_eligible_arrests($area_id, $start_date, $end_date)
),

referral_counts as (
    select published_sum(referrals, $public) as referrals,
           published_sum(enrolled, $public) as enrolled,
           published_sum(exited, $public) as exited,
           sum(days_in_program) / nullif(sum(exited.n), 0) / (365.25 / 12) as mean_months_in_program
    from cells
),

final as (
    select r.referrals, a.eligible_arrests, r.enrolled, r.exited,
           published_mean(r.mean_months_in_program, r.exited, $public) as mean_months_in_program
    from referral_counts as r
    cross join area_eligible_arrests as a
)

select * from final
