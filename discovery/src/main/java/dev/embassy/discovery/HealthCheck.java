package dev.embassy.discovery;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The health check registered with an instance; the agent runs it. {@code deregisterAfter}: the
 * agent removes an instance that stayed critical that long (Consul's
 * DeregisterCriticalServiceAfter, at least one minute in Consul), so crashed nodes do not linger.
 */
public sealed interface HealthCheck {
  Optional<Duration> deregisterAfter();

  /** The agent GETs {@code url} every {@code interval}; 2xx is passing, 429 warning, else critical. */
  record Http(URI url, Duration interval, Duration timeout, Optional<Duration> deregisterAfter) implements HealthCheck {
    public Http {
      Objects.requireNonNull(url, "url");
      positive(interval, "interval");
      positive(timeout, "timeout");
      Objects.requireNonNull(deregisterAfter, "deregisterAfter");
    }
  }

  /**
   * The agent calls {@code grpc.health.v1.Health/Check} on {@code target} ({@code host:port}, or
   * {@code host:port/service} to name the service) every {@code interval}.
   */
  record Grpc(String target, boolean tls, Duration interval, Duration timeout, Optional<Duration> deregisterAfter)
      implements HealthCheck {
    public Grpc {
      Objects.requireNonNull(target, "target");
      positive(interval, "interval");
      positive(timeout, "timeout");
      Objects.requireNonNull(deregisterAfter, "deregisterAfter");
    }
  }

  /** The agent opens a TCP connection to {@code hostPort} every {@code interval}. */
  record Tcp(String hostPort, Duration interval, Duration timeout, Optional<Duration> deregisterAfter) implements HealthCheck {
    public Tcp {
      Objects.requireNonNull(hostPort, "hostPort");
      positive(interval, "interval");
      positive(timeout, "timeout");
      Objects.requireNonNull(deregisterAfter, "deregisterAfter");
    }
  }

  /**
   * The process itself reports its state ({@link ServiceRegistry#updateTtl}); without a report
   * within {@code ttl} the check turns critical.
   */
  record Ttl(Duration ttl, CheckStatus initialStatus, Optional<Duration> deregisterAfter) implements HealthCheck {
    public Ttl {
      positive(ttl, "ttl");
      Objects.requireNonNull(initialStatus, "initialStatus");
      Objects.requireNonNull(deregisterAfter, "deregisterAfter");
    }
  }

  private static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }
}
