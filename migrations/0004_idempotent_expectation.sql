-- Eventium schema, version 4: an idempotent retry honours its expectation, as the event
-- stores people already use do. {{schema}} is the quoted schema name.
--
-- Until version 3, re-sending stored event ids answered "already appended" whatever the
-- expected version said. Now a retry is idempotent only when its ids sit where its
-- expectation puts them:
--   any       always;
--   exact n   when the first id is at version n + 1;
--   no stream when the first id is at version 1;
--   exists    when the stream existed before them (the first id is past version 1);
-- otherwise it is a wrong expected version, with the stream's actual version. A retry of
-- part of an append (ids 1 and 2 stored, id 1 re-sent) reports the stream's current version
-- as its last version, not the version of the last event re-sent.
--
-- append_events() is otherwise as in version 3 (0003_stream_order.sql): the stream lock
-- first, the ordering key in `tx`, the store's own SQLSTATEs (EV001, EV002, 22023, 40001).

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
            SELECT s.stream_id, s.version INTO v_stream_id, v_current
              FROM {{schema}}.streams s WHERE s.name = p_stream;
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
        IF p_expected <> -2 THEN
            UPDATE {{schema}}.streams s
               SET version = s.version + v_count, updated_at = now(),
                   last_row = nextval('{{schema}}.streams_recency_seq'),
                   last_tx = greatest(s.last_tx, pg_current_xact_id())
             WHERE s.name = p_stream AND (p_expected < 0 OR s.version = p_expected)
            RETURNING s.stream_id, s.version - v_count, s.last_tx INTO v_stream_id, v_current, v_tx;
            EXIT WHEN FOUND;
        END IF;

        SELECT s.stream_id, s.version INTO v_stream_id, v_current
          FROM {{schema}}.streams s WHERE s.name = p_stream;
        IF FOUND THEN
            IF p_expected = -2 OR (p_expected >= 0 AND p_expected <> v_current) THEN
                -- The expectation failed, unless a concurrent identical append committed
                -- meanwhile (then the probe above finds it on the next round).
                IF v_attempt = 1 AND (SELECT true FROM {{schema}}.events e WHERE e.event_id = v_first_id) THEN
                    CONTINUE;
                END IF;
                RETURN QUERY SELECT 1, v_current, v_current, true;
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
