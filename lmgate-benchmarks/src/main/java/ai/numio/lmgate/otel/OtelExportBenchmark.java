package ai.numio.lmgate.otel;

import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.stats.UsageRecord;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@code otel.endpoint} costs per request. {@code handOff}: the request thread's whole share,
 * the observer queueing a record while the export's thread drains the queue (into a no-op here, so
 * the queue never fills and no record is dropped). {@code spanAndPoints}: the export thread's work
 * per record — a span with its attributes handed to the batch processor and the four histogram
 * points — with the SDK sending to a loopback collector that answers 200.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OtelExportBenchmark {

  private HttpServer collector;
  private OtelExport handOff;
  private final LongAdder drained = new LongAdder();
  private GenAiTelemetry telemetry;
  private UsageRecord record;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    collector.createContext(
        "/v1/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    collector.start();
    LMGateConfig config =
        LMGateConfig.defaults(Files.createTempDirectory("lmgate-bench"))
            .withOtel(
                LMGateConfig.Otel.to(
                        URI.create("http://127.0.0.1:" + collector.getAddress().getPort()))
                    .withExportIntervalSeconds(1));
    telemetry = GenAiTelemetry.start(config);
    handOff =
        OtelExport.start(
            new Telemetry() {
              @Override
              public void emit(UsageRecord record, long overheadNanos) {
                drained.increment();
              }

              @Override
              public boolean shutdown(Duration timeout) {
                return true;
              }
            },
            config.otel().queueCapacity());
    record =
        new UsageRecord(
            Instant.now(),
            "17",
            "openai",
            "/openai/v1/chat/completions",
            "gpt-4o-mini-2024-07-18",
            200,
            1117L,
            233L,
            "XYZ123",
            null,
            "team-alpha",
            "POST",
            true,
            1834L,
            212L,
            1024L,
            null,
            0L,
            "req_8f2a0c1d9e",
            0.000255);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    handOff.close();
    telemetry.shutdown(Duration.ofSeconds(10));
    collector.stop(0);
    if (handOff.droppedCount() > 0) {
      System.err.println("handOff dropped " + handOff.droppedCount() + " records");
    }
  }

  @Benchmark
  public void handOff() {
    handOff.recorded(record, 42_000);
  }

  @Benchmark
  public void spanAndPoints() {
    telemetry.emit(record, 42_000);
  }
}
