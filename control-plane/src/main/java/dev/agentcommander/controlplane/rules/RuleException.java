package dev.agentcommander.controlplane.rules;

/**
 * A rule that cannot be saved (a bad pattern, an unknown host, a missing tool). The message starts with the
 * field's name, so the admin who posted it sees which field to fix; the REST layer answers it as a 400.
 */
public final class RuleException extends RuntimeException {
    private final String field;

    public RuleException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
