-- Re-arrest after enrolment as a life table, for the participants referred in one area and period: for
-- each step of `step_months` months since enrolment (0 = the first step), how many were re-arrested in
-- that step and how many left follow-up in it without one (their follow-up reaches the latest loaded
-- data, `as_of`, within the step). Participants followed past the last step count in the last step as
-- 'beyond'. Tallied per referral quarter and step, published by the disclosure macros (public views), so
-- a public curve is built from rounded counts only and never steps at one person's date.
-- @param area_id str pilot_zone  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param start_date date 2017-01-01  first day of the period
-- @param end_date date 2024-12-31  last day of the period
-- @param as_of date 2024-12-31  end of follow-up (the latest loaded data)
-- @param step_months int 3  months per step
-- @param steps int 8  steps shown (step_months * steps = longest follow-up)
-- @param public bool true  true: published counts (whole quarters, rounded; domain/disclosure.py), false: exact
-- @column step number Step since enrolment
-- @column from_month number From month since enrolment
-- @column to_month number To month since enrolment
-- @column rearrested_in_step count Re-arrested in this step
-- @column left_follow_up count Follow-up ended in this step
-- @column beyond count Followed past the last step
with participants as (
    select grid_quarter(referred_on) as cell_quarter, record_key, enrolled_on,
           case when rearrested_on >= enrolled_on and rearrested_on <= $as_of then rearrested_on end
               as rearrested_on
    from referrals
    where referred_on between $start_date and $end_date
      and enrolled_on is not null
      and enrolled_on <= $as_of
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),

timed as (
    select cell_quarter, record_key, rearrested_on is not null as rearrested,
           datediff('day', enrolled_on, coalesce(rearrested_on, cast($as_of as date))) / (365.25 / 12)
               as months_followed
    from participants
),

stepped as (
    select cell_quarter, record_key,
           least(cast(floor(months_followed / $step_months) as integer), $steps - 1) as step,
           months_followed >= $step_months * $steps as is_beyond,
           rearrested and months_followed < $step_months * $steps as is_rearrested
    from timed
),

cells as (
    select cell_quarter, step,
           tally(record_key, is_rearrested) as rearrested,
           tally(record_key, not is_rearrested and not is_beyond) as left_follow_up,
           tally(record_key, is_beyond) as beyond
    from stepped
    group by all
),

counted as (
    select step,
           published_sum(rearrested, $public) as rearrested,
           published_sum(left_follow_up, $public) as left_follow_up,
           published_sum(beyond, $public) as beyond
    from cells
    group by step
),

steps as (
    select unnest(range(0, $steps)) as step
),

final as (
    select steps.step, steps.step * $step_months as from_month, (steps.step + 1) * $step_months as to_month,
           coalesce(counted.rearrested, 0) as rearrested_in_step,
           coalesce(counted.left_follow_up, 0) as left_follow_up,
           coalesce(counted.beyond, 0) as beyond
    from steps
    left join counted using (step)
)

select step, from_month, to_month, rearrested_in_step, left_follow_up, beyond
from final
order by step
