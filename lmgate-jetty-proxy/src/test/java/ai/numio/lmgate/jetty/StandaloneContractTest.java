package ai.numio.lmgate.jetty;

import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.testing.GatewayContract;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** The contract, against the standalone gateway (Jetty 12 proxy servlet). */
class StandaloneContractTest extends GatewayContract {

  @Override
  protected Target start(Path configFile) throws Exception {
    LMGateServer server =
        LMGateServer.builder(
                ConfigLoader.load(Optional.of(configFile), Map.of(), configFile.getParent()))
            .port(0)
            .start();
    return new Target() {
      @Override
      public URI base() {
        return server.uri();
      }

      @Override
      public void flushRecords() {
        server.gate().flushRecords();
      }

      @Override
      public void close() {
        server.stop();
      }
    };
  }
}
