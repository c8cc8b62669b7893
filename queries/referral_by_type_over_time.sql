-- Referrals per calendar month (or quarter) by type, for one area and period; every step of the
-- period appears, steps without referrals as zeros. `period_start` is the first day of the step.
-- @param area_id str pilot_zone  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param start_date date 2017-02-01  first day of the period
-- @param end_date date 2017-12-31  last day of the period
-- @param step str month  'month' or 'quarter': the length of each bar
with steps as (
    select cast(period_start as date) as period_start
    from generate_series(
        date_trunc($step, cast($start_date as date)),
        date_trunc($step, cast($end_date as date)),
        to_months(case $step when 'quarter' then 3 else 1 end)
    ) as series(period_start)
    where $step in ('month', 'quarter')  -- any other step gives no rows rather than misaligned ones
),

period_referrals as (
    select cast(date_trunc($step, referred_on) as date) as period_start, referral_type
    from referrals
    where referred_on between $start_date and $end_date
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),

counted as (
    select period_start,
           count(*) filter (where referral_type = 'arrest') as arrest,
           count(*) filter (where referral_type = 'social_contact') as social_contact
    from period_referrals
    group by period_start
),

final as (
    select steps.period_start,
           coalesce(counted.arrest, 0) as arrest,
           coalesce(counted.social_contact, 0) as social_contact,
           coalesce(counted.arrest, 0) + coalesce(counted.social_contact, 0) as total
    from steps
    left join counted using (period_start)
)

select * from final
order by period_start
