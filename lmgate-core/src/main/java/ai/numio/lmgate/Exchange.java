package ai.numio.lmgate;

import ai.numio.lmgate.auth.KeyMask;
import ai.numio.lmgate.meter.Usage;
import ai.numio.lmgate.meter.UsageMeter;
import ai.numio.lmgate.stats.UsageRecord;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * One forwarded request, from arrival to its usage record. Adapters call {@link #onResponse} when
 * the response head arrives, {@link #onBytes} for every body chunk as it goes to the client, and
 * then {@link #complete()} or {@link #fail(Failure)}: whichever comes first writes the one record,
 * later calls do nothing. Calls may come from different threads; none of them throws.
 */
public final class Exchange {

  /** Response headers that carry the provider's request id, in the order they are looked for. */
  static final List<String> REQUEST_ID_HEADERS =
      List.of("x-request-id", "request-id", "x-goog-request-id", "apim-request-id");

  private final Caller caller;
  private final String provider;
  private final String method;
  private final String endpoint;
  private final Instant arrival;
  private final long arrivalNanos;
  private final TimeSource time;
  private final UsageMeter meter;
  private final Consumer<UsageRecord> records;

  private int status = -1;
  private long ttfbNanos = -1;
  private String upstreamRequestId;
  private boolean recorded;

  Exchange(
      Caller caller,
      String provider,
      String method,
      String endpoint,
      TimeSource time,
      UsageMeter meter,
      Consumer<UsageRecord> records) {
    this.caller = caller;
    this.provider = provider;
    this.method = method;
    this.endpoint = endpoint;
    this.time = time;
    this.arrival = time.now();
    this.arrivalNanos = time.nanoTime();
    this.meter = meter;
    this.records = records;
  }

  /** Who made the request. */
  public Caller caller() {
    return caller;
  }

  /**
   * The response head arrived (status and headers the client will get): starts metering and marks
   * the time to first byte. Only the first call counts for the time and the meter.
   */
  public synchronized void onResponse(int status, Headers headers) {
    if (recorded) {
      return;
    }
    this.status = status;
    if (ttfbNanos >= 0) {
      return;
    }
    ttfbNanos = time.nanoTime() - arrivalNanos;
    try {
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
      LMGate.log.warn("Could not read response headers for metering", e);
    }
  }

  /** A body chunk, as it goes to the client. The array is not kept. */
  public synchronized void onBytes(byte[] bytes, int offset, int length) {
    if (meter != null && !recorded) {
      meter.onBytes(bytes, offset, length);
    }
  }

  /** A body chunk, as it goes to the client; the buffer's position is not moved. */
  public synchronized void onBytes(ByteBuffer buffer) {
    if (meter != null && !recorded) {
      meter.onBytes(buffer);
    }
  }

  /** The response reached the client in full: write the record. */
  public void complete() {
    record(null);
  }

  /** The exchange ended early: write the record with this failure. */
  public void fail(Failure failure) {
    record(failure);
  }

  /**
   * The exchange ended early and the adapter answered the client itself with this status (400 to a
   * malformed request body, say): the record carries that status rather than the failure's.
   */
  public synchronized void fail(Failure failure, int answeredStatus) {
    if (!recorded && status < 0) {
      status = answeredStatus;
    }
    record(failure);
  }

  /** Whether the record has been written (by {@link #complete()} or {@link #fail}). */
  public synchronized boolean isRecorded() {
    return recorded;
  }

  private synchronized void record(Failure failure) {
    if (recorded) {
      return;
    }
    recorded = true;
    try {
      long durationNanos = time.nanoTime() - arrivalNanos;
      Usage usage = meter == null ? Usage.NONE : meter.finish();
      int finalStatus = status >= 0 ? status : (failure != null ? failure.status() : 0);
      records.accept(
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
              upstreamRequestId));
    } catch (RuntimeException e) {
      LMGate.log.error("Could not write the usage record of {} {}", method, endpoint, e);
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
