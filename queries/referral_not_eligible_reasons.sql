-- Referrals in one area and period that were not confirmed eligible, by reason: the recorded
-- ineligibility reason, 'reason_not_recorded' for an ineligible referral without one, and 'pending'
-- for referrals still awaiting the records check. Every reason appears, zero when unused. Tallied
-- per quarter and reason, published by the disclosure macros (public views).
-- @param area_id str pilot_zone  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param start_date date 2017-01-01  first day of the period
-- @param end_date date 2017-12-31  last day of the period
-- @param public bool true  true: published counts (whole quarters, rounded; domain/disclosure.py), false: exact
-- @column reason text Reason
-- @column people count People referred
with reasons (reason_order, reason) as (
    values (1, 'under_supervision'), (2, 'disqualifying_record'), (3, 'public_safety_threat'),
           (4, 'open_case'), (5, 'open_warrant'), (6, 'outside_area'), (7, 'declined'),
           (8, 'reason_not_recorded'), (9, 'pending')
),

not_eligible as (
    select grid_quarter(referred_on) as cell_quarter,
           case when eligibility = 'pending' then 'pending'
                else coalesce(ineligible_reason, 'reason_not_recorded') end as reason,
           record_key
    from referrals
    where referred_on between $start_date and $end_date
      and eligibility <> 'eligible'
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),

cells as (
    select cell_quarter, reason, tally(record_key, true) as people
    from not_eligible
    group by all
),

counted as (
    select reason, published_sum(people, $public) as people
    from cells
    group by reason
),

final as (
    select reasons.reason_order, reasons.reason, coalesce(counted.people, 0) as people
    from reasons
    left join counted using (reason)
)

select reason, people
from final
order by reason_order
