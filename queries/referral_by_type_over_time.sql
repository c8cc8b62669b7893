-- Referrals per calendar month (or quarter) by type, for one area and period; every step of the
-- period appears, steps without referrals as zeros. `period_start` is the first day of the step.
-- Each step is a cell of the disclosure rule: public views ask for quarters, and each type and the
-- total are published separately (so the types need not add up to the published total).
-- The steps come from the `period_steps` macro (store/macros.sql).
-- @param area_id str pilot_zone  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param start_date date 2017-01-01  first day of the period
-- @param end_date date 2017-12-31  last day of the period
-- @param step str quarter  'month' or 'quarter': the length of each bar (public: quarter)
-- @param public bool true  true: published counts (whole quarters, rounded; domain/disclosure.py), false: exact
-- @column period_start date Period starting
-- @column arrest count Arrest referrals
-- @column social_contact count Social-contact referrals
-- @column total count All referrals
with steps as (
    select period_start
    from period_steps($step, $start_date, $end_date)
),

cells as (
    select cast(date_trunc($step, referred_on) as date) as period_start,
           tally(record_key, referral_type = 'arrest') as arrest,
           tally(record_key, referral_type = 'social_contact') as social_contact,
           tally(record_key, true) as total
    from referrals
    where referred_on between $start_date and $end_date
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
    group by period_start
),

counted as (
    select period_start,
           published(arrest.n, arrest.k, $public) as arrest,
           published(social_contact.n, social_contact.k, $public) as social_contact,
           published(total.n, total.k, $public) as total
    from cells
),

final as (
    select steps.period_start,
           coalesce(counted.arrest, 0) as arrest,
           coalesce(counted.social_contact, 0) as social_contact,
           coalesce(counted.total, 0) as total
    from steps
    left join counted using (period_start)
)

select * from final
order by period_start
