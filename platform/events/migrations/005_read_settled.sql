-- A follower's step in one statement: the settled cursor, whether committed events wait above it for one
-- still in flight, and the events after a position up to it. Under READ COMMITTED, where readers run, each
-- statement of a volatile function takes a snapshot of its own, so the read, which runs after
-- `settled_cursor()` returned, sees every event at or below it, as the two statements it replaces did. A
-- step that finds no event returns one row whose event columns are null, so its caller still learns the
-- settled cursor.
CREATE FUNCTION read_settled(after bigint, max_events integer)
RETURNS TABLE (
  settled bigint, later boolean, cursor bigint, type text, aggregate_type text, aggregate_id text,
  parties text[], actor text, payload jsonb, occurred_at timestamptz
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  settled_at bigint := events.settled_cursor();
  waiting boolean := coalesce((SELECT max(e.cursor) FROM events.event_log e) > settled_at, false);
BEGIN
  RETURN QUERY
    SELECT settled_at, waiting, e.cursor, e.type, e.aggregate_type, e.aggregate_id, e.parties, e.actor,
           e.payload, e.occurred_at
      FROM events.event_log e
     WHERE e.cursor > after AND e.cursor <= settled_at
     ORDER BY e.cursor LIMIT max_events;
  IF NOT FOUND THEN
    RETURN QUERY SELECT settled_at, waiting, NULL::bigint, NULL::text, NULL::text, NULL::text, NULL::text[],
      NULL::text, NULL::jsonb, NULL::timestamptz;
  END IF;
END $$;
