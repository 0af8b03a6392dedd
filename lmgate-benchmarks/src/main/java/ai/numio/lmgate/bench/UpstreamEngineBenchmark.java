package ai.numio.lmgate.bench;

import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.jetty.upstream.LeanUpstream;
import ai.numio.lmgate.jetty.upstream.UpstreamListener;
import ai.numio.lmgate.jetty.upstream.UpstreamRequest;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
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
 * One 700-byte JSON answer over loopback, keep-alive, through LMGate's {@code LeanUpstream} and
 * through Jetty's {@code HttpClient} (what the ProxyServlet form uses). Besides JMH's time per
 * request, each iteration prints the process CPU per request ({@code cpu µs/op}): the local Jetty
 * upstream's share is the same for both, so the difference is the client's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class UpstreamEngineBenchmark {

  private static final byte[] BODY = body();

  private Server server;
  private URI origin;
  private LeanUpstream lean;
  private HttpClient jetty;
  private final AtomicLong ops = new AtomicLong();
  private long cpuStart;

  private static byte[] body() {
    String choice =
        "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"";
    String tail =
        "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,"
            + "\"completion_tokens\":40,\"total_tokens\":52}}";
    return (choice + "x".repeat(700 - choice.length() - tail.length()) + tail)
        .getBytes(StandardCharsets.UTF_8);
  }

  @Setup
  public void setUp() throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract.NonBlocking() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, BODY.length);
            response.write(true, java.nio.ByteBuffer.wrap(BODY), callback);
            return true;
          }
        });
    server.start();
    origin = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    lean = LeanUpstream.start(new LMGateConfig.Upstream(10, 300, false, 4));
    jetty = new HttpClient();
    jetty.setFollowRedirects(false);
    jetty.start();
  }

  @TearDown
  public void tearDown() throws Exception {
    lean.close();
    jetty.stop();
    server.stop();
  }

  @Setup(Level.Iteration)
  public void startIteration() {
    ops.set(0);
    cpuStart = cpu();
  }

  @TearDown(Level.Iteration)
  public void endIteration() {
    long n = ops.get();
    if (n > 0) {
      System.out.printf(" [cpu %.1f µs/op over %d ops]%n", (cpu() - cpuStart) / 1000.0 / n, n);
    }
  }

  private static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  @Benchmark
  public int leanUpstream() throws Exception {
    ops.incrementAndGet();
    CompletableFuture<Integer> done = new CompletableFuture<>();
    lean.send(
        new UpstreamRequest("GET", origin, "/v1/chat/completions", HttpFields.EMPTY, null, -1),
        new UpstreamListener() {
          int length;

          @Override
          public void onRequestBegin() {}

          @Override
          public void onResponse(int status, HttpFields headers, Content.Source body) {
            read(body);
          }

          private void read(Content.Source body) {
            while (true) {
              Content.Chunk chunk = body.read();
              if (chunk == null) {
                body.demand(() -> read(body));
                return;
              }
              if (Content.Chunk.isFailure(chunk)) {
                done.completeExceptionally(chunk.getFailure());
                return;
              }
              length += chunk.remaining();
              boolean last = chunk.isLast();
              chunk.release();
              if (last) {
                done.complete(length);
                return;
              }
            }
          }

          @Override
          public void onFailure(Throwable failure) {
            done.completeExceptionally(failure);
          }
        });
    return done.get();
  }

  @Benchmark
  public int jettyHttpClient() throws Exception {
    ops.incrementAndGet();
    ContentResponse response = jetty.newRequest(origin.resolve("/v1/chat/completions")).send();
    return response.getContent().length;
  }
}
