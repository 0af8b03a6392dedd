package ai.numio.lmgate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import ai.numio.lmgate.limit.Limit;
import ai.numio.lmgate.limit.Limit.Budget;
import ai.numio.lmgate.limit.Limit.Counted;
import ai.numio.lmgate.limit.Limit.Period;
import ai.numio.lmgate.limit.Limit.Rate;
import ai.numio.lmgate.limit.Limit.Unit;
import ai.numio.lmgate.limit.LimitStoreException;
import ai.numio.lmgate.limit.Verdict;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * What the Redis store adds to the contract ({@link RedisLimitStoreContractTest}): replicas sharing
 * state, exact decimal budgets, its keys and their expiry, a flushed script cache. Times are passed
 * in; nothing sleeps.
 */
class RedisLimitStoreTest {

  private static final long NOON = Instant.parse("2026-03-10T12:00:00Z").toEpochMilli();
  private static final AtomicInteger RUN = new AtomicInteger();

  private static RedisServer server;
  private static String url;

  private RedisLimitStore store;
  private RedisClient redis;
  private String prefix;

  @BeforeAll
  static void startRedis() throws Exception {
    url = RedisServer.sharedUrl();
    if (url == null) {
      server = RedisServer.start();
      url = server.url();
    }
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void open() {
    store = RedisLimitStore.connect(url);
    store.stopSweeping(); // the keys' contents below must not depend on the machine's speed
    redis = RedisClient.create(URI.create(url));
    prefix = "r" + System.nanoTime() + "-" + RUN.incrementAndGet() + ":";
  }

  @AfterEach
  void close() {
    store.close();
    redis.close();
  }

  private String scope(String name) {
    return prefix + name;
  }

  private int admittedOf(RedisLimitStore s, List<Limit> limits, int attempts, long now)
      throws LimitStoreException {
    int admitted = 0;
    for (int i = 0; i < attempts; i++) {
      if (s.acquire(limits, now).admitted()) {
        admitted++;
      }
    }
    return admitted;
  }

  @Test
  void aUsdBudgetOfOneDollarIsSpentByFourQuarters() throws Exception {
    List<Limit> limits = List.of(new Budget(scope("k"), Unit.USD, 1.00, Period.DAY));
    for (int i = 0; i < 3; i++) {
      store.charge(limits, 0, 0.25, NOON, NOON);
    }
    assertThat(store.acquire(limits, NOON).admitted()).isTrue();
    store.charge(limits, 0, 0.25, NOON, NOON);
    assertThat(store.acquire(limits, NOON).admitted()).isFalse();
  }

  @Test
  void decimalCentsAddUpExactly() throws Exception {
    // in doubles 0.1 added ten times is 0.9999999999999999 < 1: kept in nano-dollars it is 1.00
    List<Limit> dollar = List.of(new Budget(scope("a"), Unit.USD, 1.0, Period.DAY));
    for (int i = 0; i < 9; i++) {
      store.charge(dollar, 0, 0.1, NOON, NOON);
    }
    assertThat(store.acquire(dollar, NOON).admitted()).isTrue();
    store.charge(dollar, 0, 0.1, NOON, NOON);
    assertThat(store.acquire(dollar, NOON).admitted()).isFalse();

    // 0.1 + 0.2 is 0.30000000000000004 in doubles; here exactly 0.3: spends a budget of 0.3 ...
    List<Limit> thirty = List.of(new Budget(scope("b"), Unit.USD, 0.3, Period.DAY));
    store.charge(thirty, 0, 0.1, NOON, NOON);
    store.charge(thirty, 0, 0.2, NOON, NOON);
    assertThat(store.acquire(thirty, NOON).admitted()).isFalse();
    // ... and not one of 0.30000001
    List<Limit> above = List.of(new Budget(scope("c"), Unit.USD, 0.30000001, Period.DAY));
    store.charge(above, 0, 0.1, NOON, NOON);
    store.charge(above, 0, 0.2, NOON, NOON);
    assertThat(store.acquire(above, NOON).admitted()).isTrue();
  }

  @Test
  void tinyPerRequestCostsAccumulate() throws Exception {
    // 1.5e-7 USD a request (one token of a cheap model): 1000 of them are 0.00015 USD
    List<Limit> limits = List.of(new Budget(scope("k"), Unit.USD, 0.00015, Period.DAY));
    for (int i = 0; i < 999; i++) {
      store.charge(limits, 0, 1.5e-7, NOON, NOON);
    }
    assertThat(store.acquire(limits, NOON).admitted()).isTrue();
    store.charge(limits, 0, 1.5e-7, NOON, NOON);
    assertThat(store.acquire(limits, NOON).admitted()).isFalse();
  }

  @Test
  void twoStoresOnOneRedisShareBucketsAndBudgets() throws Exception {
    try (RedisLimitStore replica = RedisLimitStore.connect(url)) {
      List<Limit> rpm = List.of(new Rate(scope("k"), Counted.REQUESTS, 10));
      assertThat(admittedOf(store, rpm, 6, NOON)).isEqualTo(6);
      assertThat(admittedOf(replica, rpm, 10, NOON)).isEqualTo(4);
      assertThat(store.acquire(rpm, NOON).admitted()).isFalse();

      // charges are written by each store's own thread: flush() waits until they are in Redis
      Budget day = new Budget(scope("k"), Unit.USD, 2, Period.DAY);
      store.charge(List.of(day), 0, 1.5, NOON, NOON);
      store.flush();
      assertThat(replica.acquire(List.of(day), NOON).admitted()).isTrue();
      replica.charge(List.of(day), 0, 0.5, NOON, NOON);
      replica.flush();
      Verdict refused = store.acquire(List.of(day), NOON);
      assertThat(refused.refusedBy()).isEqualTo(day);
      assertThat(refused.retryAfterSeconds()).isEqualTo(43_200);

      Rate tpm = new Rate(scope("k"), Counted.TOKENS, 1000);
      replica.charge(List.of(tpm), 1500, null, NOON, NOON);
      replica.flush();
      assertThat(store.acquire(List.of(tpm), NOON).retryAfterSeconds()).isEqualTo(31);
    }
  }

  @Test
  void manyThreadsOnTwoReplicasAdmitExactlyTheCapacity() throws Exception {
    List<Limit> limits = List.of(new Rate(scope("k"), Counted.REQUESTS, 100));
    int threads = 32;
    int each = 20;
    try (RedisLimitStore replica = RedisLimitStore.connect(url)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          RedisLimitStore s = t % 2 == 0 ? store : replica;
          results.add(
              pool.submit(
                  () -> {
                    start.await();
                    return admittedOf(s, limits, each, NOON);
                  }));
        }
        start.countDown();
        int admitted = 0;
        for (Future<Integer> result : results) {
          admitted += result.get(60, TimeUnit.SECONDS);
        }
        assertThat(admitted).isEqualTo(100);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void aBucketIsAHashThatExpiresOnceFullAgain() throws Exception {
    Rate rpm = new Rate(scope("k"), Counted.REQUESTS, 60);
    assertThat(store.acquire(List.of(rpm), NOON).admitted()).isTrue();
    String key = "lmgate:rate:" + scope("k") + ":requests";
    Map<String, String> hash = redis.hgetAll(key);
    // a lease of 7 (an eighth of 60) was taken: 53 of 60 left, in 1/60000 of a request
    assertThat(hash).containsEntry("level", Long.toString(53 * 60_000L));
    assertThat(hash).containsEntry("updated_ms", Long.toString(NOON));
    // full again 7 s later; dropped a minute after that
    assertThat(redis.pttl(key)).isBetween(66_000L, 67_000L);

    Rate tpm = new Rate(scope("k"), Counted.TOKENS, 1000);
    store.charge(List.of(tpm), 2000, null, NOON, NOON);
    store.flush();
    String tokens = "lmgate:rate:" + scope("k") + ":tokens";
    assertThat(redis.hget(tokens, "level")).isEqualTo(Long.toString(-1000 * 60_000L));
    // 2000 tokens to refill at 1000 a minute: 2 min, then one more
    assertThat(redis.pttl(tokens)).isBetween(179_000L, 180_000L);
  }

  @Test
  void aBudgetIsACounterPerPeriodThatOutlivesItsPeriodByADay() throws Exception {
    Budget usd = new Budget(scope("k"), Unit.USD, 5, Period.DAY);
    Budget tokens = new Budget(scope("k"), Unit.TOKENS, 5000, Period.MONTH);
    store.charge(List.of(usd, tokens), 1234, 0.125, NOON, NOON);
    store.flush();
    String usdKey = "lmgate:budget:" + scope("k") + ":usd:day:2026-03-10";
    String tokensKey = "lmgate:budget:" + scope("k") + ":tokens:month:2026-03";
    assertThat(redis.get(usdKey)).isEqualTo("125000000"); // nano-dollars
    assertThat(redis.get(tokensKey)).isEqualTo("1234");
    // midnight is 12 h away, plus a day of grace for late charges
    assertThat(redis.pttl(usdKey)).isBetween(36 * 3_600_000L - 1000, 36 * 3_600_000L);
    // March 31 ends in 21.5 days, plus the day
    assertThat(redis.pttl(tokensKey))
        .isBetween(22 * 86_400_000L + 12 * 3_600_000L - 1000, 22 * 86_400_000L + 12 * 3_600_000L);
  }

  @Test
  void aChargeForALongEndedPeriodIsDropped() throws Exception {
    Budget usd = new Budget(scope("k"), Unit.USD, 5, Period.DAY);
    long threeDaysLater = NOON + 3 * 86_400_000L;
    store.charge(List.of(usd), 0, 1.0, NOON, threeDaysLater);
    store.flush();
    assertThat(redis.exists("lmgate:budget:" + scope("k") + ":usd:day:2026-03-10")).isFalse();
  }

  @Test
  void aFlushedScriptCacheIsRefilledByEval() throws Exception {
    List<Limit> limits = List.of(new Rate(scope("k"), Counted.REQUESTS, 2));
    assertThat(store.acquire(limits, NOON).admitted()).isTrue();
    redis.scriptFlush();
    assertThat(store.acquire(limits, NOON).admitted()).isTrue();
    assertThat(store.acquire(limits, NOON).admitted()).isFalse();
    redis.scriptFlush();
    store.charge(List.of(new Budget(scope("k"), Unit.TOKENS, 1, Period.DAY)), 1, null, NOON, NOON);
    assertThat(
            store
                .acquire(List.of(new Budget(scope("k"), Unit.TOKENS, 1, Period.DAY)), NOON)
                .admitted())
        .isFalse();
  }

  @Test
  void theDatabaseOfTheUrlIsUsed() throws Exception {
    String db3 = url.replaceFirst("(/[0-9]+)?$", "") + "/3";
    try (RedisLimitStore other = RedisLimitStore.connect(db3);
        RedisClient redis3 = RedisClient.create(URI.create(db3))) {
      List<Limit> limits = List.of(new Rate(scope("db"), Counted.REQUESTS, 5));
      assertThat(other.acquire(limits, NOON).admitted()).isTrue();
      String key = "lmgate:rate:" + scope("db") + ":requests";
      assertThat(redis3.exists(key)).isTrue();
      assertThat(redis.exists(key)).isFalse();
      // another database, another state
      assertThat(admittedOf(store, limits, 10, NOON)).isEqualTo(5);
    }
  }
}
