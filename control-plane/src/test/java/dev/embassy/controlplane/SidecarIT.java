package dev.embassy.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.config.store.ConfigStore;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.EnvoyProcess;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.RepoPaths;
import dev.embassy.testsupport.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A service using Embassy as a lightweight mesh, with a real sidecar Envoy: requests to the inbound
 * listener reach the app beside it; the app's calls to the outbound listener reach other services
 * by Host (with or without a port), a route attached to the outbound listener takes precedence for
 * its paths, and an unknown Host gets 404.
 */
@ExtendWith(PostgresExtension.class)
class SidecarIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void inboundReachesTheAppAndOutboundRoutesByHost(TestDatabase database) throws Exception {
    int inbound = FreePorts.one();
    int outbound = FreePorts.one();
    try (DemoBackend app = DemoBackend.start("orders-app");
        DemoBackend payments = DemoBackend.start("payments");
        DemoBackend paymentsV2 = DemoBackend.start("payments-v2");
        HikariDataSource dataSource = ConfigDatabase.connect(database.jdbcUrl(), database.user(), database.password(), 4)) {
      ConfigSchema.migrate(dataSource);
      new ConfigStore(dataSource).apply(ConfigJson.yaml().readValue("""
          clusters:
            - {name: payments, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}
            - {name: payments-v2, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}
          gateways:
            - name: orders
              nodeGroup: orders
              sidecar:
                inbound: {port: %d, appPort: %d}
                outbound: {port: %d, clusters: [payments]}
          routes:
            - {name: payments-v2, gateway: orders, listener: outbound, hostnames: [payments],
               rules: [{matches: [{path: {value: /v2}}], backendRefs: [{cluster: payments-v2}]}]}
          """.formatted(payments.port(), paymentsV2.port(), inbound, app.port(), outbound), ConfigDocument.class), true, false, "it", "mesh");
      try (ControlPlane controlPlane = ControlPlane.start(LocalControlPlane.config(0), dataSource, "it");
          EnvoyProcess envoy = EnvoyProcess.start(RepoPaths.envoyBootstrap("sidecar.yaml"), Map.of(
              "ENVOY_NODE_ID", "orders-1", "ENVOY_NODE_GROUP", "orders", "ENVOY_XDS_API_TYPE", "DELTA_GRPC",
              "EMBASSY_XDS_HOST", "127.0.0.1", "EMBASSY_XDS_PORT", Integer.toString(controlPlane.xdsPort())))) {
        envoy.awaitReady(Duration.ofSeconds(30));

        assertThat(get(inbound, "orders.example.com", "/orders/1")).isEqualTo("200 orders-app");
        assertThat(get(inbound, "anything", "/")).as("inbound takes any Host").isEqualTo("200 orders-app");

        assertThat(get(outbound, "payments", "/charge")).isEqualTo("200 payments");
        assertThat(get(outbound, "payments:" + outbound, "/charge")).as("the port in Host does not matter").isEqualTo("200 payments");
        assertThat(get(outbound, "payments", "/v2/charge")).as("an attached route wins for its paths").isEqualTo("200 payments-v2");
        assertThat(get(outbound, "inventory", "/")).as("a service the sidecar may not call").startsWith("404");
        ServedConfigValidation.assertEnvoyAccepts(controlPlane, "orders");
      }
    }
  }

  /** A plain HTTP/1.1 GET with a chosen Host header (java.net.http does not let one set Host). */
  private static String get(int port, String host, String path) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      in.transferTo(response);
      String text = response.toString(StandardCharsets.UTF_8);
      int status = Integer.parseInt(text.substring(9, 12));
      String body = text.substring(text.indexOf("\r\n\r\n") + 4);
      return status == 200 ? status + " " + JSON.readTree(body).path("backend").asText() : status + " " + body;
    }
  }
}
