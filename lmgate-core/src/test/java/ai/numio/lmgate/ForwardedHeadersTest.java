package ai.numio.lmgate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ForwardedHeadersTest {

  @Test
  void viaAndForwardedForAreAppendedToWhatEarlierProxiesSent() {
    Headers incoming =
        LMGateTest.headers(
            "Via", "1.1 edge",
            "Via", "1.0 lb",
            "X-Forwarded-For", "203.0.113.9",
            "Host", "gw.example:8080");
    assertThat(ForwardedHeaders.of(incoming, "10.0.0.7", "https", "gw.example:8080"))
        .containsExactly(
            new ForwardedHeaders.Header("Via", "1.1 edge, 1.0 lb, 1.1 lmgate"),
            new ForwardedHeaders.Header("X-Forwarded-For", "203.0.113.9, 10.0.0.7"),
            new ForwardedHeaders.Header("X-Forwarded-Proto", "https"),
            new ForwardedHeaders.Header("X-Forwarded-Host", "gw.example:8080"));
  }

  @Test
  void aFirstHopWritesItsOwnValuesOnly() {
    assertThat(ForwardedHeaders.of(LMGateTest.headers(), "::1", "http", null))
        .containsExactly(
            new ForwardedHeaders.Header("Via", "1.1 lmgate"),
            new ForwardedHeaders.Header("X-Forwarded-For", "::1"),
            new ForwardedHeaders.Header("X-Forwarded-Proto", "http"));
    assertThat(ForwardedHeaders.isForwardingHeader("x-forwarded-host")).isTrue();
    assertThat(ForwardedHeaders.isForwardingHeader("forwarded")).isFalse();
  }
}
