package dev.embassy.discovery.consul;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.embassy.discovery.ConnectIntention;
import dev.embassy.discovery.ConnectLeaf;
import dev.embassy.discovery.ConnectRoots;
import dev.embassy.discovery.DiscoveryException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link ConsulConnectApi} over the JDK's HTTP client: consul-api has no Connect endpoints. The
 * token goes in the {@code X-Consul-Token} header, never the URL. A blocking read's timeout is
 * the wait plus Consul's jitter and a margin ({@link ConsulDiscoveryConfig#blockingReadTimeout}).
 * The JDK client aborts a request whose thread is interrupted, so stopping a watch ends its read.
 * Errors become {@link DiscoveryException} here, once.
 */
final class HttpConsulConnectApi implements ConsulConnectApi {
  private final HttpClient http;
  private final ConsulDiscoveryConfig config;

  HttpConsulConnectApi(ConsulDiscoveryConfig config) {
    this.config = config;
    this.http = HttpClient.newBuilder().connectTimeout(config.connectTimeout()).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  @Override
  public ConsulAnswer<ConnectRoots> roots(long index, long waitSeconds) {
    Answer answer = get("Connect CA roots", "/v1/agent/connect/ca/roots", index, waitSeconds);
    JsonObject body = answer.json().getAsJsonObject();
    List<String> roots = new ArrayList<>();
    for (JsonElement root : array(body, "Roots")) {
      String pem = text(root.getAsJsonObject(), "RootCert");
      if (!pem.isBlank()) {
        roots.add(pem.strip() + "\n");
      }
    }
    if (roots.isEmpty()) {
      throw new DiscoveryException("Consul's Connect CA has no roots (is Connect enabled on the servers?)");
    }
    return new ConsulAnswer<>(new ConnectRoots(text(body, "TrustDomain"), roots), answer.index());
  }

  @Override
  public ConsulAnswer<ConnectLeaf> leaf(String service, long index, long waitSeconds) {
    Answer answer = get("Connect leaf of " + service,
        "/v1/agent/connect/ca/leaf/" + URLEncoder.encode(service, StandardCharsets.UTF_8), index, waitSeconds);
    JsonObject body = answer.json().getAsJsonObject();
    Instant validBefore;
    try {
      validBefore = Instant.parse(text(body, "ValidBefore"));
    } catch (java.time.format.DateTimeParseException e) {
      throw new DiscoveryException("Consul's leaf for " + service + " has an unreadable ValidBefore", e);
    }
    return new ConsulAnswer<>(new ConnectLeaf(service, text(body, "ServiceURI"), text(body, "CertPEM"), text(body, "PrivateKeyPEM"),
        validBefore), answer.index());
  }

  @Override
  public ConsulAnswer<List<ConnectIntention>> intentions(long index, long waitSeconds) {
    Answer answer = get("Connect intentions", "/v1/connect/intentions", index, waitSeconds);
    List<ConnectIntention> intentions = new ArrayList<>();
    for (JsonElement element : answer.json().isJsonNull() ? new JsonArray() : answer.json().getAsJsonArray()) {
      JsonObject intention = element.getAsJsonObject();
      // An L7 intention has Permissions and no Action; unrendered, it must not let more through.
      ConnectIntention.Action action = "allow".equals(text(intention, "Action")) ? ConnectIntention.Action.ALLOW : ConnectIntention.Action.DENY;
      intentions.add(new ConnectIntention(text(intention, "SourceName"), text(intention, "DestinationName"), action,
          intention.has("Precedence") ? intention.get("Precedence").getAsInt() : 0));
    }
    intentions.sort(java.util.Comparator.comparing(ConnectIntention::destination).thenComparing(ConnectIntention::source));
    return new ConsulAnswer<>(List.copyOf(intentions), answer.index());
  }

  @Override
  public ConsulAnswer<java.util.Set<String>> services(long index, long waitSeconds) {
    Answer answer = get("catalog services", "/v1/catalog/services", index, waitSeconds);
    return new ConsulAnswer<>(java.util.Set.copyOf(answer.json().getAsJsonObject().keySet()), answer.index());
  }

  private record Answer(JsonElement json, long index) {}

  private Answer get(String what, String path, long index, long waitSeconds) {
    String query = index > 0 ? "?index=" + index + "&wait=" + waitSeconds + "s" : "";
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(config.address().toString().replaceAll("/+$", "") + path + query))
        .timeout(index > 0 ? config.blockingReadTimeout() : config.requestTimeout())
        .GET();
    config.token().ifPresent(token -> request.header("X-Consul-Token", token));
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new DiscoveryException("Consul unreachable while reading " + what + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DiscoveryException("reading " + what + " was interrupted", e);
    }
    if (response.statusCode() != 200) {
      String body = response.body() == null ? "" : response.body().strip().replaceAll("\\s+", " ");
      throw new DiscoveryException("Consul refused the request for " + what + ": HTTP " + response.statusCode()
          + (body.isEmpty() ? "" : ": " + (body.length() > 200 ? body.substring(0, 200) + "..." : body)));
    }
    long returned = response.headers().firstValueAsLong("X-Consul-Index").orElse(0);
    try {
      return new Answer(JsonParser.parseString(response.body()), returned);
    } catch (JsonParseException | IllegalStateException e) {
      throw new DiscoveryException("Consul answered unreadable JSON for " + what, e);
    }
  }

  private static String text(JsonObject object, String field) {
    JsonElement value = object.get(field);
    return value == null || value.isJsonNull() ? "" : value.getAsString();
  }

  private static JsonArray array(JsonObject object, String field) {
    JsonElement value = object.get(field);
    return value == null || !value.isJsonArray() ? new JsonArray() : value.getAsJsonArray();
  }
}
