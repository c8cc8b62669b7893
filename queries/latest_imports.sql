-- The most recent imports of real files, newest first, with their counts (staff import page).
-- @param max_rows int 20  how many imports to list
with recent as (
    select import_id, finished_at, kind, source_file, rows_read, rows_loaded, rows_duplicate,
           rows_quarantined, rows_unmapped, as_of, status
    from imports
    where kind in ('arrests', 'referrals')
),

final as (
    select import_id, finished_at, kind, source_file, rows_read, rows_loaded, rows_duplicate,
           rows_quarantined, rows_unmapped, as_of, status
    from recent
    order by import_id desc
    limit $max_rows
)

select * from final
