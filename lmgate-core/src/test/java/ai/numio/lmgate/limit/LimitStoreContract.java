package ai.numio.lmgate.limit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.limit.Limit.Budget;
import ai.numio.lmgate.limit.Limit.Counted;
import ai.numio.lmgate.limit.Limit.Period;
import ai.numio.lmgate.limit.Limit.Rate;
import ai.numio.lmgate.limit.Limit.Unit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LimitStore} does, at exact boundaries, with times passed in (nothing sleeps). A
 * store's test extends this and says how to make a fresh, empty store; scopes are unique per test
 * run so a shared server (Redis) needs no flushing between tests.
 */
public abstract class LimitStoreContract {

  /** A fresh store; closed after each test. */
  protected abstract LimitStore newStore() throws Exception;

  /** 2026-03-10T12:00:00Z, a Tuesday. */
  protected static final long NOON = Instant.parse("2026-03-10T12:00:00Z").toEpochMilli();

  private static final AtomicInteger RUN = new AtomicInteger();

  protected LimitStore store;
  private String prefix;

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
    prefix = "t" + System.nanoTime() + "-" + RUN.incrementAndGet() + ":";
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  /** A scope unique to this test run. */
  protected String scope(String name) {
    return prefix + name;
  }

  private Rate rpm(String scope, long perMinute) {
    return new Rate(scope(scope), Counted.REQUESTS, perMinute);
  }

  private Rate tpm(String scope, long perMinute) {
    return new Rate(scope(scope), Counted.TOKENS, perMinute);
  }

  private Budget budget(String scope, Unit unit, double amount, Period period) {
    return new Budget(scope(scope), unit, amount, period);
  }

