package ai.numio.lmgate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.numio.lmgate.limit.Limit;
import ai.numio.lmgate.limit.Limit.Budget;
import ai.numio.lmgate.limit.Limit.Counted;
import ai.numio.lmgate.limit.Limit.Period;
import ai.numio.lmgate.limit.Limit.Rate;
import ai.numio.lmgate.limit.Limit.Unit;
import ai.numio.lmgate.limit.LimitStoreException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * A Redis that dies, stalls, comes back or wants a password: calls fail fast with {@link
 * LimitStoreException} and succeed again without a new store. Each test has a redis-server process
 * of its own (never the run's shared one: it is killed here).
 */
class RedisLimitStoreOutageTest {

  private static final long NOON = Instant.parse("2026-03-10T12:00:00Z").toEpochMilli();
  private static final List<Limit> LIMITS =
      List.of(
          new Rate("key:outage", Counted.REQUESTS, 1000),
          new Budget("key:outage", Unit.USD, 10, Period.DAY));

  private RedisServer server;

  @BeforeEach
  void start() throws Exception {
    server = RedisServer.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void aKilledRedisFailsCallsFastAndTheStoreRecoversWhenItIsBack() throws Exception {
    try (RedisLimitStore store = RedisLimitStore.connect(server.url())) {
      assertThat(store.acquire(LIMITS, NOON).admitted()).isTrue();
      store.charge(LIMITS, 10, 0.5, NOON, NOON);

      server.kill();
      for (int i = 0; i < 3; i++) {
        long started = System.nanoTime();
        assertThatThrownBy(() -> store.acquire(LIMITS, NOON))
            .isInstanceOf(LimitStoreException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
      }
      // a charge returns at once; the store's thread fails to write it, and a later charge says so
      assertThat(chargeFailureReported(store)).isTrue();

      server.restart();
      // the first call after the restart already gets a fresh connection (and re-sends the script)
      assertThat(store.acquire(LIMITS, NOON).admitted()).isTrue();
      // the outage's last failed write may still wait to be reported, by one charge
      try {
        store.charge(LIMITS, 10, 0.5, NOON, NOON);
      } catch (LimitStoreException e) {
        assertThat(e).hasMessageContaining("unreachable");
      }
      store.flush();
      store.charge(LIMITS, 10, 0.5, NOON, NOON);
      store.flush();
      assertThat(store.acquire(LIMITS, NOON).admitted()).isTrue();
    }
  }

  /**
   * Eight requests of one caller wait for the same lease call on a stalled Redis: when it times out
   * they all fail with it, not one timeout after the other (8 x 250 ms).
   */
  @Test
  void callersWaitingForOneStalledLeaseCallFailWithIt() throws Exception {
    List<Limit> rpm = List.of(new Rate("key:stalled", Counted.REQUESTS, 5));
    try (RedisLimitStore store = RedisLimitStore.connect(server.url(), Duration.ofMillis(250))) {
      assertThat(store.acquire(rpm, NOON).admitted()).isTrue(); // a lease of 1: used up
      server.stall();
      try {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
          long started = System.nanoTime();
          List<Future<Boolean>> failed = new ArrayList<>();
          for (int i = 0; i < 8; i++) {
            failed.add(
                pool.submit(
                    () -> {
                      try {
                        store.acquire(rpm, NOON);
                        return false;
                      } catch (LimitStoreException e) {
                        return true;
                      }
                    }));
          }
          for (Future<Boolean> f : failed) {
            assertThat(f.get(10, TimeUnit.SECONDS)).isTrue();
          }
          assertThat(Duration.ofNanos(System.nanoTime() - started))
              .isLessThan(Duration.ofMillis(1500));
        } finally {
          pool.shutdownNow();
        }
      } finally {
        server.resume();
      }
      assertThat(store.acquire(rpm, NOON).admitted()).isTrue();
    }
  }

  /** A lease held when Redis dies keeps answering until it is used up; then the calls fail. */
  @Test
  void aHeldLeaseServesThroughAnOutageUntilItEnds() throws Exception {
    List<Limit> rpm = List.of(new Rate("key:lease", Counted.REQUESTS, 1000));
    try (RedisLimitStore store = RedisLimitStore.connect(server.url())) {
      assertThat(store.acquire(rpm, NOON).admitted()).isTrue(); // a lease of 16
      server.kill();
      for (int i = 0; i < 15; i++) {
        assertThat(store.acquire(rpm, NOON).admitted()).isTrue();
      }
      assertThatThrownBy(() -> store.acquire(rpm, NOON)).isInstanceOf(LimitStoreException.class);
      // an old lease is not served either: its age is over
      server.restart();
      assertThat(store.acquire(rpm, NOON + 1000).admitted()).isTrue();
      server.kill();
      assertThatThrownBy(() -> store.acquire(rpm, NOON + 1500))
          .isInstanceOf(LimitStoreException.class);
    }
  }

  @Test
  void idleConnectionsOfADeadRedisAreDroppedAfterTheFirstFailure() throws Exception {
    try (RedisLimitStore store = RedisLimitStore.connect(server.url())) {
      // several pooled connections, all idle
      Thread[] threads = new Thread[8];
      for (int t = 0; t < threads.length; t++) {
        threads[t] =
            new Thread(
                () -> {
                  for (int i = 0; i < 50; i++) {
                    try {
                      store.acquire(LIMITS, NOON);
                    } catch (LimitStoreException e) {
                      throw new AssertionError(e);
                    }
                  }
                });
        threads[t].start();
      }
      for (Thread thread : threads) {
        thread.join();
      }
      server.restart();
      // at most the one call that found its connection dead fails, not one per stale connection
      int failed = 0;
      for (int i = 0; i < 8; i++) {
        try {
          store.acquire(LIMITS, NOON);
        } catch (LimitStoreException e) {
          failed++;
        }
      }
      assertThat(failed).isLessThanOrEqualTo(1);
    }
  }

  @Test
  void aStalledRedisFailsCallsWithinTheCommandTimeout() throws Exception {
    try (RedisLimitStore store = RedisLimitStore.connect(server.url(), Duration.ofMillis(250))) {
      assertThat(store.acquire(LIMITS, NOON).admitted()).isTrue();
      server.stall();
      try {
        long started = System.nanoTime();
        assertThatThrownBy(() -> store.acquire(LIMITS, NOON))
            .isInstanceOf(LimitStoreException.class);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(took).isLessThan(Duration.ofMillis(1500));
      } finally {
        server.resume();
      }
      assertThat(store.acquire(LIMITS, NOON).admitted()).isTrue();
    }
  }

  @Test
  void aPasswordInTheUrlAuthenticatesAndNeverShowsInErrors() throws Exception {
    try (RedisClient admin = RedisClient.create(URI.create(server.url()))) {
      admin.configSet("requirepass", "s3cret-pw");
    }
    String host = "127.0.0.1:" + server.port();
    try (RedisLimitStore store = RedisLimitStore.connect("redis://:s3cret-pw@" + host)) {
      assertThat(store.acquire(LIMITS, NOON).admitted()).isTrue();
      assertThat(store.toString()).doesNotContain("s3cret-pw").contains("***");
    }
    try (RedisLimitStore wrong = RedisLimitStore.connect("redis://:wrong-pw@" + host);
        RedisLimitStore none = RedisLimitStore.connect("redis://" + host)) {
      assertThatThrownBy(() -> wrong.acquire(LIMITS, NOON))
          .isInstanceOf(LimitStoreException.class)
          .satisfies(e -> assertThat(fullText(e)).doesNotContain("wrong-pw"));
      assertThatThrownBy(() -> none.acquire(LIMITS, NOON)).isInstanceOf(LimitStoreException.class);
    }
  }

  @Test
  void aStoreOnAnUnreachableRedisIsCreatedAndFailsPerCall() throws Exception {
    server.kill();
    try (RedisLimitStore store = RedisLimitStore.connect(server.url())) {
      assertThatThrownBy(() -> store.acquire(LIMITS, NOON))
          .isInstanceOf(LimitStoreException.class)
          .hasMessageContaining("127.0.0.1:" + server.port());
      server.restart();
      assertThat(store.acquire(LIMITS, NOON).admitted()).isTrue();
    }
  }

  /** Charges until one reports the failed background write (within 2 s). */
  private static boolean chargeFailureReported(RedisLimitStore store) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        store.charge(LIMITS, 1, 0.01, NOON, NOON);
      } catch (LimitStoreException e) {
        return true;
      }
      Thread.sleep(10);
    }
    return false;
  }

  private static String fullText(Throwable e) {
    StringBuilder s = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      s.append(t).append('\n');
    }
    return s.toString();
  }
}
