package ai.numio.lmgate.jetty.upstream;

import static ai.numio.lmgate.jetty.upstream.Requests.get;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pool against upstreams that close idle connections (uvicorn, Node) or announce when they
 * will: requests spaced across the boundary never fail, and connections are reused exactly when
 * they may be.
 */
@Timeout(30)
class LeanUpstreamPoolTest {

  private LeanUpstream engine;

  @AfterEach
  void close() throws InterruptedException {
    Requests.closeWithoutLeaks(engine);
  }

  /** An upstream that answers keep-alive and closes a connection idle for {@code idleMillis}. */
  private static RawUpstream closingIdleAfter(int idleMillis, String... extraHeaders)
      throws Exception {
    RawUpstream[] self = new RawUpstream[1];
    self[0] =
        new RawUpstream(
            conn -> {
              conn.socket.setSoTimeout(idleMillis);
              RawUpstream.Request r;
              while ((r = conn.readRequest()) != null) {
                self[0].requests.add(r);
                conn.respond("{\"n\":" + self[0].requests.size() + "}", extraHeaders);
              }
            });
    return self[0];
  }

  private static void sendAll(LeanUpstream engine, RawUpstream upstream, int... gapsMillis)
      throws Exception {
    int n = 0;
    for (int gap : gapsMillis) {
      Thread.sleep(gap);
      Recorder r = new Recorder();
      engine.send(get(upstream.origin(), "/v1/models"), r);
      n++;
      assertThat(r.body.get(5, SECONDS)).as("request %d after %d ms", n, gap).startsWith("{\"n\":");
      assertThat(r.failure).isNotDone();
      // back in the pool before the next gap starts (see sequentialRequestsShareOneConnection)
      LeanUpstreamTest.waitFor(() -> engine.idleConnections(upstream.origin()) == 0);
    }
  }

  @Test
  void anUpstreamClosingIdleConnectionsAfterOneSecondNeverFailsARequestWhenThePoolExpiresFirst()
      throws Exception {
    engine = Requests.engine(Duration.ofSeconds(5), Duration.ofMillis(800));
    try (RawUpstream upstream = closingIdleAfter(1000)) {
      sendAll(engine, upstream, 0, 300, 600, 900, 1000, 1010, 200, 0);
      assertThat(upstream.requests).hasSize(8);
      // 900, 1000 and 1010 ms gaps outlive the pool's 800 ms: fresh connections
      assertThat(upstream.accepts()).isEqualTo(4);
    }
  }

  @Test
  void aConnectionTheUpstreamClosedWhileIdleLeavesThePoolAtOnce() throws Exception {
    engine = Requests.engine(Duration.ofSeconds(5), Duration.ofSeconds(4));
    try (RawUpstream upstream = closingIdleAfter(1000)) {
      sendAll(engine, upstream, 0);
      LeanUpstreamTest.waitFor(() -> engine.idleConnections(upstream.origin()) == 0);
      assertThat(engine.idleConnections(upstream.origin())).isEqualTo(1);
      LeanUpstreamTest.waitFor(() -> engine.idleConnections(upstream.origin()) > 0);
      assertThat(engine.idleConnections(upstream.origin())).isZero();

      // the pool (4 s) outlives the upstream's 1 s: the selector's watch must drop each one
      sendAll(engine, upstream, 0, 1100, 1200, 300, 1300);
      assertThat(upstream.requests).hasSize(6);
      assertThat(upstream.accepts()).isEqualTo(5);
    }
  }

  @Test
  void keepAliveTimeoutShortensThePoolAndIsHonouredWithoutFailures() throws Exception {
    engine = Requests.engine(Duration.ofSeconds(5), Duration.ofSeconds(4));
    try (RawUpstream upstream = closingIdleAfter(2000, "Keep-Alive: timeout=2, max=100")) {
      // timeout=2 means reuse for at most 1 s: 300 and 800 ms reuse, 1100 and 1500 ms reconnect
      sendAll(engine, upstream, 0, 300, 1100, 800, 1500, 0);
      assertThat(upstream.requests).hasSize(6);
      assertThat(upstream.accepts()).isEqualTo(3);
    }
  }

  @Test
  void keepAliveTimeoutOfOneSecondIsNeverPooled() throws Exception {
    engine = Requests.engine(Duration.ofSeconds(5), Duration.ofSeconds(4));
    try (RawUpstream upstream = RawUpstream.answering("{}", "Keep-Alive: timeout=1")) {
      for (int i = 0; i < 3; i++) {
        Recorder r = new Recorder();
        engine.send(get(upstream.origin(), "/"), r);
        assertThat(r.body.get(5, SECONDS)).isEqualTo("{}");
      }
      assertThat(upstream.accepts()).isEqualTo(3);
      assertThat(engine.idleConnections(upstream.origin())).isZero();
    }
  }

  @Test
  void theMostRecentlyUsedConnectionIsReusedFirst() throws Exception {
    engine = Requests.engine(Duration.ofSeconds(5), Duration.ofSeconds(4));
    try (RawUpstream upstream =
        new RawUpstream(
            conn -> {
              RawUpstream.Request r;
              while ((r = conn.readRequest()) != null) {
                conn.respond("conn " + conn.index);
              }
            })) {
      // two at once: two connections; the one that finished last goes out first
      Recorder slow = Recorder.holding();
      Recorder fast = new Recorder();
      engine.send(get(upstream.origin(), "/"), slow);
      engine.send(get(upstream.origin(), "/"), fast);
      String fastConn = fast.body.get(5, SECONDS);
      slow.status.get(5, SECONDS);
      slow.resume();
      String slowConn = slow.body.get(5, SECONDS);
      assertThat(fastConn).isNotEqualTo(slowConn);

      Recorder next = new Recorder();
      engine.send(get(upstream.origin(), "/"), next);
      assertThat(next.body.get(5, SECONDS)).isEqualTo(slowConn);
      assertThat(upstream.accepts()).isEqualTo(2);
    }
  }
}