  private static long at(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  private int admittedOf(List<Limit> limits, int attempts, long now) throws LimitStoreException {
    int admitted = 0;
    for (int i = 0; i < attempts; i++) {
      if (store.acquire(limits, now).admitted()) {
        admitted++;
      }
    }
    return admitted;
  }

  @Test
  void noLimitsAdmit() throws Exception {
    assertThat(store.acquire(List.of(), NOON)).isEqualTo(Verdict.ADMITTED);
  }

  @Test
  void rpm60Admits60AtOneInstantAndRefusesThe61stForOneSecond() throws Exception {
    Rate rpm = rpm("k", 60);
    assertThat(admittedOf(List.of(rpm), 60, NOON)).isEqualTo(60);
    Verdict refused = store.acquire(List.of(rpm), NOON);
    assertThat(refused.admitted()).isFalse();
    assertThat(refused.refusedBy()).isEqualTo(rpm);
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
  }

  @Test
  void rpmRefillsContinuouslyOneRequestPerSecondAtRpm60() throws Exception {
    List<Limit> limits = List.of(rpm("k", 60));
    assertThat(admittedOf(limits, 60, NOON)).isEqualTo(60);
    assertThat(store.acquire(limits, NOON + 999).admitted()).isFalse();
    assertThat(store.acquire(limits, NOON + 1000).admitted()).isTrue();
    assertThat(store.acquire(limits, NOON + 1000).admitted()).isFalse();
    // 2.5 s later: two more, and the half refilled counts towards the next
    assertThat(admittedOf(limits, 5, NOON + 3500)).isEqualTo(2);
    assertThat(store.acquire(limits, NOON + 3999).admitted()).isFalse();
    assertThat(store.acquire(limits, NOON + 4000).admitted()).isTrue();
  }

  @Test
  void aBucketRefillsToItsCapacityAndNoFurther() throws Exception {
    List<Limit> limits = List.of(rpm("k", 60));
    assertThat(admittedOf(limits, 60, NOON)).isEqualTo(60);
    assertThat(admittedOf(limits, 100, NOON + 3_600_000)).isEqualTo(60);
  }

  @Test
  void retryAfterIsWholeSecondsAtLeastOne() throws Exception {
    List<Limit> limits = List.of(rpm("k", 60_000)); // one per millisecond
    assertThat(admittedOf(limits, 60_000, NOON)).isEqualTo(60_000);
    Verdict refused = store.acquire(limits, NOON);
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    assertThat(store.acquire(limits, NOON + 1).admitted()).isTrue();

    List<Limit> slow = List.of(rpm("slow", 1)); // one per minute
    assertThat(store.acquire(slow, NOON).admitted()).isTrue();
    assertThat(store.acquire(slow, NOON).retryAfterSeconds()).isEqualTo(60);
    assertThat(store.acquire(slow, NOON + 58_999).retryAfterSeconds()).isEqualTo(2);
    assertThat(store.acquire(slow, NOON + 59_001).retryAfterSeconds()).isEqualTo(1);
    assertThat(store.acquire(slow, NOON + 60_000).admitted()).isTrue();
  }

  @Test
  void aTokenBucketIsNotTakenFromAtAdmission() throws Exception {
    List<Limit> limits = List.of(tpm("k", 1));
    assertThat(admittedOf(limits, 50, NOON)).isEqualTo(50);
  }

  @Test
  void tpmChargedBelowZeroRefusesUntilItHoldsOneAgain() throws Exception {
    Rate tpm = tpm("k", 1000);
    List<Limit> limits = List.of(tpm);
    assertThat(store.acquire(limits, NOON).admitted()).isTrue();
    // the crossing request completes: 1500 tokens from a bucket of 1000 leaves -500
    store.charge(limits, 1500, null, NOON, NOON);
    Verdict refused = store.acquire(limits, NOON);
    assertThat(refused.refusedBy()).isEqualTo(tpm);
    // 501 tokens at 1000 per minute: 30.06 s
    assertThat(refused.retryAfterSeconds()).isEqualTo(31);
    assertThat(store.acquire(limits, NOON + 30_059).retryAfterSeconds()).isEqualTo(1);
    assertThat(store.acquire(limits, NOON + 30_060).admitted()).isTrue();
  }

  @Test
  void tpmChargedToExactlyZeroRefuses() throws Exception {
    List<Limit> limits = List.of(tpm("k", 600));
    store.charge(limits, 600, null, NOON, NOON);
    Verdict refused = store.acquire(limits, NOON);
    assertThat(refused.retryAfterSeconds()).isEqualTo(1); // 1 token at 10 per second: 0.1 s
    assertThat(store.acquire(limits, NOON + 99).admitted()).isFalse();
    assertThat(store.acquire(limits, NOON + 100).admitted()).isTrue();
  }

  @Test
  void chargingRefillsFirstThenSubtracts() throws Exception {
    List<Limit> limits = List.of(tpm("k", 6000)); // 100 per second
    store.charge(limits, 6000, null, NOON, NOON); // empty
    store.charge(limits, 100, null, NOON, NOON + 2000); // +200 refilled, -100
    assertThat(store.acquire(limits, NOON + 2000).admitted()).isTrue();
    store.charge(limits, 100, null, NOON, NOON + 2000); // 0 left
    assertThat(store.acquire(limits, NOON + 2000).admitted()).isFalse();
    assertThat(store.acquire(limits, NOON + 2010).admitted()).isTrue();
  }

  @Test
  void chargeLeavesRequestBucketsAlone() throws Exception {
    List<Limit> limits = List.of(rpm("k", 2));
    store.charge(limits, 1_000_000, 100.0, NOON, NOON);
    assertThat(admittedOf(limits, 3, NOON)).isEqualTo(2);
  }

  @Test
  void aDailyUsdBudgetRefusesOnceSpentUntilUtcMidnight() throws Exception {
    Budget usd = budget("k", Unit.USD, 10, Period.DAY);
    List<Limit> limits = List.of(usd);
    store.charge(limits, 0, 9.99, NOON, NOON);
    assertThat(store.acquire(limits, NOON).admitted()).isTrue();
    store.charge(limits, 0, 0.01, NOON, NOON); // exactly the amount: spent
    Verdict refused = store.acquire(limits, NOON);
    assertThat(refused.refusedBy()).isEqualTo(usd);
    assertThat(refused.retryAfterSeconds()).isEqualTo(43_200);
    long lastMilli = at("2026-03-10T23:59:59.999Z");
    assertThat(store.acquire(limits, lastMilli).retryAfterSeconds()).isEqualTo(1);
    assertThat(store.acquire(limits, at("2026-03-10T23:59:58.500Z")).retryAfterSeconds())
        .isEqualTo(2);
    assertThat(store.acquire(limits, at("2026-03-11T00:00:00Z")).admitted()).isTrue();
  }

  @Test
  void aBudgetBelowItsAmountAdmits() throws Exception {
    List<Limit> limits = List.of(budget("k", Unit.TOKENS, 1000, Period.DAY));
    store.charge(limits, 999, null, NOON, NOON);
    assertThat(store.acquire(limits, NOON).admitted()).isTrue();
    store.charge(limits, 1, null, NOON, NOON);
    assertThat(store.acquire(limits, NOON).admitted()).isFalse();
  }

  /** Ten charges of 0.1 USD spend a 1.00 USD budget exactly (doubles would sum to 0.99999…). */
  @Test
  void usdSumsAreExactAtTheBoundary() throws Exception {
    List<Limit> limits = List.of(budget("k", Unit.USD, 1.00, Period.DAY));
    for (int i = 0; i < 9; i++) {
      store.charge(limits, 0, 0.1, NOON, NOON);
    }
    assertThat(store.acquire(limits, NOON).admitted()).isTrue();
    store.charge(limits, 0, 0.1, NOON, NOON);
    assertThat(store.acquire(limits, NOON).admitted()).isFalse();
  }

  @Test
  void aMonthlyTokenBudgetRollsOverAtTheYearEnd() throws Exception {
    Budget tokens = budget("k", Unit.TOKENS, 5_000_000, Period.MONTH);
    List<Limit> limits = List.of(tokens);
    long dec5 = at("2026-12-05T08:00:00Z");
    store.charge(limits, 5_000_000, null, dec5, dec5);
    long dec31 = at("2026-12-31T23:00:00Z");
    Verdict refused = store.acquire(limits, dec31);
    assertThat(refused.refusedBy()).isEqualTo(tokens);
    assertThat(refused.retryAfterSeconds()).isEqualTo(3600);
    assertThat(store.acquire(limits, at("2026-12-31T23:59:59.999Z")).admitted()).isFalse();
    assertThat(store.acquire(limits, at("2027-01-01T00:00:00Z")).admitted()).isTrue();
  }

  @Test
  void aMonthlyBudgetRunsThroughFebruary29InALeapYear() throws Exception {
    List<Limit> limits = List.of(budget("k", Unit.USD, 50, Period.MONTH));
    long feb2 = at("2028-02-02T10:00:00Z");
    store.charge(limits, 0, 50.0, feb2, feb2);
    long feb28 = at("2028-02-28T00:00:00Z");
    // two days to go: Feb 29 exists in 2028
    assertThat(store.acquire(limits, feb28).retryAfterSeconds()).isEqualTo(2 * 86_400);
    assertThat(store.acquire(limits, at("2028-02-29T12:00:00Z")).admitted()).isFalse();
    assertThat(store.acquire(limits, at("2028-03-01T00:00:00Z")).admitted()).isTrue();
  }

  @Test
  void aMonthlyBudgetEndsWithFebruary28InACommonYear() throws Exception {
    List<Limit> limits = List.of(budget("k", Unit.USD, 50, Period.MONTH));
    long feb2 = at("2027-02-02T10:00:00Z");
    store.charge(limits, 0, 50.0, feb2, feb2);
    assertThat(store.acquire(limits, at("2027-02-28T00:00:00Z")).retryAfterSeconds())
        .isEqualTo(86_400);
    assertThat(store.acquire(limits, at("2027-03-01T00:00:00Z")).admitted()).isTrue();
  }

  @Test
  void aDailyBudgetRollsOverFromFebruary28To29InALeapYear() throws Exception {
    List<Limit> limits = List.of(budget("k", Unit.TOKENS, 10, Period.DAY));
    long feb28 = at("2028-02-28T20:00:00Z");
    store.charge(limits, 10, null, feb28, feb28);
    assertThat(store.acquire(limits, feb28).retryAfterSeconds()).isEqualTo(4 * 3600);
    assertThat(store.acquire(limits, at("2028-02-29T00:00:00Z")).admitted()).isTrue();
  }

  @Test
  void aBudgetIsChargedToThePeriodOfTheArrival() throws Exception {
    List<Limit> limits = List.of(budget("k", Unit.USD, 1, Period.DAY));
    long lateArrival = at("2026-03-10T23:59:59Z");
    long endedAfterMidnight = at("2026-03-11T00:00:05Z");
    store.charge(limits, 0, 5.0, lateArrival, endedAfterMidnight);
    // the new day owes nothing for yesterday's request
    assertThat(store.acquire(limits, endedAfterMidnight).admitted()).isTrue();
    // and a request of the current day counts to it
    store.charge(limits, 0, 1.0, endedAfterMidnight, endedAfterMidnight + 1000);
    assertThat(store.acquire(limits, endedAfterMidnight + 1000).admitted()).isFalse();
    // a late charge for the ended day does not add to (or reset) the current one
    store.charge(limits, 0, 3.0, lateArrival, endedAfterMidnight + 2000);
    Verdict refused = store.acquire(limits, endedAfterMidnight + 2000);
    assertThat(refused.admitted()).isFalse();
  }

  @Test
  void aMonthlyBudgetIsChargedToTheMonthOfTheArrival() throws Exception {
    List<Limit> limits = List.of(budget("k", Unit.TOKENS, 100, Period.MONTH));
    long jan31 = at("2027-01-31T23:59:00Z");
    long feb1 = at("2027-02-01T00:01:00Z");
    store.charge(limits, 1000, null, jan31, feb1);
    assertThat(store.acquire(limits, feb1).admitted()).isTrue();
  }

  @Test
  void theLongestRetryAfterAmongRefusingLimitsIsAnswered() throws Exception {
    Rate rpm = rpm("k", 60);
    Budget day = budget("k", Unit.USD, 1, Period.DAY);
    Rate ownerRpm = rpm("owner", 1);
    List<Limit> limits = List.of(rpm, day, ownerRpm);
    assertThat(store.acquire(limits, NOON).admitted()).isTrue();
    // the owner's bucket (1 per minute) is empty: 60 s; the key's bucket still holds 59
    Verdict byOwner = store.acquire(limits, NOON);
    assertThat(byOwner.refusedBy()).isEqualTo(ownerRpm);
    assertThat(byOwner.retryAfterSeconds()).isEqualTo(60);
    store.charge(limits, 0, 2.0, NOON, NOON);
    Verdict byBudget = store.acquire(limits, NOON);
    assertThat(byBudget.refusedBy()).isEqualTo(day);
    assertThat(byBudget.retryAfterSeconds()).isEqualTo(43_200);
  }

  @Test
  void aRefusalTakesNothingFromTheOtherBuckets() throws Exception {
    Rate owner = rpm("owner", 5);
    List<Limit> first = List.of(rpm("key1", 2), owner);
    assertThat(admittedOf(first, 2, NOON)).isEqualTo(2);
    // key1 is empty: its refusals must not take from the owner's bucket
    assertThat(admittedOf(first, 10, NOON)).isZero();
    List<Limit> second = List.of(rpm("key2", 100), owner);
    assertThat(admittedOf(second, 10, NOON)).isEqualTo(3);
  }

  @Test
  void aRefusalByABudgetTakesNothingFromTheBuckets() throws Exception {
    Rate owner = rpm("owner", 3);
    Budget spent = budget("key1", Unit.TOKENS, 1, Period.DAY);
    store.charge(List.of(spent), 5, null, NOON, NOON);
    assertThat(admittedOf(List.of(owner, spent), 10, NOON)).isZero();
    assertThat(admittedOf(List.of(owner), 10, NOON)).isEqualTo(3);
  }

  @Test
  void scopesAreSeparateAndTheSameScopeIsOneState() throws Exception {
    assertThat(admittedOf(List.of(rpm("a", 2)), 2, NOON)).isEqualTo(2);
    assertThat(admittedOf(List.of(rpm("b", 2)), 3, NOON)).isEqualTo(2);
    // another Limit object of the same kind and scope: the same bucket
    assertThat(store.acquire(List.of(rpm("a", 2)), NOON).admitted()).isFalse();
    // a requests bucket and a tokens bucket of one scope are different states
    assertThat(store.acquire(List.of(tpm("a", 2)), NOON).admitted()).isTrue();
  }

  @Test
  void aNullUsdChargesNoUsdBudgetButTheTokensStillCount() throws Exception {
    Budget usd = budget("k", Unit.USD, 0.01, Period.DAY);
    Budget tokens = budget("k", Unit.TOKENS, 100, Period.DAY);
    store.charge(List.of(usd, tokens), 100, null, NOON, NOON);
    Verdict verdict = store.acquire(List.of(usd), NOON);
    assertThat(verdict.admitted()).isTrue();
    assertThat(store.acquire(List.of(tokens), NOON).refusedBy()).isEqualTo(tokens);
  }

  @Test
  void usdAndTokenBudgetsOfOneScopeAreSeparate() throws Exception {
    Budget usd = budget("k", Unit.USD, 1, Period.DAY);
    Budget usdMonth = budget("k", Unit.USD, 1, Period.MONTH);
    store.charge(List.of(usd), 0, 1.0, NOON, NOON);
    assertThat(store.acquire(List.of(usd), NOON).admitted()).isFalse();
    assertThat(store.acquire(List.of(usdMonth), NOON).admitted()).isTrue();
    assertThat(store.acquire(List.of(budget("k", Unit.TOKENS, 1, Period.DAY)), NOON).admitted())
        .isTrue();
  }

  @Test
  void aClockGoingBackwardsRefillsNothing() throws Exception {
    List<Limit> limits = List.of(rpm("k", 60));
    long later = NOON + 10_000;
    assertThat(admittedOf(limits, 60, later)).isEqualTo(60);
    assertThat(store.acquire(limits, NOON).admitted()).isFalse();
    assertThat(store.acquire(limits, later + 999).admitted()).isFalse();
    // refilled from the latest time seen, not from the earlier one
    assertThat(store.acquire(limits, later + 1000).admitted()).isTrue();
  }

  @Test
  void aClockGoingBackwardsNeverDrains() throws Exception {
    List<Limit> limits = List.of(rpm("k", 60));
    assertThat(store.acquire(limits, NOON + 100_000).admitted()).isTrue();
    assertThat(admittedOf(limits, 100, NOON)).isEqualTo(59);
    List<Limit> tokens = List.of(tpm("t", 600));
    store.charge(tokens, 300, null, NOON, NOON + 100_000);
    store.charge(tokens, 300, null, NOON, NOON); // backwards: charged, nothing refilled or lost
    assertThat(store.acquire(tokens, NOON + 100_000).admitted()).isFalse();
    assertThat(store.acquire(tokens, NOON + 100_100).admitted()).isTrue();
  }

  @Test
  void aBudgetSeenInALaterDayIsNotResetByAClockGoingBack() throws Exception {
    List<Limit> limits = List.of(budget("k", Unit.USD, 1, Period.DAY));
    long tomorrow = NOON + 86_400_000L;
    store.charge(limits, 0, 1.0, tomorrow, tomorrow);
    assertThat(store.acquire(limits, tomorrow).admitted()).isFalse();
    assertThat(store.acquire(limits, tomorrow - 1000).admitted()).isFalse();
  }

  @Test
  void concurrentAcquiresAtOneInstantAdmitExactlyTheCapacity() throws Exception {
    List<Limit> limits = List.of(rpm("k", 100), rpm("owner", 1000));
    int threads = 32;
    int each = 10;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return admittedOf(limits, each, NOON);
                }));
      }
      start.countDown();
      int admitted = 0;
      for (Future<Integer> result : results) {
        admitted += result.get(60, TimeUnit.SECONDS);
      }
      assertThat(admitted).isEqualTo(100);
      // the owner gave exactly one per admission, none per refusal
      assertThat(admittedOf(List.of(rpm("owner", 1000)), 1000, NOON)).isEqualTo(900);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentChargesAllCount() throws Exception {
    Budget tokens = budget("k", Unit.TOKENS, 3201, Period.DAY);
    List<Limit> limits = List.of(tokens);
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      List<Future<?>> results = new ArrayList<>();
      for (int t = 0; t < 32; t++) {
        results.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 10; i++) {
                    store.charge(limits, 10, null, NOON, NOON);
                  }
                  return null;
                }));
      }
      for (Future<?> result : results) {
        result.get(60, TimeUnit.SECONDS);
      }
      // 3200 of 3201: one token more spends it
      assertThat(store.acquire(limits, NOON).admitted()).isTrue();
      store.charge(limits, 1, null, NOON, NOON);
      assertThat(store.acquire(limits, NOON).admitted()).isFalse();
    } finally {
      pool.shutdownNow();
    }
  }
}
