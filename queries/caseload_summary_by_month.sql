-- Caseload of the case manager-peer pairs at the end of every month of the period (the last snapshot
-- is the period's last day), summarised without naming anyone: pairs on staff, participants active,
-- average and largest caseload per pair, and how many pairs were over `cap`. Participants assigned to
-- no case manager, or to one not on staff that day, are counted in `unassigned_participants`.
-- The participant counts (assigned, unassigned, the largest pair's) are published by the disclosure
-- macros in public views, each snapshot a cell; the average is the published assigned per pair.
-- Snapshots, pairs on staff and active participants come from the caseload_* macros (store/macros.sql).
-- @param start_date date 2017-01-01  first day of the period
-- @param end_date date 2017-12-31  last day of the period
-- @param cap int 28  caseload cap per pair
-- @param public bool true  true: published counts (rounded; domain/disclosure.py), false: exact
-- @column snapshot_on date Month-end
-- @column pairs count Pairs on staff
-- @column assigned_participants count Participants with a pair
-- @column mean_caseload number Average caseload per pair
-- @column max_caseload count Largest caseload of a pair
-- @column pairs_over_cap count Pairs over the cap
-- @column unassigned_participants count Participants without a pair on staff
with snapshots as (
    select snapshot_on
    from caseload_snapshots($start_date, $end_date)
),

pairs_on_staff as (
    select snapshot_on, case_manager_id
    from caseload_pairs_on_staff($start_date, $end_date)
),

active_participants as (
    select snapshot_on, case_manager_id, record_key
    from caseload_participants($start_date, $end_date)
),

pair_caseloads as (
    select pairs_on_staff.snapshot_on, pairs_on_staff.case_manager_id,
           count(active_participants.case_manager_id) as caseload,
           coalesce(sum(active_participants.record_key), 0) as caseload_key
    from pairs_on_staff
    left join active_participants using (snapshot_on, case_manager_id)
    group by all
),

unassigned as (
    select active_participants.snapshot_on,
           published(count(*), coalesce(sum(active_participants.record_key), 0), $public)
               as unassigned_participants
    from active_participants
    anti join pairs_on_staff using (snapshot_on, case_manager_id)
    group by all
),

per_snapshot as (
    select snapshots.snapshot_on,
           count(pair_caseloads.case_manager_id) as pairs,
           published(coalesce(sum(pair_caseloads.caseload), 0), coalesce(sum(pair_caseloads.caseload_key), 0),
                     $public) as assigned_participants,
           -- the largest pair's participants are the cell (none without a pair on staff); between pairs
           -- tied for largest, the larger key sum decides, so the same data publish the same figure
           published(max(pair_caseloads.caseload),
                     arg_max(pair_caseloads.caseload_key, (pair_caseloads.caseload, pair_caseloads.caseload_key)),
                     $public) as max_caseload,
           count(*) filter (where pair_caseloads.caseload > $cap) as pairs_over_cap,
           coalesce(any_value(unassigned.unassigned_participants), 0) as unassigned_participants
    from snapshots
    left join pair_caseloads using (snapshot_on)
    left join unassigned using (snapshot_on)
    group by snapshots.snapshot_on
),

final as (
    select snapshot_on, pairs, assigned_participants,
           case when pairs > 0 then round(assigned_participants / pairs, 1) end as mean_caseload,
           max_caseload, pairs_over_cap, unassigned_participants
    from per_snapshot
)

select * from final
order by snapshot_on
