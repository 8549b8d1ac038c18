package dev.embassy.ratelimit.cluster;

import dev.embassy.ratelimit.window.CounterKey;
import java.nio.charset.StandardCharsets;

/**
 * One ratelimit-service node: its id (what ownership hashes on, so it must be stable across
 * restarts and unique in the cluster) and the address of its gRPC port.
 */
public record Member(String id, String host, int port) {
  public Member {
    if (id == null || id.isBlank() || host == null || host.isBlank() || port <= 0 || port > 65535) {
      throw new IllegalArgumentException("a member needs an id, a host and a port: " + id + "@" + host + ":" + port);
    }
  }

  /** Parses {@code id@host:port}. */
  public static Member parse(String text) {
    String trimmed = text.strip();
    int at = trimmed.indexOf('@');
    int colon = trimmed.lastIndexOf(':');
    if (at <= 0 || colon < at + 2 || colon == trimmed.length() - 1) {
      throw new IllegalArgumentException("'" + text + "' is not id@host:port");
    }
    String host = trimmed.substring(at + 1, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      return new Member(trimmed.substring(0, at), host, Integer.parseInt(trimmed.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has no port number", e);
    }
  }

  /** The id's hash, mixed into every rendezvous score for this member. */
  long idHash() {
    long h = 0xcbf29ce484222325L;
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return CounterKey.fmix64(h);
  }

  @Override
  public String toString() {
    return id + "@" + host + ":" + port;
  }
}
