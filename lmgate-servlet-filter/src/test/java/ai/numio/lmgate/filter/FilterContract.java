package ai.numio.lmgate.filter;

import ai.numio.lmgate.config.ConfigLoader;
import ai.numio.lmgate.forward.ForwardingServlet;
import ai.numio.lmgate.servlet.LMGateMetricsServlet;
import ai.numio.lmgate.testing.GatewayContract;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The contract against the filter in a real container: a webapp at {@code /gw} with {@link
 * LMGateFilter} (instantiated by the container, configured by init-param, as from {@code web.xml})
 * in front of {@link ForwardingServlet}, the routes' forwarding half.
 */
abstract class FilterContract extends GatewayContract {

  abstract WebContainer container();

  @Override
  protected Target start(Path configFile) throws Exception {
    Path dir = configFile.getParent();
    WebApp app =
        WebApp.at("/gw")
            .filterParam(LMGateFilter.CONFIG_PARAM, configFile.toString())
            .filterParam(LMGateFilter.UNROUTED_PARAM, "reject") // as in lmgate.war
            .servlet(
                "/*",
                new ForwardingServlet(ConfigLoader.load(Optional.of(configFile), Map.of(), dir)))
            .servlet("/metrics", new LMGateMetricsServlet()); // as in lmgate.war's web.xml
    WebContainer.Running running = container().start(dir, List.of(app));
    return new Target() {
      @Override
      public URI base() {
        return running.uri("/gw/");
      }

      @Override
      public void close() throws Exception {
        running.close();
      }
    };
  }
}
