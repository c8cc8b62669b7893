-- STAFF ONLY (carries case-manager ids). Caseload of each case manager-peer pair at the end of every
-- month of the period (the last snapshot is the period's last day): participants enrolled and not yet
-- exited who are assigned to the case manager. Every pair on staff that day appears, zero when idle.
-- Snapshots, pairs on staff and active participants come from the caseload_* macros (store/macros.sql).
-- @param start_date date 2017-02-01  first day of the period
-- @param end_date date 2017-12-31  last day of the period
-- @param cap int 28  caseload cap per pair; rows above it are flagged
-- @column snapshot_on date Month-end
-- @column case_manager_id id Case manager
-- @column peer_id id Peer
-- @column pair text Pair
-- @column caseload count Caseload
-- @column over_cap flag Over the cap
with pairs_on_staff as (
    select snapshot_on, case_manager_id, peer_id
    from caseload_pairs_on_staff($start_date, $end_date)
),

active_participants as (
    select snapshot_on, case_manager_id, count(*) as caseload
    from caseload_participants($start_date, $end_date)
    where case_manager_id is not null
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
