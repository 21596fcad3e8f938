-- What agentd said about itself in its latest heartbeat (protocol 2026-12-02): messages in its outbox not yet
-- acked, its own resident memory, and when that heartbeat was stored. NULL until a heartbeat carrying them.
ALTER TABLE hosts ADD COLUMN outbox_backlog bigint;
ALTER TABLE hosts ADD COLUMN rss_bytes bigint;
ALTER TABLE hosts ADD COLUMN heartbeat_at timestamptz;

-- Retention (EVENTS_RETENTION_DAYS) deletes the oldest events in batches by the time they were stored.
CREATE INDEX events_created_at_idx ON events (created_at);
