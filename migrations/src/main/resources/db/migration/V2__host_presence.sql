-- Agent Commander schema, version 2 (2026-12-01): whether a host is connected, visible to every replica.
-- The epoch of the socket that holds the host right now: set by the handshake, cleared (only while it still names
-- that socket) when the socket closes. The host is connected while connected_epoch = connection_epoch; a newer
-- handshake or a rotated token bumps connection_epoch, so an old value never reads as connected.
ALTER TABLE hosts ADD COLUMN connected_epoch bigint;
