package ai.numio.lmgate.fuzz;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the meter's SSE splitter, {@code ai.numio.lmgate.meter.SseReader}.
 *
 * <p>The reader is package-private in {@code meter}; this test reaches it by reflection and records
 * its callbacks through a {@link Proxy} of its listener interface, so the fuzz tests stay together
 * in one package without widening the main code.
 *
 * <p>Input layout: byte 0 is the number of cut points (mod 16), then two bytes per cut point
 * (big-endian, mod the stream length + 1), then the stream.
 */
class SseReaderFuzzTest {

  private static final Class<?> READER;
  private static final Class<?> LISTENER;
  private static final Constructor<?> NEW_READER;
  private static final Method ACCEPT;

  static {
    try {
      READER = Class.forName("ai.numio.lmgate.meter.SseReader");
      LISTENER = Class.forName("ai.numio.lmgate.meter.SseReader$Listener");
      NEW_READER = READER.getDeclaredConstructor(LISTENER);
      NEW_READER.setAccessible(true);
      ACCEPT = READER.getDeclaredMethod("accept", byte[].class, int.class, int.class);
      ACCEPT.setAccessible(true);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @FuzzTest(maxDuration = "2m")
  void eventsDoNotDependOnChunkingOrLineEndings(byte[] input) {
    if (input.length < 1) {
      return;
    }
    int cutCount = (input[0] & 0xFF) % 16;
    int streamStart = Math.min(input.length, 1 + 2 * cutCount);
    byte[] stream = Arrays.copyOfRange(input, streamStart, input.length);
    int[] cutSeeds = new int[cutCount];
    for (int i = 0; i < cutCount; i++) {
      int at = 1 + 2 * i;
      cutSeeds[i] = at + 1 < streamStart ? ((input[at] & 0xFF) << 8) | (input[at + 1] & 0xFF) : 0;
    }

    List<String> whole = read(stream, new int[0]);
    assertThat(read(stream, cuts(cutSeeds, stream.length)))
        .as("stream cut at %s", Arrays.toString(cuts(cutSeeds, stream.length)))
        .isEqualTo(whole);
    assertThat(read(stream, everyByte(stream.length))).as("one byte at a time").isEqualTo(whole);

    byte[] lf = withoutCr(stream);
    List<String> lfEvents = read(lf, cuts(cutSeeds, lf.length));
    byte[] crlf = replaceLf(lf, new byte[] {'\r', '\n'});
    byte[] cr = replaceLf(lf, new byte[] {'\r'});
    assertThat(read(crlf, cuts(cutSeeds, crlf.length))).as("CRLF line endings").isEqualTo(lfEvents);
    assertThat(read(crlf, everyByte(crlf.length))).as("CRLF, byte by byte").isEqualTo(lfEvents);
    assertThat(read(cr, cuts(cutSeeds, cr.length))).as("CR line endings").isEqualTo(lfEvents);
  }

  /**
   * The events the reader reports for {@code stream} cut at {@code cuts}: each event's data lines
   * joined by LF (per SSE), prefixed {@code error:} for an error event; and last, whatever data was
   * pending when the stream ended.
   */
  private static List<String> read(byte[] stream, int[] cuts) {
    Recorder recorder = new Recorder();
    Object listener =
        Proxy.newProxyInstance(
            LISTENER.getClassLoader(),
            new Class<?>[] {LISTENER},
            (proxy, method, args) -> recorder.on(method.getName(), args));
    Object reader;
    try {
      reader = NEW_READER.newInstance(listener);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
    int from = 0;
    for (int i = 0; i <= cuts.length; i++) {
      int to = i < cuts.length ? cuts[i] : stream.length;
      // a copy, padded on both sides, so offsets and a reference kept past the call would show
      byte[] chunk = new byte[to - from + 6];
      System.arraycopy(stream, from, chunk, 3, to - from);
      accept(reader, chunk, 3, to - from);
      Arrays.fill(chunk, (byte) 'x');
      from = to;
    }
    recorder.events.add("pending:" + recorder.data.toString(ISO_8859_1));
    return recorder.events;
  }

  private static void accept(Object reader, byte[] bytes, int offset, int length) {
    try {
      ACCEPT.invoke(reader, bytes, offset, length);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Records the listener calls and checks each data range. */
  private static final class Recorder {
    final List<String> events = new ArrayList<>();
    final ByteArrayOutputStream data = new ByteArrayOutputStream();

    Object on(String method, Object[] args) {
      switch (method) {
        case "data" -> {
          byte[] bytes = (byte[]) args[0];
          int offset = (Integer) args[1];
          int length = (Integer) args[2];
          assertThat(length).as("data length").isPositive();
          assertThat(offset).as("data offset inside the chunk").isBetween(3, bytes.length - 3);
          assertThat(offset + length)
              .as("data end inside the chunk")
              .isLessThanOrEqualTo(bytes.length - 3);
          for (int i = offset; i < offset + length; i++) {
            assertThat(bytes[i])
                .as("a line ending passed on as data")
                .isNotIn((byte) '\r', (byte) '\n');
          }
          data.write(bytes, offset, length);
        }
        case "dataLineEnd" -> data.write('\n');
        case "eventEnd" -> {
          events.add(((Boolean) args[0] ? "error:" : "") + data.toString(ISO_8859_1));
          data.reset();
        }
        case "hashCode" -> {
          return System.identityHashCode(this);
        }
        case "equals" -> {
          return false;
        }
        case "toString" -> {
          return "Recorder";
        }
        default -> throw new AssertionError("unexpected listener call " + method);
      }
      return null;
    }
  }

  private static int[] cuts(int[] seeds, int length) {
    int[] cuts = new int[seeds.length];
    for (int i = 0; i < seeds.length; i++) {
      cuts[i] = seeds[i] % (length + 1);
    }
    Arrays.sort(cuts);
    return cuts;
  }

  private static int[] everyByte(int length) {
    int[] cuts = new int[Math.max(0, length - 1)];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = i + 1;
    }
    return cuts;
  }

  private static byte[] withoutCr(byte[] stream) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(stream.length);
    for (byte b : stream) {
      if (b != '\r') {
        out.write(b);
      }
    }
    return out.toByteArray();
  }

  private static byte[] replaceLf(byte[] stream, byte[] lineEnd) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(stream.length * 2);
    for (byte b : stream) {
      if (b == '\n') {
        out.write(lineEnd, 0, lineEnd.length);
      } else {
        out.write(b);
      }
    }
    return out.toByteArray();
  }
}
