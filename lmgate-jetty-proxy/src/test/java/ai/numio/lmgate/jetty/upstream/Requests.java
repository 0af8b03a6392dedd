package ai.numio.lmgate.jetty.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** Requests and engines for the engine's tests. */
final class Requests {

  private Requests() {}

  /** The tracking buffer pool of each engine made here, to check for leaks after a test. */
  private static final Map<LeanUpstream, ArrayByteBufferPool.Tracking> BUFFERS =
      new ConcurrentHashMap<>();

  /** An engine with the given timeouts and production TLS (verifying against the JDK trust). */
  static LeanUpstream engine(Duration idle, Duration poolIdle) {
    ArrayByteBufferPool.Tracking buffers = new ArrayByteBufferPool.Tracking();
    LeanUpstream engine =
        LeanUpstream.start(
            new LeanSettings(Duration.ofSeconds(2), idle, poolIdle),
            new SslContextFactory.Client(),
            buffers);
    BUFFERS.put(engine, buffers);
    return engine;
  }

  /** Closes an engine and asserts it left no pooled buffer retained. */
  static void closeWithoutLeaks(LeanUpstream engine) throws InterruptedException {
    ArrayByteBufferPool.Tracking buffers = BUFFERS.remove(engine);
    LeanUpstreamTest.waitFor(() -> !buffers.getLeaks().isEmpty());
    engine.close();
    assertThat(buffers.getLeaks()).as(buffers.dumpLeaks()).isEmpty();
  }

  static LeanUpstream engine() {
    return engine(Duration.ofSeconds(5), Duration.ofSeconds(4));
  }

  static HttpFields headers(String... nameValues) {
    HttpFields.Mutable fields = HttpFields.build();
    for (int i = 0; i < nameValues.length; i += 2) {
      fields.add(nameValues[i], nameValues[i + 1]);
    }
    return fields;
  }

  static UpstreamRequest get(URI origin, String target, String... nameValues) {
    return new UpstreamRequest("GET", origin, target, headers(nameValues), null, -1);
  }

  /** A POST whose length is known up front. */
  static UpstreamRequest post(URI origin, String target, byte[] body, String... nameValues) {
    return new UpstreamRequest(
        "POST",
        origin,
        target,
        headers(nameValues),
        Content.Source.from(ByteBuffer.wrap(body)),
        body.length);
  }

  /** A POST whose length is unknown (sent chunked), its body given in pieces. */
  static UpstreamRequest chunked(URI origin, String target, Content.Source body, String... nv) {
    return new UpstreamRequest("POST", origin, target, headers(nv), body, -1);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
