package dev.agentcommander.agentd.tmux;

import java.nio.charset.StandardCharsets;

/**
 * Parsing of tmux control-mode notification lines. Kept apart from the client so the byte-level rules (tmux
 * 3.2+ sends bytes below 0x20 and the backslash as {@code \ooo}, everything else raw, UTF-8 included) are tested
 * on their own: one wrong escape here corrupts every terminal the dashboard shows.
 */
final class ControlLines {
    private static final byte[] OUTPUT = "%output ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EXTENDED = "%extended-output ".getBytes(StandardCharsets.US_ASCII);

    private ControlLines() {
    }

    /** Pane output carried by one line: the pane id and where the still-escaped data sits in the line. */
    public record Output(String paneId, int dataStart) {
    }

    /**
     * Recognises {@code %output %N data} and {@code %extended-output %N age ... : data}; null for any other line.
     */
    public static Output parseOutput(byte[] line, int len) {
        int p;
        boolean extended;
        if (startsWith(line, len, OUTPUT)) {
            p = OUTPUT.length;
            extended = false;
        } else if (startsWith(line, len, EXTENDED)) {
            p = EXTENDED.length;
            extended = true;
        } else {
            return null;
        }
        int idStart = p;
        while (p < len && line[p] != ' ') {
            p++;
        }
        String paneId = new String(line, idStart, p - idStart, StandardCharsets.US_ASCII);
        if (extended) {
            // "%extended-output %N age [reserved…] : data": the data starts after the first " : "
            while (p + 2 < len && !(line[p] == ' ' && line[p + 1] == ':' && line[p + 2] == ' ')) {
                p++;
            }
            p += 2;
        }
        int dataStart = Math.min(p + 1, len);
        return new Output(paneId, dataStart);
    }

    /**
     * Decodes {@code \ooo} escapes of {@code line[from, len)} into {@code out} (which must hold at least
     * {@code len - from} bytes).
     *
     * @return the number of bytes written
     */
    public static int unescape(byte[] line, int from, int len, byte[] out) {
        int n = 0;
        int i = from;
        while (i < len) {
            byte b = line[i];
            if (b == '\\' && i + 3 < len && isOctal(line, i + 1)) {
                out[n++] = (byte) (((line[i + 1] - '0') << 6) | ((line[i + 2] - '0') << 3) | (line[i + 3] - '0'));
                i += 4;
            } else {
                out[n++] = b;
                i++;
            }
        }
        return n;
    }

    private static boolean isOctal(byte[] line, int at) {
        for (int k = at; k < at + 3; k++) {
            if (line[k] < '0' || line[k] > '7') {
                return false;
            }
        }
        return true;
    }

    static boolean startsWith(byte[] line, int len, byte[] prefix) {
        if (len < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (line[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
