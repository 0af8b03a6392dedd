package ai.numio.lmgate.jetty.upstream;

import static ai.numio.lmgate.jetty.upstream.Requests.get;
import static ai.numio.lmgate.jetty.upstream.Requests.post;
import static ai.numio.lmgate.jetty.upstream.Requests.utf8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many exchanges at once against a Jetty upstream — JSON, streams, echoed bodies — on a tracking
 * buffer pool: every body arrives exact and no buffer is left retained afterwards.
 */
@Timeout(60)
class LeanUpstreamLoadTest {

  private static final String JSON = "{\"choices\":[{\"text\":\"" + "y".repeat(640) + "\"}]}";

  private Server server;
  private URI origin;
  private ArrayByteBufferPool.Tracking buffers;
  private LeanUpstream engine;

  @BeforeEach
  void start() throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback)
              throws Exception {
            String path = request.getHttpURI().getPath();
            if (path.equals("/sse")) {
              response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
              for (int i = 0; i < 5; i++) {
                Content.Sink.write(
                    response, false, ByteBuffer.wrap(utf8("data: {\"n\":" + i + "}\n\n")));
              }
              response.write(true, ByteBuffer.wrap(utf8("data: [DONE]\n\n")), callback);
            } else if (path.equals("/echo")) {
              String body = Content.Source.asString(request, StandardCharsets.UTF_8);
              Content.Sink.write(response, true, body, callback);
            } else {
              response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
              Content.Sink.write(response, true, JSON, callback);
            }
            return true;
          }
        });
    server.start();
    origin = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    buffers = new ArrayByteBufferPool.Tracking();
    engine =
        LeanUpstream.start(
            new LeanSettings(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(4)),
            new SslContextFactory.Client(),
            buffers);
  }

  @AfterEach
  void stop() throws Exception {
    engine.close();
    server.stop();
  }

  @Test
  void manyConcurrentExchangesCompleteExactlyAndLeaveNoBufferRetained() throws Exception {
    Semaphore inFlight = new Semaphore(32);
    List<Recorder> recorders = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      inFlight.acquire();
      Recorder r = new Recorder();
      r.body.whenComplete((b, x) -> inFlight.release());
      r.failure.whenComplete((b, x) -> inFlight.release());
      switch (i % 3) {
        case 0:
          engine.send(get(origin, "/v1/chat/completions"), r);
          expected.add(JSON);
          break;
        case 1:
          engine.send(get(origin, "/sse"), r);
          StringBuilder sse = new StringBuilder();
          for (int n = 0; n < 5; n++) {
            sse.append("data: {\"n\":").append(n).append("}\n\n");
          }
          expected.add(sse.append("data: [DONE]\n\n").toString());
          break;
        default:
          String body = "{\"i\":" + i + ",\"pad\":\"" + "z".repeat(i * 7) + "\"}";
          engine.send(post(origin, "/echo", utf8(body)), r);
          expected.add(body);
      }
      recorders.add(r);
    }
    for (int i = 0; i < recorders.size(); i++) {
      Recorder r = recorders.get(i);
      assertThat(r.body.get(20, SECONDS)).as("exchange %d", i).isEqualTo(expected.get(i));
      assertThat(r.failure).isNotDone();
    }
    assertThat(engine.idleConnections(origin)).isBetween(1, 32);
    LeanUpstreamTest.waitFor(() -> !buffers.getLeaks().isEmpty());
    assertThat(buffers.getLeaks()).as(buffers.dumpLeaks()).isEmpty();
  }
}
