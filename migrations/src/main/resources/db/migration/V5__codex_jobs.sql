-- Codex jobs (issue 17): a job session carries the Codex thread it ran in (what resume_thread_id continues) and
-- the token use of its last turn.completed (Codex reports the thread's cumulative total). Null for panes.
ALTER TABLE sessions ADD COLUMN thread_id text;
ALTER TABLE sessions ADD COLUMN usage jsonb;
