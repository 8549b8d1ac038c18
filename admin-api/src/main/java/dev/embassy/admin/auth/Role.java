package dev.embassy.admin.auth;

/** What a token may do. Each role includes the ones before it. */
public enum Role {
  /** Reads config, revisions, audit and proxy status. */
  viewer,
  /** Also writes config: resources, apply, rollback. */
  editor,
  /** Also manages admin tokens. */
  admin;

  public boolean allows(Role required) {
    return compareTo(required) >= 0;
  }
}
