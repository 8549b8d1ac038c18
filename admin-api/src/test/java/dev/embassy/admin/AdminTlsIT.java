package dev.embassy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.admin.auth.AdminTokens;
import dev.embassy.admin.cli.EmbassyCtl;
import dev.embassy.admin.http.AdminHttpServer;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.testsupport.DocSnippets;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestCertificates;
import dev.embassy.testsupport.TestDatabase;
import dev.embassy.testsupport.TlsContexts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin API over HTTPS as docs/operations/secure-channels.md configures it: started from the
 * page's variables pointed at certificates minted for this run, then called with a client that
 * trusts only the test CA, probed in plaintext, and its certificate rotated on disk.
 */
@ExtendWith(PostgresExtension.class)
class AdminTlsIT {
  private static final String DOC = "operations/secure-channels.md";
  private static final String TOKEN = "admin-tls-it-token-0123456789abcdef";
  /** The address the page's client commands use; this test's server listens elsewhere. */
  private static final String DOCUMENTED_ADMIN = "https://embassy-admin.internal:8001";

  private static Path dir;
  private static TestCertificates ca;
  private static TestCertificates.Issued served;
  private static HikariDataSource dataSource;
  private static AdminHttpServer server;
  private static HttpClient https;

  @BeforeAll
  static void start(TestDatabase database) throws Exception {
    dir = Files.createTempDirectory("embassy-admin-tls-");
    ca = TestCertificates.authority("embassy-admin-test-ca");
    served = ca.server(dir, "admin");
    Map<String, Path> files = Map.of("EMBASSY_ADMIN_TLS_CERT", served.certificate(), "EMBASSY_ADMIN_TLS_KEY", served.privateKey());
    Map<String, String> documented = DocSnippets.variables(DOC, "admin-tls-env");
    assertThat(documented.keySet()).as("the variables the page sets").containsExactlyInAnyOrderElementsOf(files.keySet());
    Map<String, String> env = new HashMap<>(Map.of("EMBASSY_ADMIN_TLS_RELOAD", "200ms"));
    documented.keySet().forEach(name -> env.put(name, files.get(name).toString()));
    AdminApiConfig config = AdminApiConfig.fromEnvironment(env);

    dataSource = ConfigDatabase.connect(database.jdbcUrl(), database.user(), database.password(), 4);
    ConfigSchema.migrate(dataSource);
    new AdminTokens(dataSource).installBootstrap(TOKEN, "admin-tls-it");
    server = AdminHttpServer.start("127.0.0.1", 0, dataSource, config.tls());
    https = HttpClient.newBuilder().sslContext(trustingTheTestCa()).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (dataSource != null) {
      dataSource.close();
    }
  }

