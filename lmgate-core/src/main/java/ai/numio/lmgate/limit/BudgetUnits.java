package ai.numio.lmgate.limit;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * What budgets count in, in whole numbers so that sums are exact in every store: tokens as they
 * are, USD as nano-dollars (each amount rounded to the nearest 10⁻⁹ USD). Adding 0.1 USD ten times
 * spends exactly a 1.00 USD budget, in memory as in Redis.
 */
public final class BudgetUnits {

  private BudgetUnits() {}

  /** USD as whole nano-dollars, rounded half-even (0.1 is exactly 100,000,000). */
  public static long nanoDollars(double usd) {
    return BigDecimal.valueOf(usd)
        .movePointRight(9)
        .setScale(0, RoundingMode.HALF_EVEN)
        .longValue();
  }

  /** A budget's amount in the units its spending is counted in: tokens, or nano-dollars (≥ 1). */
  public static long amount(Limit.Budget budget) {
    if (budget.unit() == Limit.Unit.USD) {
      return Math.max(1, nanoDollars(budget.amount()));
    }
    return (long) Math.ceil(budget.amount());
  }
}
