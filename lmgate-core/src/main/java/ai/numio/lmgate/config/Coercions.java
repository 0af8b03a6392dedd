package ai.numio.lmgate.config;

import ai.numio.lmgate.route.Format;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns setting texts (from YAML or the environment) into typed values; a bad text raises {@link
 * BadValue} whose message says what is wrong and what is expected, without the key or origin.
 */
final class Coercions {

  /** A text that does not fit the key's type or rules. */
  static final class BadValue extends Exception {
    BadValue(String message) {
      super(message, null, false, false);
    }
  }

  static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

  private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9][0-9_]*");
  private static final Pattern PREFIX = Pattern.compile("/([A-Za-z0-9._~-]+/)+");

  private Coercions() {}

  /** A whole number in {@code [min, max]}; YAML-style {@code _} digit separators are allowed. */
  static long integer(String text, long min, long max) throws BadValue {
    String t = text.trim();
    if (!INTEGER.matcher(t).matches()) {
      throw new BadValue("expected an integer, got " + Problems.quote(text));
    }
    BigInteger value = new BigInteger(t.replace("_", ""));
    if (value.compareTo(BigInteger.valueOf(min)) < 0
        || value.compareTo(BigInteger.valueOf(max)) > 0) {
      throw new BadValue(rangeRule(min, max) + ", got " + value);
    }
    return value.longValueExact();
  }

  private static String rangeRule(long min, long max) {
    boolean unbounded = max == Integer.MAX_VALUE || max == Long.MAX_VALUE;
    if (unbounded && min == 1) {
      return "must be greater than 0 (at most " + max + ")";
    }
    if (unbounded && min == 0) {
      return "must be 0 or more (at most " + max + ")";
    }
    return "must be between " + min + " and " + max;
  }

  /** {@code true} or {@code false}, any case. */
  static boolean bool(String text) throws BadValue {
    String t = text.trim();
    if (t.equalsIgnoreCase("true")) {
      return true;
    }
    if (t.equalsIgnoreCase("false")) {
      return false;
    }
    throw new BadValue("expected true or false, got " + Problems.quote(text));
  }

  /** A non-empty host name or address. */
  static String host(String text) throws BadValue {
    String t = text.trim();
    if (t.isEmpty() || t.chars().anyMatch(Character::isWhitespace)) {
      throw new BadValue(
          "expected a host name or address such as 0.0.0.0 or 127.0.0.1, got "
              + Problems.quote(text));
    }
    return t;
  }

  /** A file path; relative ones resolve against {@code workingDir}. Absolute and normalized. */
  static Path path(String text, Path workingDir) throws BadValue {
    String t = text.trim();
    if (t.isEmpty()) {
      throw new BadValue("expected a file path, got " + Problems.quote(text));
    }
    try {
      return workingDir.resolve(t).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new BadValue(
          "is not a valid file path (" + e.getReason() + "): " + Problems.quote(text));
    }
  }

  /** One of {@link #LEVELS}, any case; returned upper-case. */
  static String level(String text) throws BadValue {
    String t = text.trim().toUpperCase(Locale.ROOT);
    if (!LEVELS.contains(t)) {
      throw new BadValue(
          "unknown level " + Problems.quote(text) + "; valid levels: " + String.join(", ", LEVELS));
    }
    return t;
  }

  /** {@code lmgate} or {@code provider}, any case. */
  static ErrorFormat errorFormat(String text) throws BadValue {
    return ErrorFormat.parse(text)
        .orElseThrow(
            () ->
                new BadValue(
                    "unknown error format "
                        + Problems.quote(text)
                        + "; valid: "
                        + String.join(
                            ", ",
                            Arrays.stream(ErrorFormat.values())
                                .map(ErrorFormat::configName)
                                .toList())));
  }

  /** A route format name, any case. */
  static Format format(String text) throws BadValue {
    return Format.parse(text)
        .orElseThrow(
            () ->
                new BadValue(
                    "unknown format "
                        + Problems.quote(text)
                        + "; valid formats: "
                        + String.join(
                            ", ",
                            Arrays.stream(Format.values()).map(Format::configName).toList())));
  }

  /** A route prefix {@code /name/}: slashes around path segments, no dot segments. */
  static String prefix(String text) throws BadValue {
    String t = text.trim();
    boolean valid = PREFIX.matcher(t).matches();
    if (valid) {
      for (String segment : t.substring(1, t.length() - 1).split("/", -1)) {
        if (segment.equals(".") || segment.equals("..")) {
          valid = false;
        }
      }
    }
    if (!valid) {
      throw new BadValue(
          "must have the form /name/ (a leading and a trailing slash around one or more path"
              + " segments of letters, digits and . _ ~ -; no empty, . or .. segments), got "
              + Problems.quote(text));
    }
    return t;
  }

  /**
   * An absolute http(s) URL with a host and optionally a base path, without query or fragment. The
   * scheme is lower-cased and trailing slashes of the path are dropped.
   */
  static URI upstream(String text) throws BadValue {
    String t = text.trim();
    URI uri;
    try {
      uri = new URI(t);
    } catch (URISyntaxException e) {
      throw badUpstream(text, "it is not a valid URL (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme();
    if (scheme == null) {
      throw badUpstream(text, "it has no scheme");
    }
    if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
      throw badUpstream(text, "the scheme is " + scheme);
    }
    if (uri.isOpaque() || uri.getHost() == null) {
      throw badUpstream(text, "it has no valid host");
    }
    if (uri.getRawUserInfo() != null) {
      // The value is not echoed: user info may hold a password.
      throw new BadValue(
          "must not contain user info (user:password@); clients send their own API keys");
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      throw badUpstream(text, "the port " + uri.getPort() + " is not between 1 and 65535");
    }
    if (uri.getRawQuery() != null) {
      throw badUpstream(text, "it has a query string");
    }
    if (uri.getRawFragment() != null) {
      throw badUpstream(text, "it has a fragment");
    }
    String normalized = scheme.toLowerCase(Locale.ROOT) + t.substring(scheme.length());
    // Without query and fragment the text ends with the path, so its trailing slashes go.
    int end = normalized.length();
    while (normalized.charAt(end - 1) == '/') {
      end--;
    }
    return URI.create(normalized.substring(0, end));
  }

  private static BadValue badUpstream(String text, String reason) {
    return new BadValue(
        "must be an absolute http(s) URL with a host, such as https://api.example.com or"
            + " http://127.0.0.1:8000/v1, got "
            + Problems.quote(text)
            + ": "
            + reason);
  }
}
