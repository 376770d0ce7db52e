-- Eventium schema, version 7: least privilege. {{schema}} is the quoted schema name.
--
-- Roles other than the schema's owner get what `Roles::grant()` (`eventium roles grant`)
-- gives them: a reader SELECT on the tables reads use and EXECUTE on sequence_step(); a writer
-- also EXECUTE on append_events() and lock_streams(), and no INSERT, UPDATE or DELETE on any
-- table. For that, the two functions that write run with their owner's rights (SECURITY
-- DEFINER), with a search path that a caller cannot plant objects in (every name in them is
-- schema-qualified; pg_temp comes last so that it is never searched before pg_catalog):
--   append_events()  writes streams and events; the only way a writer appends;
--   sequence_step()  numbers stable events into global_events and moves the sequencer's cursor
--                    (the writer's and the follower's step); it changes nothing a caller
--                    chooses, so readers may run it too.
-- Its set_config('synchronous_commit', 'off', true) still lasts until the step's transaction
-- ends: a function's SET clause restores only the settings it names.
--
-- CREATE OR REPLACE FUNCTION resets SECURITY DEFINER and the SET clause (it keeps the owner
-- and the grants): a migration that replaces one of these functions repeats its ALTER
-- FUNCTION below.
ALTER FUNCTION {{schema}}.append_events(text, bigint, uuid[], text[], jsonb[], jsonb[])
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION {{schema}}.sequence_step(int)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

-- Functions are executable by PUBLIC unless revoked; with SECURITY DEFINER that would let any
-- role that can see the schema append. Only the owner and the roles granted EXECUTE keep it.
-- (A function replaced later keeps this; a new one made later is PUBLIC again until revoked.)
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA {{schema}} FROM PUBLIC;
