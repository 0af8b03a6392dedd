package ai.numio.lmgate.policy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.RequestBody;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class ModelReadAheadTest {

  private static final int CAP = 4 * 1024 * 1024;

  /** Serves bytes in reads of at most {@code chunk}; counts what was read. */
  static final class Chunked implements RequestBody {
    final byte[] bytes;
    final int chunk;
    int at;

    Chunked(byte[] bytes, int chunk) {
      this.bytes = bytes;
      this.chunk = chunk;
    }

    Chunked(String text, int chunk) {
      this(text.getBytes(UTF_8), chunk);
    }

    @Override
    public int read(byte[] into, int offset, int length) {
      if (at == bytes.length) {
        return -1;
      }
      int n = Math.min(Math.min(length, chunk), bytes.length - at);
      System.arraycopy(bytes, at, into, offset, n);
      at += n;
      return n;
    }
  }

  /**
   * A model found early is not the end: the object is read to its end (within the cap), since JSON
   * allows a second "model" key that a provider keeping the last one would serve.
   */
  @Test
  void aModelFoundEarlyIsReadOnToTheEndOfTheObject() {
    String json =
        "{\"model\":\"gpt-4o-mini\",\"messages\":["
            + String.join(",", java.util.Collections.nCopies(10_000, "{\"role\":\"user\"}"))
            + "]}";
    Chunked body = new Chunked(json + "\n", 64);
    ModelReadAhead.Result result = ModelReadAhead.read(body, CAP);
    assertThat(result.outcome()).isEqualTo(ModelReadAhead.Outcome.FOUND);
    assertThat(result.model()).isEqualTo("gpt-4o-mini");
    assertThat(result.prefix().length()).isEqualTo(body.at).isGreaterThanOrEqualTo(json.length());
    assertThat(result.prefix().toByteArray())
        .isEqualTo(java.util.Arrays.copyOf(body.bytes, result.prefix().length()));
  }

  @Test
  void aSecondDifferentModelIsAConflictAndTheSameOneTwiceIsNot() {
    assertThat(read("{\"model\":\"gpt-4o-mini\",\"messages\":[],\"model\":\"o3\"}"))
        .isEqualTo(ModelReadAhead.Outcome.CONFLICTING);
    assertThat(read("{\"model\":\"o3\",\"nested\":{\"model\":\"x\"},\"model\":\"o3\"}"))
        .isEqualTo(ModelReadAhead.Outcome.FOUND);
  }

  /** Past the cap with a model found, the body is judged by that model; the rest is not read. */
  @Test
  void aBodyLongerThanTheCapIsJudgedByTheModelWithinIt() {
    String json = "{\"model\":\"gpt-4o-mini\",\"input\":\"" + "x".repeat(100_000) + "\"}";
    Chunked body = new Chunked(json, 4096);
    ModelReadAhead.Result result = ModelReadAhead.read(body, 16 * 1024);
    assertThat(result.outcome()).isEqualTo(ModelReadAhead.Outcome.FOUND);
    assertThat(result.model()).isEqualTo("gpt-4o-mini");
    assertThat(result.prefix().length()).isEqualTo(16 * 1024);
    assertThat(result.prefix().complete()).isFalse();
  }

  @Test
  void aBodyArrivingOneByteAtATimeIsReadAlike() {
    String json =
        "{\"messages\":[{\"content\":\"\\\"model\\\": \\\"x\\\" é \\u00e9\"}],"
            + "\"nested\":{\"model\":\"no\"},\"model\":\"claude-sonnet-4-5\",\"max_tokens\":5}";
    ModelReadAhead.Result result = ModelReadAhead.read(new Chunked(json, 1), CAP);
    assertThat(result.outcome()).isEqualTo(ModelReadAhead.Outcome.FOUND);
    assertThat(result.model()).isEqualTo("claude-sonnet-4-5");
    assertThat(json).startsWith(new String(result.prefix().toByteArray(), UTF_8));
  }

  @Test
  void aWholeBodyReadIsMarkedComplete() {
    String json = "{\"a\":1}";
    ModelReadAhead.Result result = ModelReadAhead.read(new Chunked(json, 100), CAP);
    assertThat(result.outcome()).isEqualTo(ModelReadAhead.Outcome.NOT_FOUND);
    assertThat(new String(result.prefix().toByteArray(), UTF_8)).isEqualTo(json);
  }

  @Test
  void aModelMissingMalformedOrNotAStringIsNotFound() {
    assertThat(read("{\"messages\":[]}")).isEqualTo(ModelReadAhead.Outcome.NOT_FOUND);
    assertThat(read("{\"messages\":[}")).isEqualTo(ModelReadAhead.Outcome.MALFORMED);
    assertThat(read("{\"model\":")).isEqualTo(ModelReadAhead.Outcome.MALFORMED);
    assertThat(read("[{\"model\":\"gpt-4o\"}]")).isEqualTo(ModelReadAhead.Outcome.MALFORMED);
    assertThat(read("\"gpt-4o\"")).isEqualTo(ModelReadAhead.Outcome.MALFORMED);
    assertThat(read("")).isEqualTo(ModelReadAhead.Outcome.MALFORMED);
    assertThat(read("{\"model\":42}")).isEqualTo(ModelReadAhead.Outcome.MALFORMED);
    assertThat(read("{\"model\":\"\"}")).isEqualTo(ModelReadAhead.Outcome.MALFORMED);
  }

  @Test
  void aModelNameTooLongToKeepIsNotMatchedCut() {
    String model = "gpt-" + "a".repeat(ModelReadAhead.KEEP_STRING_BYTES + 10);
    assertThat(read("{\"model\":\"" + model + "\"}")).isEqualTo(ModelReadAhead.Outcome.MALFORMED);
  }

  @Test
  void longStringsBeforeTheModelAreSkippedWithEscapesAndUtf8() {
    String content = "é\\\"\\u00e9".repeat(50_000);
    String json = "{\"messages\":\"" + content + "\",\"model\":\"gpt-4o\"}";
    for (int chunk : new int[] {1, 7, 4096}) {
      ModelReadAhead.Result result = ModelReadAhead.read(new Chunked(json, chunk), CAP);
      assertThat(result.outcome()).as("chunk %s", chunk).isEqualTo(ModelReadAhead.Outcome.FOUND);
      assertThat(result.model()).isEqualTo("gpt-4o");
    }
  }

  @Test
  void unreadableBody() {
    RequestBody broken =
        (b, o, l) -> {
          throw new IOException("gone");
        };
    assertThat(ModelReadAhead.read(broken, CAP).outcome())
        .isEqualTo(ModelReadAhead.Outcome.UNREADABLE);
  }

  @Test
  void a20MbBodyWithTheModelAtTheEndStopsAtTheCapWithBoundedMemory() {
    byte[] big = new byte[20 * 1024 * 1024];
    byte[] head = "{\"messages\":[{\"content\":\"".getBytes(UTF_8);
    byte[] tail = "\"}],\"model\":\"gpt-4o\"}".getBytes(UTF_8);
    java.util.Arrays.fill(big, (byte) 'z');
    System.arraycopy(head, 0, big, 0, head.length);
    System.arraycopy(tail, 0, big, big.length - tail.length, tail.length);
    Chunked body = new Chunked(big, 16 * 1024);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    ModelReadAhead.Result result = ModelReadAhead.read(body, CAP);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(result.outcome()).isEqualTo(ModelReadAhead.Outcome.TOO_LARGE);
    assertThat(body.at).isEqualTo(CAP);
    assertThat(result.prefix().length()).isEqualTo(CAP);
    // the prefix doubles up to the cap (about 2 x cap allocated over its growth), nothing else
    // grows with the body
    assertThat(allocated).isLessThan(2L * CAP + 1024 * 1024);
  }

  @Test
  void theModelOfAGooglePath() {
    assertThat(ModelReadAhead.modelInPath("/gemini/v1beta/models/gemini-2.5-flash:generateContent"))
        .isEqualTo("gemini-2.5-flash");
    assertThat(
            ModelReadAhead.modelInPath(
                "/google/v1/projects/p/locations/us-central1/publishers/google/models/"
                    + "gemini-2.5-pro:streamGenerateContent"))
        .isEqualTo("gemini-2.5-pro");
    assertThat(ModelReadAhead.modelInPath("/gemini/v1beta/models/gemini%2D2.5-pro:countTokens"))
        .isEqualTo("gemini-2.5-pro");
    assertThat(ModelReadAhead.modelInPath("/gemini/v1beta/models/gemini-2.5-pro"))
        .isEqualTo("gemini-2.5-pro");
    assertThat(ModelReadAhead.modelInPath("/gemini/v1beta/files")).isNull();
    assertThat(ModelReadAhead.modelInPath("/gemini/v1beta/models/")).isNull();
    assertThat(ModelReadAhead.modelInPath("/gemini/v1beta/models/%zz:x")).isNull();
  }

  private static ModelReadAhead.Outcome read(String json) {
    return ModelReadAhead.read(new Chunked(json, 3), CAP).outcome();
  }
}
