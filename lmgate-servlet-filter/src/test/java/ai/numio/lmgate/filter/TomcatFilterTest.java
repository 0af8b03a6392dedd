package ai.numio.lmgate.filter;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every filter scenario in embedded Tomcat 10.1, and what Tomcat lets the filter see. */
class TomcatFilterTest extends FilterScenarios {

  @Override
  WebContainer container() {
    return new TomcatContainer();
  }

  /**
   * A client that leaves while the application waits for its upstream (no response head yet), over
   * HTTP/1.1 (Tomcat's NIO connector): the record says 499 {@code client_disconnected} without
   * tokens, and the application's write fails at once.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"HTTP/1.1 socket closed", "HTTP/1.1 JDK client cancelled"})
  void aClientThatLeavesBeforeTheResponseHeadIsRecorded499(String client) throws Exception {
    clientLeavesBeforeTheResponseHead(client);
  }
}
