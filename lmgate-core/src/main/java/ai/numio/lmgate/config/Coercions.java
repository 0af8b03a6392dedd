package ai.numio.lmgate.config;

import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
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

  private static final String HOST_EXPECTED =
      "expected a host name or address such as 0.0.0.0 or 127.0.0.1, got ";

  private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9][0-9_]*");

  /** A host name whose labels may contain {@code _}, and an optional port. */
  private static final Pattern NAME_AND_PORT =
      Pattern.compile(
          "[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
              + "(?:\\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*\\.?"
              + "(?::([0-9]{0,9}))?");

  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private static final Pattern HEADER_VALUE = Pattern.compile("[^\\p{Cntrl}]*");

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

  /** Why {@code value} is outside {@code [min, max]}, or null if it is inside. */
  static String rangeProblem(long value, long min, long max) {
    return value < min || value > max ? rangeRule(min, max) + ", got " + value : null;
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
    if (hostProblem(t) != null) {
      throw new BadValue(HOST_EXPECTED + Problems.quote(text));
    }
    return t;
  }

  /** Why {@code host} is not a host name or address (empty, or with white space), or null. */
  static String hostProblem(String host) {
    boolean valid = !host.isEmpty() && host.chars().noneMatch(Character::isWhitespace);
    return valid ? null : HOST_EXPECTED + Problems.quote(host);
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

  /**
   * The constant whose configuration name {@code text} is, any case.
   *
   * @param noun what a constant is called in messages ("level" gives "unknown level ...; valid
   *     levels: ...")
   */
  static <E extends Enum<E>> E choice(
      String text, String noun, E[] constants, Function<E, String> configName) throws BadValue {
    for (E constant : constants) {
      if (configName.apply(constant).equalsIgnoreCase(text.trim())) {
        return constant;
      }
    }
    throw new BadValue(
        "unknown "
            + noun
            + " "
            + Problems.quote(text)
            + "; valid "
            + noun
            + "s: "
            + String.join(", ", Arrays.stream(constants).map(configName).toList()));
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
    String authority = uri.getRawAuthority();
    if (uri.isOpaque() || authority == null) {
      throw badUpstream(text, "it has no valid host");
    }
    if (authority.indexOf('@') >= 0) {
      // The value is not echoed: user info may hold a password.
      throw new BadValue(
          "must not contain user info (user:password@); clients send their own API keys");
    }
    int port = port(uri, authority);
    if (port < -1) {
      throw badUpstream(text, "it has no valid host");
    }
    if (port == 0 || port > 65535) {
      throw badUpstream(text, "the port " + port + " is not between 1 and 65535");
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

  /**
   * An OTLP/HTTP collector address: the rules of {@link #upstream}; user info is refused first,
   * without echoing the value (it may hold a password).
   */
  static URI otlpEndpoint(String text) throws BadValue {
    URI parsed;
    try {
      parsed = new URI(text.trim());
    } catch (URISyntaxException e) {
      parsed = null;
    }
    if (parsed != null
        && parsed.getRawAuthority() != null
        && parsed.getRawAuthority().contains("@")) {
      throw new BadValue(
          "must not contain user info (user:password@); give credentials in otel.headers");
    }
    try {
      return upstream(text);
    } catch (BadValue e) {
      throw new BadValue(
          "is the collector's OTLP/HTTP address (http://collector:4318): " + e.getMessage());
    }
  }

  /** Printable text, not blank, trimmed. */
  static String name(String text) throws BadValue {
    String t = text.trim();
    if (t.isEmpty()) {
      throw new BadValue("must not be blank");
    }
    for (int i = 0; i < t.length(); i++) {
      if (Character.isISOControl(t.charAt(i))) {
        throw new BadValue("must not contain control characters, got " + Problems.quote(text));
      }
    }
    return t;
  }

  /**
   * Headers as {@code OTEL_EXPORTER_OTLP_HEADERS} writes them: {@code name=value} pairs separated
   * by commas, names HTTP tokens, values percent-decoded. No message shows a value.
   */
  static Map<String, String> headers(String text) throws BadValue {
    Map<String, String> headers = new LinkedHashMap<>();
    String[] entries = text.split(",", -1);
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i];
      int eq = entry.indexOf('=');
      String where = "entry " + (i + 1) + " of " + entries.length;
      if (eq < 0) {
        throw new BadValue(
            "expected name=value pairs separated by commas, but "
                + where
                + " has no '=' (values are not shown)");
      }
      String name = entry.substring(0, eq).trim();
      if (!HEADER_NAME.matcher(name).matches()) {
        throw new BadValue(
            "expected name=value pairs separated by commas, but the name of "
                + where
                + " is not a header name: "
                + Problems.quote(name));
      }
      String value = percentDecoded(entry.substring(eq + 1).trim());
      if (value == null || value.isEmpty() || !HEADER_VALUE.matcher(value).matches()) {
        throw new BadValue(
            "the value of header "
                + name
                + " is empty or not a valid header value (bad percent-encoding or control"
                + " characters; the value is not shown)");
      }
      if (headers.putIfAbsent(name, value) != null) {
        throw new BadValue("header " + name + " is given twice");
      }
    }
    return Collections.unmodifiableMap(headers);
  }

  /** {@code %XX} decoded as UTF-8 ({@code +} stays), or null for a bad escape. */
  private static String percentDecoded(String text) {
    if (text.indexOf('%') < 0) {
      return text;
    }
    try {
      return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The port of an upstream URL, -1 for none, -2 if it has no valid host. {@link URI} finds no host
   * in a name with {@code _} (Docker Compose service names such as {@code my_vllm}, which RFC 3986
   * allows as a registered name but not as a DNS host name) and leaves the whole authority
   * unparsed; such a name is read here.
   */
  private static int port(URI uri, String authority) {
    if (uri.getHost() != null) {
      return uri.getPort();
    }
    Matcher m = NAME_AND_PORT.matcher(authority);
    if (!m.matches()) {
      return -2;
    }
    String port = m.group(1);
    return port == null || port.isEmpty() ? -1 : Integer.parseInt(port);
  }

  /**
   * A Redis URL: scheme {@code redis} or {@code rediss}, a host, an optional port and database
   * number. The text is echoed only when it has no user info.
   */
  static URI redisUrl(String text) throws BadValue {
    String problem = redisUrlProblem(text.trim());
    if (problem != null) {
      throw new BadValue(problem);
    }
    return URI.create(text.trim());
  }

  /** Why {@code text} is not a Redis URL, or null. */
  static String redisUrlProblem(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      return badRedis(text, "it is not a valid URL");
    }
    String scheme = uri.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("redis") || scheme.equalsIgnoreCase("rediss"))) {
      return badRedis(text, "the scheme must be redis or rediss (TLS)");
    }
    if (uri.isOpaque() || uri.getRawAuthority() == null) {
      return badRedis(text, "it has no host");
    }
    String authority = uri.getRawAuthority();
    String hostPart = authority.substring(authority.lastIndexOf('@') + 1);
    if (hostPart.isEmpty() || hostPart.startsWith(":")) {
      return badRedis(text, "it has no host");
    }
    int port = uri.getHost() != null ? uri.getPort() : -2;
    if (port < -1 && !NAME_AND_PORT.matcher(hostPart).matches()) {
      return badRedis(text, "it has no valid host");
    }
    if (port == 0 || port > 65535) {
      return badRedis(text, "the port is not between 1 and 65535");
    }
    String path = uri.getRawPath();
    if (path != null && !path.isEmpty() && !path.matches("/[0-9]{0,5}")) {
      return badRedis(text, "the path must be a database number such as /0");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      return badRedis(text, "it has a query or fragment");
    }
    return null;
  }

  private static String badRedis(String text, String reason) {
    // a URL with user info may hold a password: never echoed
    String shown =
        text.indexOf('@') >= 0 ? "a URL with user info (not shown)" : Problems.quote(text);
    return "must be redis://host[:port][/db] or rediss://... (TLS), got " + shown + ": " + reason;
  }

  /** The shortest secret token accepted ({@code ui.token}). */
  static final int MIN_TOKEN_LENGTH = 16;

  /** A secret token, trimmed; the message never echoes it. */
  static String token(String text) throws BadValue {
    String t = text.trim();
    String problem = tokenProblem(t);
    if (problem != null) {
      throw new BadValue(problem);
    }
    return t;
  }

  /** Why {@code token} is no valid token (without echoing it), or null. */
  static String tokenProblem(String token) {
    if (token.length() < MIN_TOKEN_LENGTH) {
      return "must be at least "
          + MIN_TOKEN_LENGTH
          + " characters, got "
          + token.length()
          + " (not shown: it is a secret); generate one with `openssl rand -hex 32`";
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c <= ' ' || c > '~') {
        return "must be printable ASCII without spaces (character "
            + (i + 1)
            + " is not; the value is not shown: it is a secret)";
      }
    }
    return null;
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
