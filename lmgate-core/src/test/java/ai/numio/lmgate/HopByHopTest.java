package ai.numio.lmgate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HopByHopTest {

  @Test
  void theFixedHopByHopHeadersAndEveryProxyHeaderStayOnTheirConnection() {
    for (String name :
        List.of(
            "connection",
            "keep-alive",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "proxy-authenticate",
            "proxy-authorization",
            "proxy-connection")) {
      assertThat(HopByHop.isHopByHop(name, Set.of())).as(name).isTrue();
    }
    for (String name :
        List.of("content-type", "content-length", "set-cookie", "x-request-id", "trailers")) {
      assertThat(HopByHop.isHopByHop(name, Set.of())).as(name).isFalse();
    }
  }

  @Test
  void headersNamedByConnectionAreHopByHopToo() {
    Set<String> named = HopByHop.connectionTokens(List.of("keep-alive, X-Hop", " ,x-other ,"));
    assertThat(named).containsExactlyInAnyOrder("keep-alive", "x-hop", "x-other");
    assertThat(HopByHop.isHopByHop("x-hop", named)).isTrue();
    assertThat(HopByHop.isHopByHop("x-kept", named)).isFalse();
    assertThat(HopByHop.connectionTokens(List.of())).isEmpty();
  }
}
