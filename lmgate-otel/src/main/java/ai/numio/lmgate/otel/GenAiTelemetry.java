package ai.numio.lmgate.otel;

import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.route.Route;
import ai.numio.lmgate.stats.UsageRecord;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporterBuilder;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The OpenTelemetry SDK side of the export: a tracer and a meter over OTLP/HTTP exporters (batch
 * span processor, periodic metric reader), and how one usage record becomes a span and GenAI metric
 * points. Called on the export's own thread only, never on a request's.
 */
final class GenAiTelemetry implements Telemetry {

  static final String SCOPE = "ai.numio.lmgate";

  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
  static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
  static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  static final AttributeKey<String> RESPONSE_MODEL =
      AttributeKey.stringKey("gen_ai.response.model");
  static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  static final AttributeKey<Long> OUTPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.output_tokens");
  static final AttributeKey<Long> CACHE_READ_TOKENS =
      AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");
  static final AttributeKey<Long> CACHE_CREATION_TOKENS =
      AttributeKey.longKey("gen_ai.usage.cache_creation.input_tokens");
  static final AttributeKey<Long> REASONING_TOKENS =
      AttributeKey.longKey("gen_ai.usage.reasoning.output_tokens");
  static final AttributeKey<String> TOKEN_TYPE = AttributeKey.stringKey("gen_ai.token.type");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<Long> STATUS_CODE = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> LMGATE_ID = AttributeKey.stringKey("lmgate.id");
  static final AttributeKey<String> OWNER = AttributeKey.stringKey("lmgate.owner");
  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("lmgate.route");
  static final AttributeKey<String> ENDPOINT = AttributeKey.stringKey("lmgate.endpoint");
  static final AttributeKey<Boolean> STREAM = AttributeKey.booleanKey("lmgate.stream");
  static final AttributeKey<Long> TTFB_MS = AttributeKey.longKey("lmgate.ttfb_ms");
  static final AttributeKey<Double> COST = AttributeKey.doubleKey("lmgate.cost_usd");
  static final AttributeKey<Double> OVERHEAD_MS = AttributeKey.doubleKey("lmgate.overhead_ms");
  static final AttributeKey<String> UPSTREAM_REQUEST_ID =
      AttributeKey.stringKey("lmgate.upstream_request_id");

  /** How long one export may take (the exporters' own default, also with a short interval). */
  static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(10);

  /** The conventions' advised bucket boundaries. */
  static final List<Long> TOKEN_BUCKETS =
      List.of(
          1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L, 262144L, 1048576L, 4194304L,
          16777216L, 67108864L);

  static final List<Double> DURATION_BUCKETS =
      List.of(
          0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);
  static final List<Double> TTFT_BUCKETS =
      List.of(
          0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5,
          10.0);

  private static final Attributes INPUT = Attributes.of(TOKEN_TYPE, "input");
  private static final Attributes OUTPUT = Attributes.of(TOKEN_TYPE, "output");

  private final SdkTracerProvider tracerProvider;
  private final SdkMeterProvider meterProvider;
  private final Tracer tracer;
  private final LongHistogram tokenUsage;
  private final DoubleHistogram requestDuration;
  private final DoubleHistogram timeToFirstToken;
  private final Map<String, RouteNames> routes = new HashMap<>();

  /** What is known of a route once: its names and upstream address. */
  private record RouteNames(Route route, String provider, String address, long port) {}

  private GenAiTelemetry(LMGateConfig config) {
    LMGateConfig.Otel otel = config.otel();
    String base = otel.endpoint().toString().replaceAll("/+$", "");
    Duration interval = Duration.ofSeconds(otel.exportIntervalSeconds());
    Resource resource =
        Resource.getDefault().toBuilder().put("service.name", otel.serviceName()).build();

    OtlpHttpSpanExporterBuilder spans =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(base + "/v1/traces")
            .setTimeout(EXPORT_TIMEOUT)
            .setMeterProvider(MeterProvider::noop);
    OtlpHttpMetricExporterBuilder metrics =
        OtlpHttpMetricExporter.builder()
            .setEndpoint(base + "/v1/metrics")
            .setTimeout(EXPORT_TIMEOUT)
            .setMeterProvider(MeterProvider::noop);
    otel.headers()
        .forEach(
            (name, value) -> {
              spans.addHeader(name, value);
              metrics.addHeader(name, value);
            });

    this.tracerProvider =
        SdkTracerProvider.builder()
            .setResource(resource)
            .addSpanProcessor(
                BatchSpanProcessor.builder(spans.build())
                    .setScheduleDelay(interval)
                    .setExporterTimeout(EXPORT_TIMEOUT)
                    .setMaxQueueSize(otel.queueCapacity())
                    .setMaxExportBatchSize(Math.min(512, otel.queueCapacity()))
                    .setMeterProvider(MeterProvider::noop)
                    .build())
            .build();
    this.meterProvider =
        SdkMeterProvider.builder()
            .setResource(resource)
            .registerMetricReader(
                PeriodicMetricReader.builder(metrics.build())
                    .setInterval(interval)
                    .setExporterTimeout(EXPORT_TIMEOUT)
                    .build())
            .build();
    this.tracer = tracerProvider.get(SCOPE);
    Meter meter = meterProvider.get(SCOPE);
    this.tokenUsage =
        meter
            .histogramBuilder("gen_ai.client.token.usage")
            .setDescription("Number of input and output tokens used.")
            .setUnit("{token}")
            .ofLongs()
            .setExplicitBucketBoundariesAdvice(TOKEN_BUCKETS)
            .build();
    this.requestDuration =
        meter
            .histogramBuilder("gen_ai.server.request.duration")
            .setDescription("Generative AI server request duration such as time-to-last byte.")
            .setUnit("s")
            .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
            .build();
    this.timeToFirstToken =
        meter
            .histogramBuilder("gen_ai.server.time_to_first_token")
            .setDescription("Time to generate first token for successful responses.")
            .setUnit("s")
            .setExplicitBucketBoundariesAdvice(TTFT_BUCKETS)
            .build();
    for (Route route : config.routes()) {
      int port = route.upstream().getPort();
      if (port < 0) {
        port = "https".equalsIgnoreCase(route.upstream().getScheme()) ? 443 : 80;
      }
      routes.put(
          route.name(),
          new RouteNames(route, GenAiNames.providerName(route), route.upstream().getHost(), port));
    }
  }

