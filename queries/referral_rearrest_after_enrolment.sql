-- STAFF VIEW. Re-arrest after enrolment for the people referred in one area and period who enrolled:
-- for each number of months since enrolment (1 to `max_months`), how many participants have been
-- followed that long by `as_of` (the latest loaded data), and how many of those were re-arrested
-- within that many months of enrolling. Each row only counts participants followed for the full
-- time, so shares at different months compare like with like; months nobody reached are left out.
-- @param area_id str pilot_zone  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param start_date date 2017-02-01  first day of the period
-- @param end_date date 2017-12-31  last day of the period
-- @param as_of date 2018-02-28  end of follow-up (the latest loaded data)
-- @param max_months int 24  longest follow-up shown
-- @column months_since_enrolment number Months since enrolment
-- @column followed count Participants followed this long
-- @column rearrested count Re-arrested after enrolment
-- @column rearrested_pct percent Share re-arrested (%)
with participants as (
    select enrolled_on, rearrested_on
    from referrals
    where referred_on between $start_date and $end_date
      and enrolled_on is not null
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),

horizons as (
    select unnest(range(1, $max_months + 1)) as months_since_enrolment
),

followed as (
    select horizons.months_since_enrolment,
           participants.rearrested_on >= participants.enrolled_on
           and participants.rearrested_on
               < participants.enrolled_on + to_months(horizons.months_since_enrolment) as rearrested
    from horizons
    join participants
      on participants.enrolled_on + to_months(horizons.months_since_enrolment) <= $as_of
),

counted as (
    select months_since_enrolment,
           count(*) as followed,
           count(*) filter (where rearrested) as rearrested
    from followed
    group by months_since_enrolment
),

final as (
    select months_since_enrolment, followed, rearrested,
           round(100.0 * rearrested / followed, 1) as rearrested_pct
    from counted
)

select * from final
order by months_since_enrolment
