package ai.numio.lmgate.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The page's own files, served from the jar: nothing is fetched at run time. Read once; a name not
 * listed here is not served.
 */
public final class DashboardFiles {

  /**
   * One file.
   *
   * @param contentType with its charset
   */
  public record File(String contentType, byte[] bytes) {}

  /** The Content-Security-Policy of every answer under {@code /ui}: only the page's own files. */
  public static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src"
          + " 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  private static final Map<String, File> FILES =
      Map.of(
          "index.html", load("index.html", "text/html;charset=utf-8"),
          "login.html", load("login.html", "text/html;charset=utf-8"),
          "app.js", load("app.js", "text/javascript;charset=utf-8"),
          "app.css", load("app.css", "text/css;charset=utf-8"),
          "favicon.svg", load("favicon.svg", "image/svg+xml"),
          "login-failed.html", loginFailed());

  private DashboardFiles() {}

  /** The file of that name, or null. */
  public static File get(String name) {
    return FILES.get(name);
  }

  /** The login page again, saying the token was wrong. */
  private static File loginFailed() {
    File login = load("login.html", "text/html;charset=utf-8");
    String page = new String(login.bytes(), StandardCharsets.UTF_8);
    String marked =
        page.replace("<!--message-->", "<p class=\"error\" id=\"login-error\">Wrong token.</p>");
    if (marked.equals(page)) {
      throw new IllegalStateException("ui/login.html lacks its <!--message--> marker");
    }
    return new File(login.contentType(), marked.getBytes(StandardCharsets.UTF_8));
  }

  private static File load(String name, String contentType) {
    try (InputStream in = DashboardFiles.class.getResourceAsStream("ui/" + name)) {
      if (in == null) {
        throw new IllegalStateException("the jar lacks the dashboard file ui/" + name);
      }
      return new File(contentType, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
