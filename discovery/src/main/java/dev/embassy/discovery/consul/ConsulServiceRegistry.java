package dev.embassy.discovery.consul;

import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.OperationException;
import com.ecwid.consul.v1.agent.model.NewService;
import dev.embassy.discovery.CheckStatus;
import dev.embassy.discovery.DiscoveryException;
import dev.embassy.discovery.HealthCheck;
import dev.embassy.discovery.Registration;
import dev.embassy.discovery.ServiceRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ServiceRegistry} on the local Consul agent's API: {@code PUT /v1/agent/service/register}
 * with one check, {@code PUT /v1/agent/service/deregister/<id>}, {@code PUT /v1/agent/check/<pass|warn|fail>/<id>}.
 * The agent, not the catalog, is the right place: it runs the check and keeps the registration
 * in sync with the servers (anti-entropy) across server restarts.
 */
public final class ConsulServiceRegistry implements ServiceRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(ConsulServiceRegistry.class);

  private final ConsulClient agent;

  public ConsulServiceRegistry(ConsulConnection connection) {
    this.agent = connection.agentClient();
  }

  @Override
  public void register(Registration r) {
    NewService service = new NewService();
    service.setId(r.id());
    service.setName(r.service());
    service.setAddress(r.address());
    service.setPort(r.port());
    service.setTags(new ArrayList<>(r.tags()));
    service.setMeta(new HashMap<>(r.meta()));
    r.check().ifPresent(check -> service.setCheck(check(check)));
    EcwidConsulHealthApi.call("registration of " + r.id(), () -> agent.agentServiceRegister(service));
    LOG.info("registered {} ({} at {}:{}) with the Consul agent", r.id(), r.service(), r.address(), r.port());
  }

  @Override
  public void deregister(String serviceId) {
    try {
      EcwidConsulHealthApi.call("deregistration of " + serviceId, () -> agent.agentServiceDeregister(serviceId));
      LOG.info("deregistered {} from the Consul agent", serviceId);
    } catch (DiscoveryException e) {
      // Consul answers 404 for an id it does not know: already gone is what was asked for.
      if (e.getCause() instanceof OperationException refused && refused.getStatusCode() == 404) {
        return;
      }
      throw e;
    }
  }

  @Override
  public void updateTtl(String serviceId, CheckStatus status, String note) {
    // The check registered with a service (a single "Check") gets the id "service:<service id>".
    String checkId = "service:" + serviceId;
    EcwidConsulHealthApi.call("TTL update of " + serviceId, () -> switch (status) {
      case PASSING -> agent.agentCheckPass(checkId, note);
      case WARNING -> agent.agentCheckWarn(checkId, note);
      case CRITICAL -> agent.agentCheckFail(checkId, note);
    });
  }

  static NewService.Check check(HealthCheck check) {
    NewService.Check consul = new NewService.Check();
    check.deregisterAfter().ifPresent(d -> consul.setDeregisterCriticalServiceAfter(goDuration(d)));
    switch (check) {
      case HealthCheck.Http http -> {
        consul.setHttp(http.url().toString());
        consul.setInterval(goDuration(http.interval()));
        consul.setTimeout(goDuration(http.timeout()));
      }
      case HealthCheck.Grpc grpc -> {
        consul.setGrpc(grpc.target());
        consul.setGrpcUseTLS(grpc.tls());
        consul.setInterval(goDuration(grpc.interval()));
        consul.setTimeout(goDuration(grpc.timeout()));
      }
      case HealthCheck.Tcp tcp -> {
        consul.setTcp(tcp.hostPort());
        consul.setInterval(goDuration(tcp.interval()));
        consul.setTimeout(goDuration(tcp.timeout()));
      }
      case HealthCheck.Ttl ttl -> {
        consul.setTtl(goDuration(ttl.ttl()));
        consul.setStatus(ttl.initialStatus().name().toLowerCase(Locale.ROOT));
      }
    }
    return consul;
  }

  /** Consul parses durations with Go's time.ParseDuration; milliseconds are exact and always accepted. */
  static String goDuration(Duration d) {
    return d.toMillis() + "ms";
  }
}
