package dev.agentcommander.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * JSON Schema (2020-12) for the wire protocol, derived from the records themselves so it cannot drift: non-Java
 * clients (a dashboard, a script) validate against the files in {@code schema/json-schema/}, which a test keeps
 * equal to what this class generates. Regenerate with {@code java … dev.agentcommander.schema.JsonSchemas DIR}.
 */
public final class JsonSchemas {
    private static final PropertyNamingStrategies.NamingBase SNAKE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    private JsonSchemas() {
    }

    /** File name → schema, for every direction of both sockets and for command arguments. */
    public static Map<String, ObjectNode> all() {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        out.put("agent-message.schema.json", frames("Agent → control plane frames (/v1/agent)",
                AgentMessage.class.getPermittedSubclasses(), true));
        out.put("server-message.schema.json", frames("Control plane → agent frames (/v1/agent)",
                ServerMessage.class.getPermittedSubclasses(), false));
        out.put("ui-request.schema.json", flat("Dashboard → control plane messages (/v1/ui)",
                new Class<?>[] {SubscribeWire.class, UiRequest.Unsubscribe.class, UiRequest.Ping.class,
                    InputWire.class},
                JsonSchemas::uiRequestType));
        out.put("ui-event.schema.json", flat("Control plane → dashboard messages (/v1/ui)",
                UiEvent.class.getPermittedSubclasses(), Codec::typeName));
        out.put("command.schema.json", flat("Command bodies: POST /v1/sessions/{id}/commands, POST /v1/hosts/{id}/"
                + "commands (flat, with type) and agent-link command.args (without type)",
                CommandSpec.class.getPermittedSubclasses(), c -> ((CommandSpec) blank(c)).name()));
        return out;
    }

    private static ObjectNode root(String title) {
        ObjectNode s = Json.mapper().createObjectNode();
        s.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        s.put("title", title);
        s.put("description", "Protocol version " + Protocol.VERSION + ": " + Protocol.HISTORY.get(Protocol.VERSION));
        return s;
    }

    private static ObjectNode frames(String title, Class<?>[] types, boolean sequenced) {
        ObjectNode s = root(title);
        ArrayNode oneOf = s.putArray("oneOf");
        for (Class<?> c : types) {
            if (c.getSimpleName().equals("Unknown")) {
                continue;
            }
            Object m = blank(c);
            String type = m instanceof AgentMessage a ? a.type() : ((ServerMessage) m).type();
            ObjectNode f = oneOf.addObject();
            f.put("type", "object");
            ObjectNode p = f.putObject("properties");
            p.putObject("v").put("const", Protocol.VERSION);
            p.putObject("type").put("const", type);
            p.putObject("seq").put("type", "integer").put("minimum", 1);
            p.putObject("ts").put("type", "string").put("format", "date-time");
            p.set("payload", record(c, Function.identity()));
            ArrayNode req = f.putArray("required").add("v").add("type");
            if (sequenced && m instanceof AgentMessage a && a.sequenced()) {
                req.add("seq");
            }
        }
        return s;
    }

    private static ObjectNode flat(String title, Class<?>[] types, Function<Class<?>, String> typeName) {
        ObjectNode s = root(title);
        ArrayNode oneOf = s.putArray("oneOf");
        for (Class<?> c : types) {
            ObjectNode f = record(c, name -> c == CommandSpec.RenameSession.class && name.equals("new_name")
                    ? "name" : name);
            ((ObjectNode) f.get("properties")).putObject("type").put("const", typeName.apply(c));
            oneOf.add(f);
        }
        return s;
    }

    /**
     * How a subscribe looks on the wire: {@link UiRequest.Subscribe} holds its parsed {@link UiRequest.Topic}, and
     * {@link UiRequest.Refused} is what the parser makes of a bad filter, never sent.
     */
    private record SubscribeWire(String sub, String topic, JsonNode filter) {
    }

    /** How {@code input} looks on the wire: {@link UiRequest.Input} holds the decoded bytes, the wire base64. */
    private record InputWire(String sessionId, String data) {
    }

    private static String uiRequestType(Class<?> c) {
        return switch (c.getSimpleName()) {
            case "SubscribeWire" -> "subscribe";
            case "InputWire" -> "input";
            case "Unsubscribe" -> "unsubscribe";
            default -> "ping";
        };
    }

    private static ObjectNode record(Class<?> c, Function<String, String> rename) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("type", "object");
        ObjectNode props = o.putObject("properties");
        for (RecordComponent rc : c.getRecordComponents()) {
            props.set(rename.apply(SNAKE.translate(rc.getName())), type(rc.getGenericType()));
        }
        return o;
    }

    private static JsonNode type(Type t) {
        ObjectNode o = Json.mapper().createObjectNode();
        if (t instanceof ParameterizedType pt && pt.getRawType() == List.class) {
            o.put("type", "array");
            o.set("items", type(pt.getActualTypeArguments()[0]));
        } else if (t == String.class) {
            o.put("type", "string");
        } else if (t == int.class || t == long.class || t == Integer.class || t == Long.class) {
            o.put("type", "integer");
        } else if (t == boolean.class || t == Boolean.class) {
            o.put("type", "boolean");
        } else if (t == Instant.class) {
            o.put("type", "string").put("format", "date-time");
        } else if (t == JsonNode.class) {
            return o; // any JSON value
        } else if (t instanceof Class<?> c && c.isEnum()) {
            ArrayNode values = o.putArray("enum");
            for (Object v : c.getEnumConstants()) {
                if (!((Enum<?>) v).name().equals("UNKNOWN")) { // how a reader takes values it does not know; never sent
                    values.add(Json.mapper().valueToTree(v));
                }
            }
        } else if (t instanceof Class<?> c && c.isRecord()) {
            return record(c, Function.identity());
        } else {
            throw new IllegalStateException("no JSON Schema mapping for " + t);
        }
        return o;
    }

    /** An instance with every component null/zero, only to ask it for its wire type name. */
    private static Object blank(Class<?> c) {
        try {
            RecordComponent[] rcs = c.getRecordComponents();
            Class<?>[] types = new Class<?>[rcs.length];
            Object[] args = new Object[rcs.length];
            for (int i = 0; i < rcs.length; i++) {
                types[i] = rcs[i].getType();
                args[i] = zero(types[i]);
            }
            Constructor<?> k = c.getDeclaredConstructor(types);
            return k.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + c, e);
        }
    }

    private static Object zero(Class<?> t) {
        if (t == boolean.class) {
            return Boolean.FALSE;
        }
        if (t == int.class) {
            return 0;
        }
        if (t == long.class) {
            return 0L;
        }
        return null;
    }

    /** Writes every schema file into {@code args[0]} (default {@code schema/json-schema}). */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "schema/json-schema");
        Files.createDirectories(dir);
        for (Map.Entry<String, ObjectNode> e : all().entrySet()) {
            Files.writeString(dir.resolve(e.getKey()), Json.mapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(e.getValue()) + "\n", StandardCharsets.UTF_8);
        }
    }
}
