#!/usr/bin/env python3
"""The engine benchmark (issue 14): the gateway's two engines beside nginx, on every target.

Two gateway JVMs run side by side on the same upstreams, one per `server.engine` (servlet:
Jetty's ProxyServlet; lean: LMGate's own handler and upstream engine), beside nginx proxy_pass
and the upstream itself ("direct"). Phases, in order:

  warmup-curve  each gateway's first 60 s under load (64 connections), in 5 s windows, from a
                fresh JVM: how soon it serves at steady speed (target: >= 80 % within 30 s);
  side-by-side  after --warmup s more of load, --runs interleaved rounds of: throughput (64
                connections; req/s and CPU us per request of the proxy), paced (~400 req/s:
                p50/p99, and what the proxy adds to direct), streams (32 SSE streams: TTFB
                and per-event delay against nginx, coalesced events);
  mixed         JSON, then streams, then JSON again: the second JSON figure against the first;
  slow-readers  --slow clients each ask for a 16 MB response and never read it, while wrk runs
                64 connections of JSON: the JSON p99 and the gateway's peak thread count;
  streams-rss   1,000 concurrent SSE streams: the gateway's peak RSS;
  stale         --stale-requests requests spread at random over --stale-minutes minutes to an
                upstream that closes idle connections after 1 s, and one after 5 s, through
                each engine at once: failures (target: none).

Prints a markdown table and writes it to bench/results/engine-<timestamp>.md (+ .json).
Usage: bench/engine.sh [--engines servlet,lean] [--phases ...] [--warmup S] [--runs N]
       [--duration S] [--slow N] [--stale-requests N] [--stale-minutes M]
Stdlib only; reuses bench.py's servers and drivers. Cores as bench.py: load on BENCH_LOAD_CPUS
(0), every server on BENCH_SERVER_CPUS (1).
"""
import argparse
import datetime
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

PORTS = {"servlet": 18086, "lean": 18087}
P_BIG, P_STALE1, P_STALE5 = 18091, 18092, 18093
BIG_BYTES = 16 * 1024 * 1024
PHASES = ["warmup-curve", "side-by-side", "mixed", "slow-readers", "streams-rss", "stale"]


def gateway_targets(engines):
    t = {"direct": bench.TARGETS["direct"], "nginx": bench.TARGETS["nginx"]}
    for e in engines:
        t[e] = {"url": "http://127.0.0.1:%d/openai/v1/chat/completions" % PORTS[e],
                "sse": "http://127.0.0.1:%d/ssebench/v1/chat/completions" % PORTS[e],
                "cpu": e, "key": bench.KEY}
    return t


ROUTES = """  big: {prefix: /big/, upstream: 'http://127.0.0.1:%d', format: openai}
  stale1: {prefix: /stale1/, upstream: 'http://127.0.0.1:%d', format: openai}
  stale5: {prefix: /stale5/, upstream: 'http://127.0.0.1:%d', format: openai}
""" % (P_BIG, P_STALE1, P_STALE5)


def start_extra_upstreams(srv):
    """nginx serving a 16 MB body (slow readers), and two upstreams that close idle
    keep-alive connections after 1 s and 5 s without announcing it (uvicorn's way)."""
    big = os.path.join(srv.tmp, "www", "big.bin")
    os.makedirs(os.path.dirname(big), exist_ok=True)
    with open(big, "wb") as f:
        f.write(b"x" * BIG_BYTES)
    conf = srv._nginx_conf("extra", """
  server {
    listen 127.0.0.1:%(big)d backlog=4096;
    location / { default_type application/octet-stream; root %(root)s; }
  }
  server {
    listen 127.0.0.1:%(s1)d backlog=4096;
    keepalive_timeout 1s;
    location / { default_type application/json; return 200 '%(body)s'; }
  }
  server {
    listen 127.0.0.1:%(s5)d backlog=4096;
    keepalive_timeout 5s;
    location / { default_type application/json; return 200 '%(body)s'; }
  }""" % {"big": P_BIG, "root": os.path.dirname(big), "s1": P_STALE1, "s5": P_STALE5, "body": bench.COMPLETION})
    srv._spawn("extra", ["nginx", "-c", conf, "-p", os.path.dirname(conf)])
    for port in (P_BIG, P_STALE1, P_STALE5):
        bench.wait_port(port, 60)


