package dev.agentcommander.controlplane.notify;

/** What a notification is about; the wire word is the webhook body's {@code kind}. */
public enum Kind {
    APPROVAL_PENDING("approval.pending"),
    APPROVAL_CLEARED("approval.cleared"),
    SESSION_WAITING("session.waiting"),
    HOST_OFFLINE("host.offline"),
    JOB_FINISHED("job.finished");

    private final String wire;

    Kind(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    static Kind fromWire(String s) {
        for (Kind k : values()) {
            if (k.wire.equals(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown notification kind " + s);
    }
}
