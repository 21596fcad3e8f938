package dev.agentcommander.controlplane.testkit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4 (no Java parser of it is published; the client
 * library only writes it). It refuses what a Prometheus server would: a malformed line, a bad metric or label
 * name, a bad escape, a value that is not a float, a sample before its family's {@code # TYPE}, a family typed
 * twice, a sample twice, a histogram whose buckets are not cumulative, lack {@code +Inf} or disagree with
 * {@code _count}.
 */
public final class PromText {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME.pattern() + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME.pattern()
            + ") (counter|gauge|histogram|summary|untyped)");
    private static final List<String> SUFFIXES = List.of("_total", "_created", "_bucket", "_count", "_sum", "_info");

    /** One sample: its metric name, labels, value. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final Map<String, String> types = new HashMap<>();
    private final Map<String, Sample> samples = new LinkedHashMap<>();

    private PromText() {
    }

    /** Parses {@code text}; throws {@link IllegalArgumentException} naming the line on the first mistake. */
    public static PromText parse(String text) {
        PromText p = new PromText();
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition must end with a line feed");
        }
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            try {
                p.line(lines[i]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + (i + 1) + " '" + lines[i] + "': " + e.getMessage(), e);
            }
        }
        p.checkHistograms();
        return p;
    }

    private void line(String line) {
        if (line.isEmpty()) {
            return;
        }
        if (line.startsWith("#")) {
            Matcher t = TYPE.matcher(line);
            if (t.matches()) {
                if (types.put(t.group(1), t.group(2)) != null) {
                    throw new IllegalArgumentException("family typed twice");
                }
                return;
            }
            if (line.startsWith("# HELP ") && !HELP.matcher(line).matches()) {
                throw new IllegalArgumentException("malformed HELP");
            }
            if (line.startsWith("# TYPE")) {
                throw new IllegalArgumentException("malformed TYPE");
            }
            return; // a comment
        }
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad metric name");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i = labels(line, i + 1, labels);
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new IllegalArgumentException("no space before the value");
        }
        String[] rest = line.substring(i + 1).split(" ", -1);
        if (rest.length < 1 || rest.length > 2) {
            throw new IllegalArgumentException("value [timestamp] expected");
        }
        double value = value(rest[0]);
        if (rest.length == 2) {
            Long.parseLong(rest[1]);
        }
        if (family(name) == null) {
            throw new IllegalArgumentException("sample before its # TYPE");
        }
        if (samples.put(name + labels, new Sample(name, labels, value)) != null) {
            throw new IllegalArgumentException("sample twice");
        }
    }

    private static int labels(String line, int i, Map<String, String> out) {
        while (true) {
            if (i < line.length() && line.charAt(i) == '}') {
                return i + 1;
            }
            int eq = line.indexOf('=', i);
            if (eq < 0) {
                throw new IllegalArgumentException("label without =");
            }
            String label = line.substring(i, eq);
            if (!LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("bad label name " + label);
            }
            if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                throw new IllegalArgumentException("label value not quoted");
            }
            StringBuilder v = new StringBuilder();
            int j = eq + 2;
            for (; j < line.length() && line.charAt(j) != '"'; j++) {
                char c = line.charAt(j);
                if (c == '\\') {
                    char e = j + 1 < line.length() ? line.charAt(++j) : 0;
                    switch (e) {
                        case '\\' -> v.append('\\');
                        case '"' -> v.append('"');
                        case 'n' -> v.append('\n');
                        default -> throw new IllegalArgumentException("bad escape \\" + e);
                    }
                } else {
                    v.append(c);
                }
            }
            if (j >= line.length()) {
                throw new IllegalArgumentException("unterminated label value");
            }
            if (out.put(label, v.toString()) != null) {
                throw new IllegalArgumentException("label twice: " + label);
            }
            i = j + 1;
            if (i < line.length() && line.charAt(i) == ',') {
                i++;
            } else if (i >= line.length() || line.charAt(i) != '}') {
                throw new IllegalArgumentException("expected , or } after a label");
            }
        }
    }

    private static double value(String s) {
        return switch (s) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                if (!s.matches("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?")) {
                    throw new IllegalArgumentException("not a float: " + s);
                }
                yield Double.parseDouble(s);
            }
        };
    }

    /** The declared family a sample name belongs to, or null. */
    private String family(String name) {
        if (types.containsKey(name)) {
            return name;
        }
        for (String suffix : SUFFIXES) {
            if (name.endsWith(suffix) && types.containsKey(name.substring(0, name.length() - suffix.length()))) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return null;
    }

    private void checkHistograms() {
        types.forEach((family, type) -> {
            if (!type.equals("histogram")) {
                return;
            }
            Map<Map<String, String>, List<Sample>> series = new HashMap<>();
            for (Sample s : samples.values()) {
                if (s.name().equals(family + "_bucket")) {
                    Map<String, String> key = new LinkedHashMap<>(s.labels());
                    key.remove("le");
                    series.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
                }
            }
            series.forEach((labels, buckets) -> {
                buckets.sort((a, b) -> Double.compare(value(a.labels().get("le")), value(b.labels().get("le"))));
                double prev = 0;
                for (Sample b : buckets) {
                    if (b.value() < prev) {
                        throw new IllegalArgumentException(family + " buckets not cumulative at le=" + b.labels()
                                .get("le"));
                    }
                    prev = b.value();
                }
                Sample last = buckets.getLast();
                if (!"+Inf".equals(last.labels().get("le"))) {
                    throw new IllegalArgumentException(family + " has no +Inf bucket");
                }
                Sample count = samples.get(family + "_count" + labels);
                if (count == null || count.value() != last.value()) {
                    throw new IllegalArgumentException(family + "_count disagrees with its +Inf bucket");
                }
            });
        });
    }

    /** The family's declared type, or null. */
    public String type(String family) {
        return types.get(family);
    }

    /** The value of the sample {@code name} with exactly {@code labels} (k, v, k, v …), or null without it. */
    public Double value(String name, String... labels) {
        Map<String, String> want = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            want.put(labels[i], labels[i + 1]);
        }
        for (Sample s : samples.values()) {
            if (s.name().equals(name) && s.labels().equals(want)) {
                return s.value();
            }
        }
        return null;
    }

    /** Every sample, in the order written. */
    public List<Sample> samples() {
        return List.copyOf(samples.values());
    }
}
