package dev.agentcommander.controlplane.ui;

import dev.agentcommander.schema.CommandSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the bytes a browser terminal produced (xterm.js {@code onData}) into the pane commands agentd already
 * runs without a shell: runs of text become {@code send_input} (a literal paste, so quotes, {@code $()} and
 * {@code ;} arrive as typed) and control bytes and escape sequences become tmux key names in {@code send_keys}
 * (CR is Enter, 0x03 is C-c, {@code ESC [ A} is Up). A single letter, digit or space is sent as a key too, so a
 * TUI menu sees a key press and not a one-character paste. Bytes with no key name (other escape sequences, NUL,
 * C1) are dropped rather than guessed at; nothing here ever reaches a shell.
 */
final class TerminalInput {
    private TerminalInput() {
    }

    static List<CommandSpec> commands(String sessionId, byte[] data) {
        String s = new String(data, StandardCharsets.UTF_8);
        List<CommandSpec> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        List<String> keys = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            String key = null;
            int used = 1;
            if (c == '\r' || c == '\n') {
                if (!text.isEmpty() && keys.isEmpty()) {
                    out.add(new CommandSpec.SendInput(sessionId, text.toString(), true));
                    text.setLength(0);
                    i += c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n' ? 2 : 1;
                    continue;
                }
                key = "Enter";
                used = c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n' ? 2 : 1;
            } else if (c == '\t') {
                key = "Tab";
            } else if (c == 0x7f || c == 0x08) {
                key = "BSpace";
            } else if (c == 0x1b) {
                int[] len = {1};
                key = escape(s, i, len);
                used = len[0];
                if (key == null) {
                    i += used;
                    continue; // an escape sequence with no key name: dropped
                }
            } else if (c >= 1 && c <= 26) {
                key = "C-" + (char) ('a' + c - 1);
            } else if (c < 0x20 || c >= 0x7f && c <= 0x9f) {
                i++;
                continue; // no key name: dropped
            }
            if (key != null) {
                flushText(out, sessionId, text);
                keys.add(key);
                if (keys.size() == CommandSpec.MAX_KEYS) {
                    flushKeys(out, sessionId, keys);
                }
            } else {
                flushKeys(out, sessionId, keys);
                text.append(c);
            }
            i += used;
        }
        flushText(out, sessionId, text);
        flushKeys(out, sessionId, keys);
        return out;
    }

    /** The key name of the escape sequence at {@code i}; {@code len[0]} is set to its length. */
    private static String escape(String s, int i, int[] len) {
        if (i + 2 < s.length() && (s.charAt(i + 1) == '[' || s.charAt(i + 1) == 'O')) {
            char f = s.charAt(i + 2);
            String k = switch (f) {
                case 'A' -> "Up";
                case 'B' -> "Down";
                case 'C' -> "Right";
                case 'D' -> "Left";
                case 'H' -> "Home";
                case 'F' -> "End";
                case 'Z' -> "BTab";
                default -> null;
            };
            if (k != null) {
                len[0] = 3;
                return k;
            }
            if (i + 3 < s.length() && s.charAt(i + 3) == '~' && s.charAt(i + 1) == '[') {
                len[0] = 4;
                return switch (f) {
                    case '1', '7' -> "Home";
                    case '2' -> "IC";
                    case '3' -> "DC";
                    case '4', '8' -> "End";
                    case '5' -> "PPage";
                    case '6' -> "NPage";
                    default -> null;
                };
            }
            int j = i + 2; // an unknown CSI: skip to its final byte and drop it
            while (j < s.length() && (s.charAt(j) < 0x40 || s.charAt(j) > 0x7e)) {
                j++;
            }
            len[0] = Math.min(j + 1, s.length()) - i;
            return null;
        }
        if (i + 1 < s.length()) {
            char n = s.charAt(i + 1);
            if (n >= 'a' && n <= 'z' || n >= '0' && n <= '9') {
                len[0] = 2;
                return "M-" + n;
            }
        }
        return "Escape";
    }

    private static void flushText(List<CommandSpec> out, String sessionId, StringBuilder text) {
        if (text.isEmpty()) {
            return;
        }
        String t = text.toString();
        if (t.length() == 1 && (Character.isLetterOrDigit(t.charAt(0)) && t.charAt(0) < 0x80 || t.equals(" "))) {
            out.add(new CommandSpec.SendKeys(sessionId, List.of(t.equals(" ") ? "Space" : t)));
        } else {
            out.add(new CommandSpec.SendInput(sessionId, t, false));
        }
        text.setLength(0);
    }

    private static void flushKeys(List<CommandSpec> out, String sessionId, List<String> keys) {
        if (!keys.isEmpty()) {
            out.add(new CommandSpec.SendKeys(sessionId, List.copyOf(keys)));
            keys.clear();
        }
    }
}
