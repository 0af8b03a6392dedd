package ai.numio.lmgate.filter;

/** Every filter scenario in embedded Tomcat 10.1. */
class TomcatFilterTest extends FilterScenarios {

  @Override
  WebContainer container() {
    return new TomcatContainer();
  }
}
