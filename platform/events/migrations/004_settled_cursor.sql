-- Appends from concurrent transactions run side by side; readers that keep a position stop at the settled
-- cursor instead. An appending transaction, before it draws its first cursor, enlists: it holds until it
-- ends a shared advisory lock (two-key form; first key 0x4576xxxx, "Ev") whose key is the highest cursor
-- handed out so far, so every cursor it draws lies above its key. The settled cursor is the lowest key
-- still held, or the highest cursor handed out when none is: no cursor at or below it can commit later.
-- A lock is released only after its transaction's commit is visible, and a transaction that had not
-- enlisted when the locks were read draws above the highest cursor read just before them.
CREATE FUNCTION enlist_appender() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  handed_out bigint;
BEGIN
  SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END INTO handed_out
    FROM events.event_log_cursor_seq;
  PERFORM pg_advisory_xact_lock_shared(1165361152 + (handed_out >> 32)::int, handed_out::bit(32)::int);
END $$;

CREATE FUNCTION settled_cursor() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  handed_out bigint;
  oldest bigint;
BEGIN
  -- The sequence first, the locks second: the order is what makes the argument above hold.
  SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END INTO handed_out
    FROM events.event_log_cursor_seq;
  SELECT min(((classid::bigint - 1165361152) << 32) + objid::bigint) INTO oldest
    FROM pg_locks
   WHERE locktype = 'advisory' AND objsubid = 2
     AND classid::bigint BETWEEN 1165361152 AND 1165361152 + 65535
     AND database = (SELECT oid FROM pg_database WHERE datname = current_database());
  RETURN least(handed_out, oldest);
END $$;
