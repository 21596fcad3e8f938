package dev.agentcommander.schema;

import java.util.Map;

/**
 * The wire protocol's version and its history. There is exactly one version integer for the whole protocol;
 * a change that an old peer cannot ignore bumps it, and a line is added to {@link #HISTORY}. Additive changes
 * (a new optional field, a new message type) do not: peers ignore unknown fields and drop unknown types.
 */
public final class Protocol {
    /** The version this build speaks, sent as {@code v} on every frame and as {@code protocol} in the hello. */
    public static final int VERSION = 1;

    /** Oldest version this build still accepts from a peer. */
    public static final int MIN_SUPPORTED = 1;

    /** Largest text frame either side accepts; larger frames are refused with {@code too_large}. */
    public static final int MAX_FRAME_BYTES = 1 << 20;

    /** Version → dated description of what changed. */
    public static final Map<Integer, String> HISTORY = Map.of(
            1, "2026-11-23: first version: agent.hello/welcome, cumulative agent.ack, sessions.upsert/removed, "
                    + "snapshot, console.chunk (base64), events.append, approval.requested/resolved/decision, "
                    + "command/commands.result, agent.heartbeat; UI socket subscribe/unsubscribe/ping.");

    private Protocol() {
    }

    /** Whether a peer speaking {@code version} can be served. */
    public static boolean supports(int version) {
        return version >= MIN_SUPPORTED && version <= VERSION;
    }
}
