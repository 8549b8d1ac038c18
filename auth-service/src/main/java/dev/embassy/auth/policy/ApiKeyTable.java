package dev.embassy.auth.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A policy's API keys, by the SHA-256 of the key (all the config holds). A presented key is
 * hashed and looked up; comparing hashes leaks nothing useful through timing, since an attacker
 * who could learn a hash prefix still cannot invert it.
 */
public final class ApiKeyTable {
  private record Entry(String name, List<String> scopes) {}

  private final String header;
  private final Map<String, Entry> bySha256;

  public ApiKeyTable(String header, Map<String, KeyGrant> keysBySha256) {
    this.header = header.toLowerCase(Locale.ROOT);
    Map<String, Entry> entries = new HashMap<>();
    keysBySha256.forEach((sha, grant) -> entries.put(sha.toLowerCase(Locale.ROOT), new Entry(grant.name(), grant.scopes())));
    this.bySha256 = Map.copyOf(entries);
  }

  /** Name and scopes one key grants. */
  public record KeyGrant(String name, List<String> scopes) {
    public KeyGrant {
      scopes = List.copyOf(scopes);
    }
  }

  public String header() {
    return header;
  }

  /** The key presented in the request's header, if any. */
  public Optional<String> presented(Map<String, String> headers) {
    return Optional.ofNullable(headers.get(header)).map(String::strip).filter(k -> !k.isEmpty());
  }

  public Optional<Identity> authenticate(String presentedKey) {
    Entry entry = bySha256.get(sha256(presentedKey));
    if (entry == null) {
      return Optional.empty();
    }
    return Optional.of(new Identity(Identity.Kind.API_KEY, Map.of("sub", entry.name(), "scope", String.join(" ", entry.scopes()))));
  }

  private static String sha256(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
