package ai.numio.lmgate.redis;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.numio.lmgate.limit.Limit;
import ai.numio.lmgate.limit.Limit.Budget;
import ai.numio.lmgate.limit.Limit.Counted;
import ai.numio.lmgate.limit.Limit.Period;
import ai.numio.lmgate.limit.Limit.Rate;
import ai.numio.lmgate.limit.Limit.Unit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What an admission costs with and without leases, in this process against a local redis-server:
 * the policy of {@code bench/policy.sh} (rpm, tpm and a daily USD budget, all far from their
 * edges), one acquire and one charge per request. Prints figures; asserts nothing about time. Runs
 * only when asked: {@code mvn -o verify -pl lmgate-redis -am -Dtest=RedisLeaseCostMeasurement
 * -Dsurefire.failIfNoSpecifiedTests=false -DargLine=-Dlmgate.measure=true}.
 */
class RedisLeaseCostMeasurement {

  private static final int WARMUP = 20_000;
  private static final int REQUESTS = 50_000;

  @Test
  void measure() throws Exception {
    assumeTrue(Boolean.getBoolean("lmgate.measure"), "a measurement: -Dlmgate.measure=true");
    String url = RedisServer.sharedUrl();
    RedisServer server = null;
    if (url == null) {
      server = RedisServer.start();
      url = server.url();
    }
    try {
      List<LeaseTerms> variants =
          List.of(
              LeaseTerms.NONE,
              new LeaseTerms(4, 8, 500),
              LeaseTerms.DEFAULT,
              new LeaseTerms(64, 8, 500));
      for (int round = 0; round < 2; round++) {
        for (LeaseTerms terms : variants) {
          for (int threads : new int[] {1, 8}) {
            run(url, terms, threads, round);
          }
        }
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  private static void run(String url, LeaseTerms terms, int threads, int round) throws Exception {
    String scope = "m" + System.nanoTime();
    List<Limit> limits =
        List.of(
            new Rate("key:" + scope, Counted.REQUESTS, 1_000_000),
            new Rate("key:" + scope, Counted.TOKENS, 1_000_000_000),
            new Budget("owner:" + scope, Unit.USD, 1_000_000, Period.DAY));
    try (RedisLimitStore store = RedisLimitStore.connect(url, Duration.ofSeconds(1), terms)) {
      for (int i = 0; i < WARMUP; i++) {
        try {
          request(store, limits);
        } catch (Exception e) {
          // a busy machine: a timeout now and then; counted in the measured part only
        }
      }
      long callsBefore = store.calls();
      int each = REQUESTS / threads;
      long[][] latencies = new long[threads][each];
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> workers = new ArrayList<>();
      AtomicLong failures = new AtomicLong();
      for (int t = 0; t < threads; t++) {
        long[] mine = latencies[t];
        Thread worker =
            new Thread(
                () -> {
                  try {
                    start.await();
                    for (int i = 0; i < each; i++) {
                      long t0 = System.nanoTime();
                      try {
                        request(store, limits);
                      } catch (Exception e) {
                        failures.incrementAndGet();
                      }
                      mine[i] = System.nanoTime() - t0;
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
        worker.start();
        workers.add(worker);
      }
      long t0 = System.nanoTime();
      start.countDown();
      for (Thread worker : workers) {
        worker.join();
      }
      long elapsed = System.nanoTime() - t0;
      long calls = store.calls() - callsBefore;
      long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
      System.out.printf(
          Locale.ROOT,
          "round %d  grant<=%-2d age %4d ms  threads %d: %8.0f requests/s  p50 %6.1f µs  p99 %7.1f µs"
              + "  Redis calls/request %.3f  failures %d%n",
          round,
          terms.maxGrant(),
          terms.ageMillis(),
          threads,
          REQUESTS / (elapsed / 1e9),
          all[all.length / 2] / 1e3,
          all[(int) (all.length * 0.99)] / 1e3,
          calls / (double) REQUESTS,
          failures.get());
    }
  }

  private static void request(RedisLimitStore store, List<Limit> limits) throws Exception {
    long now = System.currentTimeMillis();
    if (!store.acquire(limits, now).admitted()) {
      throw new IllegalStateException("refused");
    }
    store.charge(limits, 15, 0.0001, now, now);
  }
}