  @Test
  void theApiAnswersOverHttpsToAClientThatTrustsTheCa() throws Exception {
    HttpResponse<String> gateways = https.send(HttpRequest.newBuilder(uri("https", "/api/v1/gateways"))
        .header("authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(gateways.statusCode()).as(gateways.body()).isEqualTo(200);
    assertThat(gateways.body()).contains("\"items\"");
    assertThat(https.send(HttpRequest.newBuilder(uri("https", "/healthz")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(200);
  }

  @Test
  void embassyctlTrustsTheCaGivenWithCacertAndOnlyThen() throws Exception {
    Path caFile = ca.writeCertificate(dir.resolve("ca.crt"));
    String url = "https://127.0.0.1:" + server.port();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = EmbassyCtl.run(new String[] {"--url", url, "--cacert", caFile.toString(), "dump", "--format", "json"},
        Map.of("EMBASSY_ADMIN_TOKEN", TOKEN), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8)).isObject()).as("a JSON config document").isTrue();

    ByteArrayOutputStream refused = new ByteArrayOutputStream();
    int untrusted = EmbassyCtl.run(new String[] {"--url", url, "dump"}, Map.of("EMBASSY_ADMIN_TOKEN", TOKEN),
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(refused, true, StandardCharsets.UTF_8));
    assertThat(untrusted).as("without --cacert the JDK's CAs do not know the test CA").isEqualTo(1);
    assertThat(refused.toString(StandardCharsets.UTF_8)).contains("cannot reach " + url);
  }

  /** The page's curl (the real binary, through bash) and embassyctl lines, with only its admin address replaced by this server's. */
  @Test
  void thePagesCurlAndEmbassyctlCommandsAreAnswered() throws Exception {
    Path work = Files.createDirectories(dir.resolve("clients"));
    ca.writeCertificate(work.resolve("ca.crt"));
    String url = "https://127.0.0.1:" + server.port();
    java.util.List<String> lines = DocSnippets.block(DOC, "admin-https-clients").lines().filter(l -> !l.isBlank())
        .map(l -> l.replace(DOCUMENTED_ADMIN, url)).toList();
    assertThat(lines).as("a curl line and an embassyctl line").hasSize(2);
    assertThat(lines.get(0)).startsWith("curl ").contains(url);
    assertThat(lines.get(1)).startsWith("embassyctl ").contains(url);

    ProcessBuilder curl = new ProcessBuilder("bash", "-euo", "pipefail", "-c", lines.get(0)).directory(work.toFile());
    curl.environment().put("EMBASSY_ADMIN_TOKEN", TOKEN);
    Process run = curl.redirectErrorStream(true).start();
    String answer = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(run.waitFor()).as("curl: " + answer).isZero();
    assertThat(answer).as("the gateway list").contains("\"items\"");

    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(lines.get(1).split("\\s+")));
    args.removeFirst();
    int cacert = args.indexOf("--cacert");
    args.set(cacert + 1, work.resolve(args.get(cacert + 1)).toString()); // relative to the reader's directory, as for curl
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = EmbassyCtl.run(args.toArray(String[]::new), Map.of("EMBASSY_ADMIN_TOKEN", TOKEN),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).as("a dumped config").isNotBlank();
  }

  @Test
  void plaintextGetsNoHttpAnswerAndAClientWithoutTheCaNoConnection() {
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(uri("http", "/healthz")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString())).as("plaintext HTTP on the HTTPS port").isInstanceOf(IOException.class);
    HttpClient systemTrust = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    assertThatThrownBy(() -> systemTrust.send(HttpRequest.newBuilder(uri("https", "/healthz")).build(), HttpResponse.BodyHandlers.ofString()))
        .as("a client that does not trust the test CA").isInstanceOf(IOException.class);
  }

  @Test
  void aRotatedCertificateIsServedToNewConnectionsOnceItsKeyMatches() throws Exception {
    assertThat(servedSerial()).isEqualTo(served.x509().getSerialNumber());
    TestCertificates.Issued next = ca.server(Files.createDirectories(dir.resolve("staging")), "admin");

    // The key first, alone: a certificate with another certificate's key must not be installed.
    Files.move(next.privateKey(), served.privateKey(), StandardCopyOption.REPLACE_EXISTING);
    Thread.sleep(600); // three reload periods
    assertThat(servedSerial()).as("the old pair keeps serving").isEqualTo(served.x509().getSerialNumber());
    assertThat(https.send(HttpRequest.newBuilder(uri("https", "/healthz")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
        .as("and new connections still complete their handshake").isEqualTo(200);

    long written = System.nanoTime();
    Files.move(next.certificate(), served.certificate(), StandardCopyOption.REPLACE_EXISTING);
    long deadline = written + TimeUnit.SECONDS.toNanos(5);
    while (!servedSerial().equals(next.x509().getSerialNumber())) {
      assertThat(System.nanoTime()).as("the rotated certificate is served within 5 s at a 200 ms reload").isLessThan(deadline);
      Thread.sleep(20);
    }
    System.out.printf("admin API certificate rotation: served to new connections %d ms after the file was replaced%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - written));
    HttpClient fresh = HttpClient.newBuilder().sslContext(trustingTheTestCa()).build();
    assertThat(fresh.send(HttpRequest.newBuilder(uri("https", "/healthz")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(200);
  }

  private static URI uri(String scheme, String path) {
    return URI.create(scheme + "://127.0.0.1:" + server.port() + path);
  }

  /** A fresh context per probe, so no TLS session is resumed with the old certificate. */
  private static BigInteger servedSerial() throws Exception {
    try (SSLSocket socket = (SSLSocket) trustingTheTestCa().getSocketFactory().createSocket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5000);
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  private static SSLContext trustingTheTestCa() {
    return TlsContexts.client(ca.certificate(), Optional.empty());
  }
}
