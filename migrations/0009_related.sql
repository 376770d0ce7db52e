-- Eventium schema, version 9: related events. {{schema}} is the quoted schema name.
--
-- Events of one business process carry the same correlation id in their metadata, and each
-- names the event (or command) that caused it in its causation id (README, "Related events"):
-- {"correlationId": "...", "causationId": "<event id>"}; the "$correlationId" /
-- "$causationId" spellings count as well. These two partial indexes serve Store::related():
-- every event of a correlation in insertion order, and the events a given event caused. Only
-- events with the key are in them, so appends without it pay for one expression each. The
-- expressions are repeated word for word in the store's queries (relatedsql.cpp), which is
-- what lets the planner use the indexes. A causation id is kept in the canonical form of an
-- event id (lowercase, no braces), so "{ABC...}" written by other tools still matches.
CREATE INDEX events_correlation_idx ON {{schema}}.events
    ((coalesce(metadata ->> 'correlationId', metadata ->> '$correlationId')), id)
    WHERE coalesce(metadata ->> 'correlationId', metadata ->> '$correlationId') IS NOT NULL;

CREATE INDEX events_causation_idx ON {{schema}}.events
    ((lower(btrim(coalesce(metadata ->> 'causationId', metadata ->> '$causationId'), '{}'))), id)
    WHERE coalesce(metadata ->> 'causationId', metadata ->> '$causationId') IS NOT NULL;
