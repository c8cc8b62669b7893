-- Quarantined rows of one import, in file order: row, column, reason and the row as it came
-- (staff import page only: a referral row can hold participant details).
-- @param import_id int 1  the import, as listed by latest_imports
-- @param max_rows int 500  how many quarantined rows to return
-- @column row_number number Row
-- @column field text Column
-- @column reason text Reason
-- @column raw text Row as received
with held as (
    select row_number, field, reason, raw
    from quarantine
    where import_id = $import_id
),

final as (
    select row_number, field, reason, raw
    from held
    order by row_number, reason
    limit $max_rows
)

select * from final
