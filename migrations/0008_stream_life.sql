-- Eventium schema, version 8: the whole life of a stream. {{schema}} is the quoted schema
-- name, {{schema_name}} the schema name as a string literal.
--
-- A stream can be
--   soft-deleted  its events are hidden and it leaves the listings; the next append (with
--                 `any`, `no stream`, or the exact last version) brings it back and its
--                 versions go on after the old last one, so old and new events never share a
--                 version;
--   hard-deleted  (a tombstone) hidden, and never written again: appends fail with EV003;
--   truncated     the events before a version are hidden (first_visible);
--   limited       by its metadata, max_count (only the newest n are visible) and max_age
--                 (only those younger than that).
-- Hidden events keep their rows, ids and positions until scavenge_stream() removes their
-- rows; the positions stay taken (global_events keeps its rows), so the global sequence
-- never changes and stays dense: readers skip what they cannot see. Readers apply the same
-- rule through Store::Private::visibleSql (reads.cpp); keep the two in step.

ALTER TABLE {{schema}}.streams
    ADD COLUMN first_visible   bigint NOT NULL DEFAULT 1,
    ADD COLUMN deleted_at      timestamptz,
    ADD COLUMN tombstoned_at   timestamptz,
    ADD COLUMN max_count       bigint CHECK (max_count > 0),
    ADD COLUMN max_age         interval CHECK (max_age > interval '0'),
    -- Versions below this have no rows any more (scavenged).
    ADD COLUMN scavenged_below bigint NOT NULL DEFAULT 1;

-- Streams with something a scavenge may remove.
CREATE INDEX streams_scavenge_idx ON {{schema}}.streams (stream_id)
    WHERE first_visible > scavenged_below OR max_count IS NOT NULL OR max_age IS NOT NULL;

-- As in version 4 (0004_idempotent_expectation.sql), plus deleted streams: see above.
-- SQLSTATEs: EV001, EV002, 22023 and 40001 as before; EV003 the stream is hard-deleted.
CREATE OR REPLACE FUNCTION {{schema}}.append_events(p_stream text, p_expected bigint, p_ids uuid[],
                                                    p_types text[], p_data jsonb[], p_metadata jsonb[])
RETURNS TABLE (status int, first_version bigint, last_version bigint, stream_existed boolean)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_stream_id  bigint;
    v_current    bigint;
    v_tx         xid8;
    v_existed    boolean := true;
    v_count      int := coalesce(cardinality(p_ids), 0);
    v_first_id   uuid := p_ids[1];
    v_dup_stream bigint;
    v_dup_first  bigint;
    v_dup_count  int;
    v_attempt    int := 0;
    v_deleted    boolean;
    v_tombstoned boolean;