def threads_of(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return 0


def measure(srv, name, t, conns, seconds, delay_ms=0):
    pids = srv.pids(t["cpu"])
    c0 = bench.cpu_ticks(pids)
    r = bench.wrk(t["url"], t["key"], conns, seconds, delay_ms)
    c1 = bench.cpu_ticks(pids)
    r["cpu_us_per_req"] = (c1 - c0) * 1e6 / bench.CLK_TCK / max(1, r["requests"])
    return r


def warmup_curve(srv, engine, t, windows=12, window_s=5):
    """From a fresh JVM: req/s in consecutive windows under 64 connections."""
    curve = []
    for _ in range(windows):
        r = bench.wrk(t["url"], t["key"], 64, window_s)
        curve.append(round(r["rps"]))
    bench.log("%s warm-up curve (req/s per %d s): %s" % (engine, window_s, curve))
    return curve


def streams(t):
    return json.loads(bench.sse_clients(t["sse"], t["key"], 32, 40, 20,
                                        ramp_s=bench.STREAM_RAMP_S).communicate()[0])


def slow_readers(srv, engine, t, n, seconds):
    """n clients that each ask for 16 MB and read nothing, while wrk runs JSON at 64 conns."""
    port = PORTS[engine]
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(b"GET /big/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Authorization: Bearer " + bench.KEY.encode() + b"\r\n\r\n")
        socks.append(s)
    time.sleep(3)
    pid = srv.procs[engine].pid
    peak = [threads_of(pid)]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], threads_of(pid))
            time.sleep(0.2)
    th = threading.Thread(target=sample, daemon=True)
    th.start()
    r = bench.wrk(t["url"], t["key"], 64, seconds)
    stop.set()
    th.join()
    rss = bench.rss_kb(srv.pids(engine)) / 1024.0
    for s in socks:
        s.close()
    out = {"slow": n, "json_rps": r["rps"], "json_p50": r["p50"], "json_p99": r["p99"],
           "json_errors": r["errors"], "threads_peak": peak[0], "rss_mb": rss}
    bench.log("%s with %d slow readers: JSON %.0f req/s p99 %.0f us, errors %d, threads peak %d,"
              " RSS %.0f MB" % (engine, n, r["rps"], r["p99"], r["errors"], peak[0], rss))
    time.sleep(3)
    return out


def streams_rss(srv, engine, t, n=1000):
    pids = srv.pids(engine)
    p = bench.sse_clients(t["sse"], t["key"], n, 40, 500, ramp_s=2.0)
    peak = 0
    while p.poll() is None:
        peak = max(peak, bench.rss_kb(pids))
        time.sleep(0.5)
    s = json.loads(p.stdout.read())
    bench.log("%s with %d streams: ok %d, peak RSS %.0f MB" % (engine, n, s["ok"], peak / 1024.0))
    return {"streams": n, "ok": s["ok"], "rss_peak_mb": peak / 1024.0}


