package dev.agentcommander.controlplane.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Agent-link frames as text, built by hand so tests also cover what the schema codec would not produce. */
public final class Frames {
    private Frames() {
    }

    public static String hello(String hostName, long lastAcked) {
        return "{\"v\":1,\"type\":\"agent.hello\",\"ts\":\"2026-11-23T10:00:00Z\",\"payload\":{\"host_name\":\""
                + hostName + "\",\"agent_version\":\"0.1.0-test\",\"protocol\":1,\"capabilities\":[],"
                + "\"last_acked_seq\":" + lastAcked + "}}";
    }

    public static String frame(String type, long seq, String payload) {
        return "{\"v\":1,\"type\":\"" + type + "\",\"seq\":" + seq + ",\"ts\":\"2026-11-23T10:00:00Z\",\"payload\":"
                + payload + "}";
    }

    public static String upsert(long seq, String sessionId, String name) {
        return frame("sessions.upsert", seq, "{\"session\":{\"session_id\":\"" + sessionId + "\",\"kind\":\"pane\","
                + "\"provider\":\"claude\",\"status\":\"RUNNING\",\"needs_attention\":false,\"name\":\"" + name
                + "\",\"tmux\":{\"session\":\"main\",\"window\":\"1\",\"pane_id\":\"%1\"},\"cwd\":\"/src/app\","
                + "\"git\":{\"repo\":\"/src/app\",\"branch\":\"feature-x\",\"dirty\":false},\"title\":\"t\"}}");
    }

    /** A {@code snapshot} (80x24) of {@code text}; {@code subscriptionId} null leaves the field out. */
    public static String snapshot(long seq, String sessionId, String subscriptionId, String text) {
        return frame("snapshot", seq, "{\"session_id\":\"" + sessionId + "\"," + sub(subscriptionId)
                + "\"cols\":80,\"rows\":24,\"data\":\"" + base64(text) + "\"}");
    }

    /** A {@code console.chunk} of {@code text}; {@code subscriptionId} null leaves the field out. */
    public static String chunk(long seq, String sessionId, String subscriptionId, long offset, String text) {
        return frame("console.chunk", seq, "{\"session_id\":\"" + sessionId + "\"," + sub(subscriptionId)
                + "\"offset\":" + offset + ",\"data\":\"" + base64(text) + "\"}");
    }

    public static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String sub(String subscriptionId) {
        return subscriptionId == null ? "" : "\"subscription_id\":\"" + subscriptionId + "\",";
    }

    public static String event(long seq, String sessionId, String type) {
        return frame("events.append", seq, "{\"session_id\":\"" + sessionId + "\",\"event_type\":\"" + type
                + "\",\"data\":{\"n\":" + seq + "}}");
    }
}
