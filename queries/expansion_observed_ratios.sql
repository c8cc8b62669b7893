-- What LEAD achieved where it ran, as defaults for the planner: referrals, LEAD-eligible arrests and
-- enrolments in one area and period, and the mean months in program of participants who have exited.
-- @param area_id str pilot_zone  'pilot_zone' or 'district:<edition>:<name>' (any in_area id)
-- @param start_date date 2017-02-01  first day of the period
-- @param end_date date 2018-01-31  last day of the period
with area_referrals as (
    select referral_id, enrolled_on, exited_on
    from referrals
    where referred_on between $start_date and $end_date
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),

area_eligible_arrests as (
    select count(*) as eligible_arrests
    from arrests
    where arrest_date between $start_date and $end_date
      and lead_category is not null
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),

referral_counts as (
    select
        count(*) as referrals,
        count(enrolled_on) as enrolled,
        count(*) filter (where exited_on >= enrolled_on) as exited,
        -- 365.25 / 12 days in an average month
        avg(date_diff('day', enrolled_on, exited_on)) filter (where exited_on >= enrolled_on) / (365.25 / 12)
            as mean_months_in_program
    from area_referrals
),

final as (
    select r.referrals, a.eligible_arrests, r.enrolled, r.exited, r.mean_months_in_program
    from referral_counts as r
    cross join area_eligible_arrests as a
)

select * from final
