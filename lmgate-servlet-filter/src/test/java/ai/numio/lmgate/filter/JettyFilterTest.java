package ai.numio.lmgate.filter;

/** Every filter scenario in embedded Jetty 12 (ee10). */
class JettyFilterTest extends FilterScenarios {

  @Override
  WebContainer container() {
    return new JettyContainer();
  }
}
