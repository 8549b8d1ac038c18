package dev.embassy.controlplane.ir;

/** A certificate an HTTPS listener presents, with its key: served to Envoy over SDS only. */
public record ServerCertificate(String name, String chainPem, String keyPem) {
  @Override
  public String toString() {
    // Records print every component; key material must never reach a log this way.
    return "ServerCertificate[name=" + name + "]";
  }
}
