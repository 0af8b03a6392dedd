package ai.numio.lmgate.filter;

/**
 * Which containers' classes the filter can see, looked up once without loading {@link
 * JettyClientConnection} or {@link TomcatClientConnection}, which cannot even be loaded without
 * them: embedded Jetty (a webapp in a Jetty distribution does not see Jetty's classes), and Tomcat
 * (embedded, or any webapp in Tomcat: its common class loader holds them).
 */
final class VisibleContainers {

  static final boolean JETTY =
      visible(
          "org.eclipse.jetty.ee10.servlet.ServletContextRequest",
          "org.eclipse.jetty.io.EofException");

  static final boolean TOMCAT =
      visible(
          "org.apache.catalina.connector.RequestFacade",
          "org.apache.coyote.http11.Http11InputBuffer",
          "org.apache.tomcat.util.net.NioChannel");

  private VisibleContainers() {}

  private static boolean visible(String... names) {
    try {
      for (String name : names) {
        Class.forName(name, false, VisibleContainers.class.getClassLoader());
      }
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
