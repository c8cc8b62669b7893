-- STAFF ONLY (carries case-manager ids). The case manager-peer pairs whose caseload was over `cap` at
-- one or more month-ends of the period (the last snapshot is the period's last day): how many
-- snapshots, the largest caseload, and the first and last snapshot over the cap.
-- Snapshots and active participants come from the caseload_* macros (store/macros.sql).
-- @param start_date date 2017-02-01  first day of the period
-- @param end_date date 2017-12-31  last day of the period
-- @param cap int 28  caseload cap per pair
-- @column case_manager_id id Case manager
-- @column peer_id id Peer
-- @column snapshots_over_cap count Month-ends over the cap
-- @column max_caseload count Largest caseload
-- @column first_over_on date First over
-- @column last_over_on date Last over
with active_participants as (
    select snapshot_on, case_manager_id, count(*) as caseload
    from caseload_participants($start_date, $end_date)
    where case_manager_id is not null
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
