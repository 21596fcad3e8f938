-- Agent Commander schema, version 6 (2026-12-01): approval rules, risk on approvals, notifications.

-- Admin-made rules the control plane applies when an approval request is stored (docs/approval-rules.md).
CREATE TABLE approval_rules (
    id         text PRIMARY KEY,
    tool       text NOT NULL,
    pattern    text,
    host_id    text REFERENCES hosts (id) ON DELETE CASCADE,
    action     text NOT NULL CHECK (action IN ('allow', 'deny', 'ask')),
    risk       text CHECK (risk IN ('low', 'medium', 'high')),
    message    text,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row, bumped in the transaction of every rule change: a replica recompiles its rules when it moved.
CREATE TABLE approval_rules_generation (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    gen      bigint NOT NULL
);
INSERT INTO approval_rules_generation (only_row, gen) VALUES (true, 0);

-- The risk every approval carries (its rule's, else its tool's) and the rule that matched it, if any.
ALTER TABLE approvals ADD COLUMN risk text;
ALTER TABLE approvals ADD COLUMN rule_id text;

-- Notifications: one row per (notification, channel), written before anything is sent; a worker on any replica
-- claims due rows (FOR UPDATE SKIP LOCKED) and leases them, so each is sent by one replica and none is lost.
-- id is the idempotency key receivers see (the same for every channel of one notification).
CREATE TABLE notifications (
    id         text NOT NULL,
    channel    text NOT NULL CHECK (channel IN ('webhook', 'ntfy', 'slack')),
    kind       text NOT NULL,
    subject    text NOT NULL,
    -- pending (to send; next_at is when, or until when a replica's lease holds it), sent, done (an
    -- approval.pending whose approval.cleared was queued), skipped (cleared before it was due), failed (gave up)
    status     text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'done', 'skipped', 'failed')),
    attempts   integer NOT NULL DEFAULT 0,
    next_at    timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    sent_at    timestamptz,
    last_error text,
    PRIMARY KEY (id, channel)
);
CREATE INDEX notifications_due_idx ON notifications (next_at) WHERE status = 'pending';
CREATE INDEX notifications_subject_idx ON notifications (subject, kind);
CREATE INDEX notifications_sent_pending_idx ON notifications (subject) WHERE status = 'sent' AND kind = 'approval.pending';

-- How far the worker has read events for job.finished (starts at the events already stored: no backlog).
CREATE TABLE notify_cursors (
    name    text PRIMARY KEY,
    last_id bigint NOT NULL
);
INSERT INTO notify_cursors (name, last_id) SELECT 'job.finished', COALESCE(max(id), 0) FROM events;
-- what the worker derives notifications from: status changes (session.waiting) and finished jobs
CREATE INDEX events_notify_idx ON events (type, id) WHERE type IN ('status.changed', 'job.exited');
