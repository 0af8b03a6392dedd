package ai.numio.lmgate.config;

import ai.numio.lmgate.providerkey.KeyReference;
import ai.numio.lmgate.route.Format;
import ai.numio.lmgate.route.Route;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Coerces and validates layered settings into an {@link LMGateConfig}, adding one problem per bad
 * value (key, value and origin) so that every mistake is reported at once.
 */
final class ConfigBinder {

  private final RawSettings raw;
  private final Path workingDir;
  private final Problems problems;
  private final Map<ConfigKey<?>, Object> values = new HashMap<>();

  private ConfigBinder(RawSettings raw, Path workingDir, Problems problems) {
    this.raw = raw;
    this.workingDir = workingDir;
    this.problems = problems;
  }

  /**
   * The configuration, or empty when a setting is invalid (then the problems say why).
   *
   * @param workingDir absolute; relative paths resolve against it
   */
  static Optional<LMGateConfig> bind(RawSettings raw, Path workingDir, Problems problems) {
    return new ConfigBinder(raw, workingDir, problems).bind();
  }

  private Optional<LMGateConfig> bind() {
    int before = problems.size();
    for (ConfigKey<?> key : ConfigSchema.SETTINGS) {
      RawValue value = key.optional() ? raw.find(key.path()) : raw.get(key.path());
      if (value != null) {
        coerce(key.path(), value, key).ifPresent(v -> values.put(key, v));
      }
    }
    List<Route> routes = routes();
    requireRedisUrl();
    requireTlsPair();
    if (problems.size() > before) {
      return Optional.empty();
    }
    try {
      return Optional.of(assemble(routes));
    } catch (IllegalArgumentException e) {
      // the records' own checks; unreachable while they and the coercions agree
      problems.addRaw(e.getMessage());
      return Optional.empty();
    }
  }

  /** The records, from values that are all valid: their constructors check them again. */
  private LMGateConfig assemble(List<Route> routes) {
    return new LMGateConfig(
        new LMGateConfig.Server(
            value(ConfigSchema.SERVER_HOST),
            value(ConfigSchema.SERVER_PORT),
            value(ConfigSchema.SERVER_SHUTDOWN_GRACE_SECONDS),
            value(ConfigSchema.SERVER_ERROR_FORMAT),
            new LMGateConfig.Tls(
                value(ConfigSchema.SERVER_TLS_PORT),
                value(ConfigSchema.SERVER_TLS_CERT_PATH),
                value(ConfigSchema.SERVER_TLS_KEY_PATH),
                value(ConfigSchema.SERVER_TLS_POLL_INTERVAL_SECONDS)),
            value(ConfigSchema.SERVER_OVERHEAD_HEADER),
            value(ConfigSchema.SERVER_IDLE_TIMEOUT_SECONDS),
            value(ConfigSchema.SERVER_ENGINE)),
        new LMGateConfig.Auth(
            value(ConfigSchema.AUTH_ALLOWLIST_PATH),
            value(ConfigSchema.AUTH_POLL_INTERVAL_SECONDS)),
        new LMGateConfig.Stats(
            value(ConfigSchema.STATS_OUTPUT_PATH),
            value(ConfigSchema.STATS_FLUSH_INTERVAL_SECONDS),
            value(ConfigSchema.STATS_MAX_FILE_BYTES),
            value(ConfigSchema.STATS_QUEUE_CAPACITY),
            value(ConfigSchema.STATS_MAX_EVENT_BYTES)),
        new LMGateConfig.Upstream(
            value(ConfigSchema.UPSTREAM_CONNECT_TIMEOUT_SECONDS),
            value(ConfigSchema.UPSTREAM_IDLE_TIMEOUT_SECONDS),
            value(ConfigSchema.UPSTREAM_FORWARDED_HEADERS),
            value(ConfigSchema.UPSTREAM_POOL_IDLE_TIMEOUT_SECONDS)),
        new LMGateConfig.Logging(value(ConfigSchema.LOGGING_LEVEL)),
        routes,
        new LMGateConfig.Policy(
            value(ConfigSchema.POLICY_PATH), value(ConfigSchema.POLICY_MAX_READ_AHEAD_BYTES)),
        new LMGateConfig.Limits(
            value(ConfigSchema.LIMITS_STORE),
            value(ConfigSchema.LIMITS_REDIS_URL),
            value(ConfigSchema.LIMITS_ON_STORE_ERROR)),
        new LMGateConfig.Pricing(value(ConfigSchema.PRICING_PATH)),
        new LMGateConfig.Otel(
            value(ConfigSchema.OTEL_ENDPOINT),
            value(ConfigSchema.OTEL_SERVICE_NAME),
            headers(value(ConfigSchema.OTEL_HEADERS)),
            value(ConfigSchema.OTEL_EXPORT_INTERVAL_SECONDS),
            value(ConfigSchema.OTEL_QUEUE_CAPACITY)),
        new LMGateConfig.Ui(value(ConfigSchema.UI_TOKEN)),
        new LMGateConfig.Metrics(
            value(ConfigSchema.METRICS_OWNER_LABEL),
            value(ConfigSchema.METRICS_MAX_SERIES),
            value(ConfigSchema.METRICS_TOKEN)));
  }

  /** No {@code otel.headers} (empty) is no headers. */
  private static Map<String, String> headers(Map<String, String> headers) {
    return headers == null ? Map.of() : headers;
  }

  private static boolean isBlank(String text) {
    return text == null || text.isBlank();
  }

