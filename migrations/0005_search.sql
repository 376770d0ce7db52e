-- Eventium schema, version 5: search by content. {{schema}} is the quoted schema name.
--
-- A GIN index over every payload with the jsonb_path_ops operator class: it serves JSON
-- containment (data @> '{"customerId": 42}') and the equality conditions of JSON path
-- predicates (data @@ '$.items[*].sku == "A-1"'), the searches of GlobalFilter::contains and
-- GlobalFilter::where. jsonb_path_ops indexes one hash per path to each value, smaller and
-- cheaper to keep up than the default operator class, which would also serve key-existence
-- questions nobody asks here. Plain text anywhere in a payload and stream-name substrings are
-- not indexed: they are checked on a bounded window of positions per call (README, "Search").
CREATE INDEX events_data_path_idx ON {{schema}}.events USING gin (data jsonb_path_ops);
