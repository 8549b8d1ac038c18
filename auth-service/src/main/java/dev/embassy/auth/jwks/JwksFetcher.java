package dev.embassy.auth.jwks;

import dev.embassy.auth.jwt.JoseJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fetches discovery documents and JWKS over HTTP. Only URLs from config (or the jwks_uri of a
 * configured discovery document) are fetched, redirects are never followed (a redirect could
 * point the key fetch anywhere), each fetch has a timeout, and bodies above the cap are refused
 * before they are read in full.
 */
public final class JwksFetcher {
  /** What one fetch produced: the keys and the max-age the server asked for, if any. */
  public record Fetched(KeySet keys, URI jwksUri, Optional<Duration> maxAge) {}

  private final HttpClient client;
  private final FetchSettings settings;

  public JwksFetcher(FetchSettings settings) {
    this.settings = settings;
    this.client = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(settings.timeout())
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  /** Resolves {@code source} to keys: discovery first when configured, then the JWKS. */
  public Fetched fetch(KeySource source) throws JwksFetchException {
    URI jwksUri = switch (source) {
      case KeySource.JwksUri direct -> direct.url();
      case KeySource.Discovery discovery -> discover(discovery);
    };
    return fetchJwks(jwksUri);
  }

  /** Fetches the JWKS at a URI already resolved (the unknown-kid path skips discovery). */
  public Fetched fetchJwks(URI jwksUri) throws JwksFetchException {
    Body body = get(jwksUri);
    return new Fetched(KeySet.parse(body.bytes()), jwksUri, CacheControl.maxAge(body.cacheControl()));
  }

  private URI discover(KeySource.Discovery discovery) throws JwksFetchException {
    Map<String, Object> document = JoseJson.object(get(discovery.url()).bytes())
        .orElseThrow(() -> new JwksFetchException("the discovery document is not a JSON object"));
    // OpenID Connect Discovery 1.0 §4.3: the issuer in the document must equal the configured one
    // exactly, or a document at one URL could vouch keys for another issuer.
    if (!discovery.issuer().equals(document.get("issuer"))) {
      throw new JwksFetchException("the discovery document names a different issuer than configured");
    }
    if (!(document.get("jwks_uri") instanceof String jwksUri)) {
      throw new JwksFetchException("the discovery document has no jwks_uri");
    }
    try {
      URI uri = new URI(jwksUri);
      if (!fetchable(uri)) {
        throw new JwksFetchException("jwks_uri must be https (http only to localhost): " + jwksUri);
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new JwksFetchException("jwks_uri is not a URL", e);
    }
  }

  /** The same rule config validation applies to configured URLs. */
  static boolean fetchable(URI uri) {
    String host = uri.getHost();
    boolean loopback = host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"));
    return host != null && uri.getRawUserInfo() == null
        && ("https".equals(uri.getScheme()) || ("http".equals(uri.getScheme()) && loopback));
  }

  private record Body(byte[] bytes, Optional<String> cacheControl) {}

  private Body get(URI uri) throws JwksFetchException {
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(settings.timeout())
        .header("Accept", "application/json")
        .GET()
        .build();
    CompletableFuture<HttpResponse<byte[]>> exchange = client.sendAsync(request, response -> new CappedBody(settings.maxBytes(),
        response.headers().firstValueAsLong("content-length").orElse(-1)));
    HttpResponse<byte[]> response;
    try {
      // The request timeout only covers the response headers; this bounds the whole exchange, so a
      // server that trickles its body cannot hold a fetch (and every Check waiting on it) forever.
      response = exchange.get(settings.timeout().toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      exchange.cancel(true);
      throw new JwksFetchException(uri + " did not answer in full within " + settings.timeout().multipliedBy(2));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof BodyTooLarge) {
        throw new JwksFetchException(uri + " sent more than " + settings.maxBytes() + " bytes; the limit is " + settings.maxBytes());
      }
      throw new JwksFetchException(uri + " failed: " + cause, cause);
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      throw new JwksFetchException("interrupted fetching " + uri, e);
    }
    if (response.statusCode() != 200) {
      throw new JwksFetchException(uri + " answered " + response.statusCode()
          + (response.statusCode() / 100 == 3 ? " (redirects are not followed)" : ""));
    }
    return new Body(response.body(), response.headers().firstValue("cache-control"));
  }

  /** Refusal of a body over the cap; no stack trace, it is an expected outcome. */
  private static final class BodyTooLarge extends IOException {
    BodyTooLarge() {
      super("body over the size cap", null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  /** Collects a body up to {@code max} bytes and cancels the exchange past that. */
  private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int max;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private Flow.Subscription subscription;

    CappedBody(int max, long declaredLength) {
      this.max = max;
      if (declaredLength > max) {
        result.completeExceptionally(new BodyTooLarge());
      }
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      if (result.isDone()) {
        subscription.cancel();
      } else {
        subscription.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      for (ByteBuffer buffer : buffers) {
        if (bytes.size() + buffer.remaining() > max) {
          subscription.cancel();
          result.completeExceptionally(new BodyTooLarge());
          return;
        }
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        bytes.writeBytes(chunk);
      }
    }

    @Override
    public void onError(Throwable throwable) {
      result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      result.complete(bytes.toByteArray());
    }
  }
}
