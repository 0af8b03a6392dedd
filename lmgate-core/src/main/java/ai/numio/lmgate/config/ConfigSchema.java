package ai.numio.lmgate.config;

import ai.numio.lmgate.providerkey.KeyReference;
import ai.numio.lmgate.route.Format;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every key of SPEC §7, each defined once: its path, type and range, built-in default and meaning.
 * The binder, the file and environment layers, every message and the user guide's table ({@link
 * ConfigDocs}) are derived from these entries; the records of {@link LMGateConfig} check their
 * values against them.
 */
final class ConfigSchema {

  private static final String ROUTE_SECTION = "providers.<name>";

  static final ConfigKey<String> SERVER_HOST =
      new ConfigKey<>(
          "server",
          "host",
          ValueType.host(),
          "0.0.0.0",
          "Address to listen on. `127.0.0.1` accepts local clients only.");
  static final ConfigKey<Integer> SERVER_PORT =
      new ConfigKey<>(
          "server",
          "port",
          ValueType.integer(1, 65535),
          "8080",
          "The plain client-facing port: HTTP/1.1 and h2c. With TLS, `server.tls.port` serves"
              + " HTTPS beside it.");
  static final ConfigKey<Integer> SERVER_SHUTDOWN_GRACE_SECONDS =
      new ConfigKey<>(
          "server",
          "shutdown_grace_seconds",
          ValueType.integer(0, Integer.MAX_VALUE),
          "30",
          "On SIGTERM, how long in-flight requests may take to finish.");
  static final ConfigKey<ErrorFormat> SERVER_ERROR_FORMAT =
      new ConfigKey<>(
          "server",
          "error_format",
          ValueType.choice(
              ErrorFormat.class, "lmgate or provider", "error format", ErrorFormat::configName),
          "lmgate",
          "The shape of the errors LMGate answers itself (401, 403, 404, 502 …): `lmgate` is"
              + " LMGate's own `{\"error\":\"<type>\",\"message\":\"...\"}`; `provider` shapes"
              + " them like the route's provider's errors, so official SDKs show the message and"
              + " raise the right exception class.");
  static final ConfigKey<Boolean> SERVER_OVERHEAD_HEADER =
      new ConfigKey<>(
          "server",
          "overhead_header",
          ValueType.bool(),
          "false",
          "`true` adds `x-lmgate-overhead-ms` to every forwarded response: the milliseconds from"
              + " the request's arrival to its upstream request being sent (the part of the"
              + " gateway's overhead known when the head goes out).");
  static final ConfigKey<Integer> SERVER_IDLE_TIMEOUT_SECONDS =
      new ConfigKey<>(
          "server",
          "idle_timeout_seconds",
          ValueType.integer(1, Integer.MAX_VALUE),
          "30",
          "How long a client connection may stay idle (no request, or a client that reads or"
              + " sends nothing while LMGate waits on it) before LMGate closes it. A request"
              + " waiting on its upstream is bounded by `upstream.idle_timeout_seconds`"
              + " instead.");
  static final ConfigKey<Engine> SERVER_ENGINE =
      new ConfigKey<>(
          "server",
          "engine",
          ValueType.choice(Engine.class, "lean or servlet", "engine", Engine::configName),
          "servlet",
          "How the standalone gateway forwards: `lean` is LMGate's own non-blocking upstream"
              + " engine; `servlet` is Jetty's `ProxyServlet` (`LMGateProxyServlet`), the form"
              + " people mount in their own Jetty. Both make the same decisions and records.");
  static final ConfigKey<Path> SERVER_TLS_CERT_PATH =
      new ConfigKey<>(
          "server",
          "tls.cert_path",
          ValueType.optionalPath(),
          "",
          "PEM certificate chain (server certificate first) for the TLS listener on"
              + " `server.tls.port`; with `server.tls.key_path`, both or neither. Re-read when it"
              + " changes (cert-manager renewals): new connections get the new certificate, open"
              + " ones continue. Empty: no TLS listener.");
  static final ConfigKey<Path> SERVER_TLS_KEY_PATH =
      new ConfigKey<>(
          "server",
          "tls.key_path",
          ValueType.optionalPath(),
          "",
          "PEM private key of the certificate: PKCS#8 (`BEGIN PRIVATE KEY`), RSA or EC; a PKCS#1"
              + " `BEGIN RSA PRIVATE KEY` is accepted too. Must match the certificate.");
  static final ConfigKey<Integer> SERVER_TLS_PORT =
      new ConfigKey<>(
          "server",
          "tls.port",
          ValueType.integer(1, 65535),
          "8443",
          "The TLS listener's port, when a certificate is set: HTTP/2 (ALPN) and HTTP/1.1 over"
              + " TLS 1.2/1.3. `server.port` keeps serving plain HTTP/1.1 and h2c beside it.");
  static final ConfigKey<Integer> SERVER_TLS_POLL_INTERVAL_SECONDS =
      new ConfigKey<>(
          "server",
          "tls.poll_interval_seconds",
          ValueType.integer(1, Integer.MAX_VALUE),
          "30",
          "How often the certificate and key files are checked for changes.");
  static final ConfigKey<Path> AUTH_ALLOWLIST_PATH =
      new ConfigKey<>(
          "auth",
          "allowlist_path",
          ValueType.path(),
          "data/allowlist.csv",
          "The allow-list CSV. Invalid at start: LMGate does not start. Missing: the standalone"
              + " gateway creates the default `data/allowlist.csv` with no key (every request `403`);"
              + " any other missing path stops the start.");
  static final ConfigKey<Integer> AUTH_POLL_INTERVAL_SECONDS =
      new ConfigKey<>(
          "auth",
          "poll_interval_seconds",
          ValueType.integer(1, Integer.MAX_VALUE),
          "30",
          "How often the allow-list file is checked for changes.");
  static final ConfigKey<Path> STATS_OUTPUT_PATH =
      new ConfigKey<>(
          "stats",
          "output_path",
          ValueType.path(),
          "data/stats.jsonl",
          "The usage records file. Its directory is created if missing.");
  static final ConfigKey<Integer> STATS_FLUSH_INTERVAL_SECONDS =
      new ConfigKey<>(
          "stats",
          "flush_interval_seconds",
          ValueType.integer(1, Integer.MAX_VALUE),
          "10",
          "How often queued records are written (sooner when many are waiting).");
  static final ConfigKey<Long> STATS_MAX_FILE_BYTES =
      new ConfigKey<>(
          "stats",
          "max_file_bytes",
          ValueType.longInteger(1, Long.MAX_VALUE),
          "104857600",
          "Once the file has reached this size it is rotated.");
  static final ConfigKey<Integer> STATS_QUEUE_CAPACITY =
      new ConfigKey<>(
          "stats",
          "queue_capacity",
          ValueType.integer(1, Integer.MAX_VALUE),
          "100000",
          "Records waiting to be written; when full, new records are dropped and counted.");
  static final ConfigKey<Integer> STATS_MAX_EVENT_BYTES =
      new ConfigKey<>(
          "stats",
          "max_event_bytes",
          ValueType.integer(1, Integer.MAX_VALUE),
          "67108864",
          "Metering reads at most this much of one streamed (SSE) event's data: the usage"
              + " fields complete before the cap count, the rest of that event is ignored. Nothing"
              + " is buffered, so the cap bounds work, not memory.");
  static final ConfigKey<Integer> UPSTREAM_CONNECT_TIMEOUT_SECONDS =
      new ConfigKey<>(
          "upstream",
          "connect_timeout_seconds",
          ValueType.integer(1, Integer.MAX_VALUE),
          "10",
          "Time allowed to open a connection to a provider.");
  static final ConfigKey<Integer> UPSTREAM_IDLE_TIMEOUT_SECONDS =
      new ConfigKey<>(
          "upstream",
          "idle_timeout_seconds",
          ValueType.integer(1, Integer.MAX_VALUE),
          "300",
          "Time a provider may stay silent during a request before LMGate gives up (`504`, or a"
              + " cut stream). Long, because slow generations stream slowly.");
  static final ConfigKey<Integer> UPSTREAM_POOL_IDLE_TIMEOUT_SECONDS =
      new ConfigKey<>(
          "upstream",
          "pool_idle_timeout_seconds",
          ValueType.integer(1, Integer.MAX_VALUE),
          "4",
          "How long an idle pooled connection to a provider is kept for reuse. Shorter than the"
              + " upstream's own keep-alive (uvicorn/vLLM and Node close after 5 s), so LMGate"
              + " never sends on a connection the upstream is closing; a `Keep-Alive: timeout=`"
              + " the upstream announces shortens it further.");
  static final ConfigKey<Boolean> UPSTREAM_FORWARDED_HEADERS =
      new ConfigKey<>(
          "upstream",
          "forwarded_headers",
          ValueType.bool(),
          "false",
          "`true` adds `Via` and `X-Forwarded-*` headers to forwarded requests.");
  static final ConfigKey<LogLevel> LOGGING_LEVEL =
      new ConfigKey<>(
          "logging",
          "level",
          ValueType.choice(LogLevel.class, "a log level", "level", LogLevel::configName),
          "INFO",
          "LMGate's log level. LMGate masks keys at every level; Jetty's own loggers"
              + " (`org.eclipse.jetty`) stay at `WARN` — do not turn them to `DEBUG` in"
              + " production, as Jetty then prints raw request headers, keys included (the"
              + " provider keys the gateway holds too).");

