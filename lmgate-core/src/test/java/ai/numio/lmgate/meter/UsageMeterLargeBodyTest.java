package ai.numio.lmgate.meter;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Responses of any size are metered exactly while each exchange keeps a small bounded state: the
 * meter never holds the body, a line, an event or a long string.
 */
class UsageMeterLargeBodyTest {

  private static final int MB = 1 << 20;
  private static final int CHUNK = 16 * 1024;

  @Test
  void fiftyMegabyteJsonBodyIsMeteredExactly() {
    UsageMeter meter = new UsageMeter(MB);
    meter.onResponse("application/json", null);
    feed(
        meter,
        "{\"id\":\"chatcmpl-big\",\"model\":\"gpt-4.1-2025-04-14\",\"choices\":[{\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"");
    byte[] text = "All work and no play makes Jack a dull boy. \\n ünïcödé \\\" ".getBytes(UTF_8);
    long written = 0;
    byte[] chunk = repeat(text, CHUNK - CHUNK % text.length); // whole units: valid JSON
    while (written < 50L * MB) {
      meter.onBytes(chunk, 0, chunk.length);
      written += chunk.length;
    }
    feed(
        meter,
        "\"},\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":52,"
            + "\"completion_tokens\":12000017,\"total_tokens\":12000069}}");
    assertThat(meter.finish())
        .isEqualTo(new Usage("gpt-4.1-2025-04-14", 52L, 12000017L, null, null, null, null, false));
    assertThat(meter.retainedStringHighWater())
        .isLessThanOrEqualTo(UsageJsonReader.KEEP_STRING_BYTES);
  }

  @Test
  void fiftyMegabyteStreamIsMeteredExactly() {
    UsageMeter meter = new UsageMeter(MB);
    meter.onResponse("text/event-stream; charset=utf-8", null);
    byte[] event =
        ("data: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                + "\" token\"},\"finish_reason\":null}],\"usage\":null,\"obfuscation\":\"q3W\"}\n\n")
            .getBytes(UTF_8);
    byte[] chunk = repeat(event, CHUNK); // events straddle chunk boundaries
    long written = 0;
    while (written < 50L * MB) {
      meter.onBytes(chunk, 0, chunk.length);
      written += chunk.length;
    }
    int remainder = (int) (written % event.length);
    if (remainder != 0) { // finish the event cut by the last chunk
      meter.onBytes(event, remainder, event.length - remainder);
    }
    feed(
        meter,
        "data: {\"id\":\"chatcmpl-s\",\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[],"
            + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":261000,\"total_tokens\":261009,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":0},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0}}}\n\ndata: [DONE]\n\n");
    assertThat(meter.finish())
        .isEqualTo(new Usage("gpt-4o-mini-2024-07-18", 9L, 261000L, 0L, null, 0L, null, true));
    assertThat(meter.cutEvents()).isZero();
    assertThat(meter.retainedStringHighWater())
        .isLessThanOrEqualTo(UsageJsonReader.KEEP_STRING_BYTES);
  }

  /**
   * Many exchanges in flight, each in the middle of a long string: if anything buffered the body,
   * 200 meters at 4 MB each would hold 800 MB; bounded state keeps them to a few KB each.
   */
  @Test
  void manyMetersMidwayThroughLongStringsHoldLittleHeap() {
    Runtime runtime = Runtime.getRuntime();
    long before = usedHeapAfterGc(runtime);
    List<UsageMeter> meters = new ArrayList<>();
    byte[] chunk = repeat("lorem ipsum ".getBytes(UTF_8), 64 * 1024);
    for (int m = 0; m < 200; m++) {
      UsageMeter meter = new UsageMeter(MB);
      meter.onResponse(m % 2 == 0 ? "application/json" : "text/event-stream", null);
      feed(meter, m % 2 == 0 ? "{\"content\":\"" : "data: {\"content\":\"");
      for (int i = 0; i < 4 * MB / chunk.length; i++) {
        meter.onBytes(chunk, 0, chunk.length);
      }
      meters.add(meter);
    }
    long grown = usedHeapAfterGc(runtime) - before;
    assertThat(meters).hasSize(200);
    assertThat(grown).as("heap held by 200 meters").isLessThan(64L * MB);
  }

  private static long usedHeapAfterGc(Runtime runtime) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }

  private static void feed(UsageMeter meter, String text) {
    byte[] bytes = text.getBytes(UTF_8);
    meter.onBytes(bytes, 0, bytes.length);
  }

  private static byte[] repeat(byte[] unit, int size) {
    byte[] out = new byte[size];
    for (int i = 0; i < size; i++) {
      out[i] = unit[i % unit.length];
    }
    return Arrays.copyOf(out, size);
  }
}
