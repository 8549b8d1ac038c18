package dev.embassy.auth.jwt;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A compact-serialised JWS taken apart, with every header check that needs no key done: the
 * parts of RFC 8725 that are decided by the header alone. Nothing here trusts the payload yet.
 */
public record CompactJws(
    JwsAlgorithm algorithm, Optional<String> kid, Map<String, Object> claims, byte[] signingInput, byte[] signature) {

  /**
   * Headers that make a verifier fetch or accept a key chosen by the token's author. We never
   * dereference them, and refuse tokens carrying them so no downstream verifier is tempted to
   * (RFC 8725 §3.10; CVE-2018-0114 was jwk header trust).
   */
  private static final Set<String> KEY_HEADERS = Set.of("jku", "x5u", "jwk", "x5c");

  private static final Base64.Decoder BASE64URL = Base64.getUrlDecoder();

  /** Splits, decodes and checks {@code token}; {@code maxBytes} is checked before anything else. */
  public static CompactJws parse(String token, int maxBytes) throws TokenRejected {
    if (token.length() > maxBytes) {
      throw new TokenRejected(TokenProblem.OVERSIZED);
    }
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first <= 0 || second < 0) {
      throw new TokenRejected(TokenProblem.MALFORMED);
    }
    if (token.indexOf('.', second + 1) >= 0) {
      // Five parts is JWE compact serialisation (RFC 7516 §7.1); anything else is garbage.
      throw new TokenRejected(dots(token) == 4 ? TokenProblem.JWE : TokenProblem.MALFORMED);
    }
    Map<String, Object> header = JoseJson.object(decode(token, 0, first))
        .orElseThrow(() -> new TokenRejected(TokenProblem.MALFORMED));
    if (header.containsKey("enc")) {
      throw new TokenRejected(TokenProblem.JWE);
    }
    if (!(header.get("alg") instanceof String alg)) {
      throw new TokenRejected(TokenProblem.MALFORMED);
    }
    if (alg.equalsIgnoreCase("none")) {
      throw new TokenRejected(TokenProblem.ALG_NONE);
    }
    JwsAlgorithm algorithm = JwsAlgorithm.named(alg).orElseThrow(() -> new TokenRejected(TokenProblem.ALG_NOT_ALLOWED));
    for (String name : KEY_HEADERS) {
      if (header.containsKey(name)) {
        throw new TokenRejected(TokenProblem.FORBIDDEN_HEADER);
      }
    }
    // RFC 7515 §4.1.11: a recipient that does not understand a critical extension must refuse the
    // JWS. We understand none (b64=false among them), so any crit is refused.
    if (header.containsKey("crit")) {
      throw new TokenRejected(TokenProblem.UNSUPPORTED_CRIT);
    }
    Object kid = header.get("kid");
    if (kid != null && !(kid instanceof String)) {
      throw new TokenRejected(TokenProblem.MALFORMED);
    }
    Map<String, Object> claims = JoseJson.object(decode(token, first + 1, second))
        .orElseThrow(() -> new TokenRejected(TokenProblem.MALFORMED));
    byte[] signature = decode(token, second + 1, token.length());
    if (signature.length == 0) {
      throw new TokenRejected(TokenProblem.BAD_SIGNATURE);
    }
    byte[] signingInput = token.substring(0, second).getBytes(StandardCharsets.US_ASCII);
    return new CompactJws(algorithm, Optional.ofNullable((String) kid), claims, signingInput, signature);
  }

  /** The issuer the (not yet verified) claims name; only used to pick whose keys to try. */
  public Optional<String> issuer() {
    return claims.get("iss") instanceof String iss ? Optional.of(iss) : Optional.empty();
  }

  private static byte[] decode(String token, int from, int to) throws TokenRejected {
    // RFC 7515 §2: base64url without padding; '=' or any byte outside the alphabet is malformed.
    for (int i = from; i < to; i++) {
      char c = token.charAt(i);
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
        throw new TokenRejected(TokenProblem.MALFORMED);
      }
    }
    try {
      return BASE64URL.decode(token.substring(from, to));
    } catch (IllegalArgumentException e) {
      throw new TokenRejected(TokenProblem.MALFORMED);
    }
  }

  private static int dots(String token) {
    int count = 0;
    for (int i = 0; i < token.length(); i++) {
      if (token.charAt(i) == '.') {
        count++;
      }
    }
    return count;
  }
}