  static final ConfigKey<Path> POLICY_PATH =
      new ConfigKey<>(
          "policy",
          "path",
          ValueType.optionalPath(),
          "",
          "The policy file (allowed models and routes, rate limits, budgets, key expiry), re-read"
              + " when it changes like the allow-list. Empty: no policies. Invalid at start: LMGate"
              + " does not start.");
  static final ConfigKey<Integer> POLICY_MAX_READ_AHEAD_BYTES =
      new ConfigKey<>(
          "policy",
          "max_read_ahead_bytes",
          ValueType.integer(1024, 1024 * 1024 * 1024),
          "4194304",
          "When a model rule applies to a caller, how much of an OpenAI/Anthropic request body"
              + " LMGate reads to find its `model` before forwarding (the bytes are then forwarded"
              + " as they were); a body whose model is not within the cap is refused `400`. Bounds"
              + " the memory of each such request.");
  static final ConfigKey<LimitStoreKind> LIMITS_STORE =
      new ConfigKey<>(
          "limits",
          "store",
          ValueType.choice(
              LimitStoreKind.class, "memory or redis", "store", LimitStoreKind::configName),
          "memory",
          "Where rate limits and budgets are counted: `memory` (each replica its own) or `redis`"
              + " (shared by every replica through `limits.redis_url`).");
  static final ConfigKey<URI> LIMITS_REDIS_URL =
      new ConfigKey<>(
          "limits",
          "redis_url",
          ValueType.redisUrl(),
          "",
          "The Redis server of `limits.store: redis`: `redis://host:port[/db]`, or `rediss://`"
              + " for TLS; a password goes in the user info (`redis://:secret@host`) and is never"
              + " logged. Required with `redis`.");
  static final ConfigKey<OnStoreError> LIMITS_ON_STORE_ERROR =
      new ConfigKey<>(
          "limits",
          "on_store_error",
          ValueType.choice(OnStoreError.class, "allow or deny", "choice", OnStoreError::configName),
          "allow",
          "When the limit store cannot answer (Redis down): `allow` lets requests pass unlimited"
              + " (logged at most once a minute), `deny` refuses them `503`"
              + " `limit_store_unavailable`.");
  static final ConfigKey<Path> PRICING_PATH =
      new ConfigKey<>(
          "pricing",
          "path",
          ValueType.path(),
          null,
          "The price table that gives each usage record its `cost_usd` (USD per 1 million tokens"
              + " per model). Not set: the table bundled in the jar (a copy of"
              + " `config/prices.yaml`). Set: that file replaces it whole, is re-read when it"
              + " changes (every `auth.poll_interval_seconds`; a bad edit keeps the previous table)"
              + " and must be valid at start.");

