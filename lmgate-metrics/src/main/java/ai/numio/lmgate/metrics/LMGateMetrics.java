package ai.numio.lmgate.metrics;

import ai.numio.lmgate.LMGate;
import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.route.Route;
import ai.numio.lmgate.stats.RecordObserver;
import ai.numio.lmgate.stats.UsageRecord;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The Prometheus metrics of SPEC-2 §16 for one {@link LMGate}: a {@link RecordObserver} of every
 * usage record the stats writer accepted (so the counters agree exactly with the records), the
 * gate's own counts read at scrape time (in flight, denials, records written and dropped, the
 * allow-list, the limit store), the scrape's Bearer check ({@code metrics.token}) and the text
 * exposition — Prometheus 0.0.4, or OpenMetrics 1.0 when the {@code Accept} header asks for it.
 * Framework-free: a servlet or a Jetty handler serves it ({@code LMGateMetricsServlet}).
 *
 * <p>Every free-text label (model, owner, error type) keeps at most {@code metrics.max_series}
 * distinct values per metric, later ones counting as {@code other}, and each metric at most that
 * many series plus one overflow series whose labels are all {@code other}.
 *
 * <pre>{@code
 * LMGateMetrics metrics = LMGateMetrics.attach(gate); // from now on, every record is counted
 * metrics.write(accept, out);
 * }</pre>
 */
public final class LMGateMetrics implements RecordObserver {

  /** The path the gateway and the WAR serve the metrics on. */
  public static final String PATH = "/metrics";

