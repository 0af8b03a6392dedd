package ai.numio.lmgate.bench;

import ai.numio.lmgate.auth.AllowList;
import ai.numio.lmgate.auth.AllowListEntry;
import ai.numio.lmgate.auth.AllowListException;
import ai.numio.lmgate.auth.AllowListLoader;
import ai.numio.lmgate.auth.ApiKeys;
import ai.numio.lmgate.auth.Sha256;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Key extraction from request headers plus allow-list lookup, on a 1,000-row list with a plaintext
 * key, a hashed ({@code sha256:}) key, and a key that is not listed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AuthBenchmark {

  private static final String PLAIN_KEY = "sk-proj-500-Xq8bT2mN4vR7wY1zK3pL6sD9fG0hJ5cA";

  private AllowList allowList;
  private Function<String, List<String>> plainHeaders;
  private Function<String, List<String>> hashedHeaders;
  private Function<String, List<String>> unknownHeaders;
  private Function<String, List<String>> plainSlowHeaders;

  @Setup
  public void setUp() throws AllowListException {
    StringBuilder csv = new StringBuilder("id,api_key,owner,added\n");
    for (int i = 0; i < 1000; i++) {
      String key = "sk-proj-" + i + "-Xq8bT2mN4vR7wY1zK3pL6sD9fG0hJ5cA";
      String column = i % 2 == 0 ? key : Sha256.allowListForm(key);
      csv.append(i)
          .append(',')
          .append(column)
          .append(",team-")
          .append(i % 17)
          .append(",2026-01-15\n");
    }
    allowList = AllowListLoader.parse(csv.toString(), "benchmark.csv");
    plainHeaders = headers("Bearer sk-proj-500-Xq8bT2mN4vR7wY1zK3pL6sD9fG0hJ5cA");
    hashedHeaders = headers("Bearer sk-proj-501-Xq8bT2mN4vR7wY1zK3pL6sD9fG0hJ5cA");
    plainSlowHeaders = slowHeaders("Bearer " + PLAIN_KEY);
    unknownHeaders = headers("Bearer sk-proj-unknown-Xq8bT2mN4vR7wY1zK3pL6sD9fG0h");
  }

  /**
   * Request headers indexed by lower-case name, as HTTP/2 delivers them and as a container's header
   * index finds them; {@link #slowHeaders} is a case-insensitive tree for comparison.
   */
  private static Function<String, List<String>> headers(String authorization) {
    Map<String, List<String>> map = new HashMap<>();
    map.put("authorization", List.of(authorization));
    map.put("content-type", List.of("application/json"));
    map.put("user-agent", List.of("OpenAI/Java 4.8.0"));
    map.put("accept", List.of("application/json"));
    map.put("x-stainless-lang", List.of("java"));
    return name -> map.getOrDefault(name, List.of());
  }

  private static Function<String, List<String>> slowHeaders(String authorization) {
    Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    map.put("Authorization", List.of(authorization));
    map.put("Content-Type", List.of("application/json"));
    map.put("User-Agent", List.of("OpenAI/Java 4.8.0"));
    map.put("Accept", List.of("application/json"));
    map.put("X-Stainless-Lang", List.of("java"));
    return name -> map.getOrDefault(name, List.of());
  }

  @Benchmark
  public Optional<AllowListEntry> plainKey() {
    return allowList.lookup(ApiKeys.extract(plainHeaders).key().orElseThrow());
  }

  /** As {@link #plainKey}, with headers in a case-insensitive TreeMap. */
  @Benchmark
  public Optional<AllowListEntry> plainKeyTreeMapHeaders() {
    return allowList.lookup(ApiKeys.extract(plainSlowHeaders).key().orElseThrow());
  }

  /** The lookup alone, for a key already extracted. */
  @Benchmark
  public Optional<AllowListEntry> lookupOnly() {
    return allowList.lookup(PLAIN_KEY);
  }

  /** The extraction alone (four credential headers looked up in the request's headers). */
  @Benchmark
  public Object extractOnly() {
    return ApiKeys.extract(plainHeaders);
  }

  @Benchmark
  public Optional<AllowListEntry> hashedKey() {
    return allowList.lookup(ApiKeys.extract(hashedHeaders).key().orElseThrow());
  }

  @Benchmark
  public Optional<AllowListEntry> unknownKey() {
    return allowList.lookup(ApiKeys.extract(unknownHeaders).key().orElseThrow());
  }
}