  static final ConfigKey<URI> OTEL_ENDPOINT =
      new ConfigKey<>(
          "otel",
          "endpoint",
          ValueType.otlpEndpoint(),
          "",
          "The OpenTelemetry collector's OTLP/HTTP address (`http://collector:4318`): set, LMGate"
              + " exports a span per request and the GenAI metrics to `<endpoint>/v1/traces` and"
              + " `<endpoint>/v1/metrics` (needs the `lmgate-otel` module, which the standalone"
              + " jar and the WAR bundle). Empty: nothing is exported and nothing of OpenTelemetry"
              + " is started.");
  static final ConfigKey<String> OTEL_SERVICE_NAME =
      new ConfigKey<>(
          "otel",
          "service_name",
          ValueType.name(),
          "lmgate",
          "The `service.name` of everything exported (tells replicas or deployments apart).");
  static final ConfigKey<Map<String, String>> OTEL_HEADERS =
      new ConfigKey<>(
          "otel",
          "headers",
          ValueType.headers(),
          "",
          "Headers sent with every export, for a collector that wants credentials:"
              + " `name=value` pairs separated by commas (`Authorization=Bearer%20abc`, values"
              + " percent-decoded), as `OTEL_EXPORTER_OTLP_HEADERS`. Values are never logged.");
  static final ConfigKey<Integer> OTEL_EXPORT_INTERVAL_SECONDS =
      new ConfigKey<>(
          "otel",
          "export_interval_seconds",
          ValueType.integer(1, 3600),
          "10",
          "How often metrics are exported, and the longest a finished span waits to be sent.");
  static final ConfigKey<Integer> OTEL_QUEUE_CAPACITY =
      new ConfigKey<>(
          "otel",
          "queue_capacity",
          ValueType.integer(1, 10_000_000),
          "8192",
          "Records waiting to become spans and metric points; when full (the collector is slower"
              + " than the traffic), new ones are dropped, counted and logged, and requests are"
              + " not slowed.");
  static final ConfigKey<String> UI_TOKEN =
      new ConfigKey<>(
          "ui",
          "token",
          ValueType.token(),
          "",
          "The dashboard at `/ui` (SPEC-2 §16): the token that opens it, as `Authorization:"
              + " Bearer <token>` or typed into its login form. Empty: no dashboard (`/ui` answers"
              + " `404`). A secret: set it from the environment (`LMGATE_UI__TOKEN`).");
  static final ConfigKey<Boolean> METRICS_OWNER_LABEL =
      new ConfigKey<>(
          "metrics",
          "owner_label",
          ValueType.bool(),
          "false",
          "`true` adds the allow-list `owner` as a label of `lmgate_requests_total`,"
              + " `lmgate_tokens_total` and `lmgate_cost_usd_total` (bounded by"
              + " `metrics.max_series` like every label).");
  static final ConfigKey<Integer> METRICS_MAX_SERIES =
      new ConfigKey<>(
          "metrics",
          "max_series",
          ValueType.integer(1, 1_000_000),
          "10000",
          "The most distinct label values a metric keeps per label; values seen after that are"
              + " counted as `other`, so many models or owners cannot grow memory without bound.");
  static final ConfigKey<String> METRICS_TOKEN =
      new ConfigKey<>(
          "metrics",
          "token",
          ValueType.token(),
          "",
          "A secret that `GET /metrics` requires as `Authorization: Bearer <token>` (401 without,"
              + " 403 when wrong). Empty: `/metrics` is open. Set it through"
              + " `LMGATE_METRICS__TOKEN` rather than the file.");

