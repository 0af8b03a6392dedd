package ai.numio.lmgate.jetty.upstream;

import static ai.numio.lmgate.jetty.upstream.Requests.chunked;
import static ai.numio.lmgate.jetty.upstream.Requests.get;
import static ai.numio.lmgate.jetty.upstream.Requests.post;
import static ai.numio.lmgate.jetty.upstream.Requests.utf8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.Failure;
import ai.numio.lmgate.UpstreamErrors;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.content.AsyncContent;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The lean engine against raw-socket upstreams: the bytes on the wire, streaming, errors. */
@Timeout(20)
class LeanUpstreamTest {

  private LeanUpstream engine = Requests.engine();

  @AfterEach
  void close() throws InterruptedException {
    Requests.closeWithoutLeaks(engine);
  }

  @Test
  void getSendsAnExactRequestAndReadsALengthDelimitedResponse() throws Exception {
    try (RawUpstream upstream = RawUpstream.answering("{\"ok\":true}")) {
      Recorder r = new Recorder();
      engine.send(get(upstream.origin(), "/v1/models?x=%2F&y=1", "Authorization", "Bearer k"), r);

      assertThat(r.status.get(5, SECONDS)).isEqualTo(200);
      assertThat(r.body.get(5, SECONDS)).isEqualTo("{\"ok\":true}");
      assertThat(r.headers.get("Content-Type")).isEqualTo("application/json");
      assertThat(r.requestBegins.get()).isEqualTo(1);
      RawUpstream.Request sent = upstream.requests.get(0);
      assertThat(sent.method()).isEqualTo("GET");
      assertThat(sent.target()).isEqualTo("/v1/models?x=%2F&y=1"); // raw, not re-encoded
      assertThat(sent.header("Host")).isEqualTo(upstream.origin().getRawAuthority());
      assertThat(sent.header("Authorization")).isEqualTo("Bearer k");
      assertThat(sent.header("Content-Length")).isNull();
      assertThat(sent.header("Transfer-Encoding")).isNull();
    }
  }

  @Test
  void postWithALengthSendsContentLengthAndTheExactBody() throws Exception {
    try (RawUpstream upstream = RawUpstream.answering("done")) {
      byte[] body = utf8("{\"model\":\"gpt-4o\",\"messages\":[]}");
      Recorder r = new Recorder();
      engine.send(post(upstream.origin(), "/v1/chat/completions", body, "Host", "api.example"), r);

      assertThat(r.body.get(5, SECONDS)).isEqualTo("done");
      RawUpstream.Request sent = upstream.requests.get(0);
      assertThat(sent.header("Content-Length")).isEqualTo(String.valueOf(body.length));
      assertThat(sent.header("Host")).isEqualTo("api.example"); // a given Host is kept
      assertThat(sent.body()).isEqualTo(body);
    }
  }

  @Test
  void postWithUnknownLengthIsSentChunkedAsTheBodyArrives() throws Exception {
    try (RawUpstream upstream = RawUpstream.answering("done")) {
      AsyncContent body = new AsyncContent();
      Recorder r = new Recorder();
      engine.send(chunked(upstream.origin(), "/v1/embeddings", body), r);
      body.write(false, ByteBuffer.wrap(utf8("{\"input\":")), Callback.NOOP);
      Thread.sleep(50);
      body.write(false, ByteBuffer.wrap(utf8("\"hello\"")), Callback.NOOP);
      body.write(true, ByteBuffer.wrap(utf8("}")), Callback.NOOP);

      assertThat(r.body.get(5, SECONDS)).isEqualTo("done");
      RawUpstream.Request sent = upstream.requests.get(0);
      assertThat(sent.header("Transfer-Encoding")).isEqualTo("chunked");
      assertThat(sent.header("Content-Length")).isNull();
      assertThat(sent.bodyText()).isEqualTo("{\"input\":\"hello\"}");
    }
  }

