-- STAFF ONLY (carries case-manager ids). Caseload of each case manager-peer pair at the end of every
-- month of the period (the last snapshot is the period's last day): participants enrolled and not yet
-- exited who are assigned to the case manager. Every pair on staff that day appears, zero when idle.
-- @param start_date date 2017-02-01  first day of the period
-- @param end_date date 2017-12-31  last day of the period
-- @param cap int 28  caseload cap per pair; rows above it are flagged
with snapshots as (
    select distinct least(last_day(month), cast($end_date as date)) as snapshot_on
    from generate_series(
        date_trunc('month', cast($start_date as date)),
        date_trunc('month', cast($end_date as date)),
        interval 1 month
    ) as series(month)
),

pairs_on_staff as (
    select snapshots.snapshot_on, case_managers.case_manager_id, case_managers.peer_id
    from snapshots
    join case_managers
      on case_managers.start_on <= snapshots.snapshot_on
     and (case_managers.end_on is null or case_managers.end_on >= snapshots.snapshot_on)
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

final as (
    select pairs_on_staff.snapshot_on, pairs_on_staff.case_manager_id, pairs_on_staff.peer_id,
           pairs_on_staff.case_manager_id || ' + ' || pairs_on_staff.peer_id as pair,
           coalesce(active_participants.caseload, 0) as caseload,
           coalesce(active_participants.caseload, 0) > $cap as over_cap
    from pairs_on_staff
    left join active_participants using (snapshot_on, case_manager_id)
)

select * from final
order by snapshot_on, case_manager_id
