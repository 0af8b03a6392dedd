package ai.numio.lmgate.cost;

import java.util.Locale;

/**
 * A model-name glob of the price table: {@code *} matches any run of characters (also none), {@code
 * ?} exactly one; every other character matches itself, ignoring case. The glob must match the
 * whole model name. Shared by the price table and the policy file's model lists.
 */
public final class Glob {

  private final String pattern;
  private final String folded;

  private Glob(String pattern) {
    this.pattern = pattern;
    this.folded = pattern.toLowerCase(Locale.ROOT);
  }

  /**
   * The glob, or throws {@link IllegalArgumentException} with the reason it is not one: empty,
   * leading or trailing blanks, control characters, or a character ({@code [ ] { } \}) that other
   * glob dialects treat specially and this one would take literally.
   */
  public static Glob of(String pattern) {
    if (pattern.isEmpty()) {
      throw new IllegalArgumentException("must not be empty");
    }
    if (!pattern.strip().equals(pattern)) {
      throw new IllegalArgumentException("must not start or end with blanks");
    }
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (Character.isISOControl(c)) {
        throw new IllegalArgumentException("must not contain control characters");
      }
      if ("[]{}\\".indexOf(c) >= 0) {
        throw new IllegalArgumentException(
            "only * (any run of characters) and ? (one character) are wildcards; '"
                + c
                + "' is not allowed");
      }
    }
    return new Glob(pattern);
  }

  /** The glob as written. */
  public String pattern() {
    return pattern;
  }

  /** Whether the glob matches the whole name, ignoring case. */
  public boolean matches(String name) {
    String text = name.toLowerCase(Locale.ROOT);
    // Classic linear wildcard match: on a mismatch, retry from the last '*' one character later.
    int p = 0;
    int t = 0;
    int star = -1;
    int starText = 0;
    while (t < text.length()) {
      if (p < folded.length() && (folded.charAt(p) == '?' || folded.charAt(p) == text.charAt(t))) {
        p++;
        t++;
      } else if (p < folded.length() && folded.charAt(p) == '*') {
        star = p++;
        starText = t;
      } else if (star >= 0) {
        p = star + 1;
        t = ++starText;
      } else {
        return false;
      }
    }
    while (p < folded.length() && folded.charAt(p) == '*') {
      p++;
    }
    return p == folded.length();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
