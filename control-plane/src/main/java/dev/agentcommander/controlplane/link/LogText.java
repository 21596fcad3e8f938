package dev.agentcommander.controlplane.link;

/**
 * A value a host chose (its host name, an unknown type's name), made safe for one log line: control characters
 * (C0, DEL, C1, line and paragraph separators) become {@code \\uXXXX}, so a host cannot forge log lines or send
 * escape sequences to whoever tails the log, and the value is cut at {@value #MAX} characters.
 */
final class LogText {
    static final int MAX = 200;

    private LogText() {
    }

    static String of(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX) + 8);
        for (int i = 0; i < s.length() && i < MAX; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (s.length() > MAX) {
            b.append("…(").append(s.length()).append(" chars)");
        }
        return b.toString();
    }
}
