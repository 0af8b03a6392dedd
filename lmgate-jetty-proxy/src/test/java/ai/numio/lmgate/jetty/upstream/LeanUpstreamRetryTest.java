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
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.eclipse.jetty.io.content.AsyncContent;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The narrow retry of SPEC-2 §17 against an upstream that reads each request and closes without
 * answering (it may have billed it): sent again only with an {@code Idempotency-Key} and a body of
 * at most 64 KiB still held, and never a third time.
 */
@Timeout(30)
class LeanUpstreamRetryTest {

  private final LeanUpstream engine = Requests.engine();

  @AfterEach
  void close() throws InterruptedException {
    Requests.closeWithoutLeaks(engine);
  }

  private static RawUpstream hangingUp() throws IOException {
    RawUpstream[] self = new RawUpstream[1];
    self[0] =
        new RawUpstream(
            conn -> {
              RawUpstream.Request r = conn.readRequest();
              if (r != null) {
                self[0].requests.add(r);
              }
            });
    return self[0];
  }

  private static void assertDisconnected(Recorder r) throws Exception {
    Throwable failure = r.failure.get(5, SECONDS);
    assertThat(failure).isInstanceOf(EOFException.class);
    assertThat(UpstreamErrors.classify(failure)).isEqualTo(Failure.UPSTREAM_DISCONNECTED);
  }

  @Test
  void aSmallBodyWithIdempotencyKeyIsSentTwiceAndNoMore() throws Exception {
    try (RawUpstream upstream = hangingUp()) {
      byte[] body = utf8("{\"model\":\"m\",\"input\":\"" + "x".repeat(1000) + "\"}");
      Recorder r = new Recorder();
      engine.send(post(upstream.origin(), "/v1/embeddings", body, "Idempotency-Key", "k-1"), r);

      assertDisconnected(r);
      Thread.sleep(300); // a third attempt would show up here
      assertThat(upstream.accepts()).isEqualTo(2);
      assertThat(upstream.requests).hasSize(2);
      assertThat(upstream.requests.get(1).body()).isEqualTo(body);
      assertThat(upstream.requests.get(1).header("Content-Length"))
          .isEqualTo(String.valueOf(body.length));
      assertThat(r.requestBegins.get()).isEqualTo(2);
      assertThat(r.outcomes.get()).isEqualTo(1);
    }
  }

  @Test
  void withoutIdempotencyKeyItIsNeverSentAgain() throws Exception {
    try (RawUpstream upstream = hangingUp()) {
      Recorder r = new Recorder();
      engine.send(post(upstream.origin(), "/v1/chat/completions", utf8("{}")), r);

      assertDisconnected(r);
      Thread.sleep(300);
      assertThat(upstream.accepts()).isEqualTo(1);
    }
  }

  @Test
  void aGetWithIdempotencyKeyIsSentTwice() throws Exception {
    try (RawUpstream upstream = hangingUp()) {
      Recorder r = new Recorder();
      engine.send(get(upstream.origin(), "/v1/models", "Idempotency-Key", "k"), r);
      assertDisconnected(r);
      Thread.sleep(300);
      assertThat(upstream.accepts()).isEqualTo(2);
    }
  }

  @Test
  void aBodyOverSixtyFourKibIsNeverSentAgain() throws Exception {
    try (RawUpstream upstream = hangingUp()) {
      byte[] body = new byte[64 * 1024 + 1];
      Arrays.fill(body, (byte) 'a');
      Recorder r = new Recorder();
      engine.send(post(upstream.origin(), "/v1/files", body, "Idempotency-Key", "k"), r);
      assertDisconnected(r);
      Thread.sleep(300);
      assertThat(upstream.accepts()).isEqualTo(1);
      assertThat(upstream.requests.get(0).body()).isEqualTo(body);
    }
  }

  @Test
  void aSmallChunkedBodyIsKeptAndSentAgainWhole() throws Exception {
    try (RawUpstream upstream = hangingUp()) {
      AsyncContent body = new AsyncContent();
      Recorder r = new Recorder();
      engine.send(chunked(upstream.origin(), "/v1/chat", body, "Idempotency-Key", "k"), r);
      body.write(false, ByteBuffer.wrap(utf8("{\"a\":")), Callback.NOOP);
      Thread.sleep(50);
      body.write(true, ByteBuffer.wrap(utf8("1}")), Callback.NOOP);

      assertDisconnected(r);
      Thread.sleep(300);
      assertThat(upstream.accepts()).isEqualTo(2);
      assertThat(upstream.requests.get(0).bodyText()).isEqualTo("{\"a\":1}");
      assertThat(upstream.requests.get(1).bodyText()).isEqualTo("{\"a\":1}");
    }
  }

