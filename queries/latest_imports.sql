-- The most recent imports of real files, newest first, with their counts (staff import page).
-- @param max_rows int 20  how many imports to list
-- @column import_id id Import
-- @column finished_at date Finished
-- @column kind text Records
-- @column source_file text File
-- @column rows_read count Rows read
-- @column rows_loaded count Rows loaded
-- @column rows_duplicate count Duplicate rows
-- @column rows_quarantined count Rows held back
-- @column rows_unmapped count Rows without a location
-- @column as_of date Latest record
-- @column status text Status
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
