package ai.numio.lmgate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.meter.Usage;
import ai.numio.lmgate.meter.UsageMeter;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.slf4j.LoggerFactory;

/**
 * Fuzzes {@link UsageMeter} with arbitrary bodies, content types, encodings and chunkings.
 *
 * <p>Input layout (so seeds can be written by hand): byte 0 picks the content type, byte 1 the
 * encoding, byte 2 {@code maxEventBytes} (0 = 1 MiB, else the byte's value), byte 3 the number of
 * cut points (mod 16), then two bytes per cut point (big-endian, mod the wire length + 1), then the
 * body. For gzip and deflate the test compresses the body itself, so the meter sees a valid stream
 * of fuzzed content; the {@code *_UNENCODED} encodings label the raw bytes as compressed.
 */
class UsageMeterFuzzTest {

  private static final String[] CONTENT_TYPES = {
    "application/json", "text/event-stream; charset=utf-8", null, "audio/mpeg"
  };

  /** Content-Encoding header values and how the test turns the body into wire bytes. */
  private enum Encoding {
    NONE(null),
    IDENTITY("identity"),
    GZIP("gzip"),
    DEFLATE("deflate"),
    UNKNOWN("br"),
    GZIP_UNENCODED("gzip"),
    DEFLATE_UNENCODED("deflate");

    final String header;

    Encoding(String header) {
      this.header = header;
    }

    byte[] wire(byte[] body) {
      return switch (this) {
        case GZIP -> compress(body, true);
        case DEFLATE -> compress(body, false);
        default -> body;
      };
    }

    /** Whether the meter decodes exactly the fuzzed body. */
    boolean meterSeesBody() {
      return this == NONE || this == IDENTITY || this == GZIP || this == DEFLATE;
    }
  }

  private static final Logger METER_LOG = (Logger) LoggerFactory.getLogger(UsageMeter.class);
  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();

  static {
    LOGS.start();
    METER_LOG.addAppender(LOGS);
  }

  @FuzzTest(maxDuration = "2m")
  void meterReadsTheSameUsageHoweverTheBodyIsCut(byte[] input) {
    if (input.length < 4) {
      return;
    }
    String contentType = CONTENT_TYPES[(input[0] & 0xFF) % CONTENT_TYPES.length];
    Encoding encoding = Encoding.values()[(input[1] & 0xFF) % Encoding.values().length];
    int maxEventBytes = input[2] == 0 ? 1 << 20 : input[2] & 0xFF;
    int cutCount = (input[3] & 0xFF) % 16;
    int bodyStart = Math.min(input.length, 4 + 2 * cutCount);
    byte[] body = Arrays.copyOfRange(input, bodyStart, input.length);
    byte[] wire = encoding.wire(body);
    int[] cuts = new int[cutCount];
    for (int i = 0; i < cutCount; i++) {
      int at = 4 + 2 * i;
      int raw = at + 1 < bodyStart ? ((input[at] & 0xFF) << 8) | (input[at + 1] & 0xFF) : 0;
      cuts[i] = raw % (wire.length + 1);
    }
    Arrays.sort(cuts);
    LOGS.list.clear();

    UsageMeter wholeMeter = new UsageMeter(maxEventBytes);
    Usage whole = meter(wholeMeter, contentType, encoding, wire, new int[0], false);
    UsageMeter cutMeter = new UsageMeter(maxEventBytes);
    Usage cut = meter(cutMeter, contentType, encoding, wire, cuts, false);
    UsageMeter directMeter = new UsageMeter(maxEventBytes);
    Usage direct = meter(directMeter, contentType, encoding, wire, cuts, true);

    assertThat(cut).as("body cut at %s", Arrays.toString(cuts)).isEqualTo(whole);
    assertThat(direct).as("direct buffers cut at %s", Arrays.toString(cuts)).isEqualTo(whole);
    assertThat(cutMeter.cutEvents()).isEqualTo(wholeMeter.cutEvents());
    assertThat(wholeMeter.finish()).as("finish() is idempotent").isSameAs(whole);
    for (UsageMeter meter : new UsageMeter[] {wholeMeter, cutMeter, directMeter}) {
      assertThat(meter.retainedStringHighWater()).isLessThanOrEqualTo(256);
    }
    assertThat(LOGS.list)
        .as("the meter swallowed an internal failure")
        .noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));

    if (encoding == Encoding.UNKNOWN || "audio/mpeg".equals(contentType)) {
      assertThat(whole).as("a body the meter does not read").isEqualTo(Usage.NONE);
    }
    if (encoding.meterSeesBody() && indexOf(body, (byte) '-') < 0) {
      for (Long tokens :
          new Long[] {
            whole.inputTokens(),
            whole.outputTokens(),
            whole.cacheReadTokens(),
            whole.cacheWriteTokens(),
            whole.reasoningTokens()
          }) {
        assertThat(tokens)
            .as("a count from a body with no minus sign")
            .satisfiesAnyOf(t -> assertThat(t).isNull(), t -> assertThat(t).isNotNegative());
      }
    }
  }

  /** Feeds {@code wire} cut at {@code cuts}, each chunk a fresh array scribbled over after use. */
  private static Usage meter(
      UsageMeter meter,
      String contentType,
      Encoding encoding,
      byte[] wire,
      int[] cuts,
      boolean direct) {
    meter.onResponse(contentType, encoding.header);
    int from = 0;
    for (int i = 0; i <= cuts.length; i++) {
      int to = i < cuts.length ? cuts[i] : wire.length;
      int n = to - from;
      if (direct) {
        ByteBuffer chunk = ByteBuffer.allocateDirect(n);
        chunk.put(wire, from, n).flip();
        meter.onBytes(chunk);
        assertThat(chunk.position()).as("onBytes(ByteBuffer) keeps the position").isZero();
      } else {
        byte[] chunk = Arrays.copyOfRange(wire, from, to);
        meter.onBytes(chunk, 0, n);
        Arrays.fill(chunk, (byte) 'x');
      }
      from = to;
    }
    return meter.finish();
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] compress(byte[] body, boolean gzip) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (var compressing = gzip ? new GZIPOutputStream(out) : new DeflaterOutputStream(out)) {
      compressing.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
