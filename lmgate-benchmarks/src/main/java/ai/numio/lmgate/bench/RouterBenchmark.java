package ai.numio.lmgate.bench;

import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.route.RouteMatch;
import ai.numio.lmgate.route.Router;
import java.nio.file.Path;
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

/** Routing a request path on the default routes and building the upstream URI. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RouterBenchmark {

  private Router router;

  @Setup
  public void setUp() {
    router = new Router(LMGateConfig.defaults(Path.of(".")).routes());
  }

  @Benchmark
  public String openAiChat() {
    return ((RouteMatch) router.match("/openai/v1/chat/completions")).upstreamUri(null);
  }

  @Benchmark
  public String geminiStream() {
    return ((RouteMatch)
            router.match("/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent"))
        .upstreamUri("alt=sse");
  }
}
