package ai.numio.lmgate.bench;

import ai.numio.lmgate.auth.AllowListEntry;
import ai.numio.lmgate.limit.LimitStoreException;
import ai.numio.lmgate.limit.MemoryLimitStore;
import ai.numio.lmgate.limit.Verdict;
import ai.numio.lmgate.policy.CallerPolicy;
import ai.numio.lmgate.policy.Policies;
import ai.numio.lmgate.policy.PolicyLoader;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
 * The policy decision of a request from a caller seen before (its policy cached): resolve the
 * policy, check expiry, route and model, and acquire its limits (a key rpm and the owner's rpm, tpm
 * and daily USD budget) in the memory store. Target: at most 1 µs. The body read ahead is not part
 * of it (it is I/O, and only for callers with a model rule).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PolicyBenchmark {

  private Policies policies;
  private MemoryLimitStore store;
  private AllowListEntry caller;

  @Setup
  public void setUp() {
    StringBuilder yaml = new StringBuilder("default:\n  models: ['*']\nowners:\n");
    for (int i = 0; i < 50; i++) {
      yaml.append("  team-")
          .append(i)
          .append(":\n    models: ['gpt-4o-mini*', 'claude-*']\n    routes: [openai, anthropic]\n")
          .append("    rpm: 1000000000\n    tpm: 1000000000000\n")
          .append("    budget: { usd: 1000000, per: day }\n");
    }
    yaml.append("keys:\n");
    for (int i = 0; i < 500; i++) {
      yaml.append("  '").append(i).append("': { rpm: 1000000000, expires: 2099-12-31 }\n");
    }
    policies = PolicyLoader.parse(yaml.toString(), "benchmark.yaml", Set.of());
    store = new MemoryLimitStore();
    caller = new AllowListEntry("7", "team-7", "2026-01-15");
    policies.forCaller(caller);
  }

  @Benchmark
  public boolean decision() throws LimitStoreException {
    long now = System.currentTimeMillis();
    CallerPolicy policy = policies.forCaller(caller);
    if (policy.expired(now) || !policy.routeAllowed("openai")) {
      return false;
    }
    if (policy.hasModelRule() && !policy.modelAllowed("gpt-4o-mini-2024-07-18")) {
      return false;
    }
    Verdict verdict = store.acquire(policy.limits(), now);
    return verdict.admitted();
  }
}
