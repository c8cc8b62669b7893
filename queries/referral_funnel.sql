-- What happened to the people referred in one area and period, followed to the latest loaded data:
-- one row, one column per stage of the funnel in order. Each stage counts referrals that reached it
-- (a decision or a date recorded); `still_active` and `exited` split the enrolled. Each stage is
-- tallied per quarter and published by the disclosure macros (public views).
-- @param area_id str pilot_zone  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param start_date date 2017-01-01  first day of the period
-- @param end_date date 2017-12-31  last day of the period
-- @param public bool true  true: published counts (whole quarters, rounded; domain/disclosure.py), false: exact
-- @column referred count Referred
-- @column eligibility_confirmed count Eligibility confirmed
-- @column intake count Intake
-- @column enrolled count Enrolled
-- @column still_active count Still active
-- @column exited count Exited
with cells as (
    select grid_quarter(referred_on) as cell_quarter,
           tally(record_key, true) as referred,
           tally(record_key, eligibility = 'eligible') as eligibility_confirmed,
           tally(record_key, intake_on is not null) as intake,
           tally(record_key, enrolled_on is not null) as enrolled,
           tally(record_key, enrolled_on is not null and exited_on is null) as still_active,
           tally(record_key, enrolled_on is not null and exited_on is not null) as exited
    from referrals
    where referred_on between $start_date and $end_date
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
    group by cell_quarter
),

final as (
    select published_sum(referred, $public) as referred,
           published_sum(eligibility_confirmed, $public) as eligibility_confirmed,
           published_sum(intake, $public) as intake,
           published_sum(enrolled, $public) as enrolled,
           published_sum(still_active, $public) as still_active,
           published_sum(exited, $public) as exited
    from cells
)

select * from final
