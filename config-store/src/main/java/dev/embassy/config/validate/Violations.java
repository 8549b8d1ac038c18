package dev.embassy.config.validate;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects field errors while walking a document. {@link #at} gives a view rooted deeper in the
 * document, so each check names fields relative to the object it is looking at.
 */
public final class Violations {
  private final List<FieldError> errors;
  private final String base;

  public Violations() {
    this(new ArrayList<>(), "");
  }

  private Violations(List<FieldError> errors, String base) {
    this.errors = errors;
    this.base = base;
  }

  /** A view whose pointers are prefixed by {@code path} (segments separated by '/'). */
  public Violations at(Object... segments) {
    StringBuilder pointer = new StringBuilder(base);
    for (Object segment : segments) {
      pointer.append('/').append(escape(String.valueOf(segment)));
    }
    return new Violations(errors, pointer.toString());
  }

  public void add(String field, String detail) {
    errors.add(new FieldError(field.isEmpty() ? base : base + "/" + escape(field), detail));
  }

  /** Adds an error at {@code pointer}, an already-escaped JSON Pointer relative to this view. */
  public void addAtPointer(String pointer, String detail) {
    errors.add(new FieldError(base + pointer, detail));
  }

  /** Adds an error on this view's own location. */
  public void here(String detail) {
    errors.add(new FieldError(base, detail));
  }

  public boolean isEmpty() {
    return errors.isEmpty();
  }

  public List<FieldError> errors() {
    return List.copyOf(errors);
  }

  /** RFC 6901: '~' and '/' inside a segment are written ~0 and ~1. */
  static String escape(String segment) {
    return segment.replace("~", "~0").replace("/", "~1");
  }
}
