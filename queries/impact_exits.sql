-- The participants referred in one area and period who enrolled, by how they stand at the latest
-- loaded data (`as_of`): still in the program, or exited and why; and by how long they were (or have
-- been) in the program. Every reason and band appears, zero when unused. Tallied per referral quarter,
-- published by the disclosure macros (public views).
-- @param area_id str pilot_zone  'city', 'pilot_zone', 'district:<edition>:<name>' or 'nsa:<name>'
-- @param start_date date 2017-01-01  first day of the period
-- @param end_date date 2024-12-31  last day of the period
-- @param as_of date 2024-12-31  the latest loaded data
-- @param public bool true  true: published counts (whole quarters, rounded; domain/disclosure.py), false: exact
-- @column grouping id Grouping
-- @column group_order number Order
-- @column group_code text Group
-- @column participants count Participants
with reasons (group_order, group_code) as (
    values (1, 'still_active'), (2, 'completed'), (3, 'disengaged'), (4, 'moved'), (5, 'incarcerated'),
           (6, 'deceased'), (7, 'reason_not_recorded')
),

bands (group_order, group_code, from_months, to_months) as (
    values (1, 'under_3', 0, 3), (2, '3_to_6', 3, 6), (3, '6_to_12', 6, 12), (4, '12_to_24', 12, 24),
           (5, '24_and_over', 24, 100000)
),

participants as (
    select grid_quarter(referred_on) as cell_quarter, record_key,
           case when exited_on is null or exited_on > $as_of then 'still_active'
                when exit_reason in ('completed', 'disengaged', 'moved', 'incarcerated', 'deceased') then exit_reason
                else 'reason_not_recorded' end as reason,
           datediff('day', enrolled_on, least(coalesce(exited_on, cast($as_of as date)), cast($as_of as date)))
               / (365.25 / 12) as months_enrolled
    from referrals
    where referred_on between $start_date and $end_date
      and enrolled_on is not null
      and enrolled_on <= $as_of
      and in_area($area_id, in_pilot_zone, district_1959, district_2023, nsa)
),

by_reason as (
    select 'exit_reason' as grouping, reason as group_code, published_sum(people, $public) as participants
    from (select cell_quarter, reason, tally(record_key, true) as people from participants group by all)
    group by reason
),

by_band as (
    select 'time_in_program' as grouping, band as group_code, published_sum(people, $public) as participants
    from (
        select participants.cell_quarter, bands.group_code as band, tally(participants.record_key, true) as people
        from participants
        join bands on participants.months_enrolled >= bands.from_months
                  and participants.months_enrolled < bands.to_months
        group by all
    )
    group by band
),

final as (
    select 'exit_reason' as grouping, reasons.group_order, reasons.group_code,
           coalesce(by_reason.participants, 0) as participants
    from reasons left join by_reason using (group_code)
    union all
    select 'time_in_program', bands.group_order, bands.group_code, coalesce(by_band.participants, 0)
    from bands left join by_band using (group_code)
)

select grouping, group_order, group_code, participants
from final
order by grouping, group_order
