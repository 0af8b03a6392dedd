package ai.numio.lmgate.policy;

import ai.numio.lmgate.cost.Glob;
import ai.numio.lmgate.limit.Limit;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

/**
 * What the policies say about one caller (an allow-list id and its owner), resolved once per policy
 * snapshot: which routes and models it may use, until when, and the limits its requests count
 * against (its key's and its owner's, in that order).
 */
public final class CallerPolicy {

  /** No rule: every route and model, no expiry, no limits. */
  public static final CallerPolicy UNRESTRICTED = new CallerPolicy(null, null, null, List.of());

  private final List<Glob> models;
  private final Set<String> routes;
  private final LocalDate expires;
  private final long expiresAtMillis;
  private final List<Limit> limits;

  CallerPolicy(List<Glob> models, Set<String> routes, LocalDate expires, List<Limit> limits) {
    this.models = models == null || matchesEverything(models) ? null : List.copyOf(models);
    this.routes = routes == null ? null : Set.copyOf(routes);
    this.expires = expires;
    this.expiresAtMillis =
        expires == null
            ? Long.MAX_VALUE
            : expires.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    this.limits = List.copyOf(limits);
  }

  private static boolean matchesEverything(List<Glob> models) {
    for (Glob glob : models) {
      if (glob.pattern().chars().allMatch(c -> c == '*')) {
        return true;
      }
    }
    return false;
  }

  /** Whether nothing is checked for this caller (the fast path). */
  public boolean unrestricted() {
    return models == null && routes == null && expires == null && limits.isEmpty();
  }

  /** Whether the key is past its {@code expires} day (UTC) at {@code nowMillis}. */
  public boolean expired(long nowMillis) {
    return nowMillis >= expiresAtMillis;
  }

  /** The last day the key is valid, or null. */
  public LocalDate expires() {
    return expires;
  }

  /** Whether the caller may use the route of this name. */
  public boolean routeAllowed(String routeName) {
    return routes == null || (routeName != null && routes.contains(routeName));
  }

  /**
   * Whether a model rule applies: the allowed models are not everything ({@code ["*"]}). Only then
   * is the model of a request looked for (read ahead in its body).
   */
  public boolean hasModelRule() {
    return models != null;
  }

  /** Whether the caller may use this model (ignoring case, as the globs do). */
  public boolean modelAllowed(String model) {
    if (models == null) {
      return true;
    }
    for (Glob glob : models) {
      if (glob.matches(model)) {
        return true;
      }
    }
    return false;
  }

  /** The allowed model globs, for messages; empty when any model is allowed. */
  public List<String> allowedModels() {
    return models == null ? List.of() : models.stream().map(Glob::pattern).toList();
  }

  /** The limits the caller's requests count against: its key's first, then its owner's. */
  public List<Limit> limits() {
    return limits;
  }

  @Override
  public String toString() {
    return "CallerPolicy[models="
        + (models == null ? "*" : allowedModels())
        + ", routes="
        + (routes == null ? "*" : routes)
        + ", expires="
        + expires
        + ", limits="
        + limits
        + "]";
  }
}