  @Test
  void aLargeChunkedBodyIsNotKept() throws Exception {
    try (RawUpstream upstream = hangingUp()) {
      AsyncContent body = new AsyncContent();
      Recorder r = new Recorder();
      engine.send(chunked(upstream.origin(), "/v1/chat", body, "Idempotency-Key", "k"), r);
      byte[] piece = new byte[40 * 1024];
      Arrays.fill(piece, (byte) 'b');
      body.write(false, ByteBuffer.wrap(piece), Callback.NOOP);
      body.write(true, ByteBuffer.wrap(piece), Callback.NOOP);

      assertDisconnected(r);
      Thread.sleep(300);
      assertThat(upstream.accepts()).isEqualTo(1);
      assertThat(upstream.requests.get(0).body()).hasSize(80 * 1024);
    }
  }

  @Test
  void aPooledConnectionTheUpstreamClosedIsNotUsedAndTheRequestGoesOnAFreshOne() throws Exception {
    try (RawUpstream upstream =
        new RawUpstream(
            conn -> {
              RawUpstream.Request r = conn.readRequest();
              conn.respond("{\"conn\":" + conn.index + "}"); // keep-alive, then hangs up
              if (conn.index > 1) {
                while (conn.readRequest() != null) {
                  conn.respond("{\"conn\":" + conn.index + "}");
                }
              }
            })) {
      Recorder first = new Recorder();
      engine.send(get(upstream.origin(), "/"), first);
      assertThat(first.body.get(5, SECONDS)).isEqualTo("{\"conn\":1}");
      Thread.sleep(200);

      Recorder second = new Recorder(); // no Idempotency-Key: only a not-written request may move
      engine.send(post(upstream.origin(), "/v1/chat/completions", utf8("{}")), second);
      assertThat(second.body.get(5, SECONDS)).isEqualTo("{\"conn\":2}");
      assertThat(upstream.accepts()).isEqualTo(2);
      assertThat(second.requestBegins.get()).isEqualTo(1);
    }
  }

  @Test
  void aReusedConnectionThatFailedBeforeTheRequestWasWrittenIsRetriedOnAFreshOne()
      throws Exception {
    try (RawUpstream upstream = RawUpstream.answering("{\"ok\":1}")) {
      Recorder r = new Recorder();
      LeanExchange exchange = (LeanExchange) engine.send(get(upstream.origin(), "/warm"), r);
      assertThat(r.body.get(5, SECONDS)).isEqualTo("{\"ok\":1}");

      // the rule itself, as a reused connection reports a write that never completed
      Recorder retried = new Recorder();
      LeanExchange second =
          new LeanExchange(
              engine,
              exchange.pool,
              post(upstream.origin(), "/v1/chat/completions", utf8("{}")),
              retried);
      second.attemptFailed(new IOException("Broken pipe"), true, true, false, false);
      assertThat(retried.body.get(5, SECONDS)).isEqualTo("{\"ok\":1}");
      assertThat(upstream.requests.get(1).bodyText()).isEqualTo("{}");

      // the same failure on a fresh connection, or after the write completed, is final
      Recorder fresh = new Recorder();
      new LeanExchange(engine, exchange.pool, get(upstream.origin(), "/"), fresh)
          .attemptFailed(new IOException("Broken pipe"), false, true, false, false);
      assertThat(fresh.failure.get(5, SECONDS)).hasMessage("Broken pipe");
      Recorder written = new Recorder();
      new LeanExchange(engine, exchange.pool, get(upstream.origin(), "/"), written)
          .attemptFailed(new EOFException("closed"), true, true, true, false);
      assertThat(written.failure.get(5, SECONDS)).isInstanceOf(EOFException.class);
      assertThat(upstream.requests).hasSize(2);
    }
  }

  @Test
  void aRetryThatCannotConnectReportsTheFirstFailureNotUnreachable() throws Exception {
    // port 1: nothing listens, and outside the ephemeral range (a just-closed ephemeral port can
    // be connected to by a socket that the kernel gives that same port: a self-connection)
    URI refusing = URI.create("http://127.0.0.1:1");
    Recorder r = new Recorder();
    LeanExchange exchange =
        new LeanExchange(
            engine, new OriginPool(refusing), get(refusing, "/", "Idempotency-Key", "k"), r);
    EOFException first = new EOFException("upstream closed the connection without a response");
    exchange.attemptFailed(first, false, true, true, false);

    Throwable failure = r.failure.get(5, SECONDS);
    assertThat(failure).isSameAs(first);
    assertThat(failure.getSuppressed()).singleElement().isInstanceOf(ConnectException.class);
    assertThat(UpstreamErrors.classify(failure)).isEqualTo(Failure.UPSTREAM_DISCONNECTED);
  }
}
