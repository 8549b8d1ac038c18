package dev.embassy.auth.jwt;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * The one JSON reader for untrusted JOSE content (token headers and claims, JWKS and discovery
 * documents). Strict: duplicate member names are refused (RFC 7515 §5.2 allows refusing them, and
 * accepting the last one lets a header say two things to two parsers), nesting is capped (nimbus
 * CVE-2025-53864 was a stack overflow on deeply nested claims), and trailing content is an error.
 */
public final class JoseJson {
  /** Deep enough for real claims (Keycloak's realm_access.roles is depth 3). */
  static final int MAX_DEPTH = 16;

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  static {
    MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
        .maxNestingDepth(MAX_DEPTH)
        .maxNumberLength(64)
        .maxStringLength(1 << 20)
        .build());
  }

  private JoseJson() {}

  /** The JSON object in {@code bytes}, or empty when they are not exactly one JSON object. */
  @SuppressWarnings("unchecked")
  public static Optional<Map<String, Object>> object(byte[] bytes) {
    try (JsonParser parser = MAPPER.createParser(bytes)) {
      if (parser.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
        return Optional.empty();
      }
      Map<String, Object> value = MAPPER.readValue(parser, Map.class);
      if (parser.nextToken() != null) {
        return Optional.empty();
      }
      return Optional.ofNullable(value);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
