package dev.embassy.admin;

import dev.embassy.admin.http.AdminTls;
import dev.embassy.config.model.DurationText;
import java.io.IOException;
import java.time.Duration;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The admin API's settings, read from the environment. Every default is here and nowhere else.
 *
 * <table>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>EMBASSY_ADMIN_BIND</td><td>127.0.0.1</td><td>listen address</td></tr>
 *   <tr><td>EMBASSY_ADMIN_PORT</td><td>8001</td><td>listen port</td></tr>
 *   <tr><td>EMBASSY_ADMIN_TLS_CERT / EMBASSY_ADMIN_TLS_KEY</td><td>(none: plain HTTP)</td><td>PEM certificate chain and PKCS#8 PEM key; both set serves HTTPS only (docs/operations/secure-channels.md)</td></tr>
 *   <tr><td>EMBASSY_ADMIN_TLS_RELOAD</td><td>1m</td><td>how often the certificate and key files are checked for a rotated pair</td></tr>
 *   <tr><td>EMBASSY_DATABASE_URL</td><td>jdbc:postgresql://127.0.0.1:5432/embassy</td><td>config database</td></tr>
 *   <tr><td>EMBASSY_DATABASE_USER</td><td>embassy</td><td></td></tr>
 *   <tr><td>EMBASSY_DATABASE_PASSWORD</td><td>(empty)</td><td></td></tr>
 *   <tr><td>EMBASSY_DATABASE_POOL</td><td>16</td><td>maximum database connections</td></tr>
 *   <tr><td>EMBASSY_ADMIN_TOKEN / EMBASSY_ADMIN_TOKEN_FILE</td><td>(none)</td><td>the first admin token, at least 24 characters; installed (or rotated) at start-up</td></tr>
 *   <tr><td>EMBASSY_ADMIN_TOKEN_OWNER</td><td>bootstrap-admin</td><td>owner named in the audit log for that token</td></tr>
 * </table>
 */
public record AdminApiConfig(
    String bind,
    int port,
    String databaseUrl,
    String databaseUser,
    String databasePassword,
    int databasePool,
    Optional<String> bootstrapToken,
    String bootstrapTokenOwner,
    Optional<AdminTls.PemFiles> tls) {

  public static AdminApiConfig fromEnvironment(Map<String, String> env) {
    return new AdminApiConfig(
        env.getOrDefault("EMBASSY_ADMIN_BIND", "127.0.0.1"),
        intValue(env, "EMBASSY_ADMIN_PORT", 8001, 0, 65535),
        env.getOrDefault("EMBASSY_DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/embassy"),
        env.getOrDefault("EMBASSY_DATABASE_USER", "embassy"),
        env.getOrDefault("EMBASSY_DATABASE_PASSWORD", ""),
        intValue(env, "EMBASSY_DATABASE_POOL", 16, 1, 200),
        bootstrapToken(env),
        env.getOrDefault("EMBASSY_ADMIN_TOKEN_OWNER", "bootstrap-admin"),
        tls(env));
  }

  private static Optional<AdminTls.PemFiles> tls(Map<String, String> env) {
    Optional<Path> certificate = file(env, "EMBASSY_ADMIN_TLS_CERT");
    Optional<Path> key = file(env, "EMBASSY_ADMIN_TLS_KEY");
    if (certificate.isPresent() != key.isPresent()) {
      throw new IllegalArgumentException("EMBASSY_ADMIN_TLS_CERT and EMBASSY_ADMIN_TLS_KEY are set together or not at all");
    }
    String reload = env.getOrDefault("EMBASSY_ADMIN_TLS_RELOAD", "1m");
    Duration period = DurationText.parse(reload).filter(d -> !d.isZero())
        .orElseThrow(() -> new IllegalArgumentException("EMBASSY_ADMIN_TLS_RELOAD=" + reload + " is not a duration such as 1m"));
    return certificate.map(c -> new AdminTls.PemFiles(c, key.orElseThrow(), period));
  }

  private static Optional<Path> file(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    Path path = Path.of(value.strip());
    if (!Files.isReadable(path)) {
      throw new IllegalArgumentException(name + "=" + value + " is not a readable file");
    }
    return Optional.of(path);
  }

  private static Optional<String> bootstrapToken(Map<String, String> env) {
    String token = env.get("EMBASSY_ADMIN_TOKEN");
    if (token != null && !token.isBlank()) {
      return Optional.of(token.strip());
    }
    String file = env.get("EMBASSY_ADMIN_TOKEN_FILE");
    if (file != null && !file.isBlank()) {
      try {
        return Optional.of(Files.readString(Path.of(file)).strip());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read EMBASSY_ADMIN_TOKEN_FILE " + file, e);
      }
    }
    return Optional.empty();
  }

  private static int intValue(Map<String, String> env, String name, int fallback, int min, int max) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.strip());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // Falls through to the error below.
    }
    throw new IllegalArgumentException(name + "=" + value + " must be an integer from " + min + " to " + max);
  }
}
