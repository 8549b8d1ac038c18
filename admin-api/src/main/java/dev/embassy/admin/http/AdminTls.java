package dev.embassy.admin.http;

import dev.embassy.config.validate.KeyPairMatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTPS for the admin API: the certificate chain and PKCS#8 key come from PEM files (the form
 * cert-manager, Vault and openssl hand out), and are re-read when either file changes, so a
 * rotated certificate is served to new connections without a restart. With TLS on, the port
 * speaks nothing else: a plaintext request gets no HTTP answer.
 */
public final class AdminTls implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdminTls.class);
  private static final Pattern PKCS8 = Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
  private static final char[] IN_MEMORY = "in-memory".toCharArray();

  /** Where the certificate and key are, and how often to look for a new one. */
  public record PemFiles(Path certificate, Path privateKey, Duration reload) {}

  private final PemFiles files;
  private final SslContextFactory.Server context;
  private final ScheduledExecutorService watcher;
  private volatile List<FileTime> loaded;
  private volatile List<FileTime> refused = List.of();

  private AdminTls(PemFiles files, SslContextFactory.Server context, List<FileTime> loaded) {
    this.files = files;
    this.context = context;
    this.loaded = loaded;
    this.watcher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("admin-tls-reload").daemon().factory());
    long period = files.reload().toMillis();
    watcher.scheduleWithFixedDelay(this::reloadIfChanged, period, period, TimeUnit.MILLISECONDS);
  }

  /** Reads the files now, so a bad certificate or key fails start-up rather than the first handshake. */
  public static AdminTls load(PemFiles files) {
    List<FileTime> modified = modified(files);
    SslContextFactory.Server context = new SslContextFactory.Server();
    context.setKeyStore(keyStore(files));
    context.setKeyStorePassword(new String(IN_MEMORY));
    return new AdminTls(files, context, modified);
  }

  /** The HTTPS connector on {@code host:port} for Javalin's Jetty. */
  ServerConnector connector(Server server, HttpConfiguration http, String host, int port) {
    HttpConfiguration https = new HttpConfiguration(http);
    https.addCustomizer(new SecureRequestCustomizer());
    ServerConnector connector = new ServerConnector(server,
        new SslConnectionFactory(context, HttpVersion.HTTP_1_1.asString()), new HttpConnectionFactory(https));
    connector.setHost(host);
    connector.setPort(port);
    return connector;
  }

  void reloadIfChanged() {
    try {
      List<FileTime> now = modified(files);
      if (now.equals(loaded) || now.equals(refused)) {
        return;
      }
      KeyStore fresh;
      try {
        fresh = keyStore(files);
      } catch (RuntimeException e) {
        // A half-written pair (a key rotated before its certificate) is retried when a file changes
        // again; warned about once, not at every check.
        refused = now;
        throw e;
      }
      context.reload(factory -> factory.setKeyStore(fresh));
      loaded = now;
      LOG.atInfo().addKeyValue("certificate", files.certificate()).log("admin API certificate reloaded");
    } catch (Exception e) {
      LOG.atWarn().addKeyValue("certificate", files.certificate()).log("admin API certificate not reloaded, the last one stays: {}", e.getMessage());
    }
  }

  static KeyStore keyStore(PemFiles files) {
    try {
      Certificate[] chain;
      try (InputStream in = Files.newInputStream(files.certificate())) {
        chain = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(Certificate[]::new);
      }
      if (chain.length == 0) {
        throw new IllegalArgumentException(files.certificate() + " holds no PEM certificate");
      }
      PrivateKey key = privateKey(files.privateKey());
      if (!KeyPairMatch.matches(chain[0].getPublicKey(), key)) {
        throw new IllegalArgumentException(files.privateKey() + " is not the key of the first certificate in " + files.certificate());
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("admin", key, IN_MEMORY, chain);
      return store;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the admin API's TLS files", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot use the admin API's TLS files: " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    Matcher block = PKCS8.matcher(Files.readString(file, StandardCharsets.US_ASCII));
    if (!block.find()) {
      throw new IllegalArgumentException(file + " holds no PKCS#8 PEM key (BEGIN PRIVATE KEY); convert one with openssl pkcs8 -topk8 -nocrypt");
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(block.group(1)));
    for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (java.security.spec.InvalidKeySpecException notThisAlgorithm) {
        // The PKCS#8 header names the algorithm; the JDK only tells by refusing the others.
      }
    }
    throw new IllegalArgumentException(file + " holds a key that is neither EC, RSA nor Ed25519");
  }

  private static List<FileTime> modified(PemFiles files) {
    try {
      return List.of(Files.getLastModifiedTime(files.certificate()), Files.getLastModifiedTime(files.privateKey()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the admin API's TLS files", e);
    }
  }

  @Override
  public void close() {
    watcher.shutdownNow();
  }
}