BEGIN
    IF v_count = 0 THEN
        RAISE EXCEPTION 'an append needs at least one event' USING ERRCODE = '22023';
    END IF;
    IF cardinality(p_types) <> v_count OR cardinality(p_data) <> v_count
       OR cardinality(p_metadata) <> v_count THEN
        RAISE EXCEPTION 'ids, types, data and metadata differ in length' USING ERRCODE = '22023';
    END IF;

    -- Before anything that assigns a transaction id (re-entrant when lock_streams() took it).
    PERFORM pg_advisory_xact_lock({{schema}}.stream_lock_key(p_stream));

    LOOP
        v_attempt := v_attempt + 1;
        -- Idempotent retry: the first event's id is already stored.
        SELECT e.stream_id, e.version INTO v_dup_stream, v_dup_first
          FROM {{schema}}.events e WHERE e.event_id = v_first_id;
        IF FOUND THEN
            SELECT s.stream_id, s.version, s.tombstoned_at IS NOT NULL
              INTO v_stream_id, v_current, v_tombstoned
              FROM {{schema}}.streams s WHERE s.name = p_stream;
            IF v_tombstoned THEN
                RAISE EXCEPTION 'stream % is deleted for good', p_stream USING ERRCODE = 'EV003';
            END IF;
            IF v_dup_stream IS DISTINCT FROM v_stream_id THEN
                RAISE EXCEPTION 'event id % is already stored in another stream', v_first_id
                    USING ERRCODE = 'EV001';
            END IF;
            SELECT count(*) INTO v_dup_count
              FROM unnest(p_ids) WITH ORDINALITY AS x(id, ord)
              JOIN {{schema}}.events e
                ON e.stream_id = v_dup_stream
               AND e.version = v_dup_first + x.ord - 1
               AND e.event_id = x.id;
            IF v_dup_count <> v_count THEN
                RAISE EXCEPTION 'event id % is already stored, but the retried batch differs', v_first_id
                    USING ERRCODE = 'EV002';
            END IF;
            -- A retry, but idempotent only where its expectation puts its events; otherwise
            -- the expectation never held for them: a conflict with the actual version.
            IF p_expected = -1
               OR (p_expected >= 0 AND v_dup_first = p_expected + 1)
               OR (p_expected = -2 AND v_dup_first = 1)
               OR (p_expected = -3 AND v_dup_first > 1) THEN
                RETURN QUERY SELECT 2, v_dup_first, v_current, true;
            ELSE
                RETURN QUERY SELECT 1, v_current, v_current, true;
            END IF;
            RETURN;
        END IF;

        -- An existing stream whose version meets the expectation: lock, check and bump at once.
        -- A soft-deleted stream counts as no stream for `no stream` and `exists`, and as its
        -- last version for an exact expectation; an append brings it back (versions go on).
        -- A hard-deleted stream takes nothing.
        UPDATE {{schema}}.streams s
           SET version = s.version + v_count, updated_at = now(),
               last_row = nextval('{{schema}}.streams_recency_seq'),
               last_tx = greatest(s.last_tx, pg_current_xact_id()),
               deleted_at = NULL
         WHERE s.name = p_stream AND s.tombstoned_at IS NULL
           AND (p_expected = -1 OR s.version = p_expected
                OR (p_expected = -2 AND s.deleted_at IS NOT NULL)
                OR (p_expected = -3 AND s.deleted_at IS NULL))
        RETURNING s.stream_id, s.version - v_count, s.last_tx INTO v_stream_id, v_current, v_tx;
        EXIT WHEN FOUND;

        SELECT s.stream_id, s.version, s.deleted_at IS NOT NULL, s.tombstoned_at IS NOT NULL
          INTO v_stream_id, v_current, v_deleted, v_tombstoned
          FROM {{schema}}.streams s WHERE s.name = p_stream;
        IF FOUND THEN
            IF v_tombstoned THEN
                RAISE EXCEPTION 'stream % is deleted for good', p_stream USING ERRCODE = 'EV003';
            END IF;
            IF (p_expected = -2 AND NOT v_deleted) OR (p_expected = -3 AND v_deleted)
               OR (p_expected >= 0 AND p_expected <> v_current) THEN
                -- The expectation failed, unless a concurrent identical append committed
                -- meanwhile (then the probe above finds it on the next round).
                IF v_attempt = 1 AND (SELECT true FROM {{schema}}.events e WHERE e.event_id = v_first_id) THEN
                    CONTINUE;
                END IF;
                -- A deleted stream's actual version is "no stream".
                IF v_deleted THEN
                    RETURN QUERY SELECT 1, -1::bigint, -1::bigint, false;
                ELSE
                    RETURN QUERY SELECT 1, v_current, v_current, true;
                END IF;
                RETURN;
            END IF;
            -- The stream was created, or reached the expected version, between the UPDATE and
            -- this SELECT (both commit elsewhere meanwhile): go round again.
            IF v_attempt >= 5 THEN
                RAISE EXCEPTION 'stream % changed concurrently; retry', p_stream USING ERRCODE = '40001';
            END IF;
            CONTINUE;
        END IF;
        IF p_expected = -3 OR p_expected > 0 THEN
            RETURN QUERY SELECT 1, -1::bigint, -1::bigint, false;
            RETURN;
        END IF;
        INSERT INTO {{schema}}.streams AS s (name, version, last_row, last_tx)
        VALUES (p_stream, v_count, nextval('{{schema}}.streams_recency_seq'), pg_current_xact_id())
            ON CONFLICT (name) DO NOTHING
            RETURNING s.stream_id, s.last_tx INTO v_stream_id, v_tx;
        IF FOUND THEN
            v_current := 0;
            v_existed := false;
            EXIT;
        END IF;
        -- Created concurrently and committed meanwhile: go round once more.
        IF v_attempt >= 5 THEN
            RAISE EXCEPTION 'stream % changed concurrently; retry', p_stream USING ERRCODE = '40001';
        END IF;
    END LOOP;

    INSERT INTO {{schema}}.events (tx, stream_id, version, event_id, type, data, metadata)
    SELECT v_tx, v_stream_id, v_current + x.ord, x.id, x.type, x.data, x.metadata
      FROM unnest(p_ids, p_types, p_data, p_metadata) WITH ORDINALITY AS x(id, type, data, metadata, ord);

    RETURN QUERY SELECT 0, v_current + 1, v_current + v_count, v_existed;
