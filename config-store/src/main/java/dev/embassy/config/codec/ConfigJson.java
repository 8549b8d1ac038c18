package dev.embassy.config.codec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * The one JSON/YAML configuration of the config model. Strict on input (unknown fields, type
 * coercion, trailing data, absurd nesting and sizes are errors) and canonical on output (stable
 * field order, absent and empty values omitted), so a dump re-applies without drift.
 */
public final class ConfigJson {
  /** Deeper than any valid document (rate-limit descriptors nest 8 levels, about 20 JSON levels). */
  public static final int MAX_NESTING = 64;
  public static final int MAX_STRING_LENGTH = 1 << 20;

  private static final StreamReadConstraints LIMITS =
      StreamReadConstraints.builder()
          .maxNestingDepth(MAX_NESTING)
          .maxStringLength(MAX_STRING_LENGTH)
          .maxNumberLength(32)
          .build();

  private static final ObjectMapper JSON = configure(JsonMapper.builder(jsonFactory())).build();
  private static final ObjectMapper YAML = configure(YAMLMapper.builder(yamlFactory())).build();

  private ConfigJson() {}

  public static ObjectMapper json() {
    return JSON;
  }

  public static ObjectMapper yaml() {
    return YAML;
  }

  private static JsonFactory jsonFactory() {
    JsonFactory factory = new JsonFactory();
    factory.setStreamReadConstraints(LIMITS);
    return factory;
  }

  private static YAMLFactory yamlFactory() {
    LoaderOptions options = new LoaderOptions();
    // Anchors and aliases let a few bytes of YAML expand to gigabytes ("billion laughs").
    options.setMaxAliasesForCollections(10);
    options.setNestingDepthLimit(MAX_NESTING);
    options.setCodePointLimit(16 * 1024 * 1024);
    options.setAllowDuplicateKeys(false);
    YAMLFactory factory = YAMLFactory.builder().loaderOptions(options).build();
    factory.setStreamReadConstraints(LIMITS);
    return factory;
  }

  private static <M extends ObjectMapper, B extends com.fasterxml.jackson.databind.cfg.MapperBuilder<M, B>> B configure(B builder) {
    builder
        .addModule(new Jdk8Module())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_EMPTY, JsonInclude.Include.NON_EMPTY))
        .withCoercionConfig(LogicalType.Textual, c -> c
            .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
        .withCoercionConfig(LogicalType.Integer, c -> c
            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
            .setCoercion(CoercionInputShape.String, CoercionAction.Fail))
        .withCoercionConfig(LogicalType.Enum, c -> c
            .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail));
    return builder;
  }
}
