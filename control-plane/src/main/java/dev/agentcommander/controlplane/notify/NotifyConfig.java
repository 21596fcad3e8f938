package dev.agentcommander.controlplane.notify;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code NOTIFY_*} environment, read once and checked at start: a URL that is not http(s), a secret without
 * its URL, a number out of range or a {@code NOTIFY_} variable this build does not know (a typo would otherwise
 * silently send nothing) fails with the variable's name. {@link #toString()} never shows a secret or a URL (a
 * Slack webhook URL and an ntfy topic are secrets themselves).
 */
public record NotifyConfig(URI webhookUrl, String webhookSecret, URI ntfyUrl, String ntfyToken, URI slackWebhookUrl,
                           Duration delay, Duration waiting) {
    public static final int DEFAULT_DELAY_SECONDS = 5;
    public static final int DEFAULT_WAITING_SECONDS = 60;
    static final Set<String> KEYS = Set.of("NOTIFY_WEBHOOK_URL", "NOTIFY_WEBHOOK_SECRET", "NOTIFY_NTFY_URL",
            "NOTIFY_NTFY_TOKEN", "NOTIFY_SLACK_WEBHOOK_URL", "NOTIFY_DELAY_SECONDS", "NOTIFY_WAITING_SECONDS");

    /** No channel: nothing is queued or sent. */
    public static final NotifyConfig NONE = new NotifyConfig(null, null, null, null, null,
            Duration.ofSeconds(DEFAULT_DELAY_SECONDS), Duration.ofSeconds(DEFAULT_WAITING_SECONDS));

    /** A variable that is wrong; {@code key} names it. */
    public static final class Invalid extends RuntimeException {
        private final String key;
        private final String problem;

        public Invalid(String key, String problem) {
            super(key + ": " + problem);
            this.key = key;
            this.problem = problem;
        }

        public String key() {
            return key;
        }

        public String problem() {
            return problem;
        }
    }

    public NotifyConfig {
        checkUrl("NOTIFY_WEBHOOK_URL", webhookUrl);
        checkUrl("NOTIFY_NTFY_URL", ntfyUrl);
        checkUrl("NOTIFY_SLACK_WEBHOOK_URL", slackWebhookUrl);
        if (webhookSecret != null && webhookUrl == null) {
            throw new Invalid("NOTIFY_WEBHOOK_SECRET", "is set but NOTIFY_WEBHOOK_URL is not");
        }
        if (ntfyToken != null && ntfyUrl == null) {
            throw new Invalid("NOTIFY_NTFY_TOKEN", "is set but NOTIFY_NTFY_URL is not");
        }
        if (delay.isNegative() || delay.toSeconds() > 3600) {
            throw new Invalid("NOTIFY_DELAY_SECONDS", "must be 0..3600, got " + delay.toSeconds());
        }
        if (waiting.toSeconds() < 1 || waiting.toSeconds() > 86_400) {
            throw new Invalid("NOTIFY_WAITING_SECONDS", "must be 1..86400, got " + waiting.toSeconds());
        }
    }

    /** Reads the {@code NOTIFY_*} variables of {@code env}; blank values count as absent. */
    public static NotifyConfig fromEnv(Map<String, String> env) {
        for (String k : env.keySet()) {
            if (k.startsWith("NOTIFY_") && !KEYS.contains(k)) {
                throw new Invalid(k, "unknown variable (known: " + String.join(", ", KEYS.stream().sorted().toList())
                        + ")");
            }
        }
        return new NotifyConfig(url(env, "NOTIFY_WEBHOOK_URL"), value(env, "NOTIFY_WEBHOOK_SECRET"),
                url(env, "NOTIFY_NTFY_URL"), value(env, "NOTIFY_NTFY_TOKEN"), url(env, "NOTIFY_SLACK_WEBHOOK_URL"),
                Duration.ofSeconds(seconds(env, "NOTIFY_DELAY_SECONDS", DEFAULT_DELAY_SECONDS)),
                Duration.ofSeconds(seconds(env, "NOTIFY_WAITING_SECONDS", DEFAULT_WAITING_SECONDS)));
    }

    /** The channels configured, in a fixed order. */
    public List<Channel> channels() {
        List<Channel> out = new ArrayList<>();
        if (webhookUrl != null) {
            out.add(Channel.WEBHOOK);
        }
        if (ntfyUrl != null) {
            out.add(Channel.NTFY);
        }
        if (slackWebhookUrl != null) {
            out.add(Channel.SLACK);
        }
        return out;
    }

    /** This configuration with other delays (tests). */
    public NotifyConfig withDelays(Duration newDelay, Duration newWaiting) {
        return new NotifyConfig(webhookUrl, webhookSecret, ntfyUrl, ntfyToken, slackWebhookUrl, newDelay, newWaiting);
    }

    @Override
    public String toString() {
        return "NotifyConfig[channels=" + channels() + ", signed=" + (webhookSecret != null) + ", delay="
                + delay.toSeconds() + "s, waiting=" + waiting.toSeconds() + "s]";
    }

    private static void checkUrl(String key, URI u) {
        if (u != null && (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme())))) {
            throw new Invalid(key, "must be an http:// or https:// URL");
        }
    }

    private static String value(Map<String, String> env, String key) {
        String v = env.get(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static URI url(Map<String, String> env, String key) {
        String v = value(env, key);
        if (v == null) {
            return null;
        }
        try {
            return new URI(v);
        } catch (java.net.URISyntaxException e) {
            throw new Invalid(key, "not a URL");
        }
    }

    private static long seconds(Map<String, String> env, String key, int dflt) {
        String v = value(env, key);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new Invalid(key, "must be an integer number of seconds");
        }
    }
}
