-- What happened to the people referred in one area and period, followed to the latest loaded data:
-- one row, one column per stage of the funnel in order. Each stage counts referrals that reached it
-- (a decision or a date recorded); `still_active` and `exited` split the enrolled.
-- @param area_id str pilot_zone  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param start_date date 2017-02-01  first day of the period
-- @param end_date date 2017-12-31  last day of the period
with period_referrals as (
    select eligibility, intake_on, enrolled_on, exited_on
    from referrals
    where referred_on between $start_date and $end_date
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),

final as (
    select count(*) as referred,
           count(*) filter (where eligibility = 'eligible') as eligibility_confirmed,
           count(intake_on) as intake,
           count(enrolled_on) as enrolled,
           count(enrolled_on) filter (where exited_on is null) as still_active,
           count(enrolled_on) filter (where exited_on is not null) as exited
    from period_referrals
)

select * from final
