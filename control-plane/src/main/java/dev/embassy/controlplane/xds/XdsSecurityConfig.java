package dev.embassy.controlplane.xds;

import dev.embassy.config.model.DurationText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the ADS port is secured, read from the environment; docs/operations/secure-channels.md
 * is the operator's guide. With nothing set the port is plaintext and open, as {@code deploy/up}
 * runs it on 127.0.0.1.
 *
 * <table>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>EMBASSY_XDS_TLS_CERT / EMBASSY_XDS_TLS_KEY</td><td>(none: plaintext)</td><td>PEM certificate chain and PKCS#8 PEM private key of the ADS server; both or neither</td></tr>
 *   <tr><td>EMBASSY_XDS_TLS_CLIENT_CA</td><td>(none: no client certificate asked for)</td><td>PEM bundle of the CAs client certificates must chain to; setting it requires a client certificate (mTLS) and binds each stream to the node group the certificate names</td></tr>
 *   <tr><td>EMBASSY_XDS_TRUST_DOMAIN</td><td>embassy</td><td>the SPIFFE trust domain of client identities: a certificate names node group G by the URI SAN spiffe://&lt;trust domain&gt;/node-group/G</td></tr>
 *   <tr><td>EMBASSY_XDS_NODE_TOKENS</td><td>(none: no token asked for)</td><td>file of "&lt;node group&gt; sha256:&lt;hex&gt;" lines; setting it requires every ADS stream to send "authorization: Bearer &lt;token&gt;" whose SHA-256 is listed for its node group (needs TLS)</td></tr>
 *   <tr><td>EMBASSY_XDS_TLS_RELOAD</td><td>1m</td><td>how often the certificate, key, CA and token files are checked for changes (rotation without a restart)</td></tr>
 * </table>
 */
public record XdsSecurityConfig(
    Optional<Path> certificate, Optional<Path> privateKey, Optional<Path> clientCa, String trustDomain, Optional<Path> nodeTokens,
    Duration reload) {
  /** SPIFFE trust domains are lower-case letters, digits, dots, dashes and underscores. */
  private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]+");

  public static final XdsSecurityConfig PLAINTEXT =
      new XdsSecurityConfig(Optional.empty(), Optional.empty(), Optional.empty(), "embassy", Optional.empty(), Duration.ofMinutes(1));

  public XdsSecurityConfig {
    if (certificate.isPresent() != privateKey.isPresent()) {
      throw new IllegalArgumentException("EMBASSY_XDS_TLS_CERT and EMBASSY_XDS_TLS_KEY are set together or not at all");
    }
    if (clientCa.isPresent() && certificate.isEmpty()) {
      throw new IllegalArgumentException("EMBASSY_XDS_TLS_CLIENT_CA needs TLS: set EMBASSY_XDS_TLS_CERT and EMBASSY_XDS_TLS_KEY too");
    }
    if (nodeTokens.isPresent() && certificate.isEmpty()) {
      // A bearer token over plaintext is readable by anyone on the path, and replayable.
      throw new IllegalArgumentException("EMBASSY_XDS_NODE_TOKENS needs TLS: set EMBASSY_XDS_TLS_CERT and EMBASSY_XDS_TLS_KEY too");
    }
    if (!TRUST_DOMAIN.matcher(trustDomain).matches()) {
      throw new IllegalArgumentException("EMBASSY_XDS_TRUST_DOMAIN=" + trustDomain + " is not a SPIFFE trust domain (lower-case letters, digits, '.', '-', '_')");
    }
    if (reload.isNegative() || reload.isZero()) {
      throw new IllegalArgumentException("EMBASSY_XDS_TLS_RELOAD must be positive");
    }
  }

  public static XdsSecurityConfig fromEnvironment(Map<String, String> env) {
    String reload = env.getOrDefault("EMBASSY_XDS_TLS_RELOAD", "1m");
    return new XdsSecurityConfig(
        file(env, "EMBASSY_XDS_TLS_CERT"),
        file(env, "EMBASSY_XDS_TLS_KEY"),
        file(env, "EMBASSY_XDS_TLS_CLIENT_CA"),
        env.getOrDefault("EMBASSY_XDS_TRUST_DOMAIN", "embassy").strip(),
        file(env, "EMBASSY_XDS_NODE_TOKENS"),
        DurationText.parse(reload)
            .orElseThrow(() -> new IllegalArgumentException("EMBASSY_XDS_TLS_RELOAD=" + reload + " is not a duration such as 1m")));
  }

  public boolean tls() {
    return certificate.isPresent();
  }

  /** Whether streams are bound to a node group at all (by certificate, token or both). */
  public boolean bindsNodeGroups() {
    return clientCa.isPresent() || nodeTokens.isPresent();
  }

  private static Optional<Path> file(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    Path path = Path.of(value.strip());
    if (!Files.isReadable(path)) {
      throw new IllegalArgumentException(name + "=" + value + " is not a readable file");
    }
    return Optional.of(path);
  }
}
