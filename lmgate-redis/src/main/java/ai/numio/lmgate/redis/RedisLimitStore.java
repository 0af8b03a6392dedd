package ai.numio.lmgate.redis;

import ai.numio.lmgate.limit.BudgetUnits;
import ai.numio.lmgate.limit.Limit;
import ai.numio.lmgate.limit.LimitStore;
import ai.numio.lmgate.limit.LimitStoreException;
import ai.numio.lmgate.limit.Periods;
import ai.numio.lmgate.limit.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * {@code limits.store: redis}: the state of every rate limit and budget in one Redis server, shared
 * by every gateway replica that points at it. Every call to Redis is one run of one Lua script
 * ({@code limits.lua}, by {@code EVALSHA}, falling back to {@code EVAL} when the server has lost
 * its script cache), atomic with respect to every other call on the same Redis.
 *
 * <p><b>Leases.</b> An {@link #acquire} that goes to Redis takes a lease for that list of limits:
 * up to {@link LeaseTerms#maxGrant()} admissions (16), at most 1/{@link LeaseTerms#divisor()} (an
 * eighth) of what each limit has left, so exactly 1 near a limit's edge. The lease's request tokens
 * are taken from every {@code REQUESTS} bucket at once, so admissions answered from it never exceed
 * an rpm limit across replicas. The following acquires of the same list are answered here, without
 * Redis, until the lease is used up or {@link LeaseTerms#ageMillis()} old (500 ms), or until this
 * replica's view of a {@code TOKENS} bucket or budget (the snapshot read with the lease plus what
 * this replica charged since) reaches its limit; only Redis refuses. Unused request tokens go back
 * to their buckets (capped at capacity) when a lease ends: with the next lease call, or from the
 * background sweep for a lease nobody renews, or at {@link #close()}. What other replicas charge
 * within one lease is not seen until the next: the bounded overshoot that docs/functional-spec.md
 * states.
 *
 * <p><b>Charges</b> return at once: they are queued and written by a thread of the store's own, all
 * that is queued in one script call, and a lease call takes the queue along (applied before it
 * reads), so a replica always sees its own charges. A failed background write is reported by the
 * next {@link #charge} call (so {@code limit_store_errors_total} counts it); its charges are lost,
 * as a failed charge was before.
 *
 * <p>Keys (prefix {@code lmgate:}):
 *
 * <ul>
 *   <li>{@code lmgate:rate:<scope>:requests} and {@code lmgate:rate:<scope>:tokens} — a bucket, a
 *       hash {@code {level, updated_ms}} with the level in 1/60000 of a token (so the continuous
 *       refill is exact integer arithmetic); it expires a minute after it would be full again.
 *   <li>{@code lmgate:budget:<scope>:usd:day:2026-12-03}, {@code
 *       lmgate:budget:<scope>:tokens:month:2026-12} — what was spent in that UTC period: tokens, or
 *       USD in whole nano-dollars (each charge rounded to the nearest 1e-9 USD, so sums are exact
 *       and a decimal budget's boundary holds exactly); it expires a day after its period ends.
 *   <li>{@code lmgate:replica:<random id>:applied} — the sequence number of the replica's last
 *       background write (expires after 10 minutes): tells a lease whether the write still in
 *       flight is in its snapshot.
 * </ul>
 *
 * <p>One Redis server (or a primary with replicas behind one address); Redis Cluster is not
 * supported: one request's limits span scopes whose keys would sit in different slots.
 *
 * <p>Every Redis error, timeout or unexpected reply becomes a {@link LimitStoreException}; a lease
 * still held keeps answering meanwhile. A call waits at most about the command timeout (plus the
 * connect timeout when it has to open a connection). Connections are pooled and reopened on demand,
 * so the store recovers by itself when Redis comes back.
 */
public final class RedisLimitStore implements LimitStore {

  private static final Logger log = LoggerFactory.getLogger(RedisLimitStore.class);

  /** The command timeout when none is given: a Redis stall must not hold requests long. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMillis(250);

  /** Connections held at most; a call waits at most the command timeout for a free one. */
  static final int POOL_SIZE = 64;

  static final String PREFIX = "lmgate:";

  /** Scale of a bucket's level, as in the script: units per minute = scaled units per ms. */
  static final long SCALE = 60_000;

  /**
   * Larger rates are treated as this one (still more than anyone can send): a level of {@code
   * perMinute x 60000} stays below 2^53, where Lua's doubles are exact integers.
   */
  static final long MAX_PER_MINUTE = 100_000_000_000L;

  /** Larger charges to a bucket are treated as this one, for the same reason. */
  static final long MAX_TOKENS = 60_000_000_000L;

  /** A budget's counter outlives its period by this, for the charges of requests still running. */
  static final long BUDGET_GRACE_MILLIS = Duration.ofDays(1).toMillis();

  /** How often the background thread ends old leases (and drops idle ones). */
  static final long SWEEP_EVERY_MILLIS = 100;

  /** A lease unused this long after it ended is dropped; spending unused this long too. */
  static final long IDLE_MILLIS = 120_000;

  static final String THREAD_NAME = "lmgate-redis-limits";

  private static final Script LIMITS = Script.load("limits.lua");

  private final UnifiedJedis redis;
  private final Runnable dropIdleConnections;
  private final String shownUrl;
  private final LeaseTerms terms;
  private final String appliedKey;

  private final ConcurrentHashMap<List<Limit>, Lease> leases = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<StateId, Spending> spendings = new ConcurrentHashMap<>();

  /** Charges and give-backs waiting to be written; also the lock of everything "pending". */
  private final ArrayList<Entry> queue = new ArrayList<>();

  /** The background write in flight (guarded by {@link #queue}); 0 when none. */
  private long inflightSeq;

  private long lastSeq; // guarded by flushLock
  private final ReentrantLock flushLock = new ReentrantLock();
  private final AtomicReference<LimitStoreException> unreported = new AtomicReference<>();
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong lastFlushLog = new AtomicLong(Long.MIN_VALUE);

  /**
   * The callers' clock as the sweep sees it: {@code System.nanoTime() / 1e6 + clockOffset}, moved
   * forward whenever a caller passes a later time; Long.MIN_VALUE until one does.
   */
  private volatile long clockOffset = Long.MIN_VALUE;

  private final Thread writer;
  private boolean waiting; // guarded by queue
  private volatile boolean closed;
  private volatile boolean sweeping = true;

  RedisLimitStore(UnifiedJedis redis, Runnable dropIdleConnections, String shownUrl) {
    this(redis, dropIdleConnections, shownUrl, LeaseTerms.DEFAULT);
  }

  RedisLimitStore(
      UnifiedJedis redis, Runnable dropIdleConnections, String shownUrl, LeaseTerms terms) {
    this.redis = Objects.requireNonNull(redis);
    this.dropIdleConnections = Objects.requireNonNull(dropIdleConnections);
    this.shownUrl = shownUrl;
    this.terms = Objects.requireNonNull(terms);
    this.appliedKey = PREFIX + "replica:" + UUID.randomUUID() + ":applied";
    this.writer = new Thread(this::writeLoop, THREAD_NAME);
    writer.setDaemon(true);
    writer.start();
  }

  /** {@link #connect(String, Duration)} with {@link #DEFAULT_COMMAND_TIMEOUT}. */
  public static RedisLimitStore connect(String redisUrl) {
    return connect(redisUrl, DEFAULT_COMMAND_TIMEOUT);
  }

  /**
   * A store on the Redis at {@code redisUrl} ({@code redis://[:password@]host:port[/db]}, {@code
   * rediss://} for TLS). Opens no connection yet: an unreachable Redis shows as {@link
   * LimitStoreException}s from the calls, not here.
   *
   * @param commandTimeout how long a call waits for Redis (also the connect timeout)
   * @throws IllegalArgumentException when the URL is malformed (named, its password redacted) or
   *     the timeout is not positive
   */
  public static RedisLimitStore connect(String redisUrl, Duration commandTimeout) {
    return connect(redisUrl, commandTimeout, LeaseTerms.DEFAULT);
  }

  /** As {@link #connect(String, Duration)}, with these lease terms (tests, measurements). */
  static RedisLimitStore connect(String redisUrl, Duration commandTimeout, LeaseTerms terms) {
    RedisUrl url = RedisUrl.parse(redisUrl);
    Objects.requireNonNull(commandTimeout, "commandTimeout");
    if (commandTimeout.isNegative()
        || commandTimeout.isZero()
        || commandTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "the Redis command timeout must be positive, got " + commandTimeout);
    }
    int timeout = (int) Math.max(1, commandTimeout.toMillis());
    DefaultJedisClientConfig.Builder client =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(timeout)
            .socketTimeoutMillis(timeout)
            .database(url.database())
            .ssl(url.tls())
            .clientName("lmgate");
    if (url.user() != null) {
      client.user(url.user());
    }
    if (url.password() != null) {
      client.password(url.password());
    }
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(POOL_SIZE);
    pool.setMaxIdle(POOL_SIZE);
    pool.setMinIdle(0);
    pool.setMaxWait(Duration.ofMillis(timeout));
    pool.setBlockWhenExhausted(true);
    pool.setTestOnBorrow(false);
    pool.setTestWhileIdle(false);
    pool.setJmxEnabled(false);
    RedisClient redis =
        RedisClient.builder()
            .hostAndPort(url.host(), url.port())
            .clientConfig(client.build())
            .poolConfig(pool)
            .build();
    return new RedisLimitStore(redis, redis.getPool()::clear, url.toString(), terms);
  }

  @Override
  public Verdict acquire(List<Limit> limits, long nowMillis) throws LimitStoreException {
    if (limits.isEmpty()) {
      return Verdict.ADMITTED;
    }
    seen(nowMillis);
    while (true) {
      Lease lease = leases.get(limits);
      if (lease == null) {
        lease = leases.computeIfAbsent(limits, Lease::new);
      }
      long asked = System.nanoTime();
      lease.lock.lock();
      try {
        if (lease.dead) {
          continue; // dropped by the sweep meanwhile: take the one in the map now
        }
        if (lease.admitsLocally(nowMillis)) {
          lease.remaining--;
          return Verdict.ADMITTED;
        }
        LimitStoreException failed = lease.failure;
        if (failed != null && lease.failedAt - asked >= 0) {
          // the call this one waited for has failed: so does this one, at once, instead of each
          // waiting caller timing out in turn on a stalled Redis
          throw new LimitStoreException(failed.getMessage(), failed);
        }
        try {
          Verdict verdict = renew(lease, nowMillis);
          lease.failure = null;
          return verdict;
        } catch (LimitStoreException e) {
          lease.failure = e;
          lease.failedAt = System.nanoTime();
          throw e;
        }
      } finally {
        lease.lock.unlock();
      }
    }
  }

  /**
   * One lease call (with {@code lease.lock} held): gives back what the old lease left, writes the
   * queued charges, and takes a new lease, or answers the refusal (nothing taken).
   */
  private Verdict renew(Lease lease, long now) throws LimitStoreException {
    List<Limit> limits = lease.limits;
    int n = limits.size();
    for (int i = 0; i < n; i++) {
      StateId id = StateId.of(limits.get(i));
      if (id != null) {
        Spending s = spending(id);
        s.lastUsed = now;
        lease.spending[i] = s;
      }
    }
    long[] issuedAt = new long[n];
    long[] inflightPart = new long[n];
    List<Entry> batch;
    long inflight;
    synchronized (queue) {
      if (lease.remaining > 0) {
        giveBack(lease);
      }
      batch = drain();
      inflight = inflightSeq;
      for (int i = 0; i < n; i++) {
        Spending s = lease.spending[i];
        if (s != null) {
          issuedAt[i] = s.issued;
          inflightPart[i] = s.inflight;
        }
      }
    }
    List<String> keys = new ArrayList<>(1 + batch.size() + n);
    List<String> args = new ArrayList<>(3 + 4 * batch.size() + 3 + 4 * n);
    keys.add(appliedKey);
    args.add("L");
    args.add(Integer.toString(batch.size()));
    args.add("0");
    addCharges(batch, keys, args);
    args.add(Long.toString(now));
    args.add(Integer.toString(terms.maxGrant()));
    args.add(Integer.toString(terms.divisor()));
    long end = now + terms.ageMillis();
    for (int i = 0; i < n; i++) {
      Limit limit = limits.get(i);
      Spending s = lease.spending[i];
      String average = s == null ? "0" : Long.toString(s.average);
      if (limit instanceof Limit.Rate rate) {
        keys.add(bucketKey(rate));
        args.add(rate.counted() == Limit.Counted.REQUESTS ? "R" : "T");
        args.add(Long.toString(perMinute(rate)));
        args.add("0");
        args.add(average);
      } else if (limit instanceof Limit.Budget budget) {
        long periodEnd = periodEnd(budget.period(), now);
        end = Math.min(end, periodEnd);
        keys.add(budgetKey(budget, now));
        args.add("B");
        args.add(budgetAmount(budget));
        args.add(Long.toString(Math.max(1, periodEnd - now)));
        args.add(average);
      } else {
        throw new IllegalArgumentException("unknown limit " + limit);
      }
    }
    List<?> reply = asList(run(keys, args), 2 + 3 * n);
    long grant = asLong(reply.get(0));
    long applied = asLong(reply.get(1));
    if (grant <= 0) {
      Limit refusedBy = null;
      long longest = 0;
      for (int i = 0; i < n; i++) {
        long waitMillis = asLong(reply.get(2 + 3 * i));
        if (waitMillis > longest) {
          longest = waitMillis;
          refusedBy = limits.get(i);
        }
      }
      if (refusedBy == null) {
        throw unexpected(reply);
      }
      return Verdict.refused(refusedBy, Math.floorDiv(longest + 999, 1000));
    }
    boolean inflightSeen = inflight == 0 || applied >= inflight;
    for (int i = 0; i < n; i++) {
      lease.value[i] = asLong(reply.get(3 + 3 * i));
      lease.updated[i] = asLong(reply.get(4 + 3 * i));
      lease.included[i] = issuedAt[i] - (inflightSeen ? 0 : inflightPart[i]);
    }
    lease.start = now;
    lease.end = end;
    lease.remaining = (int) Math.min(grant, terms.maxGrant());
    // Redis has not seen this replica's charges still queued or in flight: they may refuse
    Limit refusedBy = null;
    long longest = 0;
    for (int i = 0; i < n; i++) {
      long waitMillis = lease.waitMillis(i, now);
      if (waitMillis > longest) {
        longest = waitMillis;
        refusedBy = limits.get(i);
      }
    }
    if (refusedBy != null) {
      synchronized (queue) {
        giveBack(lease);
        if (waiting) {
          queue.notifyAll();
        }
      }
      return Verdict.refused(refusedBy, Math.floorDiv(longest + 999, 1000));
    }
    lease.remaining--;
    return Verdict.ADMITTED;
  }

  /** Queues the give-back of a lease's unused request tokens (under the queue lock). */
  private void giveBack(Lease lease) {
    for (Limit limit : lease.limits) {
      if (limit instanceof Limit.Rate rate && rate.counted() == Limit.Counted.REQUESTS) {
        queue.add(new Entry(bucketKey(rate), "G", perMinute(rate), lease.remaining, 0, null, 0));
      }
    }
    lease.remaining = 0;
  }

  @Override
  public void charge(
      List<Limit> limits, long tokens, Double usd, long arrivalMillis, long nowMillis)
      throws LimitStoreException {
    seen(nowMillis);
    long used = Math.min(Math.max(0, tokens), MAX_TOKENS);
    boolean queued = false;
    synchronized (queue) {
      for (Limit limit : limits) {
        if (limit instanceof Limit.Rate rate) {
          if (rate.counted() == Limit.Counted.TOKENS) {
            Spending s = spending(StateId.of(rate));
            if (used > 0) {
              queue.add(new Entry(bucketKey(rate), "T", perMinute(rate), used, nowMillis, s, used));
              s.add(used, nowMillis);
              queued = true;
            } else {
              s.sample(0);
            }
          }
        } else if (limit instanceof Limit.Budget budget) {
          Spending s = spending(StateId.of(budget));
          long increment;
          if (budget.unit() == Limit.Unit.TOKENS) {
            increment = used;
          } else if (usd != null && usd > 0 && Double.isFinite(usd)) {
            increment = nanoDollars(usd);
          } else {
            s.sample(0); // the price is unknown (null): nothing to charge
            continue;
          }
          // the counter lives until a while after its period ends, by the caller's clock (Redis's
          // own clock plays no part: times are passed in)
          long ttl = periodEnd(budget.period(), arrivalMillis) + BUDGET_GRACE_MILLIS - nowMillis;
          if (increment <= 0 || ttl <= 0) {
            s.sample(0);
            continue; // nothing, or a period long ended: no acquire reads it any more
          }
          queue.add(
              new Entry(budgetKey(budget, arrivalMillis), "B", increment, ttl, 0, s, increment));
          s.add(increment, nowMillis);
          queued = true;
        } else {
          throw new IllegalArgumentException("unknown limit " + limit);
        }
      }
      if (queued && waiting) {
        queue.notifyAll();
      }
    }
    LimitStoreException failed = unreported.getAndSet(null);
    if (failed != null) {
      throw failed;
    }
  }

  /**
   * Charges return at once (the store's own thread writes them), so the core charges on the
   * finishing thread: nothing here waits on Redis but an acquire that needs a new lease.
   */
  @Override
  public boolean remote() {
    return false;
  }

  /**
   * Writes everything queued now, on this thread, in one script call; false when nothing was
   * queued. One write at a time (so at most one is in flight).
   */
  boolean flush() throws LimitStoreException {
    flushLock.lock();
    try {
      List<Entry> batch;
      long seq;
      synchronized (queue) {
        if (queue.isEmpty()) {
          return false;
        }
        batch = drain();
        seq = ++lastSeq;
        inflightSeq = seq;
        for (Entry e : batch) {
          if (e.spending != null) {
            e.spending.inflight += e.amount;
          }
        }
      }
      try {
        List<String> keys = new ArrayList<>(1 + batch.size());
        List<String> args = new ArrayList<>(3 + 4 * batch.size());
        keys.add(appliedKey);
        args.add("F");
        args.add(Integer.toString(batch.size()));
        args.add(Long.toString(seq));
        addCharges(batch, keys, args);
        run(keys, args);
      } finally {
        synchronized (queue) {
          for (Entry e : batch) {
            if (e.spending != null) {
              e.spending.inflight -= e.amount;
            }
          }
          inflightSeq = 0;
        }
      }
      return true;
    } finally {
      flushLock.unlock();
    }
  }

  /**
   * Ends the leases older than their age at {@code nowMillis}: their unused request tokens are
   * queued back to their buckets; drops leases idle for {@link #IDLE_MILLIS} and spending not used
   * as long. The store's thread calls this every {@link #SWEEP_EVERY_MILLIS}; tests call it with
   * their own clock.
   *
   * @param wait whether to wait for a lease in use (else it is left to the next sweep)
   */
  void endLeases(long nowMillis, boolean wait) {
    for (Lease lease : leases.values()) {
      if (wait) {
        lease.lock.lock();
      } else if (!lease.lock.tryLock()) {
        continue;
      }
      try {
        if (lease.remaining > 0 && nowMillis >= lease.end) {
          synchronized (queue) {
            giveBack(lease);
            if (waiting) {
              queue.notifyAll();
            }
          }
        }
        if (lease.remaining <= 0 && nowMillis - IDLE_MILLIS >= lease.end && !lease.dead) {
          lease.dead = true;
          leases.remove(lease.limits, lease);
        }
      } finally {
        lease.lock.unlock();
      }
    }
    synchronized (queue) {
      spendings.values().removeIf(s -> nowMillis - IDLE_MILLIS >= s.lastUsed && s.inflight == 0);
    }
  }

  /**
   * Stops the background sweep: leases then end only by their own next acquire, {@link #endLeases}
   * or {@link #close()} (tests that must not depend on how fast the machine is).
   */
  void stopSweeping() {
    sweeping = false;
  }

  /** Redis calls made since the store opened (for tests and measurements). */
  long calls() {
    return calls.get();
  }

  /** Leases held (for tests of boundedness). */
  int leaseCount() {
    return leases.size();
  }

  @Override
  public void close() {
    closed = true;
    synchronized (queue) {
      queue.notifyAll();
    }
    try {
      writer.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    endLeases(Long.MAX_VALUE, true);
    try {
      flush();
    } catch (LimitStoreException e) {
      log.warn(
          "The limit store could not write its last charges and lease tokens: {}", e.toString());
    }
    redis.close();
  }

  @Override
  public String toString() {
    return "RedisLimitStore[" + shownUrl + "]";
  }

  // ---- the store's thread

  private void writeLoop() {
    long nextSweep = Long.MIN_VALUE;
    while (!closed) {
      long offset = clockOffset;
      if (offset != Long.MIN_VALUE && sweeping) {
        long now = System.nanoTime() / 1_000_000 + offset;
        if (nextSweep == Long.MIN_VALUE || now >= nextSweep) {
          endLeases(now, false);
          nextSweep = now + SWEEP_EVERY_MILLIS;
        }
      }
      try {
        flush();
      } catch (LimitStoreException e) {
        unreported.set(e);
        long t = System.nanoTime();
        long last = lastFlushLog.get();
        if ((last == Long.MIN_VALUE || t - last >= TimeUnit.MINUTES.toNanos(1))
            && lastFlushLog.compareAndSet(last, t)) {
          log.warn(
              "The limit store could not write queued charges (they are lost): {}", e.toString());
        }
      } catch (RuntimeException e) {
        log.error("The limit store's writer failed unexpectedly", e);
      }
      synchronized (queue) {
        if (queue.isEmpty() && !closed) {
          waiting = true;
          try {
            queue.wait(SWEEP_EVERY_MILLIS);
          } catch (InterruptedException e) {
            // only close() stops us
          } finally {
            waiting = false;
          }
        }
      }
    }
  }

  /** Moves the sweep's clock forward to a time a caller passed in. */
  private void seen(long nowMillis) {
    long offset = clockOffset;
    long nanoMillis = System.nanoTime() / 1_000_000;
    if (offset == Long.MIN_VALUE || nowMillis > nanoMillis + offset) {
      clockOffset = nowMillis - nanoMillis;
    }
  }

  private Spending spending(StateId id) {
    Spending s = spendings.get(id);
    return s != null ? s : spendings.computeIfAbsent(id, k -> new Spending());
  }

  /** Takes everything queued (under the queue lock). */
  private List<Entry> drain() {
    if (queue.isEmpty()) {
      return List.of();
    }
    List<Entry> batch = new ArrayList<>(queue);
    queue.clear();
    return batch;
  }

  private static void addCharges(List<Entry> batch, List<String> keys, List<String> args) {
    for (Entry e : batch) {
      keys.add(e.key);
      args.add(e.kind);
      args.add(Long.toString(e.p1));
      args.add(Long.toString(e.p2));
      args.add(Long.toString(e.p3));
    }
  }

  /**
   * A queued write: a charge to a tokens bucket ({@code T}: perMinute, tokens, now) or a budget
   * ({@code B}: increment, ttl), or unused lease tokens given back ({@code G}: perMinute, count).
   */
  private record Entry(
      String key, String kind, long p1, long p2, long p3, Spending spending, long amount) {}

  /** Which state a tokens bucket or budget is, whatever its rate or amount. */
  private record StateId(String scope, Limit.Unit unit, Limit.Period period) {
    /** Null for a {@code REQUESTS} bucket (leased, not charged). */
    static StateId of(Limit limit) {
      if (limit instanceof Limit.Rate rate) {
        return rate.counted() == Limit.Counted.TOKENS
            ? new StateId(rate.scope(), null, null)
            : null;
      }
      Limit.Budget budget = (Limit.Budget) limit;
      return new StateId(budget.scope(), budget.unit(), budget.period());
    }
  }

  // ---- keys and periods

  static String bucketKey(Limit.Rate rate) {
    return PREFIX + "rate:" + rate.scope() + ":" + rate.counted().name().toLowerCase(Locale.ROOT);
  }

  static String budgetKey(Limit.Budget budget, long millis) {
    LocalDate day = Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC).toLocalDate();
    String period =
        budget.period() == Limit.Period.DAY ? "day:" + day : "month:" + YearMonth.from(day);
    return PREFIX
        + "budget:"
        + budget.scope()
        + ":"
        + budget.unit().name().toLowerCase(Locale.ROOT)
        + ":"
        + period;
  }

  /**
   * The end (exclusive, epoch ms) of the UTC day or calendar month that contains {@code millis}.
   */
  static long periodEnd(Limit.Period period, long millis) {
    return Periods.end(period, Periods.start(period, millis));
  }

  /** The rate as the scripts take it: clamped so every level stays an exact double. */
  static long perMinute(Limit.Rate rate) {
    return Math.min(rate.perMinute(), MAX_PER_MINUTE);
  }

  /** A budget's amount in the unit its counter holds: tokens, or nano-dollars. */
  static String budgetAmount(Limit.Budget budget) {
    return Long.toString(BudgetUnits.amount(budget));
  }

  /** USD as whole nano-dollars, as every store counts them. */
  static long nanoDollars(double usd) {
    return BudgetUnits.nanoDollars(usd);
  }

  // ---- Redis

  private Object run(List<String> keys, List<String> args) throws LimitStoreException {
    calls.incrementAndGet();
    try {
      try {
        return redis.evalsha(LIMITS.sha1, keys, args);
      } catch (JedisNoScriptException e) {
        // a restarted or flushed Redis has forgotten the script: EVAL sends it and caches it
        return redis.eval(LIMITS.source, keys, args);
      }
    } catch (JedisConnectionException e) {
      // the pool's other idle connections are likely as dead (Redis restarted): drop them, so the
      // calls after Redis is back open fresh ones instead of failing once per stale connection
      dropIdleConnections.run();
      throw new LimitStoreException(
          "Redis limit store " + shownUrl + " unreachable: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new LimitStoreException(
          "Redis limit store " + shownUrl + " failed: " + e.getMessage(), e);
    }
  }

  private LimitStoreException unexpected(Object reply) {
    return new LimitStoreException(
        "Redis limit store " + shownUrl + ": unexpected reply " + reply, null);
  }

  private List<?> asList(Object reply, int size) throws LimitStoreException {
    if (reply instanceof List<?> list && list.size() == size) {
      return list;
    }
    throw new LimitStoreException(
        "Redis limit store " + shownUrl + ": unexpected reply " + reply, null);
  }

  private long asLong(Object value) throws LimitStoreException {
    if (value instanceof Long l) {
      return l;
    }
    throw new LimitStoreException(
        "Redis limit store " + shownUrl + ": unexpected reply " + value, null);
  }

  private static final class Script {
    final String source;
    final String sha1;

    private Script(String source) {
      this.source = source;
      try {
        this.sha1 =
            HexFormat.of()
                .formatHex(
                    MessageDigest.getInstance("SHA-1")
                        .digest(source.getBytes(StandardCharsets.UTF_8)));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    static Script load(String name) {
      try (InputStream in = RedisLimitStore.class.getResourceAsStream(name)) {
        if (in == null) {
          throw new IllegalStateException("missing resource " + name);
        }
        return new Script(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