def stale(engines, requests, minutes):
    """Requests at random moments (mean gap = minutes*60/requests) through each engine to the
    1 s and 5 s upstreams, all four at once; a failure is anything but a 200 with the body."""
    results = {}
    mean_gap = minutes * 60.0 / requests

    def drive(engine, route):
        rnd = random.Random(hash((engine, route)))
        conn = None
        ok = fail = 0
        errors = []
        for _ in range(requests):
            time.sleep(rnd.expovariate(1.0 / mean_gap))
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", PORTS[engine], timeout=30)
                conn.request("POST", "/%s/v1/chat/completions" % route, body=b'{"model":"x"}',
                             headers={"Authorization": "Bearer " + bench.KEY,
                                      "Content-Type": "application/json"})
                resp = conn.getresponse()
                body = resp.read()
                if resp.status == 200 and b'"prompt_tokens":31' in body:
                    ok += 1
                else:
                    fail += 1
                    errors.append("%d %s" % (resp.status, body[:120]))
            except (OSError, http.client.HTTPException) as e:
                fail += 1  # the gateway closed the client's connection: also a failure
                errors.append(repr(e))
                conn = None
        results["%s %s" % (engine, route)] = {"ok": ok, "failed": fail, "errors": errors[:5]}

    threads = [threading.Thread(target=drive, args=(e, r)) for e in engines
               for r in ("stale1", "stale5")]
    bench.log("stale upstreams: %d requests per engine and upstream over %s min"
              % (requests, minutes))
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for k, v in results.items():
        bench.log("stale %s: ok %d failed %d %s" % (k, v["ok"], v["failed"], v["errors"][:2]))
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engines", default="servlet,lean")
    ap.add_argument("--phases", default=",".join(PHASES))
    ap.add_argument("--warmup", type=int, default=120)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--slow", type=int, default=2000)
    ap.add_argument("--stale-requests", type=int, default=1000)
    ap.add_argument("--stale-minutes", type=float, default=10)
    ap.add_argument("--java-opts", default=os.environ.get("BENCH_JAVA_OPTS", ""))
    a = ap.parse_args()
    engines = a.engines.split(",")
    phases = a.phases.split(",")
    targets = gateway_targets(engines)
    res = {"args": vars(a), "machine": bench.machine(), "curve": {}, "rows": [], "streams": [],
           "mixed": {}, "slow": {}, "streams_rss": {}, "stale": {},
           "started": datetime.datetime.now(datetime.timezone.utc).isoformat()}
    res["background_busy"] = bench.wait_quiet(300)
    tmp = tempfile.mkdtemp(prefix="lmgate-engine-bench-")
    srv = bench.Servers(tmp, a.java_opts.split())
    try:
        srv.start_upstreams()
        start_extra_upstreams(srv)
        proxy = srv._nginx_conf("proxy", """
  upstream static_up { server 127.0.0.1:%d; keepalive 128; }
  upstream sse_up { server 127.0.0.1:%d; keepalive 128; }
  server {
    listen 127.0.0.1:%d backlog=4096;
    location /openai/ { proxy_pass http://static_up/; proxy_http_version 1.1;
                        proxy_set_header Connection ""; }
    location /ssebench/ { proxy_pass http://sse_up/; proxy_http_version 1.1;
                          proxy_set_header Connection ""; proxy_buffering off; }
  }""" % (bench.P_UPSTREAM, bench.P_SSE, bench.P_NGINX))
        srv._spawn("proxy", ["nginx", "-c", proxy, "-p", os.path.dirname(proxy)])
        bench.wait_port(bench.P_NGINX, 60)
        for e in engines:  # one at a time: a JVM starting beside another's warm-up is slower
            srv.start_gateway(port=PORTS[e], name=e, server_extra=", engine: %s" % e,
                              routes_extra=ROUTES)
            body = bench.post(targets[e]["url"], bench.KEY, 120)
            if b'"prompt_tokens":31' not in body:
                raise SystemExit("unexpected answer from the %s gateway: %r" % (e, body[:200]))
            if "warmup-curve" in phases:
                res["curve"][e] = warmup_curve(srv, e, targets[e])
        for _ in range(3):  # streams first, as bench.py does (the JIT sees both body kinds)
            for e in engines:
                streams(targets[e])
        for e in engines:
            bench.log("%s: warming up %d s" % (e, a.warmup))
            bench.wrk(targets[e]["url"], bench.KEY, 16, a.warmup)
        bench.wrk(targets["nginx"]["url"], "", 16, 5)
        if "side-by-side" in phases:
            for run in range(1, a.runs + 1):
                for scen, conns, delay in (("throughput", 64, 0), ("paced", 4, 10)):
                    for name, t in targets.items():
                        r = measure(srv, name, t, conns, a.duration, delay)
                        r.update(run=run, scenario=scen, target=name)
                        res["rows"].append(r)
                        bench.log("run %d %-10s %-7s %8.0f req/s p50 %5.0f p99 %6.0f us, cpu %.1f"
                                  " us/req" % (run, scen, name, r["rps"], r["p50"], r["p99"],
                                               r["cpu_us_per_req"]))
                for name, t in targets.items():
                    if name == "direct":
                        continue
                    s = streams(t)
                    s.update(run=run, target=name)
                    res["streams"].append(s)
                    bench.log("run %d streams %-7s ok %d ttfb p50 %s us delay p99 %s us coalesced"
                              " %d" % (run, name, s["ok"], s["ttfb_p50_us"], s["delay_p99_us"],
                                       s["coalesced"]))
        if "mixed" in phases:
            for e in engines:
                first = measure(srv, e, targets[e], 64, a.duration)
                for _ in range(3):
                    streams(targets[e])
                second = measure(srv, e, targets[e], 64, a.duration)
                res["mixed"][e] = {"json_before": first["rps"], "json_after": second["rps"]}
                bench.log("mixed %s: JSON %.0f req/s, after streams %.0f req/s"
                          % (e, first["rps"], second["rps"]))
        if "slow-readers" in phases:
            for e in engines:
                res["slow"][e] = slow_readers(srv, e, targets[e], a.slow, a.duration)
        if "streams-rss" in phases:
            for e in engines:
                res["streams_rss"][e] = streams_rss(srv, e, targets[e])
        if "stale" in phases:
            res["stale"] = stale(engines, a.stale_requests, a.stale_minutes)
    finally:
        srv.stop_all()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    os.makedirs(os.path.join(bench.HERE, "results"), exist_ok=True)
    base = os.path.join(bench.HERE, "results", "engine-" + stamp)
    with open(base + ".json", "w") as f:
        json.dump(res, f, indent=1)
    md = report(res, engines)
    with open(base + ".md", "w") as f:
        f.write(md)
    print(md)
    bench.log("written %s.md and .json; logs in %s" % (base, tmp))


