-- Fill the filter-independent measures of every area that lacks them (see schema.sql): the share
-- of the area inside the Central District (1959-2022 edition, where LEAD began) and its centroid in
-- metres. Cheap when nothing is missing; re-run after areas change.
update areas
set central_share = coalesce(
        st_area(st_intersection(areas.geom, central.geom)) / nullif(st_area(areas.geom), 0), 0),
    -- an area ratio, so degrees² are fine: both areas share the same latitude distortion
    centroid_x_m = st_x(st_transform(st_centroid(areas.geom), 'EPSG:4326', 'EPSG:26985', always_xy := true)),
    centroid_y_m = st_y(st_transform(st_centroid(areas.geom), 'EPSG:4326', 'EPSG:26985', always_xy := true))
from (select geom from areas where area_id = 'district:1959-2022:Central') as central
where areas.central_share is null
   or areas.centroid_x_m is null;
