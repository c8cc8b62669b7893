-- LEAD-eligible arrests next to referrals in the same area and calendar month (or quarter), joined
-- in the database, with referrals per 100 eligible arrests. Every step of the period appears; the
-- ratio is empty in a step without eligible arrests. Referrals per step are published by the
-- disclosure macros (public views ask for quarters).
-- The steps come from the `period_steps` macro, the arrests from `area_eligible_arrests` (store/macros.sql).
-- @param area_id str pilot_zone  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param start_date date 2017-01-01  first day of the period
-- @param end_date date 2017-12-31  last day of the period
-- @param step str quarter  'month' or 'quarter': the length of each bar (public: quarter)
-- @param public bool true  true: published counts (whole quarters, rounded; domain/disclosure.py), false: exact
-- @column period_start date Period starting
-- @column eligible_arrests count LEAD-eligible arrests
-- @column referrals count People referred
with steps as (
    select period_start
    from period_steps($step, $start_date, $end_date)
),

arrests_per_step as (
    select cast(date_trunc($step, arrest_date) as date) as period_start, count(*) as eligible_arrests
    from area_eligible_arrests($area_id, $start_date, $end_date)
    group by all
),

referral_cells as (
    select cast(date_trunc($step, referred_on) as date) as period_start, tally(record_key, true) as referrals
    from referrals
    where referred_on between $start_date and $end_date
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
    group by all
),

referrals_per_step as (
    select period_start, published(referrals.n, referrals.k, $public) as referrals
    from referral_cells
),

final as (
    select steps.period_start,
           coalesce(arrests_per_step.eligible_arrests, 0) as eligible_arrests,
           coalesce(referrals_per_step.referrals, 0) as referrals
    from steps
    left join arrests_per_step using (period_start)
    left join referrals_per_step using (period_start)
)

select * from final
order by period_start
