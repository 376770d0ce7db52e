-- Eventium schema, version 1.
-- {{schema}} is replaced by the quoted schema name when the migration runs.

CREATE TABLE {{schema}}.streams (
    stream_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text COLLATE "C" NOT NULL,
    version     bigint NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    -- The recency key: a fresh value of streams_recency_seq at every append (exact, unlike
    -- the timestamp, which QPSQL truncates to milliseconds).
    last_row    bigint NOT NULL DEFAULT 0,
    CONSTRAINT streams_name_key UNIQUE (name)
);
-- Listing streams by recency, paged by key (last_row).
CREATE INDEX streams_recency_idx ON {{schema}}.streams (last_row DESC);

-- Every appended event. `id` is the insertion id, `tx` the writer's transaction id; the pair
-- (tx, id) gives the order in which the sequencer numbers events once they are stable.
CREATE TABLE {{schema}}.events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tx          xid8 NOT NULL DEFAULT pg_current_xact_id(),
    stream_id   bigint NOT NULL, -- streams.stream_id; written only by append_events()
    version     bigint NOT NULL,
    event_id    uuid NOT NULL,
    type        text NOT NULL,
    data        jsonb NOT NULL,
    metadata    jsonb,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, version),
    CONSTRAINT events_event_id_key UNIQUE (event_id)
);
CREATE INDEX events_tx_id_idx ON {{schema}}.events (tx, id);
CREATE INDEX events_type_idx ON {{schema}}.events (type, id);

-- The global sequence: dense positions 1, 2, 3 ... assigned by the sequencer.
-- (No foreign keys on the hot tables: a key check row-locks the referenced row, which would
-- rewrite every events row once more when it is numbered. append_events() and
-- sequence_step() are the only writers.)
CREATE TABLE {{schema}}.global_events (
    position    bigint PRIMARY KEY,
    event_row   bigint NOT NULL UNIQUE -- events.id
);

-- The sequencer's cursor: one row.
CREATE TABLE {{schema}}.sequencer (
    singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_tx       xid8 NOT NULL DEFAULT '0'::xid8,
    last_id       bigint NOT NULL DEFAULT 0,
    last_position bigint NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
INSERT INTO {{schema}}.sequencer DEFAULT VALUES;

-- Appends a batch of events to one stream, atomically, with optimistic concurrency.
--   p_expected: -1 any, -2 no stream, -3 stream exists, >= 0 exact current version.
--   p_ids, p_types, p_data, p_metadata: one element per event, in order (metadata may be NULL).
-- Returns one row:
--   status 0 = appended, 1 = wrong expected version, 2 = already appended (idempotent retry)
--   first_version / last_version of the events (or the actual version on a conflict,
--   -1 when the stream does not exist)
--   stream_existed: whether the stream existed before the call.
-- The common case costs three statements: the idempotency probe, one UPDATE of the stream
-- row (which takes its lock and checks the expectation against the latest committed
-- version) and the INSERT.
CREATE SEQUENCE {{schema}}.streams_recency_seq;

CREATE FUNCTION {{schema}}.append_events(p_stream text, p_expected bigint, p_ids uuid[],
                                          p_types text[], p_data jsonb[], p_metadata jsonb[])
RETURNS TABLE (status int, first_version bigint, last_version bigint, stream_existed boolean)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_stream_id  bigint;
    v_current    bigint;
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

    LOOP
        v_attempt := v_attempt + 1;
        -- Idempotent retry: the first event's id is already stored.
        SELECT e.stream_id, e.version INTO v_dup_stream, v_dup_first
          FROM {{schema}}.events e WHERE e.event_id = v_first_id;
        IF FOUND THEN
            IF v_dup_stream IS DISTINCT FROM (SELECT s.stream_id FROM {{schema}}.streams s WHERE s.name = p_stream) THEN
                RAISE EXCEPTION 'event id % is already stored in another stream', v_first_id
                    USING ERRCODE = '23505';
            END IF;
            SELECT count(*) INTO v_dup_count
              FROM unnest(p_ids) WITH ORDINALITY AS x(id, ord)
              JOIN {{schema}}.events e
                ON e.stream_id = v_dup_stream
               AND e.version = v_dup_first + x.ord - 1
               AND e.event_id = x.id;
            IF v_dup_count <> v_count THEN
                RAISE EXCEPTION 'event id % is already stored, but the retried batch differs', v_first_id
                    USING ERRCODE = '23505';
            END IF;
            RETURN QUERY SELECT 2, v_dup_first, v_dup_first + v_count - 1, true;
            RETURN;
        END IF;

        -- An existing stream whose version meets the expectation: lock, check and bump at once.
        IF p_expected <> -2 THEN
            UPDATE {{schema}}.streams s
               SET version = s.version + v_count, updated_at = now(),
                   last_row = nextval('{{schema}}.streams_recency_seq')
             WHERE s.name = p_stream AND (p_expected < 0 OR s.version = p_expected)
            RETURNING s.stream_id, s.version - v_count INTO v_stream_id, v_current;
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
        INSERT INTO {{schema}}.streams AS s (name, version, last_row)
        VALUES (p_stream, v_count, nextval('{{schema}}.streams_recency_seq'))
            ON CONFLICT (name) DO NOTHING
            RETURNING s.stream_id INTO v_stream_id;
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

    INSERT INTO {{schema}}.events (stream_id, version, event_id, type, data, metadata)
    SELECT v_stream_id, v_current + x.ord, x.id, x.type, x.data, x.metadata
      FROM unnest(p_ids, p_types, p_data, p_metadata) WITH ORDINALITY AS x(id, type, data, metadata, ord);

    RETURN QUERY SELECT 0, v_current + 1, v_current + v_count, v_existed;
END
$fn$;

-- One sequencer step: numbers the stable events after the cursor, in (tx, id) order.
-- Only one step runs at a time (the cursor row is taken with SKIP LOCKED). Returns
--   numbered: events numbered by this step (-1 when another step holds the cursor)
--   last_position: the head after this step
--   pending: whether events after the new cursor exist (written but not yet stable)
-- The step commits asynchronously: if a crash loses it, the next step numbers the same
-- prefix of (tx, id) order again and arrives at the same positions.
CREATE FUNCTION {{schema}}.sequence_step(p_max_rows int)
RETURNS TABLE (numbered bigint, last_position bigint, pending boolean)
LANGUAGE plpgsql AS $fn$
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
    PERFORM set_config('synchronous_commit', 'off', true);

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
