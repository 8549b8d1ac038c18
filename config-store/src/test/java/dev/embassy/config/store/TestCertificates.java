package dev.embassy.config.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** A throwaway self-signed certificate and key (src/test/resources/tls), JSON-escaped for inline documents. */
final class TestCertificates {
  static final String CHAIN = escaped("tls/test-cert.pem");
  static final String KEY = escaped("tls/test-key.pem");

  private TestCertificates() {}

  private static String escaped(String resource) {
    try (InputStream in = TestCertificates.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII).replace("\n", "\\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
