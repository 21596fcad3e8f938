package dev.agentcommander.controlplane.fanout;

/**
 * Which fan-out a replica runs ({@code FANOUT}): {@code postgres} (LISTEN/NOTIFY: several replicas on one
 * Postgres) or {@code in-process} (one replica). Unset, it is {@code postgres} with {@code DATABASE_URL} and
 * {@code in-process} on the embedded Postgres, which only one replica can use.
 */
public enum FanOutKind {
    POSTGRES("postgres"), IN_PROCESS("in-process");

    private final String wire;

    FanOutKind(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** The kind named {@code s}, or null. */
    public static FanOutKind fromWire(String s) {
        for (FanOutKind k : values()) {
            if (k.wire.equals(s)) {
                return k;
            }
        }
        return null;
    }
}
