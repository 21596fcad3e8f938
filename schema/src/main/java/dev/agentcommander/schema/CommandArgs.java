package dev.agentcommander.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Field readers for {@link CommandSpec#parse}: each error names the field and says what was expected. */
final class CommandArgs {
    private static final Pattern ID = Ids.OPAQUE;
    private static final Pattern PANE = Ids.PANE;
    private static final Pattern WORKTREE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,199}");
    private static final Set<String> NAMED_KEYS = Set.of("Enter", "Escape", "Tab", "BTab", "Space", "BSpace",
            "Up", "Down", "Left", "Right", "Home", "End", "PageUp", "PageDown", "PPage", "NPage", "DC", "IC");
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9._:/][A-Za-z0-9._:/-]{0,127}");
    private static final Pattern PATTERN_KEYS = Pattern.compile("[A-Za-z0-9]|[CM]-[a-z0-9]|F([1-9]|1[0-2])");

    private final JsonNode args;

    CommandArgs(JsonNode args) {
        this.args = args;
    }

    static ProtocolException invalid(String field, String what) {
        return new ProtocolException(ProtocolException.Code.INVALID, field + ": " + what);
    }

    static String text(JsonNode args, String field, boolean required) {
        JsonNode n = args.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw invalid(field, "is required");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw invalid(field, "must be a string");
        }
        return n.asText();
    }

    static boolean allowedKey(String key) {
        return key != null && (NAMED_KEYS.contains(key) || PATTERN_KEYS.matcher(key).matches());
    }

    String id(String field) {
        String v = text(args, field, true);
        if (!ID.matcher(v).matches()) {
            throw invalid(field, "must match " + ID.pattern());
        }
        return v;
    }

    String bounded(String field, int max, boolean required, boolean multiline) {
        String v = text(args, field, required);
        if (v == null) {
            return null;
        }
        if (required && v.isEmpty()) {
            throw invalid(field, "must not be empty");
        }
        if (v.length() > max) {
            throw invalid(field, "longer than " + max + " characters");
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            boolean allowedControl = multiline && (c == '\n' || c == '\t' || c == '\r');
            // C0, DEL and C1 (U+0080–U+009F: a terminal reads U+009B as CSI, so "\u009b2J" would clear the screen
            // as surely as ESC [ 2 J)
            if (c < 0x20 && !allowedControl || c >= 0x7f && c <= 0x9f) {
                throw invalid(field, "contains a control character at index " + i);
            }
        }
        return v;
    }

    /** A prompt handed to claude/codex as an argument: never one that reads as an option (--dangerously-…). */
    String prompt(boolean required) {
        String v = bounded("prompt", CommandSpec.MAX_TEXT, required, true);
        if (v != null && v.stripLeading().startsWith("-")) {
            throw invalid("prompt", "must not start with '-' (it would be read as an option of the agent)");
        }
        return v;
    }

    /** One of {@code allowed}; {@code fallback} when absent. */
    String oneOf(String field, Set<String> allowed, String fallback) {
        String v = text(args, field, false);
        if (v == null) {
            return fallback;
        }
        if (!allowed.contains(v)) {
            throw invalid(field, "must be one of " + new java.util.TreeSet<>(allowed));
        }
        return v;
    }

    /**
     * An optional word handed to a program as one argument (a model name, a thread id): letters, digits and
     * {@code . _ : / -}, never starting with {@code -} (it would be read as an option).
     */
    String word(String field) {
        String v = text(args, field, false);
        if (v == null) {
            return null;
        }
        if (!WORD.matcher(v).matches()) {
            throw invalid(field, "must be 1 to 128 letters, digits or . _ : / - and not start with -");
        }
        return v;
    }

    boolean bool(String field) {
        JsonNode n = args.get(field);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw invalid(field, "must be true or false");
        }
        return n.booleanValue();
    }

    List<String> keys() {
        JsonNode n = args.get("keys");
        if (n == null || !n.isArray() || n.isEmpty()) {
            throw invalid("keys", "must be a non-empty array of tmux key names");
        }
        if (n.size() > CommandSpec.MAX_KEYS) {
            throw invalid("keys", "at most " + CommandSpec.MAX_KEYS + " keys");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode k : n) {
            if (!k.isTextual() || !allowedKey(k.asText())) {
                throw invalid("keys", "unknown key name " + k + " (allowed: " + NAMED_KEYS
                        + ", single letters or digits, C-x, M-x, F1-F12)");
            }
            out.add(k.asText());
        }
        return List.copyOf(out);
    }

    String paneId() {
        String v = text(args, "pane_id", true);
        if (!PANE.matcher(v).matches()) {
            throw invalid("pane_id", "must look like %12");
        }
        return v;
    }

    String absolutePath(String field) {
        String v = bounded(field, 4096, true, false);
        if (!v.startsWith("/")) {
            throw invalid(field, "must be an absolute path");
        }
        for (String part : v.split("/")) {
            if (part.equals("..") || part.equals(".")) {
                throw invalid(field, "must not contain . or .. segments");
            }
        }
        return v;
    }

    String worktreeName() {
        String v = text(args, "worktree_name", true);
        if (!WORKTREE.matcher(v).matches() || v.contains("..")) {
            throw invalid("worktree_name", "must be a plain name matching " + WORKTREE.pattern()
                    + " (no slashes, no ..)");
        }
        return v;
    }

    String branch() {
        String v = text(args, "branch", true);
        if (!BRANCH.matcher(v).matches() || v.contains("..") || v.contains("//") || v.endsWith("/")
                || v.endsWith(".lock") || v.endsWith(".")) {
            throw invalid("branch", "is not a valid branch name");
        }
        return v;
    }

    Provider provider() {
        String v = text(args, "provider", true);
        Provider p = Provider.fromWire(v);
        if (p == null || p == Provider.OTHER) {
            throw invalid("provider", "must be claude, codex or shell");
        }
        return p;
    }
}
