package dev.embassy.e2e.docs;

/** A page marks an example the docs test cannot replay; the message names the page and line. */
public final class DocExampleException extends RuntimeException {
  public DocExampleException(DocStep.Location at, String problem) {
    super(at + ": " + problem);
  }
}
