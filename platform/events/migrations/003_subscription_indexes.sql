-- Subscriptions replay one aggregate type, often one party's events, in cursor order from a cursor.
CREATE INDEX event_log_type_cursor ON event_log (aggregate_type, cursor);
CREATE INDEX event_log_parties ON event_log USING gin (parties);
