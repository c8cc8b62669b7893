-- STAFF VIEW. One row per participant referred in one area and period who enrolled: months from
-- enrolment to the first re-arrest or, when none is recorded, to the end of follow-up (`as_of`, the
-- latest loaded data), and the months enrolled (to exit, or to `as_of` while still active). Never sent
-- to a public view: the public Impact page reads the grouped counts of impact_rearrest_steps.sql.
-- @param area_id str pilot_zone  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param start_date date 2017-01-01  first day of the period
-- @param end_date date 2024-12-31  last day of the period
-- @param as_of date 2024-12-31  end of follow-up (the latest loaded data)
-- @column months_followed number Months from enrolment to re-arrest or end of follow-up
-- @column was_rearrested flag Re-arrested
-- @column months_enrolled number Months in the program
-- @column exited flag Exited
-- @column exit_reason text Exit reason
with participants as (
    select enrolled_on, exited_on, exit_reason,
           case when rearrested_on >= enrolled_on and rearrested_on <= $as_of then rearrested_on end
               as rearrested_on
    from referrals
    where referred_on between $start_date and $end_date
      and enrolled_on is not null
      and enrolled_on <= $as_of
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),

final as (
    select datediff('day', enrolled_on, coalesce(rearrested_on, cast($as_of as date))) / (365.25 / 12)
               as months_followed,
           rearrested_on is not null as was_rearrested,
           datediff('day', enrolled_on, least(coalesce(exited_on, cast($as_of as date)), cast($as_of as date)))
               / (365.25 / 12) as months_enrolled,
           exited_on is not null and exited_on <= $as_of as exited,
           case when exited_on <= $as_of then exit_reason end as exit_reason
    from participants
)

select months_followed, was_rearrested, months_enrolled, exited, exit_reason
from final
order by months_followed, was_rearrested
