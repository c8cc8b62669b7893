-- STAFF ONLY (carries case-manager ids). The case manager-peer pairs whose caseload was over `cap` at
-- one or more month-ends of the period (the last snapshot is the period's last day): how many
-- snapshots, the largest caseload, and the first and last snapshot over the cap.
-- @param start_date date 2017-02-01  first day of the period
-- @param end_date date 2017-12-31  last day of the period
-- @param cap int 28  caseload cap per pair
with snapshots as (
    select distinct least(last_day(month), cast($end_date as date)) as snapshot_on
    from generate_series(
        date_trunc('month', cast($start_date as date)),
        date_trunc('month', cast($end_date as date)),
        interval 1 month
    ) as series(month)
),

active_participants as (
    select snapshots.snapshot_on, referrals.case_manager_id, count(*) as caseload
    from snapshots
    join referrals
      on referrals.enrolled_on <= snapshots.snapshot_on
     and (referrals.exited_on is null or referrals.exited_on > snapshots.snapshot_on)
    where referrals.case_manager_id is not null
    group by all
),

over_cap as (
    select active_participants.*, case_managers.peer_id
    from active_participants
    left join case_managers using (case_manager_id)
    where active_participants.caseload > $cap
),

final as (
    select case_manager_id, peer_id,
           count(*) as snapshots_over_cap,
           max(caseload) as max_caseload,
           min(snapshot_on) as first_over_on,
           max(snapshot_on) as last_over_on
    from over_cap
    group by all
)

select * from final
order by snapshots_over_cap desc, case_manager_id
