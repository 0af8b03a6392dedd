package ai.numio.lmgate.config;

import ai.numio.lmgate.route.Route;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole validated configuration. Built once by {@link ConfigLoader}; immutable.
 *
 * <p>Every record checks its values against the key's rule in its constructor, so a configuration
 * built in code meets the same rules as a loaded one; an invalid value raises an {@link
 * IllegalArgumentException} naming the key, e.g. {@code server.port: must be between 1 and 65535,
 * got 0}. (The loader checks first, to report every problem at once with its origin.)
 *
 * @param routes in configuration order; prefixes are unique
 * @param pricing where the price table comes from
 */
public record LMGateConfig(
    Server server,
    Auth auth,
    Stats stats,
    Upstream upstream,
    Logging logging,
    List<Route> routes,
    Pricing pricing) {

  /**
   * Checks that every section and route is given and that each route has its own prefix.
   *
   * @throws IllegalArgumentException naming the key, for a missing section or route, or two routes
   *     with the same prefix
   */
  public LMGateConfig {
    requireSection("server", server);
    requireSection("auth", auth);
    requireSection("stats", stats);
    requireSection("upstream", upstream);
    requireSection("logging", logging);
    requireSection(ConfigSchema.PROVIDERS, routes);
    requireSection("pricing", pricing);
    Map<String, String> routeByPrefix = new HashMap<>();
    for (Route route : routes) {
      requireSection(ConfigSchema.PROVIDERS, route);
      String owner = routeByPrefix.putIfAbsent(route.prefix(), route.name());
      if (owner != null) {
        throw new IllegalArgumentException(
            "providers: routes '"
                + owner
                + "' and '"
                + route.name()
                + "' have the same prefix '"
                + route.prefix()
                + "'");
      }
    }
    routes = List.copyOf(routes);
  }

  /** A configuration with the bundled price table ({@code pricing.path} not set). */
  public LMGateConfig(
      Server server,
      Auth auth,
      Stats stats,
      Upstream upstream,
      Logging logging,
      List<Route> routes) {
    this(server, auth, stats, upstream, logging, routes, Pricing.BUNDLED);
  }

  /** This configuration with another {@code pricing} section. */
  public LMGateConfig withPricing(Pricing pricing) {
    return new LMGateConfig(server, auth, stats, upstream, logging, routes, pricing);
  }

  /**
   * The built-in defaults of SPEC §7 (no file, no environment), relative paths resolved against
   * {@code workingDir}.
   */
  public static LMGateConfig defaults(Path workingDir) {
    return ConfigLoader.defaults(workingDir);
  }

  /** {@code server.*}. */
  public record Server(String host, int port, int shutdownGraceSeconds, ErrorFormat errorFormat) {
    /**
     * Checks each value against its key's rule.
     *
     * @throws IllegalArgumentException naming the key of an invalid value
     */
    public Server {
      ConfigSchema.SERVER_HOST.require(host);
      ConfigSchema.SERVER_PORT.require(port);
      ConfigSchema.SERVER_SHUTDOWN_GRACE_SECONDS.require(shutdownGraceSeconds);
      ConfigSchema.SERVER_ERROR_FORMAT.require(errorFormat);
    }
  }

  /** {@code auth.*}; the loader gives an absolute path. */
  public record Auth(Path allowlistPath, int pollIntervalSeconds) {
    /**
     * Checks each value against its key's rule.
     *
     * @throws IllegalArgumentException naming the key of an invalid value
     */
    public Auth {
      ConfigSchema.AUTH_ALLOWLIST_PATH.require(allowlistPath);
      ConfigSchema.AUTH_POLL_INTERVAL_SECONDS.require(pollIntervalSeconds);
    }
  }

  /** {@code stats.*}; the loader gives an absolute path. */
  public record Stats(
      Path outputPath,
      int flushIntervalSeconds,
      long maxFileBytes,
      int queueCapacity,
      int maxEventBytes) {
    /**
     * Checks each value against its key's rule.
     *
     * @throws IllegalArgumentException naming the key of an invalid value
     */
    public Stats {
      ConfigSchema.STATS_OUTPUT_PATH.require(outputPath);
      ConfigSchema.STATS_FLUSH_INTERVAL_SECONDS.require(flushIntervalSeconds);
      ConfigSchema.STATS_MAX_FILE_BYTES.require(maxFileBytes);
      ConfigSchema.STATS_QUEUE_CAPACITY.require(queueCapacity);
      ConfigSchema.STATS_MAX_EVENT_BYTES.require(maxEventBytes);
    }
  }

  /**
   * {@code upstream.*}.
   *
   * @param forwardedHeaders whether to add {@code Via} and {@code X-Forwarded-*} to forwarded
   *     requests (off by default: the provider sees the request as the client sent it)
   */
  public record Upstream(
      int connectTimeoutSeconds, int idleTimeoutSeconds, boolean forwardedHeaders) {
    /**
     * Checks each value against its key's rule.
     *
     * @throws IllegalArgumentException naming the key of an invalid value
     */
    public Upstream {
      ConfigSchema.UPSTREAM_CONNECT_TIMEOUT_SECONDS.require(connectTimeoutSeconds);
      ConfigSchema.UPSTREAM_IDLE_TIMEOUT_SECONDS.require(idleTimeoutSeconds);
    }
  }

  /** {@code logging.*}. */
  public record Logging(LogLevel level) {
    /**
     * Checks that a level is given.
     *
     * @throws IllegalArgumentException if the level is null
     */
    public Logging {
      ConfigSchema.LOGGING_LEVEL.require(level);
    }
  }

  /**
   * {@code pricing.*}; the loader gives an absolute path.
   *
   * @param path the operator's price file, or null for the table bundled in the jar
   */
  public record Pricing(Path path) {

    /** No {@code pricing.path}: the bundled table. */
    public static final Pricing BUNDLED = new Pricing(null);

    /**
     * Checks the path, when given, against its key's rule.
     *
     * @throws IllegalArgumentException naming the key of an invalid value
     */
    public Pricing {
      if (path != null) {
        ConfigSchema.PRICING_PATH.require(path);
      }
    }
  }

  private static void requireSection(String key, Object value) {
    if (value == null) {
      throw new IllegalArgumentException(key + ": must be given, got null");
    }
  }
}