  /** Overhead histogram buckets, seconds: 50 µs to 1 s. */
  static final double[] OVERHEAD_BUCKETS = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1
  };

  /** Request duration buckets, seconds: 10 ms to 10 min (long generations). */
  static final double[] DURATION_BUCKETS = {
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600
  };

  /** Time-to-first-byte buckets, seconds: 5 ms to 2 min. */
  static final double[] TTFB_BUCKETS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120
  };

  private static final String UNKNOWN = "unknown";
  private static final String OTHER = LabelValues.OTHER;

  private final LMGate gate;
  private final boolean ownerLabel;
  private final byte[] tokenDigest; // null: no token
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Map<String, String> providerOfRoute;

  private final Counter requests;
  private final Counter tokens;
  private final Counter cost;
  private final Histogram duration;
  private final Histogram ttfb;
  private final DistributionDataPoint overhead;

  private final LabelValues requestModels;
  private final LabelValues requestOwners;
  private final LabelValues errorTypes;
  private final LabelValues usageModels;
  private final LabelValues usageOwners;
  private final BoundedSeries<RequestKey, CounterDataPoint> requestSeries;
  private final BoundedSeries<UsageKey, UsageSeries> usageSeries;
  private final BoundedSeries<String, RouteSeries> routeSeries;

  private final PrometheusTextFormatWriter textWriter =
      PrometheusTextFormatWriter.builder().setIncludeCreatedTimestamps(false).build();
  private final OpenMetricsTextFormatWriter openMetricsWriter =
      OpenMetricsTextFormatWriter.builder().setCreatedTimestampsEnabled(false).build();

  private LMGateMetrics(LMGate gate) {
    this.gate = gate;
    LMGateConfig.Metrics config = gate.config().metrics();
    this.ownerLabel = config.ownerLabel();
    this.tokenDigest = config.token() == null ? null : sha256(config.token());
    int max = config.maxSeries();
    Map<String, String> providers = new HashMap<>();
    for (Route route : gate.config().routes()) {
      providers.put(route.name(), route.format().configName());
    }
    this.providerOfRoute = Map.copyOf(providers);

    requests =
        Counter.builder()
            .name("lmgate_requests_total")
            .help("Requests with a usage record, by outcome (refusals by a policy included)")
            .labelNames(labels("route", "provider", "model", "status", "error_type"))
            .withoutExemplars()
            .register(registry);
    tokens =
        Counter.builder()
            .name("lmgate_tokens_total")
            .help("Tokens the usage records report, by type")
            .labelNames(labels("route", "model", "type"))
            .withoutExemplars()
            .register(registry);
    cost =
        Counter.builder()
            .name("lmgate_cost_usd_total")
            .help("Cost in USD of the usage records whose cost is known (SPEC-2 §13)")
            .labelNames(labels("route", "model"))
            .withoutExemplars()
            .register(registry);
    duration =
        Histogram.builder()
            .name("lmgate_request_duration_seconds")
            .help("Arrival to response complete, per usage record")
            .labelNames("route")
            .classicOnly()
            .classicUpperBounds(DURATION_BUCKETS)
            .withoutExemplars()
            .register(registry);
    ttfb =
        Histogram.builder()
            .name("lmgate_ttfb_seconds")
            .help("Arrival to the upstream's first response byte, per usage record that has one")
            .labelNames("route")
            .classicOnly()
            .classicUpperBounds(TTFB_BUCKETS)
            .withoutExemplars()
            .register(registry);
    Histogram overheadHistogram =
        Histogram.builder()
            .name("lmgate_overhead_seconds")
            .help(
                "Time the gateway itself added: admission to upstream request sent, plus the"
                    + " first upstream body chunk's way to the client")
            .classicOnly()
            .classicUpperBounds(OVERHEAD_BUCKETS)
            .withoutExemplars()
            .register(registry);
    overhead = overheadHistogram.labelValues();

    GaugeWithCallback.builder()
        .name("lmgate_inflight_requests")
        .help("Requests admitted whose usage record is not written yet")
        .labelNames("route")
        .callback(cb -> gate.inflightByRoute().forEach((route, n) -> cb.call(n, route)))
        .register(registry);
    CounterWithCallback.builder()
        .name("lmgate_denied_total")
        .help("Requests refused at admission: a key refused 403, or a policy refusal, by reason")
        .labelNames("reason")
        .callback(cb -> gate.deniedByReason().forEach((reason, n) -> cb.call(n, reason)))
        .register(registry);
    CounterWithCallback.builder()
        .name("lmgate_records_written_total")
        .help("Usage records written to the stats file")
        .callback(cb -> cb.call(gate.stats().writtenCount()))
        .register(registry);
    CounterWithCallback.builder()
        .name("lmgate_records_dropped_total")
        .help("Usage records dropped because the write queue was full")
        .callback(cb -> cb.call(gate.stats().droppedCount()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("lmgate_allowlist_keys")
        .help("Keys on the allow-list in force")
        .callback(cb -> cb.call(gate.allowList().size()))
        .register(registry);
    CounterWithCallback.builder()
        .name("lmgate_allowlist_reload_errors_total")
        .help("Failed reloads of the allow-list file (each distinct problem once)")
        .callback(cb -> cb.call(gate.allowListReloadErrorCount()))
        .register(registry);
    CounterWithCallback.builder()
        .name("lmgate_limit_store_errors_total")
        .help("Failures of the limit store (rate limits and budgets)")
        .callback(cb -> cb.call(gate.limitStoreErrorCount()))
        .register(registry);

    requestModels = new LabelValues(max);
    requestOwners = new LabelValues(max);
    errorTypes = new LabelValues(max);
    usageModels = new LabelValues(max);
    usageOwners = new LabelValues(max);
    requestSeries = new BoundedSeries<>(max, this::requestPoint);
    usageSeries = new BoundedSeries<>(max, this::usagePoints);
    routeSeries = new BoundedSeries<>(max, this::routePoints);
  }

  /**
   * Metrics for {@code gate}, counting every record it accepts from now on (register before
   * traffic: records before this call are not counted).
   */
  public static LMGateMetrics attach(LMGate gate) {
    LMGateMetrics metrics = new LMGateMetrics(Objects.requireNonNull(gate, "gate"));
    gate.observeRecords(metrics);
    return metrics;
  }

  /** The gate these metrics observe. */
  public LMGate gate() {
    return gate;
  }

  /** One record: well under a microsecond, no lock, no allocation beyond two small keys. */
  @Override
  public void recorded(UsageRecord record, long overheadNanos) {
    String route = record.provider();
    String model = record.model() == null ? UNKNOWN : record.model();
    String owner = ownerLabel ? nonNull(record.owner()) : null;
    String errorType = record.errorType() == null ? "" : errorTypes.admit(record.errorType());
    requestSeries
        .get(
            new RequestKey(
                route,
                requestModels.admit(model),
                record.status(),
                errorType,
                owner == null ? null : requestOwners.admit(owner)),
            RequestKey::overflow)
        .inc();
    UsageSeries usage =
        usageSeries.get(
            new UsageKey(
                route, usageModels.admit(model), owner == null ? null : usageOwners.admit(owner)),
            UsageKey::overflow);
    add(usage.input, record.inputTokens());
    add(usage.output, record.outputTokens());
    add(usage.cacheRead, record.cacheReadTokens());
    add(usage.cacheWrite, record.cacheWriteTokens());
    add(usage.reasoning, record.reasoningTokens());
    if (record.costUsd() != null && record.costUsd() > 0) {
      usage.cost.inc(record.costUsd());
    }
    RouteSeries times = routeSeries.get(route, r -> OTHER);
    times.duration.observe(record.durationMs() / 1000.0);
    if (record.ttfbMs() != null) {
      times.ttfb.observe(record.ttfbMs() / 1000.0);
    }
    if (overheadNanos >= 0) {
      overhead.observe(overheadNanos / 1e9);
    }
  }

  /** What a scrape with this {@code Authorization} header may do. */
  public enum Access {
    /** The token matches, or none is configured. */
    ALLOWED(200),
    /** A token is configured and the request has no Bearer credential: 401. */
    UNAUTHORIZED(401),
    /** A Bearer credential that is not the token: 403. */
    FORBIDDEN(403);

    private final int status;

    Access(int status) {
      this.status = status;
    }

    /** The HTTP status to answer. */
    public int status() {
      return status;
    }

    /** LMGate's JSON error body for a refused scrape. */
    public String errorJson() {
      return switch (this) {
        case ALLOWED -> "";
        case UNAUTHORIZED ->
            "{\"error\":\"unauthorized\",\"message\":\"/metrics requires Authorization: Bearer"
                + " <metrics.token>\"}";
        case FORBIDDEN ->
            "{\"error\":\"forbidden\",\"message\":\"The Bearer token is not metrics.token\"}";
      };
    }
  }

  /**
   * Checks the scrape's {@code Authorization} header against {@code metrics.token}, comparing in
   * constant time (digests of both, so not even the length leaks).
   */
  public Access access(String authorization) {
    if (tokenDigest == null) {
      return Access.ALLOWED;
    }
    if (authorization == null) {
      return Access.UNAUTHORIZED;
    }
    String value = authorization.trim();
    if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Access.UNAUTHORIZED;
    }
    byte[] given = sha256(value.substring(7).trim());
    return MessageDigest.isEqual(given, tokenDigest) ? Access.ALLOWED : Access.FORBIDDEN;
  }

  /** The content type of the exposition answering {@code accept} (may be null). */
  public String contentType(String accept) {
    return writer(accept).getContentType();
  }

  /** Writes every metric now, in the format {@code accept} asks for; the stream is not closed. */
  public void write(String accept, OutputStream out) throws IOException {
    writer(accept).write(out, registry.scrape());
  }

  private ExpositionFormatWriter writer(String accept) {
    return accept != null
            && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text")
        ? openMetricsWriter
        : textWriter;
  }

  private String[] labels(String... names) {
    if (!ownerLabel) {
      return names;
    }
    String[] withOwner = java.util.Arrays.copyOf(names, names.length + 1);
    withOwner[names.length] = "owner";
    return withOwner;
  }

  private String provider(String route) {
    if (OTHER.equals(route)) {
      return OTHER;
    }
    return providerOfRoute.getOrDefault(route, UNKNOWN);
  }

  private CounterDataPoint requestPoint(RequestKey key) {
    String status = key.status() < 0 ? OTHER : Integer.toString(key.status());
    return key.owner() == null
        ? requests.labelValues(
            key.route(), provider(key.route()), key.model(), status, key.errorType())
        : requests.labelValues(
            key.route(), provider(key.route()), key.model(), status, key.errorType(), key.owner());
  }

  private UsageSeries usagePoints(UsageKey key) {
    return new UsageSeries(
        tokenPoint(key, "input"),
        tokenPoint(key, "output"),
        tokenPoint(key, "cache_read"),
        tokenPoint(key, "cache_write"),
        tokenPoint(key, "reasoning"),
        key.owner() == null
            ? cost.labelValues(key.route(), key.model())
            : cost.labelValues(key.route(), key.model(), key.owner()));
  }

  private CounterDataPoint tokenPoint(UsageKey key, String type) {
    return key.owner() == null
        ? tokens.labelValues(key.route(), key.model(), type)
        : tokens.labelValues(key.route(), key.model(), type, key.owner());
  }

  private RouteSeries routePoints(String route) {
    return new RouteSeries(duration.labelValues(route), ttfb.labelValues(route));
  }

  private static void add(CounterDataPoint point, Long count) {
    if (count != null && count > 0) {
      point.inc(count.longValue());
    }
  }

  private static String nonNull(String value) {
    return value == null ? "" : value;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The labels of a {@code lmgate_requests_total} series; owner null without owner label. */
  private record RequestKey(
      String route, String model, int status, String errorType, String owner) {
    RequestKey overflow() {
      return new RequestKey(OTHER, OTHER, -1, OTHER, owner == null ? null : OTHER);
    }
  }

  /** The labels of the token and cost series; owner null without owner label. */
  private record UsageKey(String route, String model, String owner) {
    UsageKey overflow() {
      return new UsageKey(OTHER, OTHER, owner == null ? null : OTHER);
    }
  }

  /** The token and cost data points of one {@link UsageKey}. */
  private record UsageSeries(
      CounterDataPoint input,
      CounterDataPoint output,
      CounterDataPoint cacheRead,
      CounterDataPoint cacheWrite,
      CounterDataPoint reasoning,
      CounterDataPoint cost) {}

  /** The latency data points of one route. */
  private record RouteSeries(DistributionDataPoint duration, DistributionDataPoint ttfb) {}
}
