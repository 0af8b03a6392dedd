package ai.numio.lmgate;

import ai.numio.lmgate.auth.KeyMask;
import ai.numio.lmgate.cost.Cost;
import ai.numio.lmgate.cost.PriceTable;
import ai.numio.lmgate.meter.Usage;
import ai.numio.lmgate.meter.UsageMeter;
import ai.numio.lmgate.route.Format;
import ai.numio.lmgate.stats.UsageRecord;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admitted request, from arrival to its usage record, and everything the adapters need to know
 * about how it is going: whether the request reached the upstream, whether the response started,
 * and the first thing that went wrong.
 *
 * <p>Adapters report events — {@link #onRequestSent()}, {@link #onResponse}, {@link #onBytes} for
 * every body chunk as it goes to the client, {@link #noteFailure} when something fails that does
 * not end the exchange by itself — and end it with {@link #complete()} or {@link #fail(Failure)}.
 * Whichever comes first writes the one record; later calls do nothing. The first failure noted
 * wins: a client that went away is recorded {@code client_disconnected} even when the upstream
 * request then fails because it was aborted. Calls may come from different threads; none throws.
 */
public final class Exchange {

  private static final Logger log = LoggerFactory.getLogger(Exchange.class);

  /** Response headers that carry the provider's request id, in the order they are looked for. */
  static final List<String> REQUEST_ID_HEADERS =
      List.of("x-request-id", "request-id", "x-goog-request-id", "apim-request-id");

  private final Caller caller;
  private final String provider;
  private final Format format;
  private final Supplier<PriceTable> prices;
  private final String method;
  private final String endpoint;
  private final ErrorShape errorShape;
  private final Instant arrival;
  private final long arrivalNanos;
  private final long admissionNanos;
  private final TimeSource time;
  private final UsageMeter meter;
  private final RecordSink records;
  private final ShutdownClock shutdown;
  private final OpenExchanges open;
  private final AtomicInteger routeOpen;

  private int status = -1;
  private long ttfbNanos = -1;
  private boolean headAnnounced;
  private boolean meterBroken;
  private boolean requestSent;
  private long requestSentNanos = -1;
  private long upstreamBytesNanos = -1;
  private long clientBytesNanos = -1;
  private Failure firstFailure;
  private String upstreamRequestId;
  private boolean recorded;

  Exchange(
      Caller caller,
      String provider,
      Format format,
      Supplier<PriceTable> prices,
      String method,
      String endpoint,
      ErrorShape errorShape,
      TimeSource time,
      long admissionNanos,
      UsageMeter meter,
      RecordSink records,
      ShutdownClock shutdown,
      OpenExchanges open,
      AtomicInteger routeOpen) {
    this.caller = caller;
    this.provider = provider;
    this.format = format;
    this.prices = prices;
    this.method = method;
    this.endpoint = endpoint;
    this.errorShape = errorShape;
    this.time = time;
    this.arrival = time.now();
    this.arrivalNanos = time.nanoTime();
    this.admissionNanos = admissionNanos;
    this.meter = meter;
    this.records = records;
    this.shutdown = shutdown;
    this.open = open;
    this.routeOpen = routeOpen;
  }

  /** The shape of the errors LMGate answers for this request ({@code server.error_format}). */
  public ErrorShape errorShape() {
    return errorShape;
  }

  /**
   * The request went to the upstream (its head was written): from now on, a connection that breaks
   * before the response head is {@code upstream_disconnected}, not {@code upstream_unreachable}.
   */
  public synchronized void onRequestSent() {
    if (!requestSent) {
      requestSent = true;
      requestSentNanos = time.nanoTime();
    }
  }

  /**
   * The gateway's overhead known when the response head goes out (SPEC-2 §16, its first part): from
   * the start of admission to the upstream request being sent; -1 before it was sent. For {@code
   * x-lmgate-overhead-ms}.
   */
  public synchronized long requestOverheadNanos() {
    return requestSent ? requestSentNanos - admissionNanos : -1;
  }

  /**
   * The first body chunk came from the upstream and is about to be written to the client: the start
   * of the gateway's share of the time to the client's first byte, which ends with the first {@link
   * #onBytes}. Adapters call it for the first chunk only; later calls change nothing.
   */
  public synchronized void onUpstreamBytes() {
    if (upstreamBytesNanos < 0) {
      upstreamBytesNanos = time.nanoTime();
    }
  }

  /**
   * The response head is decided (status and headers the client will get): the first call starts
   * metering and marks the time to first byte; a later one only updates the status (a filtered
   * application may still change it before the response is committed).
   */
  public synchronized void onResponse(int status, Headers headers) {
    if (recorded) {
      return;
    }
    this.status = status;
    if (headAnnounced) {
      return;
    }
    headAnnounced = true;
    try {
      ttfbNanos = time.nanoTime() - arrivalNanos;
      for (String name : REQUEST_ID_HEADERS) {
        String id = headers.first(name);
        if (id != null && !id.isBlank()) {
          upstreamRequestId = id.trim();
          break;
        }
      }
      if (meter != null) {
        meter.onResponse(headers.first("content-type"), headers.first("content-encoding"));
      }
    } catch (RuntimeException e) {
      // the body is then not metered: a meter started late would count a partial body
      meterBroken = true;
      log.warn(
          "LMGate metering failed while reading the response head; the response is not affected",
          e);
    }
  }

  /** Whether the response head has been decided ({@link #onResponse} was called). */
  public synchronized boolean responseStarted() {
    return headAnnounced;
  }

  /** A body chunk, as it goes to the client. The array is not kept. */
  public synchronized void onBytes(byte[] bytes, int offset, int length) {
    if (clientBytesNanos < 0) {
      clientBytesNanos = time.nanoTime();
    }
    if (meter != null && !recorded && !meterBroken) {
      meter.onBytes(bytes, offset, length);
    }
  }

  /**
   * A body chunk, as it goes to the client: the buffer's remaining bytes, read without moving its
   * position (a heap buffer is metered in place; a direct one through the meter's small copy).
   */
  public synchronized void onBytes(ByteBuffer buffer) {
    if (clientBytesNanos < 0) {
      clientBytesNanos = time.nanoTime();
    }
    if (meter != null && !recorded && !meterBroken) {
      meter.onBytes(buffer);
    }
  }

  /**
   * Something failed that will end the exchange (the client went away, an application reported its
   * egress failed); the record waits for the end. Only the first failure noted counts.
   */
  public synchronized void noteFailure(Failure failure) {
    if (firstFailure == null) {
      firstFailure = failure;
    }
  }

  /**
   * The response is over: writes the record, as a failure if one was noted, with the last status
   * {@link #onResponse} gave.
   */
  public synchronized void complete() {
    record(firstFailure);
  }

  /**
   * The exchange ends with a failure: writes the record and says what the client should be
   * answered. The failure recorded is the first one noted if any (a client that went away wins over
   * the aborted upstream request that followed), else {@code observed} — where an upstream
   * connection that broke before the request was sent is {@code upstream_unreachable}, and one that
   * broke after it was sent {@code upstream_disconnected} — and {@code shutdown} for an exchange
   * cut at the end of the shutdown grace period.
   *
   * @return the answer to send, whose status is recorded; null when the response has started (the
   *     adapter then cuts the connection, so the client sees a cut rather than a clean end)
   */
  public synchronized ErrorResponse fail(Failure observed) {
    if (recorded) {
      return null;
    }
    Failure failure = firstFailure != null ? firstFailure : resolve(observed);
    if (failure != Failure.MALFORMED_REQUEST_BODY && shutdown.cutting()) {
      failure = Failure.SHUTDOWN;
    }
    ErrorResponse answer = headAnnounced ? null : ErrorResponse.of(failure);
    if (answer != null) {
      status = answer.status();
    }
    record(failure);
    return answer;
  }

  private Failure resolve(Failure observed) {
    if (observed == Failure.UPSTREAM_UNREACHABLE && headAnnounced) {
      return Failure.UPSTREAM_DISCONNECTED; // a TLS error mid-response: the provider answered
    }
    if (observed == Failure.UPSTREAM_DISCONNECTED && !requestSent && !headAnnounced) {
      return Failure.UPSTREAM_UNREACHABLE;
    }
    return observed;
  }

  private void record(Failure failure) {
    if (recorded) {
      return;
    }
    recorded = true;
    try {
      long durationNanos = time.nanoTime() - arrivalNanos;
      Usage usage = meter == null || meterBroken ? Usage.NONE : meter.finish();
      int finalStatus = status >= 0 ? status : (failure != null ? failure.status() : 0);
      UsageRecord record =
          new UsageRecord(
              arrival,
              caller.id(),
              provider,
              endpoint,
              usage.model(),
              finalStatus,
              usage.inputTokens(),
              usage.outputTokens(),
              KeyMask.forRecord(caller.apiKey()),
              errorType(usage, failure, finalStatus),
              caller.owner(),
              method,
              usage.stream(),
              durationNanos / 1_000_000,
              ttfbNanos < 0 ? null : ttfbNanos / 1_000_000,
              usage.cacheReadTokens(),
              usage.cacheWriteTokens(),
              usage.reasoningTokens(),
              upstreamRequestId,
              cost(usage));
      records.accept(record, overheadNanos());
    } catch (RuntimeException e) {
      log.error("Could not write the usage record of {} {}", method, endpoint, e);
    } finally {
      open.ended(routeOpen);
    }
  }

  /**
   * SPEC-2 §16: admission to upstream request sent, plus the first upstream body chunk's way to the
   * client (0 without a body); -1 for an exchange whose request was never sent.
   */
  private long overheadNanos() {
    if (!requestSent) {
      return -1;
    }
    long relay =
        upstreamBytesNanos >= 0 && clientBytesNanos >= upstreamBytesNanos
            ? clientBytesNanos - upstreamBytesNanos
            : 0;
    return requestSentNanos - admissionNanos + relay;
  }

  /**
   * SPEC-2 §13: the cost by the metered format and the price table in force; null under no route (a
   * filter's request it could not attribute), for a model without a price entry, or a count the
   * formula needs that the response did not report. The metered format is the shape the body showed
   * when it showed one (Claude on Vertex answers the google route in Anthropic's shape, whose input
   * excludes its cache reads and writes), else the route's. Never throws: a failure costs the
   * record its cost, not the record.
   */
  private Double cost(Usage usage) {
    if (format == null || usage.model() == null) {
      return null;
    }
    try {
      Format shape = meter == null || meterBroken ? null : meter.meteredFormat();
      return Cost.of(prices.get(), shape != null ? shape : format, usage);
    } catch (RuntimeException e) {
      log.warn(
          "LMGate could not compute the cost of {} {} (model {}); recorded as unknown",
          method,
          endpoint,
          usage.model(),
          e);
      return null;
    }
  }

  /**
   * SPEC §5: the provider's own error type when the body names one, else the gateway's class of
   * failure, else {@code upstream_error} for a status of 400 or more, else null.
   */
  static String errorType(Usage usage, Failure failure, int status) {
    if (usage.errorType() != null) {
      return usage.errorType();
    }
    if (failure != null) {
      return failure.errorType();
    }
    return status >= 400 ? UsageMeter.UPSTREAM_ERROR : null;
  }
}