  /** Every key outside {@code providers}, section by section, in the order they are listed. */
  static final List<ConfigKey<?>> SETTINGS =
      List.of(
          SERVER_HOST,
          SERVER_PORT,
          SERVER_SHUTDOWN_GRACE_SECONDS,
          SERVER_ERROR_FORMAT,
          SERVER_OVERHEAD_HEADER,
          SERVER_IDLE_TIMEOUT_SECONDS,
          SERVER_ENGINE,
          SERVER_TLS_CERT_PATH,
          SERVER_TLS_KEY_PATH,
          SERVER_TLS_PORT,
          SERVER_TLS_POLL_INTERVAL_SECONDS,
          AUTH_ALLOWLIST_PATH,
          AUTH_POLL_INTERVAL_SECONDS,
          STATS_OUTPUT_PATH,
          STATS_FLUSH_INTERVAL_SECONDS,
          STATS_MAX_FILE_BYTES,
          STATS_QUEUE_CAPACITY,
          STATS_MAX_EVENT_BYTES,
          UPSTREAM_CONNECT_TIMEOUT_SECONDS,
          UPSTREAM_IDLE_TIMEOUT_SECONDS,
          UPSTREAM_POOL_IDLE_TIMEOUT_SECONDS,
          UPSTREAM_FORWARDED_HEADERS,
          LOGGING_LEVEL,
          POLICY_PATH,
          POLICY_MAX_READ_AHEAD_BYTES,
          LIMITS_STORE,
          LIMITS_REDIS_URL,
          LIMITS_ON_STORE_ERROR,
          PRICING_PATH,
          OTEL_ENDPOINT,
          OTEL_SERVICE_NAME,
          OTEL_HEADERS,
          OTEL_EXPORT_INTERVAL_SECONDS,
          OTEL_QUEUE_CAPACITY,
          UI_TOKEN,
          METRICS_OWNER_LABEL,
          METRICS_MAX_SERIES,
          METRICS_TOKEN);

