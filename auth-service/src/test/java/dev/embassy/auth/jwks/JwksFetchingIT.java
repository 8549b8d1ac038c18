package dev.embassy.auth.jwks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embassy.auth.JwksServer;
import dev.embassy.auth.TestKeys;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Key fetching against a real HTTP server: the fetch rules, discovery, and the unknown-kid refetch. */
class JwksFetchingIT {
  private static final String ISSUER = "https://issuer.test";
  private static final FetchSettings SETTINGS = new FetchSettings(Duration.ofMillis(500), 4096, Duration.ofSeconds(30),
      Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofSeconds(30));
  private final String jwks = TestKeys.jwks(List.of(TestKeys.rsa("k1")));

  @Test
  void fetchRules() throws Exception {
    try (JwksServer server = JwksServer.start()) {
      server.serve("/jwks", new JwksServer.Answer(200, jwks, Map.of("cache-control", "public, max-age=120")))
          .serve("/moved", new JwksServer.Answer(302, "", Map.of("location", server.url("/jwks"))))
          .serve("/huge", JwksServer.Answer.json("{\"keys\":[],\"pad\":\"" + "x".repeat(5000) + "\"}"))
          .serve("/error", new JwksServer.Answer(500, "oops", Map.of()))
          .serve("/.well-known/openid-configuration", JwksServer.Answer.json(
              "{\"issuer\":\"" + ISSUER + "\",\"jwks_uri\":\"" + server.url("/jwks") + "\"}"))
          .serve("/impostor/.well-known/openid-configuration", JwksServer.Answer.json(
              "{\"issuer\":\"https://someone-else.test\",\"jwks_uri\":\"" + server.url("/jwks") + "\"}"))
          .serve("/remote/.well-known/openid-configuration", JwksServer.Answer.json(
              "{\"issuer\":\"" + ISSUER + "\",\"jwks_uri\":\"http://203.0.113.7/jwks\"}"));
      JwksFetcher fetcher = new JwksFetcher(SETTINGS);

      JwksFetcher.Fetched direct = fetcher.fetch(new KeySource.JwksUri(ISSUER, URI.create(server.url("/jwks"))));
      assertThat(direct.keys().byKid("k1")).isPresent();
      assertThat(direct.maxAge()).hasValue(Duration.ofMinutes(2));

      JwksFetcher.Fetched discovered = fetcher.fetch(new KeySource.Discovery(ISSUER, URI.create(server.url("/.well-known/openid-configuration"))));
      assertThat(discovered.jwksUri()).isEqualTo(URI.create(server.url("/jwks")));

      assertThatThrownBy(() -> fetcher.fetch(new KeySource.JwksUri(ISSUER, URI.create(server.url("/moved")))))
          .hasMessageContaining("302").hasMessageContaining("redirects are not followed");
      assertThat(server.hits("/jwks")).as("the redirect target was not fetched").isEqualTo(2);
      assertThatThrownBy(() -> fetcher.fetch(new KeySource.JwksUri(ISSUER, URI.create(server.url("/huge")))))
          .hasMessageContaining("4096");
      assertThatThrownBy(() -> fetcher.fetch(new KeySource.JwksUri(ISSUER, URI.create(server.url("/error")))))
          .hasMessageContaining("500");
      assertThatThrownBy(() -> fetcher.fetch(new KeySource.Discovery(ISSUER, URI.create(server.url("/impostor/.well-known/openid-configuration")))))
          .hasMessageContaining("different issuer");
      assertThatThrownBy(() -> fetcher.fetch(new KeySource.Discovery(ISSUER, URI.create(server.url("/remote/.well-known/openid-configuration")))))
          .hasMessageContaining("must be https");
    }
  }

  @Test
  void unknownKidRefetchesAreSharedAndRateLimited() throws Exception {
    try (JwksServer server = JwksServer.start()) {
      server.serve("/jwks", JwksServer.Answer.json(jwks));
      List<String> fetches = new ArrayList<>();
      try (JwksRegistry registry = new JwksRegistry(SETTINGS, (s, t, ok) -> fetches.add(t.label() + ":" + ok), Clock.systemUTC())) {
        ProviderKeys keys = registry.keys(new KeySource.JwksUri(ISSUER, URI.create(server.url("/jwks"))));
        keys.refetchForUnknownKid().get();
        assertThat(keys.current().byKid("k1")).isPresent();
        int afterStart = server.hits("/jwks");

        // Rotation: the IdP publishes k2.
        server.serve("/jwks", JwksServer.Answer.json(TestKeys.jwks(List.of(TestKeys.rsa("k1"), TestKeys.rsa("k2")))));
        List<CompletableFuture<KeySet>> waiting = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
          waiting.add(keys.refetchForUnknownKid());
        }
        for (CompletableFuture<KeySet> f : waiting) {
          f.get();
        }
        assertThat(keys.current().byKid("k2")).isPresent();
        assertThat(server.hits("/jwks") - afterStart).as("50 callers, one fetch").isEqualTo(1);
        // Within the 30 s interval further unknown kids do not fetch at all.
        for (int i = 0; i < 20; i++) {
          keys.refetchForUnknownKid().get();
        }
        assertThat(server.hits("/jwks") - afterStart).isEqualTo(1);
        assertThat(fetches).contains("unknown_kid:true");
      }
    }
  }

  @Test
  void aFailingEndpointKeepsTheCachedKeysAndSaysSo() throws Exception {
    try (JwksServer server = JwksServer.start()) {
      server.serve("/jwks", JwksServer.Answer.json(jwks));
      FetchSettings eager = new FetchSettings(Duration.ofMillis(500), 4096, Duration.ofSeconds(30), Duration.ofMinutes(5),
          Duration.ofHours(1), Duration.ZERO);
      try (JwksRegistry registry = new JwksRegistry(eager, (s, t, ok) -> {}, Clock.systemUTC())) {
        ProviderKeys keys = registry.keys(new KeySource.JwksUri(ISSUER, URI.create(server.url("/jwks"))));
        keys.refetchForUnknownKid().get();
        server.serve("/jwks", new JwksServer.Answer(503, "down", Map.of()));
        keys.refetchForUnknownKid().get();
        assertThat(keys.current().byKid("k1")).as("cached keys survive the outage").isPresent();
        assertThat(keys.state().lastError()).hasValueSatisfying(e -> assertThat(e).contains("503"));
        assertThat(keys.state().hasKeys()).isTrue();
      }
    }
  }
}
