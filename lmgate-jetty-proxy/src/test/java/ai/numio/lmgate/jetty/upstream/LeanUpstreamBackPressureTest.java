package ai.numio.lmgate.jetty.upstream;

import static ai.numio.lmgate.jetty.upstream.Requests.get;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A listener that does not demand holds its upstream back: the engine reads nothing, so the
 * upstream's writes stop after what the sockets buffer, and a pause of the client's is not taken
 * for upstream silence.
 */
@Timeout(30)
class LeanUpstreamBackPressureTest {

  private static final long BODY = 64L << 20;

  private final LeanUpstream engine = Requests.engine(Duration.ofSeconds(1), Duration.ofSeconds(4));

  @AfterEach
  void close() throws InterruptedException {
    Requests.closeWithoutLeaks(engine);
  }

  @Test
  void aListenerThatDemandsNothingHoldsTheUpstream() throws Exception {
    AtomicLong written = new AtomicLong();
    try (RawUpstream upstream =
        new RawUpstream(
            conn -> {
              conn.readRequest();
              conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + BODY + "\r\n\r\n");
              byte[] block = new byte[16 * 1024];
              for (long sent = 0; sent < BODY; sent += block.length) {
                conn.out.write(block);
                written.addAndGet(block.length);
              }
              conn.out.flush();
              conn.readRequest();
            })) {
      Recorder r = Recorder.holding();
      engine.send(get(upstream.origin(), "/v1/big"), r);
      assertThat(r.status.get(5, SECONDS)).isEqualTo(200);

      Thread.sleep(1500); // longer than the 1 s idle timeout: not reading is not upstream silence
      long first = written.get();
      Thread.sleep(1000);
      long second = written.get();
      assertThat(second).as("the upstream's writes are blocked").isEqualTo(first);
      assertThat(second).as("held back after the socket buffers").isLessThan(BODY / 2);
      assertThat(r.bytes.get()).isZero();
      assertThat(r.bodyFailure).isNotDone();

      r.resume();
      assertThat(r.body.get(20, SECONDS)).isNotNull();
      assertThat(r.bytes.get()).isEqualTo(BODY);
      assertThat(written.get()).isEqualTo(BODY);
    }
  }
}
