package dev.embassy.discovery.consul;

import com.ecwid.consul.ConsulException;
import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.OperationException;
import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.Response;
import com.ecwid.consul.v1.catalog.CatalogServicesRequest;
import com.ecwid.consul.v1.health.model.HealthService;
import com.google.gson.JsonParseException;
import dev.embassy.discovery.DiscoveryException;
import dev.embassy.discovery.ServiceInstance;
import dev.embassy.discovery.ServiceQuery;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@link ConsulHealthApi} on consul-api 1.4.5 (com.ecwid.consul). What it lacks, and how we cope:
 *
 * <ul>
 *   <li>no {@code filter=} expressions, namespaces or admin partitions (Enterprise): not needed
 *       for tag, node-meta, datacenter and health filters, which it has;</li>
 *   <li>no "passing or warning" health filter (neither has Consul): see
 *       {@link HealthServiceMapping#request};</li>
 *   <li>the ACL token only as a {@code ?token=} URL parameter: sent as a header by
 *       {@link ConsulConnection} instead;</li>
 *   <li>no way to cancel a request in flight (the HTTP request object is internal): watches run
 *       on virtual threads, where an interrupt closes the blocked socket (JEP 444);</li>
 *   <li>its health model has no {@code Weights}: weights come from service meta
 *       ({@link dev.embassy.discovery.InstanceMetadata#WEIGHT}).</li>
 * </ul>
 *
 * Errors become {@link DiscoveryException} here, once.
 */
final class EcwidConsulHealthApi implements ConsulHealthApi {
  private static final java.lang.reflect.Type HEALTH_SERVICES = new com.google.gson.reflect.TypeToken<List<HealthService>>() {}.getType();

  private final ConsulClient client;
  private final com.ecwid.consul.v1.ConsulRawClient raw;

  EcwidConsulHealthApi(ConsulClient client, com.ecwid.consul.v1.ConsulRawClient raw) {
    this.client = client;
    this.raw = raw;
  }

  @Override
  public ConsulAnswer<List<ServiceInstance>> serviceInstances(ServiceQuery query, long index, long waitSeconds) {
    Response<List<HealthService>> response = query.connect()
        ? call("Connect endpoints of service " + query.service(), () -> connectServices(query, index, waitSeconds))
        : call("health of service " + query.service(),
            () -> client.getHealthServices(query.service(), HealthServiceMapping.request(query, index, waitSeconds)));
    List<HealthService> entries = response.getValue() == null ? List.of() : response.getValue();
    return new ConsulAnswer<>(HealthServiceMapping.instances(query, entries), indexOf(response));
  }

  @Override
  public ConsulAnswer<Set<String>> catalogServices(Optional<String> datacenter, long index, long waitSeconds) {
    CatalogServicesRequest request =
        CatalogServicesRequest.newBuilder()
            .setQueryParams(new QueryParams(datacenter.orElse(null), waitSeconds, index))
            .build();
    Response<Map<String, List<String>>> response = call("catalog services", () -> client.getCatalogServices(request));
    Set<String> names = response.getValue() == null ? Set.of() : Set.copyOf(response.getValue().keySet());
    return new ConsulAnswer<>(names, indexOf(response));
  }

  /**
   * {@code GET /v1/health/connect/<service>}: consul-api 1.4.5 predates it. It takes the same
   * parameters as {@code /v1/health/service} and answers in the same shape, with the service's
   * Connect proxies (their addresses and ports) as the services.
   */
  private Response<List<HealthService>> connectServices(ServiceQuery query, long index, long waitSeconds) {
    com.ecwid.consul.transport.HttpResponse http = raw.makeGetRequest("/v1/health/connect/" + query.service(),
        HealthServiceMapping.request(query, index, waitSeconds).asUrlParameters());
    if (http.getStatusCode() != 200) {
      throw new OperationException(http);
    }
    List<HealthService> services = com.ecwid.consul.json.GsonFactory.getGson().fromJson(http.getContent(), HEALTH_SERVICES);
    return new Response<>(services, http);
  }

  private static String bodyExcerpt(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    String line = body.strip().replaceAll("\\s+", " ");
    return ": " + (line.length() > 200 ? line.substring(0, 200) + "..." : line);
  }

  private static long indexOf(Response<?> response) {
    Long index = response.getConsulIndex();
    // A missing X-Consul-Index counts as 0, which BlockingIndex never sends back as is.
    return index == null ? 0 : index;
  }

  static <T> Response<T> call(String what, java.util.function.Supplier<Response<T>> request) {
    try {
      return request.get();
    } catch (OperationException e) {
      throw new DiscoveryException(
          "Consul refused the request for " + what + ": HTTP " + e.getStatusCode() + " " + e.getStatusMessage()
              + bodyExcerpt(e.getStatusContent()), e);
    } catch (ConsulException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new DiscoveryException("Consul unreachable while reading " + what + ": " + cause, e);
    } catch (JsonParseException e) {
      throw new DiscoveryException("Consul answered unreadable JSON for " + what, e);
    }
  }
}
