package ai.numio.lmgate.config;

import ai.numio.lmgate.route.Route;
import java.net.URI;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * @param otel the OpenTelemetry export ({@link Otel#OFF}: none)
 * @param ui the dashboard ({@code ui.*}; {@link Ui#NONE}: none)
 * @param metrics the Prometheus endpoint ({@code metrics.*})
 */
public record LMGateConfig(
    Server server,
    Auth auth,
    Stats stats,
    Upstream upstream,
    Logging logging,
    List<Route> routes,
    Policy policy,
    Limits limits,
    Pricing pricing,
    Otel otel,
    Ui ui,
    Metrics metrics) {

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
    requireSection("policy", policy);
    requireSection("limits", limits);
    requireSection(ConfigSchema.PROVIDERS, routes);
    requireSection("pricing", pricing);
    requireSection("otel", otel);
    requireSection("ui", ui);
    requireSection("metrics", metrics);
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

  /**
   * A configuration without policies, limits held in memory (as before SPEC-2 §14), with the
   * bundled price table ({@code pricing.path} not set).
   */
  public LMGateConfig(
      Server server,
      Auth auth,
      Stats stats,
      Upstream upstream,
      Logging logging,
      List<Route> routes) {
    this(
        server,
        auth,
        stats,
        upstream,
        logging,
        routes,
        Policy.NONE,
        Limits.MEMORY,
        Pricing.BUNDLED,
        Otel.OFF,
        Ui.NONE,
        Metrics.DEFAULT);
  }

  /** This configuration with another policy section. */
  public LMGateConfig withPolicy(Policy policy) {
    return new LMGateConfig(
        server, auth, stats, upstream, logging, routes, policy, limits, pricing, otel, ui, metrics);
  }

  /** This configuration with another limits section. */
  public LMGateConfig withLimits(Limits limits) {
    return new LMGateConfig(
        server, auth, stats, upstream, logging, routes, policy, limits, pricing, otel, ui, metrics);
  }

  /** This configuration with another {@code pricing} section. */
  public LMGateConfig withPricing(Pricing pricing) {
    return new LMGateConfig(
        server, auth, stats, upstream, logging, routes, policy, limits, pricing, otel, ui, metrics);
  }

  /** This configuration with another {@code otel} section. */
  public LMGateConfig withOtel(Otel otel) {
    return new LMGateConfig(
        server, auth, stats, upstream, logging, routes, policy, limits, pricing, otel, ui, metrics);
  }

  /** This configuration with another {@code ui} section. */
  public LMGateConfig withUi(Ui ui) {
    return new LMGateConfig(
        server, auth, stats, upstream, logging, routes, policy, limits, pricing, otel, ui, metrics);
  }

  /** This configuration with another {@code metrics} section. */
  public LMGateConfig withMetrics(Metrics metrics) {
    return new LMGateConfig(
        server, auth, stats, upstream, logging, routes, policy, limits, pricing, otel, ui, metrics);
  }

  /**
   * The built-in defaults of SPEC §7 (no file, no environment), relative paths resolved against
   * {@code workingDir}.
   */
  public static LMGateConfig defaults(Path workingDir) {
    return ConfigLoader.defaults(workingDir);
  }

  /**
   * {@code server.*}.
   *
   * @param tls the TLS listener ({@code server.tls.*}); {@link Tls#NONE} for none
   * @param overheadHeader whether responses carry {@code x-lmgate-overhead-ms} ({@code
   *     server.overhead_header})
   * @param idleTimeoutSeconds how long a client connection may stay idle ({@code
   *     server.idle_timeout_seconds})
   * @param engine how the standalone gateway forwards ({@code server.engine})
   */
  public record Server(
      String host,
      int port,
      int shutdownGraceSeconds,
      ErrorFormat errorFormat,
      Tls tls,
      boolean overheadHeader,
      int idleTimeoutSeconds,
      Engine engine) {
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
      requireSection("server.tls", tls);
      ConfigSchema.SERVER_IDLE_TIMEOUT_SECONDS.require(idleTimeoutSeconds);
      ConfigSchema.SERVER_ENGINE.require(engine);
    }

    /** A server with the default idle timeout and engine. */
    public Server(
        String host,
        int port,
        int shutdownGraceSeconds,
        ErrorFormat errorFormat,
        Tls tls,
        boolean overheadHeader) {
      this(host, port, shutdownGraceSeconds, errorFormat, tls, overheadHeader, 30, Engine.SERVLET);
    }

    /** A server without overhead header. */
    public Server(
        String host, int port, int shutdownGraceSeconds, ErrorFormat errorFormat, Tls tls) {
      this(host, port, shutdownGraceSeconds, errorFormat, tls, false);
    }

    /** A server without TLS listener. */
    public Server(String host, int port, int shutdownGraceSeconds, ErrorFormat errorFormat) {
      this(host, port, shutdownGraceSeconds, errorFormat, Tls.NONE);
    }

    /** This server section with another TLS listener. */
    public Server withTls(Tls tls) {
      return new Server(
          host,
          port,
          shutdownGraceSeconds,
          errorFormat,
          tls,
          overheadHeader,
          idleTimeoutSeconds,
          engine);
    }

    /** This server section with {@code server.overhead_header} on or off. */
    public Server withOverheadHeader(boolean overheadHeader) {
      return new Server(
          host,
          port,
          shutdownGraceSeconds,
          errorFormat,
          tls,
          overheadHeader,
          idleTimeoutSeconds,
          engine);
    }

    /** This server section with another {@code server.engine}. */
    public Server withEngine(Engine engine) {
      return new Server(
          host,
          port,
          shutdownGraceSeconds,
          errorFormat,
          tls,
          overheadHeader,
          idleTimeoutSeconds,
          engine);
    }
  }

  /**
   * {@code server.tls.*}: the TLS listener, on when a certificate and key are given.
   *
   * @param port the TLS listener's port
   * @param certPath the PEM certificate chain; null for no TLS listener
   * @param keyPath the PEM private key; null exactly when {@code certPath} is
   * @param pollIntervalSeconds how often both files are checked for changes
   */
  public record Tls(int port, Path certPath, Path keyPath, int pollIntervalSeconds) {

    /** No TLS listener; the other values their defaults. */
    public static final Tls NONE = new Tls(8443, null, null, 30);

    /**
     * Checks each value against its key's rule, and that the certificate and key come together.
     *
     * @throws IllegalArgumentException naming the key of an invalid value
     */
    public Tls {
      ConfigSchema.SERVER_TLS_PORT.require(port);
      ConfigSchema.SERVER_TLS_POLL_INTERVAL_SECONDS.require(pollIntervalSeconds);
      if ((certPath == null) != (keyPath == null)) {
        throw new IllegalArgumentException(
            "server.tls.cert_path, server.tls.key_path: give both (TLS) or neither, got "
                + (certPath == null ? "key_path only" : "cert_path only"));
      }
    }

    /** Whether the TLS listener is on. */
    public boolean enabled() {
      return certPath != null;
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
      int connectTimeoutSeconds,
      int idleTimeoutSeconds,
      boolean forwardedHeaders,
      int poolIdleTimeoutSeconds) {
    /**
     * Checks each value against its key's rule.
     *
     * @throws IllegalArgumentException naming the key of an invalid value
     */
    public Upstream {
      ConfigSchema.UPSTREAM_CONNECT_TIMEOUT_SECONDS.require(connectTimeoutSeconds);
      ConfigSchema.UPSTREAM_IDLE_TIMEOUT_SECONDS.require(idleTimeoutSeconds);
      ConfigSchema.UPSTREAM_POOL_IDLE_TIMEOUT_SECONDS.require(poolIdleTimeoutSeconds);
    }

    /** Upstream settings with the default pool idle timeout. */
    public Upstream(int connectTimeoutSeconds, int idleTimeoutSeconds, boolean forwardedHeaders) {
      this(connectTimeoutSeconds, idleTimeoutSeconds, forwardedHeaders, 4);
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
   * {@code policy.*} (SPEC-2 §14).
   *
   * @param path the policy file; null for none (no policies: every allow-listed key may use every
   *     route and model, unlimited)
   * @param maxReadAheadBytes how much of a body is read to find its model, at most
   */
  public record Policy(Path path, int maxReadAheadBytes) {

    /** No policy file; the default read-ahead cap. */
    public static final Policy NONE = new Policy(null, 4 * 1024 * 1024);

    /**
     * Checks each value against its key's rule.
     *
     * @throws IllegalArgumentException naming the key of an invalid value
     */
    public Policy {
      ConfigSchema.POLICY_MAX_READ_AHEAD_BYTES.require(maxReadAheadBytes);
    }
  }

  /**
   * {@code limits.*} (SPEC-2 §14).
   *
   * @param redisUrl the Redis server of {@code store: redis}; null for none. Its user info may hold
   *     a password: never log it whole
   */
  public record Limits(LimitStoreKind store, URI redisUrl, OnStoreError onStoreError) {

    /** Limits in memory; a request passes when the store fails (it cannot). */
    public static final Limits MEMORY = new Limits(LimitStoreKind.MEMORY, null, OnStoreError.ALLOW);

    /**
     * Checks each value against its key's rule, and that {@code redis} has a URL.
     *
     * @throws IllegalArgumentException naming the key of an invalid value
     */
    public Limits {
      ConfigSchema.LIMITS_STORE.require(store);
      ConfigSchema.LIMITS_ON_STORE_ERROR.require(onStoreError);
      if (redisUrl != null) {
        ConfigSchema.LIMITS_REDIS_URL.require(redisUrl);
      } else if (store == LimitStoreKind.REDIS) {
        throw new IllegalArgumentException(
            "limits.redis_url: is required with limits.store: redis");
      }
    }

    @Override
    public String toString() {
      return "Limits[store="
          + store.configName()
          + ", redisUrl="
          + (redisUrl == null
              ? "none"
              : redisUrl.getScheme() + "://" + redisUrl.getHost() + ":" + redisUrl.getPort())
          + ", onStoreError="
          + onStoreError.configName()
          + "]";
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

  /**
   * {@code otel.*} (SPEC-2 §16): spans and GenAI metrics over OTLP/HTTP, by the {@code lmgate-otel}
   * module.
   *
   * @param endpoint the collector's OTLP/HTTP base address; null for no export (then nothing of
   *     OpenTelemetry is created)
   * @param headers sent with every export; values may be credentials: {@link #toString()} hides
   *     them
   * @param queueCapacity records waiting to be turned into spans and points, at most
   */
  public record Otel(
      URI endpoint,
      String serviceName,
      Map<String, String> headers,
      int exportIntervalSeconds,
      int queueCapacity) {

    /** No export; the other values their defaults. */
    public static final Otel OFF = new Otel(null, "lmgate", Map.of(), 10, 8192);

    /**
     * Checks each value against its key's rule.
     *
     * @throws IllegalArgumentException naming the key of an invalid value
     */
    public Otel {
      if (endpoint != null) {
        ConfigSchema.OTEL_ENDPOINT.require(endpoint);
      }
      ConfigSchema.OTEL_SERVICE_NAME.require(serviceName);
      ConfigSchema.OTEL_HEADERS.require(headers);
      ConfigSchema.OTEL_EXPORT_INTERVAL_SECONDS.require(exportIntervalSeconds);
      ConfigSchema.OTEL_QUEUE_CAPACITY.require(queueCapacity);
      headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** An export to this collector, every other value its default. */
    public static Otel to(URI endpoint) {
      return new Otel(
          endpoint, OFF.serviceName, Map.of(), OFF.exportIntervalSeconds, OFF.queueCapacity);
    }

    /** Whether anything is exported. */
    public boolean enabled() {
      return endpoint != null;
    }

    /** This section with another export interval. */
    public Otel withExportIntervalSeconds(int seconds) {
      return new Otel(endpoint, serviceName, headers, seconds, queueCapacity);
    }

    @Override
    public String toString() {
      return "Otel[endpoint="
          + (endpoint == null ? "none" : endpoint)
          + ", serviceName="
          + serviceName
          + ", headers="
          + headers.keySet()
          + " (values not shown), exportIntervalSeconds="
          + exportIntervalSeconds
          + ", queueCapacity="
          + queueCapacity
          + "]";
    }
  }

  /**
   * {@code ui.*}: the dashboard (SPEC-2 §16).
   *
   * @param token the secret that opens {@code /ui}; null for no dashboard. Never logged
   */
  public record Ui(String token) {

    /** No dashboard. */
    public static final Ui NONE = new Ui(null);

    /**
     * Checks the token, when given, against its key's rule.
     *
     * @throws IllegalArgumentException naming the key, never the token
     */
    public Ui {
      if (token != null) {
        ConfigSchema.UI_TOKEN.require(token);
      }
    }

    /** Whether {@code /ui} is served. */
    public boolean enabled() {
      return token != null;
    }

    @Override
    public String toString() {
      return "Ui[token=" + (token == null ? "none" : "(set)") + "]";
    }
  }

  /**
   * {@code metrics.*}: the Prometheus endpoint {@code GET /metrics} (SPEC-2 §16).
   *
   * @param ownerLabel whether the request, token and cost metrics carry an {@code owner} label
   * @param maxSeries the most distinct label values each metric keeps; later ones count as {@code
   *     other}
   * @param token the Bearer token a scrape must present, or null for none; never printed
   */
  public record Metrics(boolean ownerLabel, int maxSeries, String token) {

    /** The defaults: no owner label, 10000 values per metric, no token. */
    public static final Metrics DEFAULT = new Metrics(false, 10_000, null);

    /**
     * Checks each value against its key's rule.
     *
     * @throws IllegalArgumentException naming the key of an invalid value (never the token)
     */
    public Metrics {
      ConfigSchema.METRICS_MAX_SERIES.require(maxSeries);
      if (token != null) {
        ConfigSchema.METRICS_TOKEN.require(token);
      }
    }

    /** Whether a scrape needs the token. */
    public boolean tokenRequired() {
      return token != null;
    }

    @Override
    public String toString() {
      return "Metrics[ownerLabel="
          + ownerLabel
          + ", maxSeries="
          + maxSeries
          + ", token="
          + (token == null ? "none" : "(set)")
          + "]";
    }
  }

  private static void requireSection(String key, Object value) {
    if (value == null) {
      throw new IllegalArgumentException(key + ": must be given, got null");
    }
  }
}
