package ai.numio.lmgate.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A parsed {@code limits.redis_url}: {@code redis://[[user]:password@]host[:port][/db]}, or {@code
 * rediss://} for TLS. The port defaults to 6379 and the database to 0. {@link #toString()} and
 * every error message show the URL with its password replaced by {@code ***}.
 *
 * @param user the ACL user; null for the default user
 * @param password null when none is given
 */
public record RedisUrl(
    boolean tls, String host, int port, int database, String user, String password) {

  /** Redis's default port. */
  public static final int DEFAULT_PORT = 6379;

  private static final Pattern USERINFO_PASSWORD = Pattern.compile("(//[^/@:]*:)[^/@]*@");

  /**
   * Parses and validates a {@code limits.redis_url}.
   *
   * @throws IllegalArgumentException naming the bad value (its password redacted)
   */
  public static RedisUrl parse(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(
          "limits.redis_url is required with limits.store: redis (redis://host:port[/db])");
    }
    String shown = redact(url.strip());
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw bad(shown, "not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean tls;
    if (scheme.equals("redis")) {
      tls = false;
    } else if (scheme.equals("rediss")) {
      tls = true;
    } else {
      throw bad(shown, "the scheme must be redis:// or rediss://");
    }
    if (uri.isOpaque()) {
      throw bad(shown, "expected redis://host:port[/db]");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw bad(shown, "no host");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
    if (port < 1 || port > 65535) {
      throw bad(shown, "the port must be 1-65535");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw bad(shown, "no query or fragment is read");
    }
    int database = 0;
    String path = uri.getRawPath();
    if (path != null && !path.isEmpty() && !path.equals("/")) {
      String db = path.substring(1);
      if (!db.matches("[0-9]{1,5}")) {
        throw bad(shown, "the path must be a database number, /0 .. /99999");
      }
      database = Integer.parseInt(db);
    }
    String user = null;
    String password = null;
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      String u = colon < 0 ? userInfo : userInfo.substring(0, colon);
      String p = colon < 0 ? null : userInfo.substring(colon + 1);
      if (colon < 0) {
        // redis://secret@host: a lone userinfo is the password (as the Redis CLI reads it)
        p = u;
        u = "";
      }
      try {
        user = u.isEmpty() ? null : URLDecoder.decode(u, StandardCharsets.UTF_8);
        password = p == null || p.isEmpty() ? null : URLDecoder.decode(p, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw bad(shown, "the user or password is not URL-encoded");
      }
    }
    return new RedisUrl(tls, host, port, database, user, password);
  }

  /** The URL as it may be logged: the password, if any, replaced by {@code ***}. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(tls ? "rediss://" : "redis://");
    if (user != null || password != null) {
      s.append(user == null ? "" : user);
      if (password != null) {
        s.append(":***");
      }
      s.append('@');
    }
    s.append(host.contains(":") ? "[" + host + "]" : host).append(':').append(port);
    if (database != 0) {
      s.append('/').append(database);
    }
    return s.toString();
  }

  /** {@code url} with the password of its userinfo, if any, replaced by {@code ***}. */
  static String redact(String url) {
    String r = USERINFO_PASSWORD.matcher(url).replaceFirst("$1***@");
    if (r.equals(url)) {
      // redis://secret@host: the lone userinfo is a password too
      r = url.replaceFirst("//[^/@:]+@", "//***@");
    }
    return r;
  }

  private static IllegalArgumentException bad(String shown, String why) {
    return new IllegalArgumentException("limits.redis_url '" + shown + "': " + why);
  }
}
