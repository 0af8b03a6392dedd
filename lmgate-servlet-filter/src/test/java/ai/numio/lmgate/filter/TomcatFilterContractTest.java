package ai.numio.lmgate.filter;

/** The contract, against the filter in embedded Tomcat 10.1. */
class TomcatFilterContractTest extends FilterContract {
  @Override
  WebContainer container() {
    return new TomcatContainer();
  }
}
