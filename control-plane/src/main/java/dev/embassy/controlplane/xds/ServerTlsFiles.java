package dev.embassy.controlplane.xds;

import dev.embassy.config.validate.KeyPairMatch;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.CertificateUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps grpc-java's TLS managers in step with the PEM files on disk. grpc's own file watchers
 * cannot do this job: they clamp every period below one minute up to one minute, and they reload
 * the identity only when both the certificate's and the key's modification times have changed.
 * This reads the files at the configured period, compares their content (so a Kubernetes Secret's
 * symlink swap counts, and a touched but unchanged file does not), and installs a new pair only
 * when the key belongs to the certificate: a certificate written before its key is left for the
 * next check instead of breaking every new handshake.
 */
final class ServerTlsFiles {
  private static final Logger LOG = LoggerFactory.getLogger(ServerTlsFiles.class);

  private final Path certificate;
  private final Path privateKey;
  private final Optional<Path> clientCa;
  private final AdvancedTlsX509KeyManager keys;
  private final AdvancedTlsX509TrustManager trust;
  private byte[] identityDigest = new byte[0];
  private byte[] clientCaDigest = new byte[0];
  private byte[] refusedDigest = new byte[0];

  ServerTlsFiles(Path certificate, Path privateKey, Optional<Path> clientCa, AdvancedTlsX509KeyManager keys, AdvancedTlsX509TrustManager trust) {
    this.certificate = certificate;
    this.privateKey = privateKey;
    this.clientCa = clientCa;
    this.keys = keys;
    this.trust = trust;
  }

  /** The first read: any problem here fails start-up, not the first handshake. */
  synchronized void load() throws IOException, GeneralSecurityException {
    loadIdentity(Files.readAllBytes(certificate), Files.readAllBytes(privateKey));
    if (clientCa.isPresent()) {
      loadClientCa(Files.readAllBytes(clientCa.get()));
    }
  }

  /** A scheduled check: a file that cannot be used keeps the last good credentials serving. */
  synchronized void reloadIfChanged() {
    try {
      byte[] chain = Files.readAllBytes(certificate);
      byte[] key = Files.readAllBytes(privateKey);
      byte[] digest = digest(chain, key);
      if (!Arrays.equals(digest, identityDigest) && !Arrays.equals(digest, refusedDigest)) {
        try {
          loadIdentity(chain, key);
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
          // Logged once per content, not at every check, while a half-written pair waits for its other half.
          refusedDigest = digest;
          LOG.atWarn().addKeyValue("certificate", certificate).log("xDS server certificate not reloaded, the last one stays: {}", e.getMessage());
        }
      }
      if (clientCa.isPresent()) {
        byte[] ca = Files.readAllBytes(clientCa.get());
        if (!Arrays.equals(digest(ca), clientCaDigest)) {
          loadClientCa(ca);
        }
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      LOG.atWarn().addKeyValue("certificate", certificate).log("xDS TLS files not reloaded, the last ones stay: {}", e.getMessage());
    }
  }

  private void loadIdentity(byte[] chainPem, byte[] keyPem) throws IOException, GeneralSecurityException {
    X509Certificate[] chain = CertificateUtils.getX509Certificates(new ByteArrayInputStream(chainPem));
    if (chain.length == 0) {
      throw new GeneralSecurityException(certificate + " holds no PEM certificate");
    }
    PrivateKey key = CertificateUtils.getPrivateKey(new ByteArrayInputStream(keyPem));
    if (!KeyPairMatch.matches(chain[0].getPublicKey(), key)) {
      throw new GeneralSecurityException(privateKey + " is not the key of the first certificate in " + certificate);
    }
    boolean first = identityDigest.length == 0;
    keys.updateIdentityCredentials(key, chain);
    identityDigest = digest(chainPem, keyPem);
    LOG.atInfo().addKeyValue("certificate", certificate).addKeyValue("serial", chain[0].getSerialNumber().toString(16))
        .addKeyValue("notAfter", chain[0].getNotAfter().toInstant())
        .log(first ? "xDS server certificate loaded" : "xDS server certificate reloaded; new connections get it");
  }

  private void loadClientCa(byte[] pem) throws IOException, GeneralSecurityException {
    X509Certificate[] roots = CertificateUtils.getX509Certificates(new ByteArrayInputStream(pem));
    if (roots.length == 0) {
      throw new GeneralSecurityException(clientCa.orElseThrow() + " holds no PEM certificate");
    }
    boolean first = clientCaDigest.length == 0;
    trust.updateTrustCredentials(roots);
    clientCaDigest = digest(pem);
    LOG.atInfo().addKeyValue("clientCa", clientCa.orElseThrow()).addKeyValue("certificates", roots.length)
        .log(first ? "xDS client CAs loaded" : "xDS client CAs reloaded");
  }

  private static byte[] digest(byte[]... parts) throws GeneralSecurityException {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (byte[] part : parts) {
      sha.update(Integer.toString(part.length).getBytes(StandardCharsets.US_ASCII));
      sha.update((byte) ':');
      sha.update(part);
    }
    return sha.digest();
  }
}
