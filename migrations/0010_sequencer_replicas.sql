-- Eventium schema, version 10: positions reach standbys at once. {{schema}} is the quoted
-- schema name.
--
-- A sequencer step committed asynchronously (synchronous_commit off for its transaction):
-- cheap, and safe on one server. With streaming replication it was neither prompt nor safe: a
-- standby saw new positions only with the primary's next WAL flush (followers there waited up
-- to three times wal_writer_delay), and a position seen by readers of the primary could be
-- missing from a standby promoted after a crash. While any WAL sender runs, a step now commits
-- as the session says. (Same function otherwise; its owner's rights and search_path as 0007
-- set them.)
CREATE OR REPLACE FUNCTION {{schema}}.sequence_step(p_max_rows int)
RETURNS TABLE (numbered bigint, last_position bigint, pending boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    v_horizon  xid8 := pg_snapshot_xmin(pg_current_snapshot());
    v_last_tx  xid8;
    v_last_id  bigint;
    v_last_pos bigint;
    v_count    bigint;
    v_new_tx   xid8;
    v_new_id   bigint;
BEGIN
    -- Nothing after the cursor: answer without locking (no transaction id, no WAL).
    SELECT q.last_tx, q.last_id, q.last_position INTO v_last_tx, v_last_id, v_last_pos
      FROM {{schema}}.sequencer q;
    -- (An EXISTS over the row comparison is planned as a sequential scan; ORDER BY ... LIMIT 1
    -- walks events_tx_id_idx from the cursor.)
    IF (SELECT true FROM {{schema}}.events e WHERE (e.tx, e.id) > (v_last_tx, v_last_id)
         ORDER BY e.tx, e.id LIMIT 1) IS NULL THEN
        RETURN QUERY SELECT 0::bigint, v_last_pos, false;
        RETURN;
    END IF;

    SELECT q.last_tx, q.last_id, q.last_position INTO v_last_tx, v_last_id, v_last_pos
      FROM {{schema}}.sequencer q FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN QUERY SELECT -1::bigint, -1::bigint, true;
        RETURN;
    END IF;
    -- Without standbys, positions need not wait for a flush of their own: the events they
    -- number were flushed when they committed, and a crash before this commit reaches disk
    -- only leaves them to be numbered again by the next step. With standbys they must:
    -- WAL is sent once flushed, so an unflushed step would reach a standby's readers only
    -- with the next flush (up to three times wal_writer_delay later), and a failover could
    -- lose positions that readers of this server have seen; the session's own setting
    -- (synchronous_commit on or remote_apply with a synchronous standby) applies instead.
    IF NOT EXISTS (SELECT 1 FROM pg_stat_get_wal_senders()) THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;

    WITH stable AS (
        SELECT e.id, e.tx FROM {{schema}}.events e
         WHERE (e.tx, e.id) > (v_last_tx, v_last_id) AND e.tx < v_horizon
         ORDER BY e.tx, e.id
         LIMIT p_max_rows
    ), numbered AS (
        SELECT s.id, s.tx, v_last_pos + row_number() OVER (ORDER BY s.tx, s.id) AS pos
          FROM stable s
    ), ins AS (
        INSERT INTO {{schema}}.global_events (position, event_row)
        SELECT n.pos, n.id FROM numbered n
        RETURNING position
    )
    SELECT (SELECT count(*) FROM ins), n.tx, n.id
      INTO v_count, v_new_tx, v_new_id
      FROM numbered n ORDER BY n.pos DESC LIMIT 1;

    IF v_count IS NULL OR v_count = 0 THEN
        RETURN QUERY SELECT 0::bigint, v_last_pos,
            (SELECT true FROM {{schema}}.events e WHERE (e.tx, e.id) > (v_last_tx, v_last_id)
              ORDER BY e.tx, e.id LIMIT 1) IS NOT NULL;
        RETURN;
    END IF;

    UPDATE {{schema}}.sequencer
       SET last_tx = v_new_tx, last_id = v_new_id, last_position = v_last_pos + v_count,
           updated_at = now();
    PERFORM pg_notify({{channel}}, (v_last_pos + v_count)::text);

    RETURN QUERY SELECT v_count, v_last_pos + v_count,
        (SELECT true FROM {{schema}}.events e WHERE (e.tx, e.id) > (v_new_tx, v_new_id)
          ORDER BY e.tx, e.id LIMIT 1) IS NOT NULL;
END
$fn$;
