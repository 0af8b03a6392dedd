package ai.numio.lmgate.providerkey;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a provider key held by the gateway comes from (SPEC-2 §15): {@code env:NAME}, an
 * environment variable, or {@code file:/path}, a file holding the key (a mounted Kubernetes secret,
 * re-read when it changes). A reference is not a secret and may be shown; the key it names never
 * is. A literal key is no reference: configuration and allow-list refuse it.
 *
 * @param kind environment variable or file
 * @param name the variable's name, or the file's absolute path as written
 */
public record KeyReference(Kind kind, String name) {

  /** The two forms of a reference. */
  public enum Kind {
    /** {@code env:NAME}: read once, at start. */
    ENV("env:"),
    /** {@code file:/path}: read at start and again whenever the file changes. */
    FILE("file:");

    private final String prefix;

    Kind(String prefix) {
      this.prefix = prefix;
    }

    /** {@code env:} or {@code file:}. */
    public String prefix() {
      return prefix;
    }
  }

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** What a valid reference looks like, for messages. */
  public static final String FORMS = "env:NAME (an environment variable) or file:/path (a file)";

  /**
   * Checks the reference.
   *
   * @throws IllegalArgumentException for an invalid variable name or a path that is not absolute
   */
  public KeyReference {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    String problem = kind == Kind.ENV ? envProblem(name) : fileProblem(name);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /**
   * The reference written as {@code text}.
   *
   * @throws IllegalArgumentException saying what is wrong without echoing the text, which may be a
   *     key written where a reference belongs
   */
  public static KeyReference parse(String text) {
    String trimmed = text == null ? "" : text.strip();
    for (Kind kind : Kind.values()) {
      if (trimmed.regionMatches(true, 0, kind.prefix, 0, kind.prefix.length())) {
        return new KeyReference(kind, trimmed.substring(kind.prefix.length()).strip());
      }
    }
    throw new IllegalArgumentException(
        trimmed.isEmpty()
            ? "is empty; give " + FORMS
            : "is not a key reference (value not shown: it may be a key); a provider key is never"
                + " written here: give "
                + FORMS);
  }

  /** The file of a {@code file:} reference; null for {@code env:}. */
  public Path path() {
    return kind == Kind.FILE ? Path.of(name) : null;
  }

  /** As written: {@code env:NAME} or {@code file:/path}. Holds no secret. */
  @Override
  public String toString() {
    return kind.prefix + name;
  }

  private static String envProblem(String name) {
    if (ENV_NAME.matcher(name).matches()) {
      return null;
    }
    // not echoed: what follows env: may be a key pasted there
    return "env: needs an environment variable name (letters, digits and _, not starting with a"
        + " digit; value not shown)";
  }

  private static String fileProblem(String name) {
    if (name.isEmpty()) {
      return "file: needs an absolute path, like file:/run/secrets/openai-key";
    }
    try {
      if (!Path.of(name).isAbsolute()) {
        return "file: needs an absolute path, like file:/run/secrets/openai-key; got a relative"
            + " one";
      }
    } catch (InvalidPathException e) {
      return "file: is not a valid path (" + e.getReason() + ")";
    }
    return null;
  }
}
