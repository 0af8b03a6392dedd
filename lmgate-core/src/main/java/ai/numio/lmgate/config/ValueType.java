package ai.numio.lmgate.config;

import ai.numio.lmgate.providerkey.KeyReference;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What the values of a configuration key are: how a setting text becomes one, which values are
 * valid, and how both read in messages ({@link #expected()}) and in the user guide ({@link
 * #allowed()}). The text's coercion and the typed value's check apply the same rule, so a loaded
 * value and a value given to a record constructor are judged alike.
 */
final class ValueType<T> {

  /** Coerces a setting text; relative paths resolve against {@code workingDir}. */
  @FunctionalInterface
  interface Parser<T> {
    T parse(String text, Path workingDir) throws Coercions.BadValue;
  }

  private final Class<T> javaType;
  private final String expected;
  private final String allowed;
  private final Parser<T> parser;
  private final Function<T, String> rule;
  private final boolean optional;

  private ValueType(
      Class<T> javaType,
      String expected,
      String allowed,
      Parser<T> parser,
      Function<T, String> rule) {
    this(javaType, expected, allowed, parser, rule, false);
  }

  private ValueType(
      Class<T> javaType,
      String expected,
      String allowed,
      Parser<T> parser,
      Function<T, String> rule,
      boolean optional) {
    this.optional = optional;
    this.javaType = javaType;
    this.expected = expected;
    this.allowed = allowed;
    this.parser = parser;
    this.rule = rule;
  }

  /** An {@code int} in {@code [min, max]}. */
  static ValueType<Integer> integer(int min, int max) {
    return new ValueType<>(
        Integer.class,
        "an integer",
        range(min, max),
        (text, dir) -> (int) Coercions.integer(text, min, max),
        value -> Coercions.rangeProblem(value, min, max));
  }

  /** A {@code long} in {@code [min, max]}. */
  static ValueType<Long> longInteger(long min, long max) {
    return new ValueType<>(
        Long.class,
        "an integer",
        range(min, max),
        (text, dir) -> Coercions.integer(text, min, max),
        value -> Coercions.rangeProblem(value, min, max));
  }

  static ValueType<Boolean> bool() {
    return new ValueType<>(
        Boolean.class,
        "true or false",
        "`true`, `false`",
        (text, dir) -> Coercions.bool(text),
        value -> null);
  }

  /** A host name or address to listen on. */
  static ValueType<String> host() {
    return new ValueType<>(
        String.class,
        "a host name or address",
        "host name or IP address",
        (text, dir) -> Coercions.host(text),
        Coercions::hostProblem);
  }

  /** A file path, resolved against the working directory. */
  static ValueType<Path> path() {
    return new ValueType<>(Path.class, "a file path", "file path", Coercions::path, value -> null);
  }

  /** A file path or nothing: an empty value (or none) means no file. */
  static ValueType<Path> optionalPath() {
    return new ValueType<>(
        Path.class,
        "a file path",
        "file path, or empty for none",
        Coercions::path,
        value -> null,
        true);
  }

  /**
   * A Redis URL {@code redis://} or {@code rediss://} (TLS) with a host, or nothing. Messages never
   * echo a URL with user info (it may hold a password).
   */
  static ValueType<URI> redisUrl() {
    return new ValueType<>(
        URI.class,
        "a redis:// or rediss:// URL",
        "`redis://host:port[/db]`, `rediss://…` (TLS), or empty",
        (text, dir) -> Coercions.redisUrl(text),
        value -> Coercions.redisUrlProblem(value.toString()),
        true);
  }

  /**
   * An OpenTelemetry collector's OTLP/HTTP address: an absolute http(s) URL with a host, optionally
   * a base path, without user info, query or fragment; or nothing.
   */
  static ValueType<URI> otlpEndpoint() {
    return new ValueType<>(
        URI.class,
        "an http(s) URL",
        "`http(s)://host:port[/base]`, or empty for none",
        (text, dir) -> Coercions.otlpEndpoint(text),
        value -> null,
        true);
  }

  /** A name: printable text, not blank. */
  static ValueType<String> name() {
    return new ValueType<>(
        String.class,
        "a name",
        "text, not blank",
        (text, dir) -> Coercions.name(text),
        value -> value.isBlank() ? "must not be blank" : null);
  }

  /**
   * Request headers written {@code name=value,name=value} (percent-decoded values), or nothing.
   * Messages never echo a value: it may be a credential.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static ValueType<Map<String, String>> headers() {
    return new ValueType<Map<String, String>>(
        (Class) Map.class,
        "name=value pairs separated by commas",
        "`name=value,name2=value2`, or empty for none",
        (text, dir) -> Coercions.headers(text),
        value -> null,
        true);
  }

  /**
   * One of an enum's constants by its configuration name, any case.
   *
   * @param noun what a constant is called in messages, e.g. {@code level}
   */
  static <E extends Enum<E>> ValueType<E> choice(
      Class<E> type, String expected, String noun, Function<E, String> configName) {
    E[] constants = type.getEnumConstants();
    return new ValueType<>(
        type,
        expected,
        Arrays.stream(constants)
            .map(c -> "`" + configName.apply(c) + "`")
            .collect(Collectors.joining(", ")),
        (text, dir) -> Coercions.choice(text, noun, constants, configName),
        value -> null);
  }

  /**
   * A secret bearer token of at least {@value Coercions#MIN_TOKEN_LENGTH} printable ASCII
   * characters without spaces, or nothing. Messages never echo it.
   */
  static ValueType<String> token() {
    return new ValueType<>(
        String.class,
        "a token",
        "at least 16 printable ASCII characters, no spaces; or empty",
        (text, dir) -> Coercions.token(text),
        Coercions::tokenProblem,
        true);
  }

  /** A route prefix {@code /name/}. */
  static ValueType<String> prefix() {
    return new ValueType<>(
        String.class,
        "a path prefix like /name/",
        "`/name/`, `/a/b/`",
        (text, dir) -> Coercions.prefix(text),
        value -> null);
  }

  /** A route's upstream: an absolute http(s) URL. */
  static ValueType<URI> upstream() {
    return new ValueType<>(
        URI.class,
        "an http(s) URL",
        "`http(s)://host[:port][/base]`",
        (text, dir) -> Coercions.upstream(text),
        value -> null);
  }

  /**
   * A reference to a provider key, {@code env:NAME} or {@code file:/path}, or nothing. A literal
   * key is refused, and never echoed.
   */
  static ValueType<KeyReference> keyReference() {
    return new ValueType<>(
        KeyReference.class,
        "a key reference env:NAME or file:/path",
        "`env:NAME`, `file:/absolute/path`, or empty for none",
        (text, dir) -> {
          try {
            return KeyReference.parse(text);
          } catch (IllegalArgumentException e) {
            throw new Coercions.BadValue(e.getMessage());
          }
        },
        value -> null,
        true);
  }

  /** The value of a setting text, or why the text is no valid value (without key or origin). */
  T parse(String text, Path workingDir) throws Coercions.BadValue {
    return parser.parse(text, workingDir);
  }

  /**
   * Why a (non-null) value is invalid, e.g. {@code must be between 1 and 65535, got 0}; or null.
   */
  String problem(T value) {
    return rule.apply(value);
  }

  /** Whether an empty value (or none) is valid and means "none" (the key's value is then null). */
  boolean optional() {
    return optional;
  }

  /** {@code value}, a value this type parsed and stored untyped, as its Java type. */
  T cast(Object value) {
    return javaType.cast(value);
  }

  /** What a value looks like, completing "expected ...": {@code an integer}. */
  String expected() {
    return expected;
  }

  /** The valid values, as the user guide's table shows them (Markdown). */
  String allowed() {
    return allowed;
  }

  private static String range(long min, long max) {
    return max == Integer.MAX_VALUE || max == Long.MAX_VALUE
        ? "integer ≥ " + min
        : "`" + min + "`–`" + max + "`";
  }
}
