package ai.numio.lmgate.policy;

import ai.numio.lmgate.auth.AllowListEntry;
import ai.numio.lmgate.limit.Limit;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The policy file's rules (SPEC-2 §14), immutable, and each caller's resolved {@link CallerPolicy},
 * computed at its first request and cached for the life of this snapshot (a reload makes a new
 * one).
 *
 * <p>Precedence, field by field: for {@code models}, {@code routes} and {@code expires} the key's
 * rule wins over its owner's, which wins over {@code default}; the allow-list's {@code expires}
 * column is the key's own expiry too, below the policy's rule for that key (and applies with no
 * policy file at all). Limits add up instead: the owner's {@code rpm}, {@code tpm} and {@code
 * budget} are one state shared by all the owner's keys (scope {@code owner:<name>}); the key's own
 * limits, or else the default's, are the key's alone (scope {@code key:<id>}). A default limit is
 * thus a limit per key, the same for every key that sets none. A request passes only when every
 * limit that applies admits it.
 */
public final class Policies {

  /** No policy file: every caller unrestricted. */
  public static final Policies NONE =
      new Policies(PolicyRule.EMPTY, Map.of(), Map.of(), "no policy file");

  /** More cached callers than this and the cache starts over (keys churned through reloads). */
  static final int MAX_CACHED = 100_000;

  private final PolicyRule defaults;
  private final Map<String, PolicyRule> owners;
  private final Map<String, PolicyRule> keys;
  private final String source;
  private final ConcurrentHashMap<AllowListEntry, CallerPolicy> resolved =
      new ConcurrentHashMap<>();

  Policies(
      PolicyRule defaults,
      Map<String, PolicyRule> owners,
      Map<String, PolicyRule> keys,
      String source) {
    this.defaults = defaults;
    this.owners = Map.copyOf(owners);
    this.keys = Map.copyOf(keys);
    this.source = source;
  }

  /** The policy of a caller; the same object for every request of that caller. */
  public CallerPolicy forCaller(AllowListEntry entry) {
    if (this == NONE && entry.expires() == null) {
      return CallerPolicy.UNRESTRICTED;
    }
    CallerPolicy policy = resolved.get(entry);
    if (policy == null) {
      if (resolved.size() >= MAX_CACHED) {
        resolved.clear();
      }
      policy = resolved.computeIfAbsent(entry, e -> resolve(e.id(), e.owner(), e.expires()));
    }
    return policy;
  }

  /** The policy of allow-list id {@code id} of owner {@code owner}, computed afresh. */
  CallerPolicy resolve(String id, String owner) {
    return resolve(id, owner, null);
  }

  /**
   * As {@link #resolve(String, String)}, for a key whose allow-list row has an {@code expires}
   * column ({@code listed}, or null): a key's own expiry, it gives way only to the policy's rule
   * for that key.
   */
  CallerPolicy resolve(String id, String owner, LocalDate listed) {
    PolicyRule key = keys.getOrDefault(id, PolicyRule.EMPTY);
    PolicyRule ownerRule = owners.getOrDefault(owner, PolicyRule.EMPTY);
    List<Limit> limits = new ArrayList<>();
    String keyScope = "key:" + id;
    addLimits(
        limits,
        keyScope,
        first(key.rpm(), defaults.rpm()),
        first(key.tpm(), defaults.tpm()),
        first(key.budgets(), defaults.budgets()));
    addLimits(limits, "owner:" + owner, ownerRule.rpm(), ownerRule.tpm(), ownerRule.budgets());
    CallerPolicy policy =
        new CallerPolicy(
            first(key.models(), first(ownerRule.models(), defaults.models())),
            first(key.routes(), first(ownerRule.routes(), defaults.routes())),
            first(key.expires(), first(listed, first(ownerRule.expires(), defaults.expires()))),
            limits);
    return policy.unrestricted() ? CallerPolicy.UNRESTRICTED : policy;
  }

  private static void addLimits(
      List<Limit> into, String scope, Long rpm, Long tpm, List<PolicyRule.BudgetRule> budgets) {
    if (rpm != null) {
      into.add(new Limit.Rate(scope, Limit.Counted.REQUESTS, rpm));
    }
    if (tpm != null) {
      into.add(new Limit.Rate(scope, Limit.Counted.TOKENS, tpm));
    }
    if (budgets != null) {
      for (PolicyRule.BudgetRule b : budgets) {
        into.add(new Limit.Budget(scope, b.unit(), b.amount(), b.period()));
      }
    }
  }

  private static <T> T first(T preferred, T fallback) {
    return preferred != null ? preferred : fallback;
  }

  /** How many rules the file has ({@code default} counts as one when given), for log lines. */
  public int size() {
    return (defaults == PolicyRule.EMPTY ? 0 : 1) + owners.size() + keys.size();
  }

  /** Where these policies come from. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "Policies[" + source + ", " + size() + " rules]";
  }
}
