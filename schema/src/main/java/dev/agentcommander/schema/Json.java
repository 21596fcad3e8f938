package dev.agentcommander.schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one JSON configuration of the project: snake_case, ISO-8601 UTC instants, nulls omitted, unknown fields
 * ignored (lenient on the wire). Config files use a strict copy of it; see {@link #strict()}.
 */
public final class Json {
    private static final ObjectMapper MAPPER = configure(JsonMapper.builder()).build();

    private Json() {
    }

    /** The shared, thread-safe mapper for wire and REST JSON. Do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A mapper that rejects unknown properties, for configuration files. */
    public static <M extends ObjectMapper, B extends com.fasterxml.jackson.databind.cfg.MapperBuilder<M, B>> B strict(
            B builder) {
        return configure(builder).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .withCoercionConfig(LogicalType.Enum, c -> c.setCoercion(CoercionInputShape.Integer,
                        CoercionAction.Fail));
    }

    /** Applies the project's JSON conventions to any Jackson mapper builder (JSON or YAML). */
    public static <M extends ObjectMapper, B extends com.fasterxml.jackson.databind.cfg.MapperBuilder<M, B>> B configure(
            B builder) {
        return builder.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
                // a number where a name belongs is an unknown value, not an index into the enum's declaration
                // order ({"provider":1} is not "codex"): read as the enum's default, as any unknown name is
                .withCoercionConfig(LogicalType.Enum, c -> c.setCoercion(CoercionInputShape.Integer,
                        CoercionAction.AsEmpty))
                .serializationInclusion(JsonInclude.Include.NON_NULL);
    }
}
