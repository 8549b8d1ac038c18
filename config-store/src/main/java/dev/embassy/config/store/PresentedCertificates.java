package dev.embassy.config.store;

import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.validate.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A certificate may be stored without its private key: it is then a trust anchor only (a CA that
 * client certificates or upstream certificates must chain to), and uploading a CA's key to verify
 * with it would be a needless exposure. A listener, though, must hold the key of every certificate
 * it presents; the translator would otherwise drop the certificate, and an HTTPS listener left
 * without any would not be TLS at all. Keys are write-only and live beside the spec, so only the
 * store, which sees both, can check this.
 */
final class PresentedCertificates {
  private PresentedCertificates() {}

  /**
   * @param keyless whether a certificate exists and has no key (after the write)
   * @param pointer the resource's pointer in the request ("" for a single write)
   */
  static List<FieldError> withoutKey(ConfigResource resource, String pointer, Predicate<String> keyless) {
    List<FieldError> errors = new ArrayList<>();
    if (!(resource instanceof Gateway gateway)) {
      return errors;
    }
    for (int i = 0; i < gateway.listeners().size(); i++) {
      Gateway.Listener listener = gateway.listeners().get(i);
      List<String> refs = listener == null ? List.of() : listener.tls().map(Gateway.Tls::certificateRefs).orElse(List.of());
      for (int j = 0; j < refs.size(); j++) {
        if (refs.get(j) != null && keyless.test(refs.get(j))) {
          errors.add(new FieldError(pointer + "/listeners/" + i + "/tls/certificateRefs/" + j, "certificate " + refs.get(j)
              + " has no privateKey, so this listener cannot present it (a certificate without a key can only be a CA, as "
              + "tls.clientCertificates.caCertificateRef or a cluster's tls.caCertificateRef)"));
        }
      }
    }
    return errors;
  }

  /** Whether a write can be decided without the stored keys: it presents no certificate. */
  static boolean presentsNone(ConfigResource resource) {
    return !(resource instanceof Gateway gateway)
        || gateway.listeners().stream().allMatch(l -> l == null || l.tls().map(t -> t.certificateRefs().isEmpty()).orElse(true));
  }
}