END
$fn$;

-- Deletes a stream, softly or for good (p_hard), if its version meets the expectation
-- (p_expected as for append_events()). Returns one row:
--   status 0 = deleted now, 1 = wrong expected version, 2 = deleted before in the same way
--          or softly before a soft delete (nothing changed), 3 = no such stream (nothing
--          changed); a soft delete of a stream deleted for good fails with EV003
--   version: the stream's last version (the actual one on a conflict, -1 for no stream).
-- Hard-deleting a stream that does not exist leaves a tombstone: the name can never be used.
-- The stream's snapshots go with it (they would bring back deleted state).
CREATE FUNCTION {{schema}}.delete_stream(p_stream text, p_expected bigint, p_hard boolean)
RETURNS TABLE (status int, version bigint)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
    v_id         bigint;
    v_version    bigint;
    v_deleted    boolean;
    v_tombstoned boolean;
BEGIN
    PERFORM pg_advisory_xact_lock({{schema}}.stream_lock_key(p_stream));
    SELECT s.stream_id, s.version, s.deleted_at IS NOT NULL, s.tombstoned_at IS NOT NULL
      INTO v_id, v_version, v_deleted, v_tombstoned
      FROM {{schema}}.streams s WHERE s.name = p_stream FOR UPDATE;
    IF NOT FOUND THEN
        IF p_expected NOT IN (-1, -2) THEN
            RETURN QUERY SELECT 1, -1::bigint;
        ELSIF p_hard THEN
            INSERT INTO {{schema}}.streams AS s (name, version, last_row, last_tx, first_visible,
                                                 deleted_at, tombstoned_at)
            VALUES (p_stream, 0, nextval('{{schema}}.streams_recency_seq'), pg_current_xact_id(),
                    1, now(), now());
            RETURN QUERY SELECT 0, 0::bigint;
        ELSE
            RETURN QUERY SELECT 3, -1::bigint;
        END IF;
        RETURN;
    END IF;
    IF v_tombstoned THEN
        -- Deleting for good again changes nothing (a retried call may do it).
        IF p_hard THEN
            RETURN QUERY SELECT 2, v_version;
            RETURN;
        END IF;
        RAISE EXCEPTION 'stream % is deleted for good', p_stream USING ERRCODE = 'EV003';
    END IF;
    -- A deleted stream is "no stream" to the expectation, or its last version.
    IF NOT (p_expected = -1 OR p_expected = v_version
            OR (p_expected = -2 AND v_deleted) OR (p_expected = -3 AND NOT v_deleted)) THEN
        RETURN QUERY SELECT 1, CASE WHEN v_deleted THEN -1::bigint ELSE v_version END;
        RETURN;
    END IF;
    IF v_deleted AND NOT p_hard THEN
        RETURN QUERY SELECT 2, v_version;
        RETURN;
    END IF;
    UPDATE {{schema}}.streams s
       SET first_visible = s.version + 1, deleted_at = coalesce(s.deleted_at, now()),
           tombstoned_at = CASE WHEN p_hard THEN now() END, updated_at = now()
     WHERE s.stream_id = v_id;
    DELETE FROM {{schema}}.snapshots sn WHERE sn.stream = p_stream;
    RETURN QUERY SELECT 0, v_version;
END
$fn$;

-- Hides a stream's events before p_before (at most every event so far: past the end it stops
-- at the last version + 1, so later appends stay visible). Never moves back. Returns one row:
--   status 0 = truncated (or already truncated that far), 1 = no such stream
--   first_visible: the first version readers see now (-1 for no stream).
CREATE FUNCTION {{schema}}.truncate_stream(p_stream text, p_before bigint)
RETURNS TABLE (status int, first_visible bigint)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
    v_first bigint;
