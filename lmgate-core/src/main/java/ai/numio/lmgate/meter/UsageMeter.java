package ai.numio.lmgate.meter;

import ai.numio.lmgate.route.Format;
import java.nio.ByteBuffer;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meters one response: fed its status and headers, then its body bytes chunk by chunk as they go to
 * the client, it yields the {@link Usage} the body reported.
 *
 * <p>It reads a copy and never holds the body: gzip/deflate are decoded through a fixed buffer, SSE
 * is split without holding a line, JSON is parsed by Jackson's non-blocking parser with long
 * strings elided, so an exchange keeps a small bounded state however large or long the response. An
 * SSE event is read up to {@code maxEventBytes} of data: the usage fields complete before that cap
 * count, the rest of a larger event is ignored (the cap bounds work, not memory). Nothing here
 * throws into the caller: a body the meter cannot read yields null fields.
 *
 * <p>One meter serves one exchange; calls must not overlap (they may come from different threads
 * one after another, as container callbacks do).
 */
public final class UsageMeter {

  /** The error type of an error the body signals without naming it. */
  public static final String UPSTREAM_ERROR = "upstream_error";

  private static final Logger log = LoggerFactory.getLogger(UsageMeter.class);
  private static final int COPY_BYTES = 8192;

  private final int maxEventBytes;
  private final UsageTally tally = new UsageTally();
  private final UsageJsonReader json = new UsageJsonReader(tally);
  private ContentDecoder decoder;
  private ByteSink bodySink;
  private SseReader sse;
  private byte[] copyBuffer;
  private boolean started;
  private boolean stopped;
  private boolean errorEventSeen;
  private long eventBytes;
  private boolean eventCut;
  private long cutEvents;
  private Usage usage;

  /** A meter that reads at most {@code maxEventBytes} of any SSE event's data. */
  public UsageMeter(int maxEventBytes) {
    if (maxEventBytes <= 0) {
      throw new IllegalArgumentException("maxEventBytes must be positive: " + maxEventBytes);
    }
    this.maxEventBytes = maxEventBytes;
  }

  /**
   * Starts metering a response with these header values (each may be null). Bodies of types that
   * cannot carry usage (audio, images, binary) are not parsed.
   */
  public void onResponse(String contentType, String contentEncoding) {
    if (started) {
      return;
    }
    started = true;
    try {
      String type = contentType == null ? "" : contentType.trim().toLowerCase(Locale.ROOT);
      decoder = ContentDecoder.forEncoding(contentEncoding);
      if (decoder == null || isBinary(type)) {
        stop();
      } else if (type.startsWith("text/event-stream")) {
        sse = new SseReader(new EventListener());
        bodySink = sse::accept;
      } else {
        bodySink = json::accept;
      }
    } catch (RuntimeException e) {
      abandon(e);
    }
  }

  /** Meters the next body bytes. */
  public void onBytes(byte[] bytes, int offset, int length) {
    if (stopped || !started || length <= 0) {
      return;
    }
    try {
      decoder.decode(bytes, offset, length, bodySink);
    } catch (ContentDecoder.CorruptContentException e) {
      log.debug("Response body cannot be decoded for metering: {}", e.getMessage());
      stop();
    } catch (RuntimeException e) {
      abandon(e);
    }
  }

  /** Meters the buffer's remaining bytes without moving its position. */
  public void onBytes(ByteBuffer buffer) {
    if (stopped || !started || !buffer.hasRemaining()) {
      return;
    }
    if (buffer.hasArray()) {
      onBytes(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
      return;
    }
    if (copyBuffer == null) {
      copyBuffer = new byte[COPY_BYTES];
    }
    ByteBuffer view = buffer.duplicate();
    while (view.hasRemaining() && !stopped) {
      int n = Math.min(view.remaining(), copyBuffer.length);
      view.get(copyBuffer, 0, n);
      onBytes(copyBuffer, 0, n);
    }
  }

  /** Ends the body (complete or not) and returns what it reported. Idempotent. */
  public Usage finish() {
    if (usage != null) {
      return usage;
    }
    try {
      if (!stopped && started) {
        if (sse == null) {
          json.endOfInput();
        }
        stop();
      }
      json.close();
      if (errorEventSeen && tally.errorType == null) {
        tally.errorType = UPSTREAM_ERROR;
      }
      usage =
          new Usage(
              tally.model,
              UsageTally.boxed(tally.input),
              UsageTally.boxed(tally.output),
              UsageTally.boxed(tally.cacheRead),
              UsageTally.boxed(tally.cacheWrite),
              UsageTally.boxed(tally.reasoning),
              tally.errorType,
              sse != null || json.sawStream());
    } catch (RuntimeException e) {
      log.warn("Usage metering failed; the record carries no usage", e);
      usage = Usage.NONE;
    }
    return usage;
  }

  /**
   * The API whose usage shape the body showed ({@code prompt_tokens}: OpenAI; {@code
   * cache_read_input_tokens} or {@code cache_creation_input_tokens}: Anthropic; {@code
   * usageMetadata}: Google), whatever the route's format: Claude on Vertex answers the google route
   * in Anthropic's shape. Null when the body showed nothing that tells the formats apart (their
   * cost formulas then agree) or before {@link #finish()}.
   */
  public Format meteredFormat() {
    return usage == null ? null : tally.shape;
  }

  /** SSE events cut at {@code maxEventBytes}: their data beyond the cap was not read. */
  public long cutEvents() {
    return cutEvents;
  }

  /**
   * The most bytes of one JSON string the meter let its parser hold: a measure of the state it
   * retains, bounded whatever the response size.
   */
  public int retainedStringHighWater() {
    return json.longestStringKept();
  }

  private void stop() {
    stopped = true;
    if (decoder != null) {
      decoder.end();
    }
  }

  private void abandon(RuntimeException e) {
    log.warn("Usage metering failed; the record carries what was read before", e);
    stop();
  }

  private static boolean isBinary(String type) {
    return type.startsWith("audio/")
        || type.startsWith("image/")
        || type.startsWith("video/")
        || type.startsWith("application/octet-stream")
        || type.startsWith("multipart/");
  }

  /**
   * Streams each event's data into the JSON reader up to the size cap, exactly there however the
   * bytes were cut into chunks; at the cap the event's value is {@link UsageJsonReader#cut cut}.
   */
  private final class EventListener implements SseReader.Listener {
    @Override
    public void data(byte[] bytes, int offset, int length) {
      if (eventCut) {
        return;
      }
      long room = maxEventBytes - eventBytes;
      if (length > room) {
        if (room > 0) {
          json.accept(bytes, offset, (int) room);
        }
        cutEvent();
        return;
      }
      eventBytes += length;
      json.accept(bytes, offset, length);
    }

    @Override
    public void dataLineEnd() {
      if (eventCut) {
        return;
      }
      if (eventBytes >= maxEventBytes) {
        cutEvent();
        return;
      }
      eventBytes++;
      json.accept(NEWLINE, 0, 1);
    }

    private void cutEvent() {
      json.cut();
      eventCut = true;
      cutEvents++;
    }

    @Override
    public void eventEnd(boolean errorEvent) {
      if (errorEvent) {
        errorEventSeen = true;
      }
      if (eventCut) {
        log.debug(
            "SSE event over stats.max_event_bytes ({} bytes): the rest of it was not metered",
            maxEventBytes);
      }
      json.endValue();
      eventBytes = 0;
      eventCut = false;
    }
  }

  private static final byte[] NEWLINE = {'\n'};
}
