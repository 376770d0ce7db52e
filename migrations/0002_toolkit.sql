-- Eventium schema, version 2: the event-sourcing toolkit (snapshots and subscriptions).
-- {{schema}} is replaced by the quoted schema name when the migration runs.

-- Aggregate snapshots: the state of one stream's aggregate after `stream_version`.
-- `name` tells states of different handlers of the same stream apart; `event_id` is the id of
-- the event at `stream_version`, so a snapshot whose event is not there any more is ignored;
-- `state_version` is the version of the state's JSON format: a mismatch means "ignore".
CREATE TABLE {{schema}}.snapshots (
    stream          text COLLATE "C" NOT NULL,
    name            text NOT NULL,
    stream_version  bigint NOT NULL CHECK (stream_version > 0),
    event_id        uuid NOT NULL,
    state_version   int NOT NULL,
    state           jsonb NOT NULL,
    taken_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (stream, name)
);

-- Durable checkpoints of named subscriptions over the global sequence.
--   position: the last global position the subscription has handled (0: none yet).
--   subscription_id: a stable number for the subscription's advisory lock (see
--   toolkit/subscription.h): only the session holding
--   pg_try_advisory_lock(hashtext('eventium.subscription:' || <schema>), subscription_id)
--   runs the subscription.
CREATE TABLE {{schema}}.subscriptions (
    name             text PRIMARY KEY,
    subscription_id  int GENERATED ALWAYS AS IDENTITY UNIQUE,
    position         bigint NOT NULL DEFAULT 0 CHECK (position >= 0),
    handled          bigint NOT NULL DEFAULT 0,
    owner            text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