  /** {@code limits.store: redis} needs {@code limits.redis_url}. */
  private void requireRedisUrl() {
    if (values.get(ConfigSchema.LIMITS_STORE) == LimitStoreKind.REDIS
        && values.get(ConfigSchema.LIMITS_REDIS_URL) == null
        && isBlank(raw.get(ConfigSchema.LIMITS_REDIS_URL.path()).text())) {
      problems.add(
          ConfigSchema.LIMITS_REDIS_URL.path(),
          "is required with limits.store: redis (redis://host:port, or rediss:// for TLS)",
          raw.get(ConfigSchema.LIMITS_STORE.path()).origin());
    }
  }

  /** {@code server.tls.cert_path} and {@code server.tls.key_path}: both or neither. */
  private void requireTlsPair() {
    RawValue cert = raw.get(ConfigSchema.SERVER_TLS_CERT_PATH.path());
    RawValue key = raw.get(ConfigSchema.SERVER_TLS_KEY_PATH.path());
    boolean hasCert = cert.text() != null && !cert.text().isBlank();
    boolean hasKey = key.text() != null && !key.text().isBlank();
    if (hasCert != hasKey) {
      ConfigKey<Path> missing =
          hasCert ? ConfigSchema.SERVER_TLS_KEY_PATH : ConfigSchema.SERVER_TLS_CERT_PATH;
      RawValue given = hasCert ? cert : key;
      problems.add(
          missing.path(),
          "is required with "
              + (hasCert ? ConfigSchema.SERVER_TLS_CERT_PATH : ConfigSchema.SERVER_TLS_KEY_PATH)
                  .path()
              + ": give server.tls.cert_path and server.tls.key_path both (TLS) or neither",
          given.origin());
    }
  }

  private <T> T value(ConfigKey<T> key) {
    return key.type().cast(values.get(key));
  }

  private List<Route> routes() {
    List<Route> routes = new ArrayList<>();
    Map<String, String> routeByPrefix = new HashMap<>();
    for (RawSettings.RawRoute route : raw.routes()) {
      String path = ConfigSchema.PROVIDERS + "." + route.name() + ".";
      if (!routeValue(route, ConfigSchema.ROUTE_ENABLED).orElse(true)) {
        continue;
      }
      boolean builtIn = ConfigSchema.defaultRoute(route.name()).isPresent();
      Optional<String> prefix = routeValue(route, ConfigSchema.ROUTE_PREFIX);
      Optional<URI> upstream = required(route, builtIn, ConfigSchema.ROUTE_UPSTREAM);
      Optional<Format> format = required(route, builtIn, ConfigSchema.ROUTE_FORMAT);
      KeyReference upstreamKey = routeValue(route, ConfigSchema.ROUTE_UPSTREAM_KEY).orElse(null);
      if (prefix.isPresent()) {
        String owner = routeByPrefix.putIfAbsent(prefix.get(), route.name());
        if (owner != null) {
          problems.add(
              path + ConfigSchema.ROUTE_PREFIX.name(),
              Problems.quote(prefix.get())
                  + " is already the prefix of route "
                  + owner
                  + "; each route needs its own prefix",
              rawRouteValue(route, ConfigSchema.ROUTE_PREFIX).origin());
          continue;
        }
      }
      if (prefix.isPresent() && upstream.isPresent() && format.isPresent()) {
        try {
          routes.add(
              new Route(route.name(), prefix.get(), upstream.get(), format.get(), upstreamKey));
        } catch (IllegalArgumentException e) {
          // Route's own checks; unreachable while they and the coercions agree
          problems.addRaw(e.getMessage() + " (route declared at " + route.origin() + ")");
        }
      }
    }
    return routes;
  }

  /** The coerced value of a route key, its default if the route does not give it. */
  private <T> Optional<T> routeValue(RawSettings.RawRoute route, ConfigKey<T> key) {
    RawValue value = rawRouteValue(route, key);
    if (value == null) {
      return Optional.empty();
    }
    return coerce(ConfigSchema.PROVIDERS + "." + route.name() + "." + key.name(), value, key);
  }

  /**
   * The route key's value as written or, if no layer gave it, its default ({@code /<name>/} for the
   * prefix); null for a key without default.
   */
  private static RawValue rawRouteValue(RawSettings.RawRoute route, ConfigKey<?> key) {
    RawValue value = route.get(key.name());
    if (value != null || key.defaultText() == null) {
      return value;
    }
    return new RawValue(
        key.defaultText().replace("<name>", route.name()),
        "default " + key.name() + " of route " + route.name() + ", declared at " + route.origin());
  }

  /** A route key that a route which is not built in must give. */
  private <T> Optional<T> required(RawSettings.RawRoute route, boolean builtIn, ConfigKey<T> key) {
    if (route.get(key.name()) == null && !builtIn) {
      problems.addRaw(
          ConfigSchema.PROVIDERS
              + "."
              + route.name()
              + "."
              + key.name()
              + " is missing; a route that is not built in needs upstream and format (route "
              + route.name()
              + " declared at "
              + route.origin()
              + ")");
    }
    return routeValue(route, key);
  }

  private <T> Optional<T> coerce(String path, RawValue value, ConfigKey<T> key) {
    if (key.type().optional() && (value.text() == null || value.text().isBlank())) {
      return Optional.empty(); // none: the key's value is null
    }
    if (value.text() == null) {
      problems.addRaw(path + " has no value (" + value.origin() + ")");
      return Optional.empty();
    }
    try {
      return Optional.of(key.type().parse(value.text(), workingDir));
    } catch (Coercions.BadValue e) {
      problems.add(path, e.getMessage(), value.origin());
      return Optional.empty();
    }
  }
}
