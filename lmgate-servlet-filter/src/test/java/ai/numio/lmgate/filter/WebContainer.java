package ai.numio.lmgate.filter;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/** A real servlet container, embedded, on a free loopback port. */
interface WebContainer {

  /**
   * Deploys the webapps and starts listening. A webapp whose filter fails {@code init} is left
   * undeployed (see {@link Running#deployed}); the others run.
   */
  Running start(Path workDir, List<WebApp> apps) throws Exception;

  /** A started container. */
  interface Running extends AutoCloseable {

    /** The URI of a path on this server, e.g. {@code /app/openai/v1/models}. */
    URI uri(String pathAndQuery);

    /** Whether the server accepts connections (Jetty does not if a context failed to start). */
    boolean listening();

    /** Whether the webapp at this context path started and serves requests. */
    boolean deployed(String contextPath);

    /** Stops the container: every filter's {@code destroy} has run when this returns. */
    @Override
    void close() throws Exception;
  }
}
