package dev.agentcommander.agentd.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentcommander.agentd.outbox.StateFiles;
import dev.agentcommander.schema.AgentMessage;
import dev.agentcommander.schema.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import dev.agentcommander.agentd.outbox.PrivateFiles;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which command ids were executed, kept across restarts so a command the server resends is never run twice. An
 * id is written (and fsynced) as "started" before the command runs and with its result after; a command that
 * was started but has no result was cut off by a crash and is reported failed, not run again. Keeps the last
 * {@code limit} ids; the file is compacted when it grows past twice that.
 */
final class CommandLog implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CommandLog.class.getName());
    static final String STARTED = "started";

    private final Path file;
    private final int limit;
    private final Map<String, JsonNode> entries; // id → result JSON, or a text node "started"
    private FileChannel channel;
    private int lines;

    CommandLog(Path file, int limit) {
        this.file = file;
        this.limit = limit;
        this.entries = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, JsonNode> eldest) {
                return size() > limit;
            }
        };
        load();
        open();
        if (lines > 2 * limit) {
            compact();
        }
    }

    private void load() {
        if (!Files.exists(file)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                lines++;
                try {
                    JsonNode n = Json.mapper().readTree(line);
                    String id = n.path("id").asText("");
                    if (!id.isEmpty()) {
                        entries.put(id, n.has("result") ? n.get("result") : Json.mapper().getNodeFactory()
                                .textNode(STARTED));
                    }
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "skipping a torn line in " + file); // a crash mid-append
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private void open() {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            PrivateFiles.makePrivate(file); // the command ids and results are the user's business only
            endTornLine();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
    }

    /** After a crash mid-append the file may end inside a line: end it, so the next record stays readable. */
    private void endTornLine() throws IOException {
        long size = channel.size();
        if (size == 0) {
            return;
        }
        java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
        try (FileChannel read = FileChannel.open(file, StandardOpenOption.READ)) {
            read.read(last, size - 1);
        }
        if (last.get(0) != '\n') {
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {'\n'}));
            channel.force(false);
        }
    }

    /** The stored result of {@code id}; a text node "started" if it began but never finished; empty if new. */
    synchronized Optional<JsonNode> get(String id) {
        return Optional.ofNullable(entries.get(id));
    }

    synchronized void started(String id) {
        ObjectNode n = Json.mapper().createObjectNode().put("id", id).put("state", STARTED);
        append(n);
        entries.put(id, n.textNode(STARTED));
    }

    synchronized void finished(AgentMessage.CommandsResult result) {
        JsonNode r = Json.mapper().valueToTree(result);
        ObjectNode n = Json.mapper().createObjectNode().put("id", result.commandId());
        n.set("result", r);
        append(n);
        entries.put(result.commandId(), r);
    }

    private void append(ObjectNode n) {
        byte[] b = (n.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            ByteBuffer buf = ByteBuffer.wrap(b);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
        if (++lines > 2 * limit) {
            compact();
        }
    }

    private void compact() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, JsonNode> e : entries.entrySet()) {
            ObjectNode n = Json.mapper().createObjectNode().put("id", e.getKey());
            if (e.getValue().isTextual()) {
                n.put("state", STARTED);
            } else {
                n.set("result", e.getValue());
            }
            sb.append(n).append('\n');
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // reopened below
        }
        StateFiles.writeAtomically(file, sb.toString());
        lines = entries.size();
        open();
    }


    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to flush: every append was forced
        }
    }
}
