package dev.embassy.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;

import com.ecwid.consul.v1.agent.model.NewService;
import dev.embassy.discovery.CheckStatus;
import dev.embassy.discovery.HealthCheck;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsulServiceRegistryTest {
  @Test
  void grpcCheck() {
    NewService.Check check =
        ConsulServiceRegistry.check(
            new HealthCheck.Grpc("10.0.0.5:8081", false, Duration.ofSeconds(1), Duration.ofMillis(500), Optional.of(Duration.ofMinutes(1))));
    assertThat(check.getGrpc()).isEqualTo("10.0.0.5:8081");
    assertThat(check.getGrpcUseTLS()).isFalse();
    assertThat(check.getInterval()).isEqualTo("1000ms");
    assertThat(check.getTimeout()).isEqualTo("500ms");
    assertThat(check.getDeregisterCriticalServiceAfter()).isEqualTo("60000ms");
  }

  @Test
  void httpCheck() {
    NewService.Check check =
        ConsulServiceRegistry.check(
            new HealthCheck.Http(URI.create("http://10.0.0.5:8082/healthz"), Duration.ofSeconds(2), Duration.ofSeconds(1), Optional.empty()));
    assertThat(check.getHttp()).isEqualTo("http://10.0.0.5:8082/healthz");
    assertThat(check.getInterval()).isEqualTo("2000ms");
    assertThat(check.getDeregisterCriticalServiceAfter()).isNull();
  }

  @Test
  void ttlCheckStartsInTheGivenState() {
    NewService.Check check = ConsulServiceRegistry.check(new HealthCheck.Ttl(Duration.ofSeconds(30), CheckStatus.PASSING, Optional.empty()));
    assertThat(check.getTtl()).isEqualTo("30000ms");
    assertThat(check.getStatus()).isEqualTo("passing");
    assertThat(check.getInterval()).isNull();
  }

  @Test
  void tcpCheck() {
    NewService.Check check =
        ConsulServiceRegistry.check(new HealthCheck.Tcp("10.0.0.5:8081", Duration.ofSeconds(5), Duration.ofSeconds(1), Optional.empty()));
    assertThat(check.getTcp()).isEqualTo("10.0.0.5:8081");
  }
}
