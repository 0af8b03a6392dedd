package ai.numio.lmgate.jetty;

import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.config.Engine;
import ai.numio.lmgate.config.LMGateConfig;
import ai.numio.lmgate.testing.GatewayContract;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** The contract, against the standalone gateway's {@code lean} engine ({@link GatewayHandler}). */
class LeanGatewayContractTest extends GatewayContract {

  @Override
  protected Target start(Path configFile) throws Exception {
    LMGateConfig config =
        ConfigLoader.load(
            Optional.of(configFile),
            Map.of("LMGATE_SERVER__ENGINE", "lean"),
            configFile.getParent());
    if (config.server().engine() != Engine.LEAN) {
      throw new AssertionError("the lean engine was not chosen");
    }
    LMGateServer server = LMGateServer.builder(config).port(0).start();
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
