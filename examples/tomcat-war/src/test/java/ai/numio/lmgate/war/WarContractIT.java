package ai.numio.lmgate.war;

import ai.numio.lmgate.testing.GatewayContract;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;

/**
 * The contract, against lmgate.war as built, deployed under {@code /lmgate} in embedded Tomcat 10.1
 * and configured through the {@code lmgate.config} context parameter.
 */
class WarContractIT extends GatewayContract {

  @Override
  protected Target start(Path configFile) throws Exception {
    Path war = Path.of(System.getProperty("lmgate.war", "target/lmgate.war"));
    Path base = Files.createTempDirectory("lmgate-tomcat");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    tomcat.setPort(0);
    tomcat.getHost().setAppBase(base.resolve("webapps").toString());
    Files.createDirectories(base.resolve("webapps"));
    Context context = tomcat.addWebapp("/lmgate", war.toAbsolutePath().toString());
    context.addParameter("lmgate.config", configFile.toString());
    tomcat.getConnector().addUpgradeProtocol(new org.apache.coyote.http2.Http2Protocol()); // h2c
    tomcat.start();
    int port = tomcat.getConnector().getLocalPort();
    return new Target() {
      @Override
      public URI base() {
        return URI.create("http://127.0.0.1:" + port + "/lmgate/");
      }

      @Override
      public void close() throws Exception {
        tomcat.stop();
        tomcat.destroy();
        deleteRecursively(base.toFile());
      }
    };
  }

  private static void deleteRecursively(File file) {
    File[] children = file.listFiles();
    if (children != null) {
      for (File child : children) {
        deleteRecursively(child);
      }
    }
    file.delete();
  }
}