  static final ConfigKey<String> ROUTE_PREFIX =
      new ConfigKey<>(
          ROUTE_SECTION,
          "prefix",
          ValueType.prefix(),
          "/<name>/",
          "Path prefix of the route; several segments allowed (`/azure/eu/`).");
  static final ConfigKey<URI> ROUTE_UPSTREAM =
      new ConfigKey<>(
          ROUTE_SECTION,
          "upstream",
          ValueType.upstream(),
          null,
          "Where the route's requests go, optionally with a base path; no user info, query or"
              + " fragment.");
  static final ConfigKey<Format> ROUTE_FORMAT =
      new ConfigKey<>(
          ROUTE_SECTION,
          "format",
          ValueType.choice(Format.class, "a format name", "format", Format::configName),
          null,
          "The API the upstream speaks.");
  static final ConfigKey<Boolean> ROUTE_ENABLED =
      new ConfigKey<>(
          ROUTE_SECTION,
          "enabled",
          ValueType.bool(),
          "true",
          "`false` removes the route, a built-in one too.");

  static final ConfigKey<KeyReference> ROUTE_UPSTREAM_KEY =
      new ConfigKey<>(
          ROUTE_SECTION,
          "upstream_key",
          ValueType.keyReference(),
          "",
          "The provider key the gateway holds for this route, as a reference: `env:NAME` (read at"
              + " start) or `file:/path` (re-read when the file changes: a mounted secret), never"
              + " the key itself. Set: callers authenticate with their LMGate key, and every"
              + " credential they send is replaced by this key upstream (an allow-list row's"
              + " `upstream_key` overrides it). Cannot be resolved at start: LMGate does not"
              + " start. Empty: callers send the provider key themselves.");

