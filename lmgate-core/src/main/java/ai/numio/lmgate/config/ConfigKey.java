package ai.numio.lmgate.config;

import java.util.Locale;

/**
 * One configuration key and everything known of it: binding, messages, the environment variable and
 * the user guide's table all come from here (see {@link ConfigSchema}).
 *
 * @param section {@code server}, {@code auth} …, or {@code providers.<name>} for a route key
 * @param name the key within its section, e.g. {@code port}
 * @param type what its values are
 * @param defaultText the built-in default as it would be written in YAML; null for a route key that
 *     a route which is not built in must give (built-in routes have their own values), and for an
 *     optional setting that has no value unless given ({@code pricing.path})
 * @param description one line of Markdown for the user guide
 */
record ConfigKey<T>(
    String section, String name, ValueType<T> type, String defaultText, String description) {

  static final String ENV_PREFIX = "LMGATE_";
  static final String ENV_SEPARATOR = "__";

  /** A setting that may be left unset: no built-in value, none unless a layer gives one. */
  boolean optional() {
    return defaultText == null && !section.startsWith(ConfigSchema.PROVIDERS);
  }

  /** {@code section.name}, e.g. {@code server.port}. */
  String path() {
    return section + "." + name;
  }

  /** The overriding variable, e.g. {@code LMGATE_SERVER__PORT}. */
  String envVariable() {
    return ENV_PREFIX + path().replace(".", ENV_SEPARATOR).toUpperCase(Locale.ROOT);
  }

  /**
   * The value, if it is valid: the backstop of the records' constructors, for values that did not
   * come through the loader.
   *
   * @throws IllegalArgumentException naming the key as the loader does, without origin: e.g. {@code
   *     server.port: must be between 1 and 65535, got 0}
   */
  T require(T value) {
    if (value == null) {
      throw new IllegalArgumentException(path() + ": must be given, got null");
    }
    String problem = type.problem(value);
    if (problem != null) {
      throw new IllegalArgumentException(path() + ": " + problem);
    }
    return value;
  }
}
