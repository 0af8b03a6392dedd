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
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * {@code limits.store: redis}: the state of every rate limit and budget in one Redis server, shared
 * by every gateway replica that points at it. Each {@link #acquire} and {@link #charge} is one Lua
 * script run ({@code EVALSHA}, falling back to {@code EVAL} when the server has lost its script
 * cache), so it is atomic with respect to every other call on the same Redis.
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
 * </ul>
 *
 * <p>One Redis server (or a primary with replicas behind one address); Redis Cluster is not
 * supported: one request's limits span scopes whose keys would sit in different slots.
 *
 * <p>Every Redis error, timeout or unexpected reply becomes a {@link LimitStoreException}. A call
 * waits at most about the command timeout (plus the connect timeout when it has to open a
 * connection). Connections are pooled and reopened on demand, so the store recovers by itself when
 * Redis comes back.
 */
public final class RedisLimitStore implements LimitStore {

  /** The command timeout when none is given: a Redis stall must not hold requests long. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMillis(250);

  /** Connections held at most; a call waits at most the command timeout for a free one. */
  static final int POOL_SIZE = 64;

  static final String PREFIX = "lmgate:";

  /**
   * Larger rates are treated as this one (still more than anyone can send): a level of {@code
   * perMinute x 60000} stays below 2^53, where Lua's doubles are exact integers.
   */
  static final long MAX_PER_MINUTE = 100_000_000_000L;

  /** Larger charges to a bucket are treated as this one, for the same reason. */
  static final long MAX_TOKENS = 60_000_000_000L;

  /** A budget's counter outlives its period by this, for the charges of requests still running. */
  static final long BUDGET_GRACE_MILLIS = Duration.ofDays(1).toMillis();

  private static final Script ACQUIRE = Script.load("acquire.lua");
  private static final Script CHARGE = Script.load("charge.lua");

  private final UnifiedJedis redis;
  private final Runnable dropIdleConnections;
  private final String shownUrl;

  RedisLimitStore(UnifiedJedis redis, Runnable dropIdleConnections, String shownUrl) {
    this.redis = Objects.requireNonNull(redis);
    this.dropIdleConnections = Objects.requireNonNull(dropIdleConnections);
    this.shownUrl = shownUrl;
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
    return new RedisLimitStore(redis, redis.getPool()::clear, url.toString());
  }

  @Override
  public Verdict acquire(List<Limit> limits, long nowMillis) throws LimitStoreException {
    if (limits.isEmpty()) {
      return Verdict.ADMITTED;
    }
    List<String> keys = new ArrayList<>(limits.size());
    List<String> args = new ArrayList<>(1 + 3 * limits.size());
    args.add(Long.toString(nowMillis));
    for (Limit limit : limits) {
      if (limit instanceof Limit.Rate rate) {
        keys.add(bucketKey(rate));
        args.add(rate.counted() == Limit.Counted.REQUESTS ? "R" : "T");
        args.add(Long.toString(perMinute(rate)));
        args.add("0");
      } else if (limit instanceof Limit.Budget budget) {
        keys.add(budgetKey(budget, nowMillis));
        args.add("B");
        args.add(budgetAmount(budget));
        args.add(Long.toString(Math.max(1, periodEnd(budget.period(), nowMillis) - nowMillis)));
      } else {
        throw new IllegalArgumentException("unknown limit " + limit);
      }
    }
    List<?> reply = asList(run(ACQUIRE, keys, args), limits.size());
    Limit refusedBy = null;
    long longest = 0;
    for (int i = 0; i < limits.size(); i++) {
      long waitMillis = asLong(reply.get(i));
      if (waitMillis > longest) {
        longest = waitMillis;
        refusedBy = limits.get(i);
      }
    }
    return refusedBy == null
        ? Verdict.ADMITTED
        : Verdict.refused(refusedBy, Math.floorDiv(longest + 999, 1000));
  }

  @Override
  public void charge(
      List<Limit> limits, long tokens, Double usd, long arrivalMillis, long nowMillis)
      throws LimitStoreException {
    long used = Math.min(Math.max(0, tokens), MAX_TOKENS);
    List<String> keys = new ArrayList<>(limits.size());
    List<String> args = new ArrayList<>(1 + 3 * limits.size());
    args.add(Long.toString(nowMillis));
    for (Limit limit : limits) {
      if (limit instanceof Limit.Rate rate) {
        if (rate.counted() == Limit.Counted.TOKENS && used > 0) {
          keys.add(bucketKey(rate));
          args.add("T");
          args.add(Long.toString(perMinute(rate)));
          args.add(Long.toString(used));
        }
      } else if (limit instanceof Limit.Budget budget) {
        long increment;
        if (budget.unit() == Limit.Unit.TOKENS) {
          increment = used;
        } else if (usd != null && usd > 0 && Double.isFinite(usd)) {
          increment = nanoDollars(usd);
        } else {
          continue; // the price is unknown (null): nothing to charge
        }
        // the counter lives until a while after its period ends, by the caller's clock (Redis's
        // own clock plays no part: times are passed in)
        long ttl = periodEnd(budget.period(), arrivalMillis) + BUDGET_GRACE_MILLIS - nowMillis;
        if (increment <= 0 || ttl <= 0) {
          continue; // nothing, or a period long ended: no acquire reads it any more
        }
        keys.add(budgetKey(budget, arrivalMillis));
        args.add("B");
        args.add(Long.toString(increment));
        args.add(Long.toString(ttl));
      } else {
        throw new IllegalArgumentException("unknown limit " + limit);
      }
    }
    if (!keys.isEmpty()) {
      run(CHARGE, keys, args);
    }
  }

  @Override
  public boolean remote() {
    return true;
  }

  @Override
  public void close() {
    redis.close();
  }

  @Override
  public String toString() {
    return "RedisLimitStore[" + shownUrl + "]";
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

  private Object run(Script script, List<String> keys, List<String> args)
      throws LimitStoreException {
    try {
      try {
        return redis.evalsha(script.sha1, keys, args);
      } catch (JedisNoScriptException e) {
        // a restarted or flushed Redis has forgotten the script: EVAL sends it and caches it
        return redis.eval(script.source, keys, args);
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
