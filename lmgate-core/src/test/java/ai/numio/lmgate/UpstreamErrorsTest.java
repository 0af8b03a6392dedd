package ai.numio.lmgate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class UpstreamErrorsTest {

  @Test
  void connectFailuresAreUnreachable() {
    assertThat(UpstreamErrors.classify(new ConnectException("refused")))
        .isEqualTo(Failure.UPSTREAM_UNREACHABLE);
    assertThat(UpstreamErrors.classify(new HttpConnectTimeoutException("connect timed out")))
        .isEqualTo(Failure.UPSTREAM_UNREACHABLE);
    assertThat(UpstreamErrors.classify(new IOException(new SSLHandshakeException("bad cert"))))
        .isEqualTo(Failure.UPSTREAM_UNREACHABLE);
  }

  @Test
  void timeoutsAnywhereInTheChainAreTimeouts() {
    assertThat(UpstreamErrors.classify(new IOException(new TimeoutException("idle"))))
        .isEqualTo(Failure.UPSTREAM_TIMEOUT);
    assertThat(UpstreamErrors.classify(new HttpTimeoutException("request timed out")))
        .isEqualTo(Failure.UPSTREAM_TIMEOUT);
  }

  @Test
  void anythingElseIsABrokenConnection() {
    assertThat(UpstreamErrors.classify(new IOException("header parser received no bytes")))
        .isEqualTo(Failure.UPSTREAM_DISCONNECTED);
    IOException cyclic = new IOException("a");
    IOException other = new IOException("b", cyclic);
    cyclic.initCause(other);
    assertThat(UpstreamErrors.classify(cyclic)).isEqualTo(Failure.UPSTREAM_DISCONNECTED);
  }
}
