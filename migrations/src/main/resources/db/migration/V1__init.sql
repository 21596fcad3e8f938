-- Agent Commander schema, version 1 (2026-11-23). Migrations only add: never edit this file once released.

-- A host runs one agentd. The token is shown once and stored as a SHA-256 hash (hex).
CREATE TABLE hosts (
    id               text PRIMARY KEY,
    name             text NOT NULL UNIQUE,
    token_hash       text NOT NULL UNIQUE,
    last_acked_seq   bigint NOT NULL DEFAULT 0,
    connection_epoch bigint NOT NULL DEFAULT 0,
    last_seen_at     timestamptz,
    agent_version    text,
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- One row per live session (pane or job); removed when agentd reports it gone. Its events outlive it.
CREATE TABLE sessions (
    id               text PRIMARY KEY,
    host_id          text NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    kind             text NOT NULL,
    provider         text NOT NULL,
    status           text NOT NULL,
    needs_attention  boolean NOT NULL DEFAULT false,
    name             text,
    tmux_session     text,
    tmux_window      text,
    tmux_pane_id     text,
    cwd              text,
    git_repo         text,
    git_branch       text,
    git_dirty        boolean,
    title            text,
    started_at       timestamptz,
    last_activity_at timestamptz,
    updated_seq      bigint NOT NULL DEFAULT 0,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_host_idx ON sessions (host_id);
CREATE INDEX sessions_status_idx ON sessions (status);
CREATE INDEX sessions_provider_idx ON sessions (provider);
CREATE INDEX sessions_attention_idx ON sessions (needs_attention, last_activity_at DESC);

-- Everything agentd reports as an event, in seq order per host. (host_id, seq) makes ingest idempotent.
CREATE TABLE events (
    id          bigserial PRIMARY KEY,
    host_id     text NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    seq         bigint NOT NULL,
    session_id  text,
    type        text NOT NULL,
    ts          timestamptz NOT NULL,
    payload     jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_host_seq_uq UNIQUE (host_id, seq)
);
CREATE INDEX events_session_idx ON events (session_id, id);

-- Claude Code permission requests; id is agentd's stable approval_id. Decided exactly once.
CREATE TABLE approvals (
    id                     text PRIMARY KEY,
    host_id                text NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    session_id             text,
    tool_name              text NOT NULL,
    tool_input             jsonb NOT NULL DEFAULT '{}'::jsonb,
    permission_suggestions jsonb,
    cwd                    text,
    review                 jsonb,
    status                 text NOT NULL DEFAULT 'pending',
    behavior               text,
    message                text,
    updated_input          jsonb,
    updated_permissions    jsonb,
    decided_by             text,
    created_at             timestamptz NOT NULL DEFAULT now(),
    expires_at             timestamptz,
    decided_at             timestamptz,
    delivered_at           timestamptz,
    resolved_at            timestamptz
);
CREATE INDEX approvals_status_idx ON approvals (status, created_at);
CREATE INDEX approvals_host_undelivered_idx ON approvals (host_id) WHERE decided_at IS NOT NULL AND delivered_at IS NULL;

-- Server → agent commands; delivered by whichever replica holds the host's socket, resent until a result.
CREATE TABLE commands (
    id           text PRIMARY KEY,
    host_id      text NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    session_id   text,
    name         text NOT NULL,
    args         jsonb NOT NULL DEFAULT '{}'::jsonb,
    status       text NOT NULL DEFAULT 'queued',
    ok           boolean,
    error        text,
    result       jsonb,
    created_by   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    sent_at      timestamptz,
    completed_at timestamptz
);
CREATE INDEX commands_host_pending_idx ON commands (host_id, created_at) WHERE status IN ('queued', 'sent');

-- People who sign in (GitHub OAuth, a later issue) and their role.
CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    github_login  text NOT NULL UNIQUE,
    email         text,
    name          text,
    role          text NOT NULL DEFAULT 'viewer' CHECK (role IN ('admin', 'operator', 'viewer')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz
);

-- Who did what, when: every command, decision, host and token change.
CREATE TABLE audit_log (
    id      bigserial PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    actor   text NOT NULL,
    role    text,
    action  text NOT NULL,
    target  text,
    detail  jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
