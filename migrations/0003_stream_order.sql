-- Eventium schema, version 3: each stream's events keep their version order inside the
-- global order, whatever order the appends' transaction ids were assigned in.
-- {{schema}} is the quoted schema name, {{schema_name}} the schema name as a string literal.
--
-- Positions follow (tx, id). Until version 2, `tx` was the writer's own transaction id, which
-- PostgreSQL assigns at the transaction's first write: an append that waited for another
-- append to the same stream usually held its id before it started waiting, so the append it
-- waited for could hold a larger id, commit first with the lower version, and be numbered
-- after it. Two changes keep each stream in version order:
--
-- 1. append_events() (and a multi-stream append, for all its streams at once, through
--    lock_streams()) takes a transaction-scoped advisory lock per stream before anything that
--    assigns a transaction id. An advisory lock needs no transaction id, so an append gets its
--    id only after every earlier append to its streams has committed: its id is larger, and
--    (tx, id) follows the stream without further help. Streams are locked in key order, so
--    two multi-stream appends cannot deadlock on them.
-- 2. For a transaction that already holds an id when it appends (it wrote something before,
--    like an exactly-once handler appending in its checkpoint transaction), `tx` is the
--    stream's ordering key rather than the writer's own id:
--        tx = greatest(writer's transaction id, tx of the stream's previous version)
--    kept in streams.last_tx. It never decreases along a stream, and ids grow with versions,
--    so (tx, id) follows the versions. It stays a safe horizon key: a row's tx is at least its
--    writer's id, so every row with tx below pg_snapshot_xmin() was written by a finished
--    transaction, and no row below that horizon can ever appear later.

ALTER TABLE {{schema}}.streams ADD COLUMN last_tx xid8 NOT NULL DEFAULT '0';
UPDATE {{schema}}.streams s
   SET last_tx = coalesce((SELECT e.tx FROM {{schema}}.events e
                            WHERE e.stream_id = s.stream_id
                            ORDER BY e.version DESC LIMIT 1), '0');
-- append_events() sets `tx` itself; the column keeps its default (the writer's own id) for
-- bulk loads that write whole streams in one transaction, where that order is right.

-- The advisory lock key of a stream: 64 bits of its name's hash, seeded by the schema so
-- that two schemas in one database do not share keys. (A collision only makes two streams
-- wait for each other.)
CREATE FUNCTION {{schema}}.stream_lock_key(p_stream text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT hashtextextended(p_stream, hashtext('eventium.stream:' || {{schema_name}}))
$fn$;

-- Takes the advisory locks of several streams, in key order, until the transaction ends.
CREATE FUNCTION {{schema}}.lock_streams(p_streams text[]) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    v_key bigint;
BEGIN
    FOR v_key IN SELECT DISTINCT {{schema}}.stream_lock_key(n) FROM unnest(p_streams) n ORDER BY 1
    LOOP
        PERFORM pg_advisory_xact_lock(v_key);
    END LOOP;
END
$fn$;

-- As in version 1 (see 0001_initial.sql for the parameters and the result), plus the stream
-- lock taken first and the ordering key written into `tx`, and SQLSTATEs of the store's own
-- for its outcomes, so that callers never need to read a message:
--   EV001  an event id is already stored in another stream
--   EV002  a retried batch's first id is stored, but the batch differs from what is stored
--   22023  invalid arguments (no events, arrays of different lengths)
--   40001  the stream changed concurrently several times in a row: retry
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
            IF v_dup_stream IS DISTINCT FROM (SELECT s.stream_id FROM {{schema}}.streams s WHERE s.name = p_stream) THEN
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
            RETURN QUERY SELECT 2, v_dup_first, v_dup_first + v_count - 1, true;
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