  /** The keys of one route, in the order they are listed to the operator. */
  static final List<ConfigKey<?>> ROUTE_KEYS =
      List.of(ROUTE_PREFIX, ROUTE_UPSTREAM, ROUTE_FORMAT, ROUTE_ENABLED, ROUTE_UPSTREAM_KEY);

  /** One built-in route. */
  record DefaultRoute(String name, String prefix, String upstream, String format) {}

  static final String PROVIDERS = "providers";

  static final List<DefaultRoute> DEFAULT_ROUTES =
      List.of(
          new DefaultRoute("openai", "/openai/", "https://api.openai.com", "openai"),
          new DefaultRoute("anthropic", "/anthropic/", "https://api.anthropic.com", "anthropic"),
          new DefaultRoute("google", "/google/", "https://aiplatform.googleapis.com", "google"),
          new DefaultRoute(
              "gemini", "/gemini/", "https://generativelanguage.googleapis.com", "google"));

  private static final Pattern ROUTE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

  /** Route names must match this; shown to the operator. */
  static final String ROUTE_NAME_RULE = ROUTE_NAME.pattern();

  private static final Map<String, List<ConfigKey<?>>> BY_SECTION = bySection();

  private ConfigSchema() {}

  private static Map<String, List<ConfigKey<?>>> bySection() {
    Map<String, List<ConfigKey<?>>> sections = new LinkedHashMap<>();
    for (ConfigKey<?> key : SETTINGS) {
      sections.computeIfAbsent(key.section(), k -> new ArrayList<>()).add(key);
    }
    sections.replaceAll((k, v) -> List.copyOf(v));
    return sections;
  }

  /** Every top-level key, {@code providers} last. */
  static List<String> sections() {
    List<String> names = new ArrayList<>(BY_SECTION.keySet());
    names.add(PROVIDERS);
    return List.copyOf(names);
  }

  /** True for a section of scalar settings (everything but {@code providers}). */
  static boolean isSettingsSection(String section) {
    return BY_SECTION.containsKey(section);
  }

  /** The settings of a section of scalar settings, in schema order. */
  static List<ConfigKey<?>> settingsOf(String section) {
    return BY_SECTION.getOrDefault(section, List.of());
  }

  static Optional<ConfigKey<?>> setting(String section, String name) {
    return settingsOf(section).stream().filter(k -> k.name().equals(name)).findFirst();
  }

  /**
   * True if {@code name} is a group of keys within the section, written as a nested mapping: {@code
   * tls} in {@code server} holds {@code tls.cert_path} ({@code server: {tls: {cert_path: ...}}}).
   */
  static boolean isGroup(String section, String name) {
    return settingsOf(section).stream().anyMatch(k -> k.name().startsWith(name + "."));
  }

  /** The keys of a group within a section (without the group's name), comma-separated. */
  static String groupKeyList(String section, String group) {
    String prefix = group + ".";
    return String.join(
        ", ",
        settingsOf(section).stream()
            .map(ConfigKey::name)
            .filter(n -> n.startsWith(prefix))
            .map(n -> n.substring(prefix.length()))
            .toList());
  }

  /** The keys of a section of scalar settings, comma-separated, for messages. */
  static String keyList(String section) {
    return String.join(", ", settingsOf(section).stream().map(ConfigKey::name).toList());
  }

  /** The route key of that name. */
  static Optional<ConfigKey<?>> routeKey(String name) {
    return ROUTE_KEYS.stream().filter(k -> k.name().equals(name)).findFirst();
  }

  /** The names of a route's keys, comma-separated, for messages. */
  static String routeKeyList() {
    return String.join(", ", ROUTE_KEYS.stream().map(ConfigKey::name).toList());
  }

  static boolean isValidRouteName(String name) {
    return ROUTE_NAME.matcher(name).matches();
  }

  static Optional<DefaultRoute> defaultRoute(String name) {
    return DEFAULT_ROUTES.stream().filter(r -> r.name().equals(name)).findFirst();
  }
}