  /** The SDK set up for this configuration's {@code otel} section (its endpoint is set). */
  static GenAiTelemetry start(LMGateConfig config) {
    return new GenAiTelemetry(config);
  }

  /** One record: its span, and its points of the GenAI metrics. */
  @Override
  public void emit(UsageRecord record, long overheadNanos) {
    RouteNames names = routes.get(record.provider());
    Route route = names == null ? null : names.route();
    String operation = GenAiNames.operationName(record.endpoint());
    String requestModel = GenAiNames.requestModel(route, record.endpoint(), record.model());

    AttributesBuilder common = Attributes.builder();
    common.put(OPERATION, operation);
    common.put(PROVIDER, names == null ? GenAiNames.OTHER_PROVIDER : names.provider());
    putIfPresent(common, REQUEST_MODEL, requestModel);
    putIfPresent(common, RESPONSE_MODEL, record.model());
    if (names != null && names.address() != null) {
      common.put(SERVER_ADDRESS, names.address());
      common.put(SERVER_PORT, names.port());
    }
    Attributes metricAttributes = common.build();
    Attributes withError =
        record.errorType() == null
            ? metricAttributes
            : metricAttributes.toBuilder().put(ERROR_TYPE, record.errorType()).build();

    span(record, overheadNanos, operation, requestModel, withError);

    requestDuration.record(record.durationMs() / 1000.0, withError);
    if (record.errorType() == null && record.ttfbMs() != null) {
      timeToFirstToken.record(record.ttfbMs() / 1000.0, metricAttributes);
    }
    if (record.inputTokens() != null) {
      tokenUsage.record(record.inputTokens(), metricAttributes.toBuilder().putAll(INPUT).build());
    }
    if (record.outputTokens() != null) {
      tokenUsage.record(record.outputTokens(), metricAttributes.toBuilder().putAll(OUTPUT).build());
    }
  }

  private void span(
      UsageRecord record,
      long overheadNanos,
      String operation,
      String requestModel,
      Attributes genAi) {
    Instant start = record.timestamp();
    SpanBuilder builder =
        tracer
            .spanBuilder(requestModel == null ? operation : operation + " " + requestModel)
            .setNoParent()
            .setSpanKind(SpanKind.CLIENT)
            .setStartTimestamp(start)
            .setAllAttributes(genAi)
            .setAttribute(STATUS_CODE, (long) record.status())
            .setAttribute(METHOD, record.method())
            .setAttribute(ROUTE, record.provider())
            .setAttribute(ENDPOINT, record.endpoint())
            .setAttribute(STREAM, record.stream());
    putIfPresent(builder, INPUT_TOKENS, record.inputTokens());
    putIfPresent(builder, OUTPUT_TOKENS, record.outputTokens());
    putIfPresent(builder, CACHE_READ_TOKENS, record.cacheReadTokens());
    putIfPresent(builder, CACHE_CREATION_TOKENS, record.cacheWriteTokens());
    putIfPresent(builder, REASONING_TOKENS, record.reasoningTokens());
    putIfPresent(builder, TTFB_MS, record.ttfbMs());
    putIfPresent(builder, COST, record.costUsd());
    putIfPresent(builder, LMGATE_ID, record.lmgateId());
    putIfPresent(builder, OWNER, record.owner());
    putIfPresent(builder, UPSTREAM_REQUEST_ID, record.upstreamRequestId());
    if (overheadNanos >= 0) {
      builder.setAttribute(OVERHEAD_MS, overheadNanos / 1e6);
    }
    Span span = builder.startSpan();
    if (record.errorType() != null) {
      span.setStatus(StatusCode.ERROR, record.errorType());
    }
    span.end(start.plusMillis(record.durationMs()));
  }

  private static <T> void putIfPresent(AttributesBuilder builder, AttributeKey<T> key, T value) {
    if (value != null) {
      builder.put(key, value);
    }
  }

  private static <T> void putIfPresent(SpanBuilder builder, AttributeKey<T> key, T value) {
    if (value != null) {
      builder.setAttribute(key, value);
    }
  }

  /**
   * Sends everything held (spans queued, the metrics' latest values) and stops the SDK, waiting at
   * most {@code timeout}.
   *
   * @return whether both finished in time and succeeded
   */
  @Override
  public boolean shutdown(Duration timeout) {
    CompletableResultCode result =
        CompletableResultCode.ofAll(List.of(tracerProvider.shutdown(), meterProvider.shutdown()));
    return result.join(timeout.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
  }
}
