-- Identifies this event log, so a consumer whose position lives in another store (Neo4j) can tell a
-- position in this log from one in a log that was replaced.
CREATE TABLE log_identity (id text PRIMARY KEY);
INSERT INTO log_identity (id) VALUES (gen_random_uuid()::text);