BEGIN
    IF p_before IS NULL OR p_before < 1 THEN
        RAISE EXCEPTION 'truncate before a version of 1 or more' USING ERRCODE = '22023';
    END IF;
    PERFORM pg_advisory_xact_lock({{schema}}.stream_lock_key(p_stream));
    UPDATE {{schema}}.streams s
       SET first_visible = greatest(s.first_visible, least(p_before, s.version + 1))
     WHERE s.name = p_stream AND s.tombstoned_at IS NULL AND s.deleted_at IS NULL
    RETURNING s.first_visible INTO v_first;
    IF NOT FOUND THEN
        IF (SELECT s.tombstoned_at IS NOT NULL FROM {{schema}}.streams s WHERE s.name = p_stream) THEN
            RAISE EXCEPTION 'stream % is deleted for good', p_stream USING ERRCODE = 'EV003';
        END IF;
        RETURN QUERY SELECT 1, -1::bigint;
        RETURN;
    END IF;
    RETURN QUERY SELECT 0, v_first;
END
$fn$;

-- Removes the rows of hidden events of one stream, at most p_max_rows of them, oldest
-- first; only events the sequencer has numbered (a position stays taken, its row goes).
-- Returns how many rows went and whether more remain for this stream.
CREATE FUNCTION {{schema}}.scavenge_stream(p_stream_id bigint, p_max_rows int)
RETURNS TABLE (removed bigint, more boolean)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
    v_from    bigint;
    v_cut     bigint;
    v_upto    bigint;
    v_version bigint;
    v_age     interval;
    v_young   bigint;
    v_open    bigint;
    v_count   bigint;
BEGIN
    -- The stream's row lock orders this against appends, deletes and truncations of it.
    SELECT s.scavenged_below, s.version,
           greatest(s.first_visible,
                    CASE WHEN s.max_count IS NULL THEN 1 ELSE s.version - s.max_count + 1 END),
           s.max_age
      INTO v_from, v_version, v_cut, v_age
      FROM {{schema}}.streams s WHERE s.stream_id = p_stream_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 0::bigint, false;
        RETURN;
    END IF;
    IF v_age IS NOT NULL THEN
        -- Times grow with versions: the first event young enough ends the cut.
        SELECT e.version INTO v_young FROM {{schema}}.events e
         WHERE e.stream_id = p_stream_id AND e.version >= greatest(v_from, v_cut)
           AND e.created_at >= now() - v_age
         ORDER BY e.version LIMIT 1;
        v_cut := greatest(v_cut, coalesce(v_young, v_version + 1));
    END IF;
    v_upto := least(v_cut, v_from + greatest(p_max_rows, 1));
    IF v_upto <= v_from THEN
        RETURN QUERY SELECT 0::bigint, false;
        RETURN;
    END IF;
    -- Stop before the first event without a position yet.
    SELECT e.version INTO v_open FROM {{schema}}.events e
     WHERE e.stream_id = p_stream_id AND e.version >= v_from AND e.version < v_upto
       AND NOT EXISTS (SELECT 1 FROM {{schema}}.global_events g WHERE g.event_row = e.id)
     ORDER BY e.version LIMIT 1;
    IF v_open IS NOT NULL THEN
        v_upto := v_open;
    END IF;
    DELETE FROM {{schema}}.events e
     WHERE e.stream_id = p_stream_id AND e.version >= v_from AND e.version < v_upto;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    UPDATE {{schema}}.streams s SET scavenged_below = v_upto WHERE s.stream_id = p_stream_id;
    RETURN QUERY SELECT v_count, v_open IS NULL AND v_upto < v_cut;
END
$fn$;

-- append_events() was replaced above: it runs as its owner again (0007_roles.sql), so that
-- writers append through it without table privileges; and nobody but the owner and the
-- roles granted a part (Roles::grant) may call the new functions.
ALTER FUNCTION {{schema}}.append_events(text, bigint, uuid[], text[], jsonb[], jsonb[])
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA {{schema}} FROM PUBLIC;
