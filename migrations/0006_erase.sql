-- Eventium schema, version 6: erasing an event's data. {{schema}} is the quoted schema name.
--
-- An erased event keeps its id, stream, version, type, time and position (so the stream and
-- the global order stay as they were); its payload becomes {} and its metadata NULL, and
-- events.erased_at says when. Who erased it, when and why is kept in `erasures`, one row per
-- erased event. The old row version stays in the table's pages until VACUUM removes it, and in
-- WAL, backups and replicas as they keep it (README, "Erasing an event's data").
ALTER TABLE {{schema}}.events ADD COLUMN erased_at timestamptz;

CREATE TABLE {{schema}}.erasures (
    event_id   uuid PRIMARY KEY,
    erased_at  timestamptz NOT NULL,
    erased_by  text NOT NULL,
    reason     text
);

-- Erases one event's data. Returns one row:
--   status 0 = erased now, 1 = erased before (nothing changed), 2 = no such event
--   erased_at: when it was erased (NULL for 2).
-- p_by empty or NULL: the role that calls it.
CREATE FUNCTION {{schema}}.erase_event(p_event_id uuid, p_by text, p_reason text)
RETURNS TABLE (status int, erased_at timestamptz)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
    v_at timestamptz;
BEGIN
    SELECT e.erased_at INTO v_at FROM {{schema}}.events e
     WHERE e.event_id = p_event_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 2, NULL::timestamptz;
        RETURN;
    END IF;
    IF v_at IS NOT NULL THEN
        RETURN QUERY SELECT 1, v_at;
        RETURN;
    END IF;
    v_at := now();
    UPDATE {{schema}}.events e SET data = '{}'::jsonb, metadata = NULL, erased_at = v_at
     WHERE e.event_id = p_event_id;
    INSERT INTO {{schema}}.erasures (event_id, erased_at, erased_by, reason)
    VALUES (p_event_id, v_at, coalesce(nullif(p_by, ''), current_user::text), p_reason);
    RETURN QUERY SELECT 0, v_at;
END
$fn$;
