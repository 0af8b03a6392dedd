package ai.numio.lmgate.policy;

import ai.numio.lmgate.cost.Glob;
import ai.numio.lmgate.limit.Limit;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;

/**
 * One rule of the policy file as written ({@code default}, an owner's or a key's): every field null
 * when the rule does not set it.
 *
 * @param models allowed model globs
 * @param routes allowed route names
 * @param rpm requests per minute
 * @param tpm input + output tokens per minute
 * @param budgets at most one per unit and period
 * @param expires the last UTC day the key is valid
 * @param origin {@code <file> line <n>}
 */
record PolicyRule(
    List<Glob> models,
    Set<String> routes,
    Long rpm,
    Long tpm,
    List<BudgetRule> budgets,
    LocalDate expires,
    String origin) {

  static final PolicyRule EMPTY = new PolicyRule(null, null, null, null, null, null, "none");

  /** A budget of a rule: {@code {usd: 50, per: day}} or {@code {tokens: 5000000, per: month}}. */
  record BudgetRule(Limit.Unit unit, double amount, Limit.Period period) {}
}
