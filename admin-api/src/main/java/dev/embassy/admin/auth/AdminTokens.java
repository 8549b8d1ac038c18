package dev.embassy.admin.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * Bearer tokens for the admin API, stored as SHA-256 hashes. Tokens are 256 random bits, so a
 * fast hash suffices (there is nothing to brute-force), and a lookup by hash reveals nothing
 * about other tokens through timing.
 */
public final class AdminTokens {
  /** Id of the token given at start-up (EMBASSY_ADMIN_TOKEN); replaced when that value changes. */
  public static final String BOOTSTRAP_ID = "bootstrap";
  private static final int MIN_BOOTSTRAP_LENGTH = 24;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final DataSource dataSource;
  private final DSLContext db;

  public AdminTokens(DataSource dataSource) {
    this.dataSource = dataSource;
    this.db = DSL.using(dataSource, SQLDialect.POSTGRES);
  }

  /** A token as listed: never its secret. */
  public record TokenInfo(String id, String owner, Role role, Instant createdAt, Optional<Instant> revokedAt) {}

  /** A newly issued token; {@code token} is shown once and never stored. */
  public record IssuedToken(TokenInfo info, String token) {}

  /** Installs (or rotates) the start-up admin token. */
  public void installBootstrap(String token, String owner) {
    if (token.length() < MIN_BOOTSTRAP_LENGTH) {
      throw new IllegalArgumentException("the bootstrap admin token must be at least " + MIN_BOOTSTRAP_LENGTH + " characters");
    }
    db.execute(
        "INSERT INTO admin_token (id, owner, role, secret_hash) VALUES (?, ?, 'admin', ?) "
            + "ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, role = 'admin', secret_hash = excluded.secret_hash, revoked_at = NULL",
        BOOTSTRAP_ID, owner, hash(token));
  }

  public Optional<Principal> verify(String token) {
    if (token == null || token.isEmpty() || token.length() > 512) {
      return Optional.empty();
    }
    // Plain JDBC: this runs on every request, and jOOQ's rendering of it cost more CPU than the
    // query itself (issue 13: 13% of the admin API's samples per route create).
    try (Connection c = dataSource.getConnection();
        PreparedStatement query = c.prepareStatement("SELECT id, owner, role FROM admin_token WHERE secret_hash = ? AND revoked_at IS NULL")) {
      query.setBytes(1, hash(token));
      try (ResultSet row = query.executeQuery()) {
        return row.next() ? Optional.of(new Principal(row.getString(1), row.getString(2), Role.valueOf(row.getString(3)))) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new DataAccessException("SQL [verify admin token]; " + e.getMessage(), e);
    }
  }

  public IssuedToken issue(String owner, Role role) {
    byte[] idBytes = new byte[6];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(idBytes);
    RANDOM.nextBytes(secret);
    String id = HexFormat.of().formatHex(idBytes);
    String token = "emb_" + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    db.execute("INSERT INTO admin_token (id, owner, role, secret_hash) VALUES (?, ?, ?, ?)", id, owner, role.name(), hash(token));
    return new IssuedToken(find(id).orElseThrow(), token);
  }

  public List<TokenInfo> list() {
    return db.resultQuery("SELECT id, owner, role, created_at, revoked_at FROM admin_token ORDER BY created_at, id")
        .fetch(r -> info(r.get(0, String.class), r.get(1, String.class), r.get(2, String.class),
            r.get(3, OffsetDateTime.class), r.get(4, OffsetDateTime.class)));
  }

  public Optional<TokenInfo> find(String id) {
    return db.resultQuery("SELECT id, owner, role, created_at, revoked_at FROM admin_token WHERE id = ?", id)
        .fetchOptional(r -> info(r.get(0, String.class), r.get(1, String.class), r.get(2, String.class),
            r.get(3, OffsetDateTime.class), r.get(4, OffsetDateTime.class)));
  }

  /** Revokes a token; true when it existed and was active. */
  public boolean revoke(String id) {
    return db.execute("UPDATE admin_token SET revoked_at = now() WHERE id = ? AND revoked_at IS NULL", id) == 1;
  }

  private static TokenInfo info(String id, String owner, String role, OffsetDateTime created, OffsetDateTime revoked) {
    return new TokenInfo(id, owner, Role.valueOf(role), created.toInstant(), Optional.ofNullable(revoked).map(OffsetDateTime::toInstant));
  }

  private static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
  }
}
