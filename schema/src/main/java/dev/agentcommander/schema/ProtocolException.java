package dev.agentcommander.schema;

/**
 * A frame that cannot be accepted. The {@link Code} decides what the receiver does: a malformed or invalid frame
 * is refused and the link survives; an unsupported version closes the link with a clear reason.
 */
public final class ProtocolException extends RuntimeException {
    /** Why a frame was refused; {@link #wire()} is the snake_case code used in error replies. */
    public enum Code {
        MALFORMED("malformed"), UNKNOWN_TYPE("unknown_type"), UNSUPPORTED_VERSION("unsupported_version"),
        TOO_LARGE("too_large"), INVALID("invalid");

        private final String wire;

        Code(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    private final Code code;

    public ProtocolException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public ProtocolException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
