-- Issue 16: whether a session was started or adopted through Agent Commander (agentd's pane option @ac_managed),
-- so the dashboard offers Adopt only for panes nobody started through us. Null: the agent did not say (an older
-- agentd).
ALTER TABLE sessions ADD COLUMN managed boolean;
