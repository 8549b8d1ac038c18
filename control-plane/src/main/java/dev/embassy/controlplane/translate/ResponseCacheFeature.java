package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import dev.embassy.controlplane.ir.HttpListener;
import io.envoyproxy.envoy.extensions.filters.http.cache.v3.CacheConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.http.cache.simple_http_cache.v3.SimpleHttpCacheConfig;

/**
 * Response caching on rules with {@code responseCache: true}: Envoy's cache filter with its
 * in-memory store, which caches GET answers the backend marks cacheable (Cache-Control, Expires,
 * Vary) and revalidates stale entries. Envoy's docs call that store work in progress, not meant
 * for production; it is per Envoy and not shared (docs/features.md has what was observed). On
 * the listener only where some rule asks for it, and turned off on every other route there.
 */
final class ResponseCacheFeature implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.cache";

  private static final HttpFilter HTTP_FILTER = HttpFilter.newBuilder().setName(FILTER)
      .setTypedConfig(Any.pack(CacheConfig.newBuilder().setTypedConfig(Any.pack(SimpleHttpCacheConfig.getDefaultInstance())).build()))
      .build();

  @Override
  public OnListener on(HttpListener listener) {
    return HttpFilterFeature.onlyWhere(listener, HTTP_FILTER, rule -> rule.rule().responseCache());
  }
}
