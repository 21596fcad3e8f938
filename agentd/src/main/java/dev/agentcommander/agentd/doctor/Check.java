package dev.agentcommander.agentd.doctor;

/**
 * One finding of {@code agentd doctor}: what was checked, how it went, what was seen, and — unless it is fine —
 * the one thing to do about it. A fix is a command or a config key to change, never "contact support".
 *
 * @param name   short and stable (scripts read {@code --json}): {@code tmux.server}, {@code control_plane.token} …
 * @param detail what was seen, for a person
 * @param fix    what to do; empty when {@code status} is OK
 */
public record Check(String name, Status status, String detail, String fix) {
    /** How a check went; only FAIL makes the doctor's exit status non-zero. */
    public enum Status {
        OK, WARN, FAIL
    }

    public Check {
        fix = fix == null ? "" : fix;
        detail = detail == null ? "" : detail;
    }

    public static Check ok(String name, String detail) {
        return new Check(name, Status.OK, detail, "");
    }

    public static Check warn(String name, String detail, String fix) {
        return new Check(name, Status.WARN, detail, fix);
    }

    public static Check fail(String name, String detail, String fix) {
        return new Check(name, Status.FAIL, detail, fix);
    }

    public boolean failed() {
        return status == Status.FAIL;
    }
}
