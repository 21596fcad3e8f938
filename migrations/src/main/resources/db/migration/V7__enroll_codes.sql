-- Agent Commander schema, version 7 (2026-12-02): one-time enrollment codes.

-- One-time enrollment codes (DESIGN §12, like Tailscale auth keys): an admin makes one, a dev box exchanges it once
-- for a host token (POST /v1/enroll). Only the SHA-256 of the code is kept, as for host tokens. used_at and host_id
-- are set in the same transaction that creates the host, so a code either made exactly one host or none.
CREATE TABLE enroll_codes (
    id         text PRIMARY KEY,
    code_hash  text NOT NULL UNIQUE,
    name       text,                                   -- the host name the code will create; NULL: the box's own
    created_by text NOT NULL,                          -- the admin's subject (as in audit_log.actor)
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    host_id    text REFERENCES hosts (id) ON DELETE SET NULL,
    CHECK (expires_at > created_at)
);
CREATE INDEX enroll_codes_unused_idx ON enroll_codes (expires_at) WHERE used_at IS NULL;