  @Test
  void aChunkedResponseBodyArrivesWhole() throws Exception {
    try (RawUpstream upstream =
        new RawUpstream(
            conn -> {
              conn.readRequest();
              conn.write(
                  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      + "5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n");
              conn.readRequest();
            })) {
      Recorder r = new Recorder();
      engine.send(get(upstream.origin(), "/"), r);
      assertThat(r.body.get(5, SECONDS)).isEqualTo("hello world");
    }
  }

  @Test
  void aStreamedResponseArrivesEventByEventAsTheUpstreamSendsIt() throws Exception {
    CountDownLatch second = new CountDownLatch(1);
    CountDownLatch third = new CountDownLatch(1);
    try (RawUpstream upstream =
        new RawUpstream(
            conn -> {
              conn.readRequest();
              conn.write(
                  "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                      + "Transfer-Encoding: chunked\r\n\r\n");
              conn.write(chunk("data: {\"n\":1}\n\n"));
              second.await();
              conn.write(chunk("data: {\"n\":2}\n\n"));
              third.await();
              conn.write(chunk("data: [DONE]\n\n") + "0\r\n\r\n");
              conn.readRequest();
            })) {
      Recorder r = new Recorder();
      engine.send(get(upstream.origin(), "/v1/chat/completions"), r);

      assertThat(r.status.get(5, SECONDS)).isEqualTo(200);
      awaitChunks(r, 1);
      Thread.sleep(100); // nothing else may show up while the upstream waits
      assertThat(r.chunks).containsExactly("data: {\"n\":1}\n\n");
      second.countDown();
      awaitChunks(r, 2);
      Thread.sleep(100);
      assertThat(r.chunks).containsExactly("data: {\"n\":1}\n\n", "data: {\"n\":2}\n\n");
      third.countDown();
      assertThat(r.body.get(5, SECONDS))
          .isEqualTo("data: {\"n\":1}\n\ndata: {\"n\":2}\n\ndata: [DONE]\n\n");
      assertThat(r.chunks).hasSize(3);
    }
  }

  @Test
  void sequentialRequestsShareOneConnection() throws Exception {
    try (RawUpstream upstream = RawUpstream.answering("{\"id\":1}")) {
      for (int i = 0; i < 20; i++) {
        Recorder r = new Recorder();
        engine.send(
            i % 2 == 0
                ? get(upstream.origin(), "/a")
                : post(upstream.origin(), "/b", utf8("x" + i)),
            r);
        assertThat(r.body.get(5, SECONDS)).isEqualTo("{\"id\":1}");
        // a response can be read before the writer's thread sees its last write complete; the
        // connection returns then
        waitFor(() -> engine.idleConnections(upstream.origin()) == 0);
      }
      assertThat(upstream.accepts()).isEqualTo(1);
      assertThat(upstream.requests).hasSize(20);
      assertThat(engine.idleConnections(upstream.origin())).isEqualTo(1);
    }
  }

  @Test
  void connectionCloseFromTheUpstreamIsHonoured() throws Exception {
    try (RawUpstream upstream = RawUpstream.answering("bye", "Connection: close")) {
      for (int i = 0; i < 3; i++) {
        Recorder r = new Recorder();
        engine.send(get(upstream.origin(), "/"), r);
        assertThat(r.body.get(5, SECONDS)).isEqualTo("bye");
      }
      assertThat(upstream.accepts()).isEqualTo(3);
      assertThat(engine.idleConnections(upstream.origin())).isZero();
    }
  }

  @Test
  void connectionCloseFromTheRequestIsHonoured() throws Exception {
    try (RawUpstream upstream = RawUpstream.answering("ok")) {
      for (int i = 0; i < 3; i++) {
        Recorder r = new Recorder();
        engine.send(get(upstream.origin(), "/", "Connection", "close"), r);
        assertThat(r.body.get(5, SECONDS)).isEqualTo("ok");
      }
      assertThat(upstream.accepts()).isEqualTo(3);
      assertThat(upstream.requests.get(0).header("Connection")).isEqualTo("close");
    }
  }

  @Test
  void aBodyNotReadToItsEndNeverReturnsItsConnection() throws Exception {
    try (RawUpstream upstream = RawUpstream.answering("x".repeat(100_000))) {
      Recorder held = Recorder.holding();
      UpstreamExchange first = engine.send(get(upstream.origin(), "/"), held);
      assertThat(held.status.get(5, SECONDS)).isEqualTo(200);
      first.abort(new EOFException("client went away"));

      Recorder r = new Recorder();
      engine.send(get(upstream.origin(), "/"), r);
      assertThat(r.body.get(5, SECONDS)).hasSize(100_000);
      assertThat(upstream.accepts()).isEqualTo(2);
    }
  }

  @Test
  void abortAfterTheHeadFailsTheBodyAndClosesTheConnection() throws Exception {
    CountDownLatch closed = new CountDownLatch(1);
    try (RawUpstream upstream =
        new RawUpstream(
            conn -> {
              conn.readRequest();
              conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
              conn.write(chunk("data: 1\n\n"));
              if (conn.in.read() < 0) {
                closed.countDown();
              }
            })) {
      Recorder r = new Recorder();
      UpstreamExchange exchange = engine.send(get(upstream.origin(), "/"), r);
      awaitChunks(r, 1);
      EOFException cause = new EOFException("client went away");
      exchange.abort(cause);

      assertThat(r.bodyFailure.get(5, SECONDS)).isSameAs(cause);
      assertThat(closed.await(5, SECONDS)).isTrue();
      assertThat(r.outcomes.get()).isEqualTo(1);
      assertThat(engine.idleConnections(upstream.origin())).isZero();
    }
  }

  @Test
  void abortBeforeTheHeadTellsTheListenerOnceAndNeverRetries() throws Exception {
    try (RawUpstream upstream =
        new RawUpstream(
            conn -> {
              conn.readRequest();
              conn.in.read();
            })) {
      Recorder r = new Recorder();
      UpstreamExchange exchange =
          engine.send(get(upstream.origin(), "/", "Idempotency-Key", "k1"), r);
      waitFor(() -> upstream.accepts() < 1);
      Thread.sleep(200);
      EOFException cause = new EOFException("client went away");
      exchange.abort(cause);
      exchange.abort(new EOFException("again"));

      assertThat(r.failure.get(5, SECONDS)).isSameAs(cause);
      Thread.sleep(200);
      assertThat(r.outcomes.get()).isEqualTo(1);
      assertThat(upstream.accepts()).isEqualTo(1);
    }
  }

  @Test
  void aFailingRequestBodyAbortsTheExchangeAsReported() throws Exception {
    try (RawUpstream upstream = RawUpstream.answering("never")) {
      AsyncContent body = new AsyncContent();
      Recorder r = new Recorder();
      engine.send(chunked(upstream.origin(), "/", body, "Idempotency-Key", "k"), r);
      body.write(false, ByteBuffer.wrap(utf8("{\"a\":")), Callback.NOOP);
      Thread.sleep(100);
      IllegalStateException broken = new IllegalStateException("client body broke");
      body.fail(broken);

      assertThat(r.failure.get(5, SECONDS)).isSameAs(broken);
      assertThat(upstream.accepts()).isEqualTo(1);
    }
  }

  @Test
  void refusedConnectionIsAConnectException() throws Exception {
    // port 1: nothing listens, and outside the ephemeral range, so no self-connection
    Recorder r = new Recorder();
    engine.send(get(URI.create("http://127.0.0.1:1"), "/"), r);

    Throwable failure = r.failure.get(5, SECONDS);
    assertThat(failure).isInstanceOf(ConnectException.class);
    assertThat(UpstreamErrors.classify(failure)).isEqualTo(Failure.UPSTREAM_UNREACHABLE);
    assertThat(r.requestBegins.get()).isZero();
  }

  @Test
  void anUnknownHostIsUnreachable() throws Exception {
    Recorder r = new Recorder();
    engine.send(get(URI.create("http://no-such-host.invalid:8000"), "/"), r);
    assertThat(UpstreamErrors.classify(r.failure.get(10, SECONDS)))
        .isEqualTo(Failure.UPSTREAM_UNREACHABLE);
  }

  @Test
  void aHeadThatDoesNotComeInTheIdleTimeoutIsATimeoutNeverRetried() throws Exception {
    Requests.closeWithoutLeaks(engine);
    engine = Requests.engine(Duration.ofMillis(500), Duration.ofSeconds(4));
    try (RawUpstream upstream =
        new RawUpstream(
            conn -> {
              conn.readRequest();
              conn.in.read(); // silent until closed
            })) {
      Recorder r = new Recorder();
      long start = System.nanoTime();
      engine.send(post(upstream.origin(), "/", utf8("{}"), "Idempotency-Key", "k"), r);

      Throwable failure = r.failure.get(5, SECONDS);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(failure).isInstanceOf(TimeoutException.class);
      assertThat(UpstreamErrors.classify(failure)).isEqualTo(Failure.UPSTREAM_TIMEOUT);
      assertThat(millis).isGreaterThanOrEqualTo(450);
      assertThat(upstream.accepts()).isEqualTo(1);
    }
  }

  @Test
  void anUpstreamThatHalfClosesAfterHalfAHeadIsADisconnectNotATimeout() throws Exception {
    try (RawUpstream upstream =
        new RawUpstream(
            conn -> {
              conn.readRequest();
              conn.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n");
              conn.socket.shutdownOutput();
              conn.in.read(); // until the engine lets go
            })) {
      Recorder r = new Recorder();
      engine.send(post(upstream.origin(), "/", utf8("{}")), r);
      Throwable failure = r.failure.get(5, SECONDS);
      assertThat(UpstreamErrors.classify(failure)).isEqualTo(Failure.UPSTREAM_DISCONNECTED);
    }
  }

  @Test
  void aBrokenChunkComesAfterTheChunksBeforeIt() throws Exception {
    try (RawUpstream upstream =
        new RawUpstream(
            conn -> {
              conn.readRequest();
              conn.write(
                  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
                      + "zz-not-hex\r\nxx\r\n");
            })) {
      Recorder r = new Recorder();
      engine.send(get(upstream.origin(), "/"), r);
      assertThat(r.status.get(5, SECONDS)).isEqualTo(200);
      assertThat(r.bodyFailure.get(5, SECONDS)).isInstanceOf(java.io.IOException.class);
      assertThat(String.join("", r.chunks)).isEqualTo("hello");
    }
  }

  @Test
  void anUpstreamThatClosesMidBodyFailsTheBodyWithAnIoException() throws Exception {
    try (RawUpstream upstream =
        new RawUpstream(
            conn -> {
              conn.readRequest();
              conn.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part");
            })) {
      Recorder r = new Recorder();
      engine.send(get(upstream.origin(), "/", "Idempotency-Key", "k"), r);
      assertThat(r.status.get(5, SECONDS)).isEqualTo(200);
      assertThat(r.bodyFailure.get(5, SECONDS)).isInstanceOf(EOFException.class);
      assertThat(upstream.accepts()).isEqualTo(1);
    }
  }

  @Test
  void interimResponsesAreSkipped() throws Exception {
    try (RawUpstream upstream =
        new RawUpstream(
            conn -> {
              conn.readRequest();
              conn.write("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n");
              conn.respond("real");
              conn.readRequest();
            })) {
      Recorder r = new Recorder();
      engine.send(get(upstream.origin(), "/"), r);
      assertThat(r.status.get(5, SECONDS)).isEqualTo(200);
      assertThat(r.body.get(5, SECONDS)).isEqualTo("real");
    }
  }

  static String chunk(String data) {
    return Integer.toHexString(utf8(data).length) + "\r\n" + data + "\r\n";
  }

  static void awaitChunks(Recorder r, int n) throws InterruptedException {
    waitFor(() -> r.chunks.size() < n);
  }

  interface Condition {
    boolean holds();
  }

  /** Waits while {@code pending} holds, at most 5 s. */
  static void waitFor(Condition pending) throws InterruptedException {
    long deadline = System.nanoTime() + SECONDS.toNanos(5);
    while (pending.holds() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }
}
