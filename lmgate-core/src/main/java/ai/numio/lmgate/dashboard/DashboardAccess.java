package ai.numio.lmgate.dashboard;

import ai.numio.lmgate.TimeSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may see the dashboard: a request bearing {@code ui.token}, or a browser holding a session
 * that the login form opened with it. Tokens are compared in constant time (as SHA-256 digests, so
 * the length does not show either); a session id is 256 random bits, unrelated to the token, and
 * lasts {@link #SESSION_LIFETIME}. At most {@link #MAX_SESSIONS} sessions are held: a login beyond
 * that ends the oldest.
 */
public final class DashboardAccess {

  /** How long a login lasts. */
  public static final Duration SESSION_LIFETIME = Duration.ofHours(12);

  static final int MAX_SESSIONS = 1000;

  private final byte[] tokenDigest;
  private final TimeSource time;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Long> sessions = new ConcurrentHashMap<>(); // id → expiry (nanoTime)

  public DashboardAccess(String token, TimeSource time) {
    if (token == null || token.isEmpty()) {
      throw new IllegalArgumentException("ui.token: must be given for the dashboard");
    }
    this.tokenDigest = digest(token);
    this.time = time;
  }

  /** Whether an {@code Authorization} header value is {@code Bearer <ui.token>}. */
  public boolean bearerMatches(String authorization) {
    if (authorization == null || authorization.length() < 7) {
      return false;
    }
    if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return tokenMatches(authorization.substring(7).trim());
  }

  /** Whether {@code candidate} is the token (constant time). */
  public boolean tokenMatches(String candidate) {
    return candidate != null && MessageDigest.isEqual(tokenDigest, digest(candidate));
  }

  /** A new session for a correct token, its id; null for a wrong one. */
  public String login(String candidate) {
    if (!tokenMatches(candidate)) {
      return null;
    }
    long now = time.nanoTime();
    if (sessions.size() >= MAX_SESSIONS) {
      evict(now);
    }
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    sessions.put(id, now + SESSION_LIFETIME.toNanos());
    return id;
  }

  /** Whether {@code id} names a live session. */
  public boolean sessionValid(String id) {
    if (id == null) {
      return false;
    }
    Long expiry = sessions.get(id);
    if (expiry == null) {
      return false;
    }
    if (time.nanoTime() - expiry >= 0) {
      sessions.remove(id, expiry);
      return false;
    }
    return true;
  }

  /** Ends a session (log out). */
  public void logout(String id) {
    if (id != null) {
      sessions.remove(id);
    }
  }

  private void evict(long now) {
    sessions.values().removeIf(expiry -> now - expiry >= 0);
    while (sessions.size() >= MAX_SESSIONS) {
      String victim = null;
      long earliest = Long.MAX_VALUE;
      for (Map.Entry<String, Long> e : sessions.entrySet()) {
        if (e.getValue() < earliest) {
          earliest = e.getValue();
          victim = e.getKey();
        }
      }
      if (victim == null) {
        break;
      }
      sessions.remove(victim);
    }
  }

  private static byte[] digest(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
