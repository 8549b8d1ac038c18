package dev.embassy.controlplane.translate;

import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;

/**
 * A Certificate used as a CA, as the SDS validation-context secret {@code trust/<certificate>}.
 * Clusters verifying upstreams and listeners verifying clients share it: the secret holds only the
 * CA, and each user keeps its own matchers (subject alt names) beside it, so one secret per CA
 * serves them all and rotating the CA sends one Secret.
 */
final class TrustSecrets {
  private TrustSecrets() {}

  static Secret of(String certificate, String caPem) {
    return Secret.newBuilder()
        .setName(name(certificate))
        .setValidationContext(CertificateValidationContext.newBuilder().setTrustedCa(DataSource.newBuilder().setInlineString(caPem)))
        .build();
  }

  static SdsSecretConfig reference(String certificate) {
    return SdsSecretConfig.newBuilder().setName(name(certificate)).setSdsConfig(ConfigSources.ads()).build();
  }

  static String name(String certificate) {
    return "trust/" + certificate;
  }
}
