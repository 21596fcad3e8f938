package dev.agentcommander.agentd.approvals;

/**
 * Thrown when the broker already holds as many requests as it may (agentd: 256): the hook is answered empty at
 * once (Claude shows its own dialog, what a person at the pane gets anyway) instead of agentd holding requests
 * without bound.
 */
public final class TooManyWaiting extends RuntimeException {
    TooManyWaiting(int max) {
        super("already " + max + " approvals waiting");
    }
}
