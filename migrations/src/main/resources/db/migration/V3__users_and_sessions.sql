-- Agent Commander schema, version 3 (2026-12-01): people who sign in (GitHub or the local link), their browser
-- sessions and the one-time sign-in links already used. Nothing wrote to V1's users table before this version.

-- A GitHub user is known by github_id (logins can be renamed and then taken by someone else), so the login is no
-- longer unique on its own; local users (signed in by the one-time link) have no github_id and a unique login.
ALTER TABLE users RENAME COLUMN github_login TO login;
ALTER TABLE users DROP CONSTRAINT users_github_login_key;
ALTER TABLE users ADD COLUMN github_id bigint UNIQUE;
ALTER TABLE users ADD COLUMN avatar_url text;
ALTER TABLE users ADD COLUMN disabled boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX users_local_login_uq ON users (login) WHERE github_id IS NULL;

-- A browser session: the cookie holds a random 256-bit id; only its SHA-256 (hex) is stored. Ends after
-- 24 h idle (last_seen_at), at expires_at (7 days after sign-in), or when revoked (sign-out, user disabled).
CREATE TABLE user_sessions (
    id_hash      text PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);
CREATE INDEX user_sessions_user_idx ON user_sessions (user_id) WHERE revoked_at IS NULL;

-- One-time sign-in links that were used (SHA-256 of the code): a link signs a browser in once.
CREATE TABLE login_links_used (
    code_hash  text PRIMARY KEY,
    used_at    timestamptz NOT NULL
);
