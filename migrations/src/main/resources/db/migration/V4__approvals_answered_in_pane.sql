-- Agent Commander schema, version 4 (2026-12-01): what real Claude Code needs an approval to remember.
-- reason: why an approval ended without a person's decision reaching the tool (approval.resolved.reason):
--   answered_in_pane (the person answered Claude's dialog in the pane), hook_gone, keys_unconfirmed, …
-- prompt_id / tool_use_id: the Claude turn and tool call the request is about, to match it with its hook events.
-- permission_choices: what each of permission_suggestions really does (labels, scope, whether it stops asking).
-- screen_unreadable: a keys-mode approval whose dialog could not be read; its tool_input has no command.
ALTER TABLE approvals ADD COLUMN reason text;
ALTER TABLE approvals ADD COLUMN prompt_id text;
ALTER TABLE approvals ADD COLUMN tool_use_id text;
ALTER TABLE approvals ADD COLUMN permission_choices jsonb;
ALTER TABLE approvals ADD COLUMN screen_unreadable boolean NOT NULL DEFAULT false;
