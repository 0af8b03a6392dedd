package ai.numio.lmgate.filter;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every filter scenario in embedded Jetty 12 (ee10), and what only Jetty lets the filter see. */
class JettyFilterTest extends FilterScenarios {

  @Override
  WebContainer container() {
    return new JettyContainer();
  }

  /**
   * A client that leaves while the application waits for its upstream (no response head yet): the
   * record says 499 {@code client_disconnected} without tokens, and the application's write fails
   * at once, over HTTP/1.1 as over HTTP/2 (Jetty reads an HTTP/2 connection all the time).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"HTTP/1.1 socket closed", "HTTP/1.1 JDK client cancelled", "HTTP/2 curl killed"})
  void aClientThatLeavesBeforeTheResponseHeadIsRecorded499(String client) throws Exception {
    clientLeavesBeforeTheResponseHead(client);
  }
}
