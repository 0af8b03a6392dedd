package ai.numio.lmgate.jetty;

import ai.numio.lmgate.dashboard.DashboardAccess;
import ai.numio.lmgate.dashboard.DashboardFiles;
import ai.numio.lmgate.dashboard.Dimension;
import ai.numio.lmgate.dashboard.Range;
import ai.numio.lmgate.dashboard.UsageAggregate;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The dashboard (SPEC-2 §16) at {@code /ui}: the page, its script and style, the JSON it polls
 * ({@code /ui/api/summary?range=hour|day|month&by=owner|model|route}) and the login form. Mounted
 * only when {@code ui.token} is set. The page and the JSON need the token as {@code Authorization:
 * Bearer} or the session cookie the login form sets; the script and style are the jar's and carry
 * no data, so the login page can use them. Every answer has a strict Content-Security-Policy.
 */
final class DashboardServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  static final String COOKIE = "lmgate_ui";

  private final transient UsageAggregate aggregate;
  private final transient DashboardAccess access;

  DashboardServlet(UsageAggregate aggregate, DashboardAccess access) {
    this.aggregate = aggregate;
    this.access = access;
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    secureHeaders(response);
    String path = path(request);
    switch (path) {
      case "/app.js" -> file(response, HttpServletResponse.SC_OK, "app.js");
      case "/app.css" -> file(response, HttpServletResponse.SC_OK, "app.css");
      case "/favicon.svg" -> file(response, HttpServletResponse.SC_OK, "favicon.svg");
      case "", "/" -> {
        if (authorized(request)) {
          file(response, HttpServletResponse.SC_OK, "index.html");
        } else {
          file(response, HttpServletResponse.SC_UNAUTHORIZED, "login.html");
        }
      }
      case "/api/summary" -> summary(request, response);
      default -> notFound(response);
    }
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    secureHeaders(response);
    String path = path(request);
    if (!sameOrigin(request)) {
      plain(response, HttpServletResponse.SC_FORBIDDEN, "cross-origin form refused");
      return;
    }
    switch (path) {
      case "/login" -> login(request, response);
      case "/logout" -> {
        access.logout(cookie(request));
        response.addHeader("Set-Cookie", cookieHeader("", 0, request.isSecure()));
        redirectHome(response);
      }
      default -> notFound(response);
    }
  }

  private void login(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String session = access.login(request.getParameter("token"));
    if (session == null) {
      file(response, HttpServletResponse.SC_UNAUTHORIZED, "login-failed.html");
      return;
    }
    long maxAge = DashboardAccess.SESSION_LIFETIME.toSeconds();
    response.addHeader("Set-Cookie", cookieHeader(session, maxAge, request.isSecure()));
    redirectHome(response);
  }

  private void summary(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (!authorized(request)) {
      response.setHeader("WWW-Authenticate", "Bearer realm=\"lmgate-ui\"");
      json(response, HttpServletResponse.SC_UNAUTHORIZED, "{\"error\":\"unauthorized\"}");
      return;
    }
    String rangeName = request.getParameter("range");
    String byName = request.getParameter("by");
    Range range = rangeName == null ? Range.HOUR : Range.named(rangeName);
    Dimension by = byName == null ? Dimension.OWNER : Dimension.named(byName);
    if (range == null || by == null) {
      json(
          response,
          HttpServletResponse.SC_BAD_REQUEST,
          "{\"error\":\"range must be hour, day or month; by must be owner, model or route\"}");
      return;
    }
    byte[] body = aggregate.summaryJson(range, by);
    response.setStatus(HttpServletResponse.SC_OK);
    response.setContentType("application/json");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  private boolean authorized(HttpServletRequest request) {
    return access.bearerMatches(request.getHeader("Authorization"))
        || access.sessionValid(cookie(request));
  }

  private static String cookie(HttpServletRequest request) {
    Cookie[] cookies = request.getCookies();
    if (cookies == null) {
      return null;
    }
    for (Cookie c : cookies) {
      if (COOKIE.equals(c.getName())) {
        return c.getValue();
      }
    }
    return null;
  }

  /** HttpOnly, SameSite=Strict, for /ui only; Secure over TLS. */
  private static String cookieHeader(String value, long maxAge, boolean secure) {
    return COOKIE
        + "="
        + value
        + "; Path=/ui; Max-Age="
        + maxAge
        + "; HttpOnly; SameSite=Strict"
        + (secure ? "; Secure" : "");
  }

  /**
   * A form post from another site is refused (the cookie is SameSite=Strict as well): by the
   * browser's {@code Sec-Fetch-Site}, and by {@code Origin} when sent.
   */
  private static boolean sameOrigin(HttpServletRequest request) {
    String site = request.getHeader("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      return false;
    }
    String origin = request.getHeader("Origin");
    if (origin == null || origin.equals("null")) {
      return origin == null;
    }
    String host = request.getHeader("Host");
    return host != null
        && (origin.equalsIgnoreCase("http://" + host)
            || origin.equalsIgnoreCase("https://" + host));
  }

  private static String path(HttpServletRequest request) {
    String info = request.getPathInfo();
    return info == null ? "" : info;
  }

  private static void secureHeaders(HttpServletResponse response) {
    response.setHeader("Content-Security-Policy", DashboardFiles.CONTENT_SECURITY_POLICY);
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("X-Frame-Options", "DENY");
    // same-origin, not no-referrer: with no-referrer a browser posts the login form with
    // "Origin: null", which sameOrigin must refuse
    response.setHeader("Referrer-Policy", "same-origin");
    response.setHeader("Cache-Control", "no-store");
  }

  private static void redirectHome(HttpServletResponse response) {
    response.setStatus(HttpServletResponse.SC_SEE_OTHER);
    response.setHeader("Location", "/ui");
  }

  private static void file(HttpServletResponse response, int status, String name)
      throws IOException {
    DashboardFiles.File f = DashboardFiles.get(name);
    response.setStatus(status);
    response.setContentType(f.contentType());
    response.setContentLength(f.bytes().length);
    response.getOutputStream().write(f.bytes());
  }

  private static void notFound(HttpServletResponse response) throws IOException {
    plain(response, HttpServletResponse.SC_NOT_FOUND, "not found");
  }

  private static void plain(HttpServletResponse response, int status, String text)
      throws IOException {
    byte[] body = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType("text/plain;charset=utf-8");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  private static void json(HttpServletResponse response, int status, String text)
      throws IOException {
    byte[] body = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType("application/json");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }
}