def report(res, engines):
    med = bench.med
    L = ["# Engine benchmark — %s" % res["started"][:19].replace("T", " "), "",
         "Machine: %s CPUs (%s), %s; %s. Load on cpu %s, servers on cpu %s. Other work on the"
         " machine before the run: %.0f %%. Args: %s." % (
             res["machine"]["nproc"], res["machine"]["cpu"], res["machine"]["mem"],
             res["machine"]["java"], bench.LOAD_CPUS, bench.SERVER_CPUS,
             100 * (res["background_busy"] or 0), json.dumps(res["args"])), ""]
    rows = res["rows"]

    def m(target, scen, key):
        return med([r[key] for r in rows if r["target"] == target and r["scenario"] == scen])
    if rows:
        nginx_rps = m("nginx", "throughput", "rps")
        nginx_cpu = m("nginx", "throughput", "cpu_us_per_req")
        L += ["| target | req/s (64 conns) | × nginx | CPU µs/req | × nginx CPU | paced p50 µs |"
              " paced p99 µs | p50 added to direct | p99 added to direct |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        d50, d99 = m("direct", "paced", "p50"), m("direct", "paced", "p99")
        for target in ["nginx"] + engines + ["direct"]:
            L.append("| %s | %.0f | %.2f | %.1f | %.2f | %.0f | %.0f | %+.0f | %+.0f |" % (
                target, m(target, "throughput", "rps"), m(target, "throughput", "rps") / nginx_rps,
                m(target, "throughput", "cpu_us_per_req"),
                m(target, "throughput", "cpu_us_per_req") / nginx_cpu,
                m(target, "paced", "p50"), m(target, "paced", "p99"),
                m(target, "paced", "p50") - d50, m(target, "paced", "p99") - d99))
        L.append("")
    if res["streams"]:
        L += ["| streams via | TTFB p50 µs | event delay p50 / p99 µs | coalesced | ok |",
              "|---|---:|---:|---:|---:|"]
        for target in ["nginx"] + engines:
            ss = [s for s in res["streams"] if s["target"] == target]
            L.append("| %s | %.0f | %.0f / %.0f | %d | %d/%d |" % (
                target, med([s["ttfb_p50_us"] for s in ss]), med([s["delay_p50_us"] for s in ss]),
                med([s["delay_p99_us"] for s in ss]), sum(s["coalesced"] for s in ss),
                sum(s["ok"] for s in ss), sum(s["streams"] for s in ss)))
        L.append("")
    for e, curve in res["curve"].items():
        steady = m(e, "throughput", "rps") if rows else max(curve)
        at30 = med(curve[5:6]) if len(curve) > 5 else float("nan")
        L.append("Warm-up %s (req/s per 5 s from start): %s; window ending at 30 s = %.0f %% of the"
                 " steady %.0f req/s." % (e, curve, 100 * at30 / steady, steady))
    for e, mx in res["mixed"].items():
        L.append("Mixed %s: JSON %.0f req/s, after streams %.0f req/s (%+.1f %%)." % (
            e, mx["json_before"], mx["json_after"], 100 * (mx["json_after"] / mx["json_before"] - 1)))
    for e, s in res["slow"].items():
        L.append("Slow readers %s: %d clients holding 16 MB responses unread; JSON beside them"
                 " %.0f req/s, p50 %.0f µs, p99 %.0f µs, errors %d; threads peak %d; RSS %.0f MB."
                 % (e, s["slow"], s["json_rps"], s["json_p50"], s["json_p99"], s["json_errors"],
                    s["threads_peak"], s["rss_mb"]))
    for e, s in res["streams_rss"].items():
        L.append("1,000 streams %s: ok %d, peak RSS %.0f MB." % (e, s["ok"], s["rss_peak_mb"]))
    for k, v in res["stale"].items():
        L.append("Stale upstream %s: ok %d, failed %d %s" % (k, v["ok"], v["failed"],
                                                             v["errors"][:2] or ""))
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    main()
