#!/usr/bin/env python3
"""What policies and the Redis limit store add to a request (issue 11's performance targets).

Runs the gateway three times on the same static nginx upstream, one JVM after the other, each
warmed up alone and then measured with wrk in three scenarios: light (4 connections, ~10 ms
think time each: ~400 req/s, what the latency target means by light load — nothing queues),
latency (4 connections back to back: the gateway's core saturated) and throughput (64):
  plain   - no policy file;
  memory  - a policy whose rules all apply to the caller (a model list, so the body is read
            ahead; rpm, tpm and a daily USD budget far above what the run sends), limits in
            this process;
  redis   - the same policy, limits in a local redis-server (started here, pinned to the
            servers' core).
Prints a markdown table (p50/p99 and req/s per variant, and the difference to plain) and writes
it to bench/results/policy-<timestamp>.md.  Usage: bench/policy.sh [--warmup S] [--duration S]
[--runs N]. Stdlib only; reuses bench.py's servers and wrk driver.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

P_REDIS = 18085
# redis-server's cores: by default the servers' core, like every other server here (the worst
# case: every Redis round trip competes with the gateway for one core); BENCH_REDIS_CPUS=0 puts
# it with the load generator instead, closer to a Redis on its own host
REDIS_CPUS = os.environ.get("BENCH_REDIS_CPUS", bench.SERVER_CPUS)

SCENARIOS = [  # name, connections, think time (ms)
    ("light", 4, 10),
    ("latency", 4, 0),
    ("throughput", 64, 0),
]

POLICY = """default:
  models: ["gpt-4o-mini*", "gpt-4o*"]
  rpm: 1000000000
  tpm: 1000000000000
  budget: { usd: 1000000000, per: day }
"""


def variants(tmp):
    policy = os.path.join(tmp, "policy.yaml")
    with open(policy, "w") as f:
        f.write(POLICY)
    memory = "policy: {path: %s}\n" % policy
    redis = memory + "limits: {store: redis, redis_url: 'redis://127.0.0.1:%d'}\n" % P_REDIS
    return [("plain", ""), ("memory", memory), ("redis", redis)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--warmup", type=int, default=90, help="seconds of load before measuring")
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--java-opts", default=os.environ.get("BENCH_JAVA_OPTS", ""))
    ap.add_argument("--variants", default="plain,memory,redis",
                    help="which of plain, memory, redis to run, comma-separated")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="lmgate-policy-bench-")
    bench.log("temp dir %s; load on cpu %s, servers on cpu %s"
              % (tmp, bench.LOAD_CPUS, bench.SERVER_CPUS))
    srv = bench.Servers(tmp, a.java_opts.split())
    redis = None
    rows = []
    try:
        srv.start_upstreams()
        redis = subprocess.Popen(
            ["taskset", "-c", REDIS_CPUS, shutil.which("redis-server") or "redis-server",
             "--port", str(P_REDIS), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=open(os.path.join(tmp, "redis.log"), "w"), stderr=subprocess.STDOUT)
        bench.wait_port(P_REDIS, 30)
        url = bench.TARGETS["lmgate"]["url"]
        for name, extra in variants(tmp):
            if name not in a.variants.split(","):
                continue
            srv.start_gateway(extra=extra)
            body = bench.post(url, bench.KEY, 120)
            if b'"prompt_tokens":31' not in body:
                raise SystemExit("unexpected answer from the %s gateway: %r" % (name, body[:200]))
            bench.log("%s: warming up %d s" % (name, a.warmup))
            bench.wrk(url, bench.KEY, 16, a.warmup)
            for run in range(1, a.runs + 1):
                for scen, conns, delay_ms in SCENARIOS:
                    r = bench.wrk(url, bench.KEY, conns, a.duration, delay_ms)
                    r.update(variant=name, scenario=scen, run=run)
                    rows.append(r)
                    bench.log("%-7s %-10s run %d: %8.0f req/s p50 %5.0f p99 %6.0f us, errors %d"
                              % (name, scen, run, r["rps"], r["p50"], r["p99"], r["errors"]))
            srv.stop_gateway()
            del srv.procs["lmgate"]
    finally:
        if redis:
            redis.terminate()
        srv.stop_all()
    md = report(rows, a)
    os.makedirs(os.path.join(bench.HERE, "results"), exist_ok=True)
    out = os.path.join(bench.HERE, "results", "policy-%s.md" % time.strftime("%Y%m%d-%H%M%S"))
    with open(out, "w") as f:
        f.write(md)
    print(md)
    bench.log("written %s" % out)


def describe(m):
    return "%s CPUs (%s), %s; %s" % (m["nproc"], m["cpu"], m["mem"], m["java"])


def report(rows, a):
    def best(variant, scen, key, pick):
        xs = [r[key] for r in rows if r["variant"] == variant and r["scenario"] == scen]
        return pick(xs) if xs else float("nan")

    lines = ["# Policies and the Redis limit store: what they add — %s" % time.strftime("%Y-%m-%d %H:%M"),
             "",
             "Machine: %s. Load on cpu %s, servers (nginx upstream, gateway) on cpu %s, redis on"
             " cpu %s. "
             "Each gateway warmed up %d s alone; %d runs of %d s; median of runs shown."
             % (describe(bench.machine()), bench.LOAD_CPUS, bench.SERVER_CPUS, REDIS_CPUS, a.warmup,
                a.runs, a.duration),
             "",
             "| variant | scenario | req/s | p50 µs | p99 µs | p50 vs plain | req/s vs plain | errors |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    conns = {name: c for name, c, _ in SCENARIOS}
    for scen in conns:
        base_p50 = best("plain", scen, "p50", bench.med)
        base_rps = best("plain", scen, "rps", bench.med)
        for variant in [v for v in ("plain", "memory", "redis") if v in a.variants.split(",")]:
            p50 = best(variant, scen, "p50", bench.med)
            rps = best(variant, scen, "rps", bench.med)
            lines.append("| %s | %s (c=%d) | %.0f | %.0f | %.0f | %+.0f µs | %+.1f %% | %d |" % (
                variant, scen, conns[scen], rps, p50,
                best(variant, scen, "p99", bench.med), p50 - base_p50,
                (rps / base_rps - 1) * 100, best(variant, scen, "errors", sum)))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
