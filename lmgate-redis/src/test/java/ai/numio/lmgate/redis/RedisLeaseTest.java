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
 * Leases: how many Redis calls a run of acquires makes (counted by the server itself, {@code INFO
 * commandstats}), the exact boundary near a limit's edge, unused tokens given back, rpm held across
 * three stores, and the bounded budget overshoot docs/functional-spec.md states. A redis-server of
 * this class's own (its command counts must be this class's alone); times are passed in, nothing
 * sleeps.
 */
class RedisLeaseTest {

  private static final long NOON = Instant.parse("2026-03-10T12:00:00Z").toEpochMilli();
  private static final AtomicInteger RUN = new AtomicInteger();

  private static RedisServer server;

  private final List<RedisLimitStore> stores = new ArrayList<>();
  private RedisClient redis;
  private String prefix;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void open() {
    redis = RedisClient.create(URI.create(server.url()));
    prefix = "l" + System.nanoTime() + "-" + RUN.incrementAndGet() + ":";
  }

  @AfterEach
  void close() {
    stores.forEach(RedisLimitStore::close);
    redis.close();
  }

  private RedisLimitStore store() {
    RedisLimitStore store = RedisLimitStore.connect(server.url());
    store.stopSweeping(); // leases end when a test says so, however slow the machine
    stores.add(store);
    return store;
  }

  private String scope(String name) {
    return prefix + name;
  }

