package ai.numio.lmgate.jetty.upstream;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** Requests and engines for the engine's tests. */
final class Requests {

  private Requests() {}

  /** An engine with the given timeouts and production TLS (verifying against the JDK trust). */
  static LeanUpstream engine(Duration idle, Duration poolIdle) {
    return LeanUpstream.start(
        new LeanSettings(Duration.ofSeconds(2), idle, poolIdle), new SslContextFactory.Client());
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
