package ai.numio.lmgate.filter;

/** The contract, against the filter in embedded Jetty 12 (ee10). */
class JettyFilterContractTest extends FilterContract {
  @Override
  WebContainer container() {
    return new JettyContainer();
  }
}
