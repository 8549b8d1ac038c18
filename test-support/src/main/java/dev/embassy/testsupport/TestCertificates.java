package dev.embassy.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for tests: it mints server and client certificates (P-256,
 * valid for a day) and writes them as PEM files, the certificate chain and a PKCS#8 key, as an
 * operator's CA would hand them to Embassy and Envoy. Nothing is read from or kept on disk
 * between runs.
 */
public final class TestCertificates {
  /**
   * A leaf certificate's files, the certificate itself for assertions, and its key and issuer for
   * a JDK client or server presenting it (see {@link TlsContexts}).
   */
  public record Issued(Path certificate, Path privateKey, X509Certificate x509, PrivateKey key, X509Certificate issuer) {
    @Override
    public String toString() {
      return "Issued[" + x509.getSubjectX500Principal() + "]";
    }
  }

  private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

  private final X500Principal name;
  private final KeyPair keys;
  private final X509Certificate certificate;

  private TestCertificates(X500Principal name, KeyPair keys, X509Certificate certificate) {
    this.name = name;
    this.keys = keys;
    this.certificate = certificate;
  }

  /** A new self-signed CA named {@code commonName}. */
  public static TestCertificates authority(String commonName) {
    KeyPair keys = newKeys();
    X500Principal name = new X500Principal("CN=" + commonName);
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = builder(name, name, keys)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
      return new TestCertificates(name, keys, sign(builder, keys.getPrivate()));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("could not mint a test CA", e);
    }
  }

  /** This CA's certificate as PEM, written to {@code file}. */
  public Path writeCertificate(Path file) {
    return write(file, pem("CERTIFICATE", encoded(certificate)));
  }

  /** This CA's private key as PKCS#8 PEM, for a test that signs with an outside tool (the docs' openssl commands). */
  public Path writePrivateKey(Path file) {
    return write(file, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** A server certificate for 127.0.0.1 and localhost, as {@code dir/<name>.crt} and {@code .key}. */
  public Issued server(Path dir, String name) {
    return issue(dir, name, KeyPurposeId.id_kp_serverAuth,
        List.of(new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")));
  }

  /** A server certificate for the DNS names {@code dnsNames} only, as {@code dir/<name>.crt} and {@code .key}. */
  public Issued serverFor(Path dir, String name, String... dnsNames) {
    return serverFor(dir, name, List.of(dnsNames), List.of());
  }

  /** A server certificate with DNS and URI subject alternative names, as {@code dir/<name>.crt} and {@code .key}. */
  public Issued serverFor(Path dir, String name, List<String> dnsNames, List<String> uriSans) {
    List<GeneralName> names = new ArrayList<>();
    for (String dns : dnsNames) {
      names.add(new GeneralName(GeneralName.dNSName, dns));
    }
    for (String uri : uriSans) {
      names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
    }
    return issue(dir, name, KeyPurposeId.id_kp_serverAuth, names);
  }

  /** A client certificate with {@code uriSans} (such as SPIFFE IDs), as {@code dir/<name>.crt} and {@code .key}. */
  public Issued client(Path dir, String name, String... uriSans) {
    return client(dir, name, List.of(uriSans), List.of());
  }

  /** A client certificate with URI and DNS subject alternative names, as {@code dir/<name>.crt} and {@code .key}. */
  public Issued client(Path dir, String name, List<String> uriSans, List<String> dnsSans) {
    List<GeneralName> names = new ArrayList<>();
    for (String uri : uriSans) {
      names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
    }
    for (String dns : dnsSans) {
      names.add(new GeneralName(GeneralName.dNSName, dns));
    }
    return issue(dir, name, KeyPurposeId.id_kp_clientAuth, names);
  }

  private Issued issue(Path dir, String leafName, KeyPurposeId purpose, List<GeneralName> sans) {
    KeyPair leafKeys = newKeys();
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = builder(name, new X500Principal("CN=" + leafName), leafKeys)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
          .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(certificate));
      if (!sans.isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
      }
      X509Certificate leaf = sign(builder, keys.getPrivate());
      Path cert = write(dir.resolve(leafName + ".crt"), pem("CERTIFICATE", encoded(leaf)));
      Path key = write(dir.resolve(leafName + ".key"), pem("PRIVATE KEY", leafKeys.getPrivate().getEncoded()));
      return new Issued(cert, key, leaf, leafKeys.getPrivate(), certificate);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("could not mint test certificate " + leafName, e);
    }
  }

  private static X509v3CertificateBuilder builder(X500Principal issuer, X500Principal subject, KeyPair subjectKeys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, subjectKeys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey) throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair newKeys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has P-256", e);
    }
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  /** Writes through a temporary file and a move, as a rotating agent does, so a reader never sees half a PEM. */
  private static Path write(Path file, String text) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".pem-", ".tmp");
      Files.writeString(temporary, text, StandardCharsets.US_ASCII);
      return Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file, e);
    }
  }
}
