package ai.numio.lmgate.bench;

import ai.numio.lmgate.meter.Usage;
import ai.numio.lmgate.meter.UsageMeter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A full meter pass (create, feed in network-sized chunks, finish) over a ~1 KB chat completion and
 * over realistic OpenAI and Anthropic SSE streams. Bytes per operation are printed at setup so MB/s
 * = bytes × ops/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MeterBenchmark {

  private static final int CHUNK = 4096;

  private byte[] chatJson;
  private byte[] openAiStream;
  private byte[] anthropicStream;

  @Setup
  public void setUp() {
    chatJson = Payloads.chatCompletionJson();
    openAiStream = Payloads.openAiChatStream(400);
    anthropicStream = Payloads.anthropicMessagesStream(400);
    System.out.printf(
        "%nbytes per op: json=%d openai-sse=%d anthropic-sse=%d%n",
        chatJson.length, openAiStream.length, anthropicStream.length);
  }

  @Benchmark
  public Usage json1k() {
    return meter("application/json", chatJson);
  }

  @Benchmark
  public Usage openAiSse() {
    return meter("text/event-stream", openAiStream);
  }

  @Benchmark
  public Usage anthropicSse() {
    return meter("text/event-stream", anthropicStream);
  }

  private static Usage meter(String contentType, byte[] body) {
    UsageMeter meter = new UsageMeter(1 << 20);
    meter.onResponse(contentType, null);
    for (int i = 0; i < body.length; i += CHUNK) {
      meter.onBytes(body, i, Math.min(CHUNK, body.length - i));
    }
    return meter.finish();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