  /** Script runs the server has answered so far (EVALSHA and EVAL, from every client). */
  private long scriptCalls() {
    long calls = 0;
    for (String line : redis.info("commandstats").split("\r?\n")) {
      if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
        int at = line.indexOf("calls=") + "calls=".length();
        calls += Long.parseLong(line.substring(at, line.indexOf(',', at)));
      }
    }
    return calls;
  }

  private static int admittedOf(RedisLimitStore store, List<Limit> limits, int attempts, long now)
      throws LimitStoreException {
    int admitted = 0;
    for (int i = 0; i < attempts; i++) {
      if (store.acquire(limits, now).admitted()) {
        admitted++;
      }
    }
    return admitted;
  }

  /** Request tokens left in a bucket at NOON (no refill: the bucket's time is NOON). */
  private long tokensLeft(String scope) {
    String level = redis.hget("lmgate:rate:" + scope + ":requests", "level");
    return level == null ? -1 : Long.parseLong(level) / 60_000;
  }

  @Test
  void sixteenAcquiresInARowMakeOneRedisCall() throws Exception {
    RedisLimitStore store = store();
    List<Limit> limits = List.of(new Rate(scope("k"), Counted.REQUESTS, 600));
    long before = scriptCalls();
    assertThat(admittedOf(store, limits, 16, NOON)).isEqualTo(16);
    assertThat(scriptCalls() - before).isEqualTo(1);
    // the lease took its 16 tokens at once
    assertThat(tokensLeft(scope("k"))).isEqualTo(584);
    // the 17th takes the next lease
    assertThat(store.acquire(limits, NOON).admitted()).isTrue();
    assertThat(scriptCalls() - before).isEqualTo(2);
  }

  @Test
  void withRpmTpmAndABudgetFarFromTheirEdgesOneCallServesSixteenRequests() throws Exception {
    RedisLimitStore store = store();
    List<Limit> limits =
        List.of(
            new Rate(scope("k"), Counted.REQUESTS, 600),
            new Rate(scope("k"), Counted.TOKENS, 200_000),
            new Budget(scope("team"), Unit.USD, 50, Period.DAY));
    // the first lease is 1: this replica has not seen what a request of this caller costs
    assertThat(store.acquire(limits, NOON).admitted()).isTrue();
    store.charge(limits, 15, 0.0001, NOON, NOON);
    store.flush();
    long before = scriptCalls();
    assertThat(admittedOf(store, limits, 16, NOON)).isEqualTo(16);
    assertThat(scriptCalls() - before).isEqualTo(1);
    assertThat(store.calls()).isEqualTo(3); // lease, flush, lease
  }

  @Test
  void nearTheEdgeEveryAcquireGoesToRedisAndTheBoundaryIsExact() throws Exception {
    RedisLimitStore store = store();
    List<Limit> limits = List.of(new Rate(scope("k"), Counted.REQUESTS, 64));
    int admitted = 0;
    List<Long> callsPerAdmission = new ArrayList<>();
    while (true) {
      long before = scriptCalls();
      Verdict verdict = store.acquire(limits, NOON);
      if (!verdict.admitted()) {
        assertThat(verdict.retryAfterSeconds()).isEqualTo(1);
        break;
      }
      admitted++;
      callsPerAdmission.add(scriptCalls() - before);
    }
    assertThat(admitted).isEqualTo(64);
    // the first lease is 8 (64 / 8): one call for eight admissions
    assertThat(callsPerAdmission.subList(0, 8)).containsExactly(1L, 0L, 0L, 0L, 0L, 0L, 0L, 0L);
    // fewer than 8 left in Redis: every admission is a call of its own
    assertThat(callsPerAdmission.subList(64 - 8, 64)).containsOnly(1L);
    assertThat(tokensLeft(scope("k"))).isZero();

    // below 8 from the start: a lease of 1 each time, exactly 7 pass
    List<Limit> small = List.of(new Rate(scope("s"), Counted.REQUESTS, 7));
    long before = scriptCalls();
    assertThat(admittedOf(store, small, 10, NOON)).isEqualTo(7);
    assertThat(scriptCalls() - before).isEqualTo(10);
  }

  @Test
  void unusedLeaseTokensGoBackWhenTheLeaseEndsAndAnotherReplicaUsesThem() throws Exception {
    RedisLimitStore first = store();
    RedisLimitStore second = store();
    List<Limit> limits = List.of(new Rate(scope("k"), Counted.REQUESTS, 60));
    // the first replica leases 7 (60 / 8) and uses 1
    assertThat(first.acquire(limits, NOON).admitted()).isTrue();
    assertThat(tokensLeft(scope("k"))).isEqualTo(53);
    assertThat(admittedOf(second, limits, 100, NOON)).isEqualTo(53);
    // its lease ends (500 ms, on the passed-in clock): the 6 unused go back to the bucket
    first.endLeases(NOON + 499, true);
    first.flush();
    assertThat(tokensLeft(scope("k"))).isZero();
    first.endLeases(NOON + 500, true);
    first.flush();
    assertThat(tokensLeft(scope("k"))).isEqualTo(6);
    // the same instant as before (no refill): exactly those 6, nothing lost, nothing more
    assertThat(admittedOf(second, limits, 100, NOON)).isEqualTo(6);
  }

  @Test
  void aLeaseEndedByItsOwnNextAcquireGivesBackInTheSameCall() throws Exception {
    RedisLimitStore first = store();
    List<Limit> limits = List.of(new Rate(scope("k"), Counted.REQUESTS, 60));
    assertThat(first.acquire(limits, NOON).admitted()).isTrue(); // leases 7, 53 left
    long before = scriptCalls();
    // 500 ms later (0.5 refilled): the 6 unused go back and a new lease is taken, in one call
    assertThat(first.acquire(limits, NOON + 500).admitted()).isTrue();
    assertThat(scriptCalls() - before).isEqualTo(1);
    // 53 + 0.5 + 6 = 59.5, less the new lease of 7
    String level = redis.hget("lmgate:rate:" + scope("k") + ":requests", "level");
    assertThat(Long.parseLong(level)).isEqualTo(59 * 60_000L + 30_000L - 7 * 60_000L);
  }

  @Test
  void givenBackTokensAreCappedAtTheCapacity() throws Exception {
    RedisLimitStore first = store();
    RedisLimitStore second = store();
    List<Limit> limits = List.of(new Rate(scope("k"), Counted.REQUESTS, 60));
    assertThat(first.acquire(limits, NOON).admitted()).isTrue(); // leases 7
    // a minute on, the bucket is full again; another replica takes and uses 1
    long later = NOON + 60_000;
    assertThat(second.acquire(limits, later).admitted()).isTrue(); // leases 7: 53 left
    second.endLeases(later + 500, true);
    second.flush(); // 6 back: 59
    first.endLeases(later + 500, true);
    first.flush(); // 6 more would be 65: capped at 60
    assertThat(tokensLeft(scope("k"))).isEqualTo(60);
  }

  /** Three replicas, 24 threads, one instant: never more than the rpm, and nothing lost. */
  @Test
  void rpmAcrossThreeStoresOnOneRedisNeverExceedsTheLimit() throws Exception {
    List<RedisLimitStore> replicas = List.of(store(), store(), store());
    List<Limit> limits = List.of(new Rate(scope("k"), Counted.REQUESTS, 500));
    int threads = 24;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        RedisLimitStore replica = replicas.get(t % 3);
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return admittedOf(replica, limits, 40, NOON);
                }));
      }
      start.countDown();
      int admitted = 0;
      for (Future<Integer> result : results) {
        admitted += result.get(60, TimeUnit.SECONDS);
      }
      assertThat(admitted).isLessThanOrEqualTo(500);
      // whatever a replica still held comes back when its lease ends: all 500 are accounted for
      for (RedisLimitStore replica : replicas) {
        replica.endLeases(NOON + 500, true);
        replica.flush();
      }
      assertThat(admitted + tokensLeft(scope("k"))).isEqualTo(500);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The documented overshoot: a replica's view of a budget is its lease's snapshot plus its own
   * charges, so what another replica spends meanwhile is not seen until the lease ends. A lease
   * admits at most an eighth of the headroom it saw (at this replica's average charge): here 12
   * requests of 100 tokens against 10,000 left.
   */
  @Test
  void aBudgetOvershootIsBoundedByTheOtherReplicasLeases() throws Exception {
    RedisLimitStore first = store();
    RedisLimitStore second = store();
    List<Limit> limits =
        List.of(
            new Rate(scope("k"), Counted.REQUESTS, 6000),
            new Budget(scope("k"), Unit.TOKENS, 20_000, Period.DAY));
    // both replicas learn what a request costs (100 tokens): 200 spent
    for (RedisLimitStore replica : List.of(first, second)) {
      assertThat(replica.acquire(limits, NOON).admitted()).isTrue();
      replica.charge(limits, 100, null, NOON, NOON);
      replica.flush();
    }
    // 19,800 left: the first replica's lease is floor(19,800 / (8 x 100)) = 24, capped at 16
    assertThat(first.acquire(limits, NOON).admitted()).isTrue();
    first.charge(limits, 100, null, NOON, NOON);
    first.flush();
    // the second spends what is left (its leases shrink to 1 near the edge) and is refused
    int spentBySecond = 0;
    while (second.acquire(limits, NOON).admitted()) {
      second.charge(limits, 100, null, NOON, NOON);
      second.flush();
      spentBySecond += 100;
    }
    assertThat(spentBySecond).isEqualTo(19_700);
    // the first still answers the 15 admissions left in its lease, then Redis refuses it
    int overshoot = 0;
    Verdict verdict;
    while ((verdict = first.acquire(limits, NOON)).admitted()) {
      first.charge(limits, 100, null, NOON, NOON);
      overshoot++;
    }
    assertThat(overshoot).isEqualTo(15);
    assertThat(verdict.refusedBy()).isEqualTo(limits.get(1));
    // the bound: at most the admissions left in other replicas' leases, at most 16 each
    assertThat(overshoot).isLessThanOrEqualTo(16);
  }

  @Test
  void nearABudgetsEdgeEveryAcquireIsCheckedAtRedis() throws Exception {
    RedisLimitStore first = store();
    RedisLimitStore second = store();
    List<Limit> limits =
        List.of(
            new Rate(scope("k"), Counted.REQUESTS, 6000),
            new Budget(scope("k"), Unit.TOKENS, 1_000, Period.DAY));
    for (RedisLimitStore replica : List.of(first, second)) {
      assertThat(replica.acquire(limits, NOON).admitted()).isTrue();
      replica.charge(limits, 100, null, NOON, NOON);
      replica.flush();
    }
    // 800 left, 100 a request: 800 / 800 = a lease of 1, each time; the replicas alternate
    int admitted = 0;
    for (int i = 0; i < 20; i++) {
      RedisLimitStore replica = i % 2 == 0 ? first : second;
      long before = scriptCalls();
      if (replica.acquire(limits, NOON).admitted()) {
        admitted++;
        replica.charge(limits, 100, null, NOON, NOON);
        replica.flush();
      }
      assertThat(scriptCalls() - before).isGreaterThanOrEqualTo(1);
    }
    // exactly the budget: 2 + 8 requests of 100
    assertThat(admitted).isEqualTo(8);
  }

  /** Nobody renews the lease: the store's own sweep gives its tokens back once it is 500 ms old. */
  @Test
  void theBackgroundSweepGivesBackALeaseNobodyRenews() throws Exception {
    try (RedisLimitStore store = RedisLimitStore.connect(server.url())) {
      List<Limit> limits = List.of(new Rate(scope("k"), Counted.REQUESTS, 60_000));
      long now = System.currentTimeMillis();
      assertThat(store.acquire(limits, now).admitted()).isTrue(); // a lease of 16: 15 unused
      String key = "lmgate:rate:" + scope("k") + ":requests";
      assertThat(Long.parseLong(redis.hget(key, "level")) / 60_000).isEqualTo(60_000 - 16);
      // the bucket's time stays at the lease (a give-back does not refill): 1 used, 15 back
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (Long.parseLong(redis.hget(key, "level")) / 60_000 != 60_000 - 1
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(Long.parseLong(redis.hget(key, "level")) / 60_000).isEqualTo(60_000 - 1);
      assertThat(redis.hget(key, "updated_ms")).isEqualTo(Long.toString(now));
    }
  }

  @Test
  void idleLeasesAreDropped() throws Exception {
    RedisLimitStore store = store();
    for (int i = 0; i < 10; i++) {
      store.acquire(List.of(new Rate(scope("k" + i), Counted.REQUESTS, 600)), NOON);
    }
    assertThat(store.leaseCount()).isEqualTo(10);
    store.endLeases(NOON + 500, true);
    assertThat(store.leaseCount()).isEqualTo(10);
    store.endLeases(NOON + 500 + RedisLimitStore.IDLE_MILLIS, true);
    assertThat(store.leaseCount()).isZero();
  }
}
