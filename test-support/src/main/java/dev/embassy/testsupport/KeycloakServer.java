package dev.embassy.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A real Keycloak from Maven Central's keycloak-quarkus-dist, as deploy/provision built it (an
 * in-memory H2 database, health checks on): {@code kc.sh start --optimized} in production mode
 * over plain HTTP on 127.0.0.1, its HTTP and management ports free ones (the management port's
 * default, 9000, is often taken), a single node ({@code --cache=local}: the default, a cluster,
 * would bind every interface to look for peers), and a bootstrap admin with a random password.
 * Stopped, with the JVM kc.sh forks, on close. A start takes about 16 s here.
 */
public final class KeycloakServer implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  private static final String ADMIN_USER = "admin";

  private final int httpPort;
  private final int managementPort;
  private final String adminPassword;
  private final ManagedProcess process;

  private KeycloakServer(int httpPort, int managementPort, String adminPassword, ManagedProcess process) {
    this.httpPort = httpPort;
    this.managementPort = managementPort;
    this.adminPassword = adminPassword;
    this.process = process;
  }

  /**
   * Starts Keycloak with {@code kc.sh start OPTIONS}, as a guide writes them (docs/guides/keycloak.md),
   * and returns once /health/ready answers UP. The HTTP and management ports are moved to free
   * ones, so both must be given; the HTTP host must be 127.0.0.1, where {@link #baseUrl()} points.
   */
  public static KeycloakServer start(List<String> options) {
    int[] ports = FreePorts.many(2);
    List<String> command = new java.util.ArrayList<>(List.of("start"));
    java.util.Set<String> given = new java.util.HashSet<>();
    for (String option : options) {
      String name = option.split("=", 2)[0];
      if (!option.startsWith("--") || !option.contains("=") && !name.equals("--optimized")) {
        throw new IllegalArgumentException("kc.sh start option '" + option + "': only --name=value options and --optimized are passed on");
      }
      switch (name) {
        case "--http-port" -> command.add(name + "=" + ports[0]);
        case "--http-management-port" -> command.add(name + "=" + ports[1]);
        case "--http-host" -> {
          if (!option.equals("--http-host=127.0.0.1")) {
            throw new IllegalArgumentException("Keycloak must listen on 127.0.0.1 here, not " + option);
          }
          command.add(option);
        }
        default -> command.add(option);
      }
      given.add(name);
    }
    if (!given.containsAll(List.of("--http-port", "--http-management-port"))) {
      throw new IllegalArgumentException("kc.sh start options must name --http-port and --http-management-port, which are moved to free ports: " + options);
    }
    // Only once the options are known to be fine: a wrong page fails the same with or without a provisioned Keycloak.
    command.addFirst(RealBinary.KEYCLOAK.path().toString());
    byte[] secret = new byte[16];
    new SecureRandom().nextBytes(secret);
    String password = HexFormat.of().formatHex(secret);
    Path log;
    try {
      log = Files.createTempDirectory("embassy-keycloak-").resolve("keycloak.log");
    } catch (IOException e) {
      throw new UncheckedIOException("could not create Keycloak's log directory", e);
    }
    Map<String, String> env = Map.of("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USER, "KC_BOOTSTRAP_ADMIN_PASSWORD", password,
        "JAVA_HOME", System.getProperty("java.home"));
    KeycloakServer server = new KeycloakServer(ports[0], ports[1], password, ManagedProcess.start("keycloak", command, env, log));
    try {
      server.awaitReady();
      return server;
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
  }

  /** Where clients reach Keycloak, e.g. {@code http://127.0.0.1:PORT}; tokens name this host as issuer. */
  public String baseUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  public String issuer(String realm) {
    return baseUrl() + "/realms/" + realm;
  }

  public String discoveryUrl(String realm) {
    return issuer(realm) + "/.well-known/openid-configuration";
  }

  public ManagedProcess process() {
    return process;
  }

  /** A token endpoint grant in {@code realm}: the parsed JSON answer, whatever its status. */
  public JsonNode token(String realm, Map<String, String> form) {
    String body = form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    HttpRequest request = HttpRequest.newBuilder(URI.create(issuer(realm) + "/protocol/openid-connect/token"))
        .timeout(Duration.ofSeconds(10))
        .header("content-type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    String answer = send(request).body();
    try {
      return JSON.readTree(answer);
    } catch (IOException e) {
      throw new IllegalStateException("Keycloak's token endpoint answered no JSON: " + answer, e);
    }
  }

  /** The bootstrap admin's password (random per start), for a guide's commands that log in as that admin. */
  public String adminPassword() {
    return adminPassword;
  }

  /** An access token for the bootstrap admin (master realm, admin-cli), for the admin REST API. */
  public String adminToken() {
    JsonNode answer = token("master", Map.of("grant_type", "password", "client_id", "admin-cli",
        "username", ADMIN_USER, "password", adminPassword));
    if (!answer.hasNonNull("access_token")) {
      throw new IllegalStateException("Keycloak refused the bootstrap admin: " + answer);
    }
    return answer.get("access_token").asText();
  }

  /**
   * A call to the admin REST API ({@code path} under /admin/realms) as the bootstrap admin;
   * fails unless Keycloak answers 2xx.
   */
  public HttpResponse<String> admin(String method, String path, String jsonBody) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/realms" + path))
        .timeout(Duration.ofSeconds(30))
        .header("authorization", "Bearer " + adminToken())
        .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
    if (jsonBody != null) {
      request.header("content-type", "application/json");
    }
    HttpResponse<String> response = send(request.build());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException("Keycloak admin %s %s answered %d: %s".formatted(method, path, response.statusCode(), response.body()));
    }
    return response;
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/health/ready"))
        .timeout(Duration.ofSeconds(2)).build();
    while (System.nanoTime() < deadline) {
      process.requireAlive();
      try {
        if (HTTP.send(ready, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        // Keycloak opens its ports only after Quarkus has started; keep polling.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for Keycloak", e);
      }
      sleep(Duration.ofMillis(250));
    }
    throw new IllegalStateException("Keycloak not ready within %s; last log lines from %s:%n%s"
        .formatted(READY_TIMEOUT, process.log(), process.logTail(40)));
  }

  private static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("Keycloak request " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Keycloak", e);
    }
  }

  @Override
  public void close() {
    process.close();
  }
}
