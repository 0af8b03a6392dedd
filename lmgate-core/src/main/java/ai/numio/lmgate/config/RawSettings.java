package ai.numio.lmgate.config;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings as written, layered: each layer (defaults, file, environment) overwrites key by key.
 * Routes keep the order in which they were first declared.
 */
final class RawSettings {

  /** One route as written; {@code origin} is where it was first declared. */
  static final class RawRoute {
    private final String name;
    private final String origin;
    private final Map<String, RawValue> values = new HashMap<>();

    RawRoute(String name, String origin) {
      this.name = name;
      this.origin = origin;
    }

    String name() {
      return name;
    }

    String origin() {
      return origin;
    }

    /** The value of a route key, or {@code null} when no layer set it. */
    RawValue get(String key) {
      return values.get(key);
    }

    void put(String key, RawValue value) {
      values.put(key, value);
    }
  }

  static final String DEFAULT_ORIGIN = "built-in default";

  private final Map<String, RawValue> values = new HashMap<>();
  private final Map<String, RawRoute> routes = new LinkedHashMap<>();

  /** The built-in defaults of SPEC §7. */
  static RawSettings defaults() {
    RawSettings raw = new RawSettings();
    for (ConfigKey<?> key : ConfigSchema.SETTINGS) {
      if (!key.optional()) {
        raw.put(key.path(), new RawValue(key.defaultText(), DEFAULT_ORIGIN));
      }
    }
    for (ConfigSchema.DefaultRoute r : ConfigSchema.DEFAULT_ROUTES) {
      RawRoute route = raw.route(r.name(), DEFAULT_ORIGIN);
      route.put(ConfigSchema.ROUTE_PREFIX.name(), new RawValue(r.prefix(), DEFAULT_ORIGIN));
      route.put(ConfigSchema.ROUTE_UPSTREAM.name(), new RawValue(r.upstream(), DEFAULT_ORIGIN));
      route.put(ConfigSchema.ROUTE_FORMAT.name(), new RawValue(r.format(), DEFAULT_ORIGIN));
    }
    return raw;
  }

  /** Sets {@code section.key}. */
  void put(String path, RawValue value) {
    values.put(path, value);
  }

  /** The value of {@code section.key}, or null when no layer gave one (an optional setting). */
  RawValue find(String path) {
    return values.get(path);
  }

  /**
   * The value of {@code section.key}; every schema key that is not optional has one once defaults
   * are applied.
   */
  RawValue get(String path) {
    RawValue value = values.get(path);
    if (value == null) {
      throw new IllegalStateException("no value for " + path);
    }
    return value;
  }

  /** The route of that name, declared at {@code origin} if it is new. */
  RawRoute route(String name, String origin) {
    return routes.computeIfAbsent(name, n -> new RawRoute(n, origin));
  }

  /** Every route in declaration order. */
  Collection<RawRoute> routes() {
    return routes.values();
  }
}
