#!/usr/bin/env python3
"""LMGate loopback benchmark driver (called by bench/run.sh; stdlib only).

Starts a static nginx upstream, a paced SSE upstream (sse_upstream.py), the gateway and a
plain nginx reverse proxy, then measures each scenario against "direct" (the upstream
itself), "nginx" (proxy_pass), "jetty" (Jetty's ProxyServlet with nothing of LMGate:
JettyProxyFloor.java, request/response scenarios only) and "lmgate", each run twice, and
writes a markdown table to bench/results/<timestamp>.md (plus the raw figures as .json).

Cores (2-core box): wrk and the stream client on core 0; every server (upstreams, the proxy
under test) on core 1. Override with BENCH_LOAD_CPUS / BENCH_SERVER_CPUS.
"""
import argparse
import datetime
import glob
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
JAR = os.path.join(ROOT, "lmgate-standalone", "target", "lmgate.jar")
LOAD_CPUS = os.environ.get("BENCH_LOAD_CPUS", "0")
SERVER_CPUS = os.environ.get("BENCH_SERVER_CPUS", "1")
CLK_TCK = os.sysconf("SC_CLK_TCK")
KEY = "sk-bench-0123456789abcdefghijklmnopqrstuvwxyz"

P_UPSTREAM, P_SSE, P_GATEWAY, P_NGINX, P_JETTY = 18081, 18082, 18080, 18083, 18084
FLOOR = os.path.join(HERE, "JettyProxyFloor.java")
# JFR attributes samples to the right frame only with debug info at non-safepoints too
JFR_ACCURACY = ["-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints"]

# A realistic OpenAI chat completion (~900 bytes) with usage.
COMPLETION = (
    '{"id":"chatcmpl-AbC1dEfGhIjKlMnOpQrStUvWxYz01","object":"chat.completion",'
    '"created":1764300000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,'
    '"message":{"role":"assistant","content":"Packets cross the wire, '
    'a gateway counts every token, microseconds pass. The request was metered and '
    'forwarded without delay; the caller never noticed the gateway in the path, which '
    'is exactly how it should be for a transparent proxy in front of an LLM API.",'
    '"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],'
    '"usage":{"prompt_tokens":31,"completion_tokens":58,"total_tokens":89,'
    '"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},'
    '"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,'
    '"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},'
    '"service_tier":"default","system_fingerprint":"fp_0ba0d124f1"}')


def log(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


# ---------------------------------------------------------------- process figures

def cpu_ticks(pids):
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except FileNotFoundError:
            pass
    return total


def rss_kb(pids):
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def busy_fraction(seconds=2.0):
    """System-wide CPU busy fraction over a short window (other work skews every figure)."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]  # total, idle + iowait
    t0, i0 = snap()
    time.sleep(seconds)
    t1, i1 = snap()
    return 1.0 - (i1 - i0) / max(1, t1 - t0)


def system_busy_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v) - v[3] - v[4]


def child_ticks():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r.ru_utime + r.ru_stime) * CLK_TCK


class Foreign:
    """CPU used during a measurement by processes that are not part of the benchmark."""

    def __init__(self, srv):
        self.srv = srv
        self.t, self.busy, self.ours = time.time(), system_busy_ticks(), self._ours()

    def _ours(self):
        return cpu_ticks(self.srv.all_pids()) + child_ticks()

    def percent(self):
        dt = time.time() - self.t
        other = (system_busy_ticks() - self.busy) - (self._ours() - self.ours)
        return max(0.0, 100.0 * other / (dt * CLK_TCK * (os.cpu_count() or 1)))


def wait_quiet(max_wait):
    busy = busy_fraction()
    end = time.time() + max_wait
    while busy > 0.10 and time.time() < end:
        log("machine %.0f%% busy before the run; waiting for it to quiet down (up to %ds more)"
            % (100 * busy, end - time.time()))
        time.sleep(10)
        busy = busy_fraction()
    if busy > 0.10:
        log("WARNING: machine still %.0f%% busy; figures will be skewed" % (100 * busy))
    return busy


def children(pid):
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]
    except OSError:
        return []


def heap_after_gc_kb(pid):
    subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, timeout=60)
    out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True,
                         timeout=60).stdout
    used = 0
    for line in out.splitlines():
        if "Metaspace" in line or "class space" in line:
            continue
        m = re.search(r"total \d+K, used (\d+)K", line)
        if m:
            used += int(m.group(1))
    return used


# ---------------------------------------------------------------- servers

class Servers:
    def __init__(self, tmp, gateway_java_opts):
        self.tmp = tmp
        self.procs = {}
        self.java_opts = gateway_java_opts
        self.stats_path = os.path.join(tmp, "stats.jsonl")
        self.max_file_bytes = 107374182400  # no rotation during a benchmark

    def _spawn(self, name, cmd):
        out = open(os.path.join(self.tmp, name + ".log"), "w")
        p = subprocess.Popen(["taskset", "-c", SERVER_CPUS] + cmd, stdout=out,
                             stderr=subprocess.STDOUT, cwd=self.tmp, start_new_session=True)
        self.procs[name] = p
        return p

    def _nginx_conf(self, name, servers):
        base = os.path.join(self.tmp, name)
        os.makedirs(base, exist_ok=True)
        conf = os.path.join(base, "nginx.conf")
        with open(conf, "w") as f:
            f.write("""
worker_processes 1;
daemon off;
master_process on;
pid %(base)s/nginx.pid;
error_log %(base)s/error.log warn;
worker_rlimit_nofile 65536;
events { worker_connections 8192; multi_accept on; }
http {
  access_log off;
  client_body_temp_path %(base)s/body;
  proxy_temp_path %(base)s/proxy;
  fastcgi_temp_path %(base)s/fastcgi;
  uwsgi_temp_path %(base)s/uwsgi;
  scgi_temp_path %(base)s/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  server_tokens off;
%(servers)s
}
""" % {"base": base, "servers": servers})
        return conf

    def start(self):
        self.start_upstreams()
        proxy = self._nginx_conf("proxy", """
  upstream static_up { server 127.0.0.1:%d; keepalive 128; }
  upstream sse_up { server 127.0.0.1:%d; keepalive 128; }
  server {
    listen 127.0.0.1:%d backlog=4096;
    location /openai/ {
      proxy_pass http://static_up/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
    location /ssebench/ {
      proxy_pass http://sse_up/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 300s;
    }
  }""" % (P_UPSTREAM, P_SSE, P_NGINX))
        self._spawn("proxy", ["nginx", "-c", proxy, "-p", os.path.dirname(proxy)])
        self.start_gateway()
        self.start_floor()
        wait_port(P_NGINX, 60)
        # one request through each path, so a misconfiguration fails here and not in wrk (a
        # cold JVM on a busy core can take many seconds over its first request)
        for url, key in (("http://127.0.0.1:%d/v1/chat/completions" % P_UPSTREAM, None),
                         ("http://127.0.0.1:%d/openai/v1/chat/completions" % P_NGINX, None),
                         ("http://127.0.0.1:%d/openai/v1/chat/completions" % P_JETTY, None),
                         ("http://127.0.0.1:%d/openai/v1/chat/completions" % P_GATEWAY, KEY)):
            body = post(url, key, 120)
            if json.loads(body).get("usage", {}).get("prompt_tokens") != 31:
                raise SystemExit("unexpected answer from %s: %r" % (url, body[:200]))

    def start_upstreams(self, p_static=P_UPSTREAM, p_sse=P_SSE):
        """The static nginx upstream (COMPLETION for any request) and the paced SSE upstream."""
        up = self._nginx_conf("upstream", """
  server {
    listen 127.0.0.1:%d backlog=4096;
    location / {
      default_type application/json;
      add_header x-request-id req_bench_static;
      return 200 '%s';
    }
  }""" % (p_static, COMPLETION))
        self._spawn("upstream", ["nginx", "-c", up, "-p", os.path.dirname(up)])
        self._spawn("sse", [sys.executable, os.path.join(HERE, "sse_upstream.py"), str(p_sse)])
        for port in (p_static, p_sse):
            wait_port(port, 60)

    def start_gateway(self, port=P_GATEWAY, p_static=P_UPSTREAM, p_sse=P_SSE, level="WARN",
                      extra="", name="lmgate", server_extra="", routes_extra=""):
        """The gateway jar: route openai to the static upstream, ssebench to the SSE one;
        `extra` is appended to its YAML configuration (bench/policy.py: policies, limits),
        `server_extra` to its server section and `routes_extra` (YAML lines, indented two
        spaces) to its providers (bench/engine.py: the engine, more upstreams); several gateways
        run side by side under different names and ports."""
        allow = os.path.join(self.tmp, "allowlist.csv")
        with open(allow, "w") as f:
            f.write("id,api_key,owner,added\nbench,%s,bench@example.com,2026-01-01\n" % KEY)
        cfg = os.path.join(self.tmp, name + ".yaml")
        stats = self.stats_path if name == "lmgate" else os.path.join(self.tmp, name + ".jsonl")
        with open(cfg, "w") as f:
            f.write("""server: {host: 127.0.0.1, port: %d, shutdown_grace_seconds: 30%s}
auth: {allowlist_path: %s}
stats: {output_path: %s, flush_interval_seconds: 1, max_file_bytes: %d}
upstream: {idle_timeout_seconds: 300}
logging: {level: %s}
providers:
  openai: {prefix: /openai/, upstream: 'http://127.0.0.1:%d', format: openai}
  ssebench: {prefix: /ssebench/, upstream: 'http://127.0.0.1:%d', format: openai}
""" % (port, server_extra, allow, stats, self.max_file_bytes, level, p_static, p_sse)
                    + routes_extra + extra)
        self._spawn(name, ["java"] + self.java_opts + JFR_ACCURACY + ["-jar", JAR, "--config", cfg])
        wait_port(port, 60)

    def start_floor(self, port=P_JETTY, p_static=P_UPSTREAM):
        """Jetty's ProxyServlet alone (JettyProxyFloor.java), in front of the static upstream."""
        self._spawn("jetty", ["java"] + self.java_opts + JFR_ACCURACY +
                    ["-cp", JAR, FLOOR, str(port), "http://127.0.0.1:%d" % p_static, "/openai"])
        wait_port(port, 60)

    def pids(self, name):
        p = self.procs[name]
        if name in ("upstream", "proxy"):
            return [p.pid] + children(p.pid)   # nginx master + worker
        return [p.pid]

    def all_pids(self):
        out = []
        for name, p in self.procs.items():
            out += self.pids(name) if name in ("upstream", "proxy") else [p.pid]
        return out

    def java_pid(self):
        return self.procs["lmgate"].pid

    def stats_lines(self):
        try:
            n = 0
            for path in glob.glob(self.stats_path + "*"):  # rotated files too
                with open(path, "rb") as f:
                    n += f.read().count(b"\n")
            return n
        except FileNotFoundError:
            return 0

    def stats_tail(self, from_line):
        with open(self.stats_path, "rb") as f:
            lines = f.read().splitlines()
        return [json.loads(l) for l in lines[from_line:]]

    def stop_gateway(self):
        p = self.procs["lmgate"]
        p.send_signal(signal.SIGTERM)
        p.wait(60)

    def stop_all(self):
        for name, p in self.procs.items():
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for p in self.procs.values():
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


def wait_port(port, timeout):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("nothing listens on port %d after %ds (see the logs in the temp dir)"
                     % (port, timeout))


def post(url, key, timeout=10):
    req = urllib.request.Request(url, data=b'{"model":"gpt-4o-mini","messages":[]}',
                                 headers={"Content-Type": "application/json"})
    if key:
        req.add_header("Authorization", "Bearer " + key)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read()


# ---------------------------------------------------------------- load

TARGETS = {
    "direct": {"url": "http://127.0.0.1:%d/v1/chat/completions" % P_UPSTREAM,
               "sse": "http://127.0.0.1:%d/v1/chat/completions" % P_SSE,
               "cpu": "upstream", "key": ""},
    "nginx": {"url": "http://127.0.0.1:%d/openai/v1/chat/completions" % P_NGINX,
              "sse": "http://127.0.0.1:%d/ssebench/v1/chat/completions" % P_NGINX,
              "cpu": "proxy", "key": ""},
    # Jetty's ProxyServlet alone (bench/JettyProxyFloor.java): what LMGate is built on
    "jetty": {"url": "http://127.0.0.1:%d/openai/v1/chat/completions" % P_JETTY,
              "sse": None, "cpu": "jetty", "key": ""},
    "lmgate": {"url": "http://127.0.0.1:%d/openai/v1/chat/completions" % P_GATEWAY,
               "sse": "http://127.0.0.1:%d/ssebench/v1/chat/completions" % P_GATEWAY,
               "cpu": "lmgate", "key": KEY},
}


def wrk(url, key, conns, seconds, delay_ms=0):
    env = dict(os.environ, BENCH_KEY=key, BENCH_DELAY_MS=str(delay_ms))
    cmd = ["taskset", "-c", LOAD_CPUS, "wrk", "-t1", "-c%d" % conns, "-d%ds" % seconds,
           "--timeout", "5s", "--latency", "-s", os.path.join(HERE, "wrk.lua"), url]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env).stdout
    m = re.search(r"^BENCH (.*)$", out, re.M)
    if not m:
        raise SystemExit("wrk gave no summary:\n" + out)
    d = {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    d["rps"] = d["requests"] / (d["duration_us"] / 1e6)
    d["errors"] = int(d["connect"] + d["read"] + d["write"] + d["status"] + d["timeout"])
    return d


def sse_clients(url, key, streams, events, interval_ms, ramp_s=0.0):
    cmd = ["taskset", "-c", LOAD_CPUS, sys.executable, os.path.join(HERE, "sse_client.py"),
           url, str(streams), str(events), str(interval_ms), key or "-", str(ramp_s)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)


# The 32 streams start 10 ms apart (all 32 still overlap: each lasts 800 ms), so TTFB measures
# the path, not 32 requests queued at once behind a single-threaded upstream on one core.
STREAM_RAMP_S = 0.32

SCENARIOS = [  # name, connections, think time (ms)
    ("throughput", 64, 0),
    ("latency", 4, 0),
    ("paced", 4, 10),   # 4 connections x 1 request per ~10 ms ~= 400 req/s
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=120,
                    help="warm-up of each JVM (gateway, Jetty floor) in seconds at 16 connections; "
                         "nginx/direct get 5 s. On one core the JIT needs 60-120 s of load: at "
                         "30 s the gateway ran at half its speed")
    ap.add_argument("--wait-quiet", type=int, default=300,
                    help="wait up to this many seconds for other work on the machine to end")
    ap.add_argument("--slow-streams", type=int, default=1000)
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--java-opts", default=os.environ.get("BENCH_JAVA_OPTS", ""))
    ap.add_argument("--report", metavar="JSON", help="only re-render a saved results .json")
    a = ap.parse_args()
    if a.report:
        with open(a.report) as f:
            res = json.load(f)
        for k, v in res.get("args", {}).items():
            setattr(a, k, v)
        print(report(res, a))
        return

    background = wait_quiet(a.wait_quiet)
    tmp = tempfile.mkdtemp(prefix="lmgate-bench-")
    log("temp dir %s; load on cpu %s, servers on cpu %s" % (tmp, LOAD_CPUS, SERVER_CPUS))
    srv = Servers(tmp, a.java_opts.split())
    results = {"rows": [], "streams": [], "slow": {}, "records": {}, "profile": None,
               "machine": machine(), "java_opts": a.java_opts, "background_busy": background,
               "stream_ramp_s": STREAM_RAMP_S,
               "started": datetime.datetime.now(datetime.timezone.utc).isoformat()}
    expected_records = 0
    try:
        srv.start()
        log("servers up; warming up (each JVM %ds, others 5 s)" % a.warmup)
        # streams first: the JIT then compiles the metering code for both body kinds at once
        # (streams after a JSON-only warm-up deoptimized it, and the first run paid the
        # recompilation: half the speed of the second)
        for name, t in TARGETS.items():
            if t["sse"]:
                for _ in range(3):
                    sse_clients(t["sse"], t["key"], 32, 10, 5).communicate()
        for name, t in TARGETS.items():
            java = name in ("lmgate", "jetty")
            wrk(t["url"], t["key"], 16, a.warmup if java else min(5, a.warmup))
        subprocess.run(["sleep", "2"])
        warm_lines = srv.stats_lines()

        for run in range(1, a.runs + 1):
            for scen, conns, delay in SCENARIOS:
                for name, t in TARGETS.items():
                    pids = srv.pids(t["cpu"])
                    lines0 = srv.stats_lines() if name == "lmgate" else 0
                    c0 = cpu_ticks(pids)
                    fg = Foreign(srv)
                    r = wrk(t["url"], t["key"], conns, a.duration, delay)
                    c1 = cpu_ticks(pids)
                    r["foreign_pct"] = fg.percent()
                    r.update(run=run, scenario=scen, target=name, conns=conns,
                             cpu_us_per_req=(c1 - c0) * 1e6 / CLK_TCK / max(1, r["requests"]),
                             rss_mb=rss_kb(pids) / 1024.0)
                    if name == "lmgate":
                        time.sleep(2.5)  # flush interval 1 s
                        recs = srv.stats_tail(lines0)
                        r["records"] = len(recs)
                        r["records_exact"] = sum(
                            1 for x in recs if x.get("input_tokens") == 31
                            and x.get("output_tokens") == 58 and x.get("status") == 200
                            and x.get("error_type") is None)
                        expected_records += r["requests"]
                    results["rows"].append(r)
                    log("run %d %-10s %-6s %8.0f req/s p50 %5.0f p99 %6.0f p99.9 %6.0f us, "
                        "cpu %.1f us/req, other work %.0f%%%s" % (
                            run, scen, name, r["rps"], r["p50"], r["p99"], r["p999"],
                            r["cpu_us_per_req"], r["foreign_pct"],
                                               ", records %d" % r["records"]
                                               if "records" in r else ""))
            for name, t in TARGETS.items():
                if not t["sse"]:
                    continue
                lines0 = srv.stats_lines()
                pids = srv.pids(t["cpu"])
                c0 = cpu_ticks(pids)
                fg = Foreign(srv)
                s = json.loads(sse_clients(t["sse"], t["key"], 32, 40, 20,
                                            ramp_s=STREAM_RAMP_S).communicate()[0])
                c1 = cpu_ticks(pids)
                s.update(run=run, target=name, cpu_ms=(c1 - c0) * 1e3 / CLK_TCK,
                         foreign_pct=fg.percent())
                if name == "lmgate":
                    time.sleep(2.5)
                    recs = srv.stats_tail(lines0)
                    s["records"] = len(recs)
                    s["records_exact"] = sum(
                        1 for x in recs if x.get("stream") is True and x.get("input_tokens") == 57
                        and x.get("output_tokens") == 39 and x.get("status") == 200
                        and x.get("error_type") is None)
                    expected_records += s["streams"]
                results["streams"].append(s)
                log("run %d streams %-6s ok %d/%d ttfb p50 %s us, delay p50/p99 %s/%s us, "
                    "coalesced %d" % (run, name, s["ok"], s["streams"], s["ttfb_p50_us"],
                                      s["delay_p50_us"], s["delay_p99_us"], s["coalesced"]))

        if a.slow_streams:
            for name in ("nginx", "lmgate"):
                results["slow"][name] = slow_streams(srv, name, a.slow_streams)
                if name == "lmgate":
                    expected_records += a.slow_streams

        if not a.no_profile:
            results["profile"] = profile(srv, tmp, a.duration)
            expected_records += (results["profile"]["requests"]
                                 + results["profile"]["settle_requests"])

        total_before_stop = srv.stats_lines()
        srv.stop_gateway()
        total = srv.stats_lines()
        results["records"] = {"warmup": warm_lines, "measured_expected_min": int(expected_records),
                              "after_sigterm": total, "before_sigterm": total_before_stop}
    finally:
        srv.stop_all()

    stamp = time.strftime("%Y%m%d-%H%M%S")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    base = os.path.join(HERE, "results", stamp)
    results["args"] = vars(a)
    with open(base + ".json", "w") as f:
        json.dump(results, f, indent=1)
    md = report(results, a)
    with open(base + ".md", "w") as f:
        f.write(md)
    print(md)
    log("written %s.md and .json; logs in %s" % (base, tmp))


def slow_streams(srv, name, n):
    t = TARGETS[name]
    pids = srv.pids(t["cpu"])
    is_java = name == "lmgate"
    log("%d slow streams through %s (40 events, 500 ms apart, ~20 s)" % (n, name))
    lines0 = srv.stats_lines()
    heap = [heap_after_gc_kb(srv.java_pid())] if is_java else []
    rss0 = rss_kb(pids)
    p = sse_clients(t["sse"], t["key"], n, 40, 500, ramp_s=2.0)
    peak, samples, t0 = 0, [], time.time()
    mid_done = False
    while p.poll() is None:
        r = rss_kb(pids)
        peak = max(peak, r)
        samples.append(r)
        if is_java and not mid_done and time.time() - t0 > 10:
            heap.append(heap_after_gc_kb(srv.java_pid()))
            mid_done = True
        time.sleep(0.5)
    s = json.loads(p.stdout.read())
    s.update(rss_before_mb=rss0 / 1024.0, rss_peak_mb=peak / 1024.0,
             rss_after_mb=rss_kb(pids) / 1024.0)
    if is_java:
        time.sleep(2.5)
        heap.append(heap_after_gc_kb(srv.java_pid()))
        s["heap_after_gc_mb"] = [h / 1024.0 for h in heap]
        recs = srv.stats_tail(lines0)
        s["records"] = len(recs)
        s["records_exact"] = sum(1 for x in recs if x.get("input_tokens") == 57
                                 and x.get("output_tokens") == 39 and x.get("error_type") is None)
    log("slow %s: ok %d/%d, peak RSS %.0f MB%s" % (
        name, s["ok"], n, s["rss_peak_mb"],
        ", heap after GC %s MB, records exact %d" % (
            ["%.1f" % h for h in s["heap_after_gc_mb"]], s["records_exact"]) if is_java else ""))
    return s


def profile(srv, tmp, seconds):
    """One extra (unreported) throughput run of the gateway under JFR; top frames."""
    pid = srv.java_pid()
    jfr_file = os.path.join(tmp, "lmgate.jfr")
    log("profiling the gateway with JFR during one more throughput run (30 s settling first)")
    subprocess.run(["jcmd", str(pid), "JFR.start", "name=bench", "settings=profile",
                    "filename=" + jfr_file], capture_output=True)
    # Starting JFR recompiles hot code: the first ~15 s run at a fraction of the speed. Samples
    # are taken from the run after 30 s of settling only.
    settle = wrk(TARGETS["lmgate"]["url"], KEY, 64, 30)
    since = datetime.datetime.now().strftime("%H:%M:%S.%f")[:12]
    r = wrk(TARGETS["lmgate"]["url"], KEY, 64, seconds)
    subprocess.run(["jcmd", str(pid), "JFR.stop", "name=bench"], capture_output=True)
    out = subprocess.run(["jfr", "print", "--stack-depth", "64", "--events",
                          "jdk.ExecutionSample", jfr_file], capture_output=True, text=True).stdout
    self_count, incl_count, layers, samples = {}, {}, {}, 0
    for block in out.split("jdk.ExecutionSample")[1:]:
        frames = re.findall(r"^\s+([\w$.<>/]+)\(.*?\)\s+line:", block, re.M)
        started = re.search(r"startTime = (\d\d:\d\d:\d\d\.\d+)", block)
        if not frames or (started and started.group(1) < since):
            continue
        samples += 1
        self_count[frames[0]] = self_count.get(frames[0], 0) + 1
        for fr in set(frames):
            incl_count[fr] = incl_count.get(fr, 0) + 1
        layer = layer_of(frames)
        layers[layer] = layers.get(layer, 0) + 1
    top = lambda d, n: [(k, round(100.0 * v / max(1, samples), 1))
                        for k, v in sorted(d.items(), key=lambda kv: -kv[1])[:n]]
    own = {k: v for k, v in incl_count.items() if k.startswith("ai.numio.")}
    return {"requests": r["requests"], "settle_requests": settle["requests"], "rps": r["rps"],
            "samples": samples,
            "file": jfr_file, "self": top(self_count, 15), "lmgate_inclusive": top(own, 15),
            "layers": top(layers, 20)}


def layer_of(frames):
    """The layer a CPU sample belongs to: the package of the innermost LMGate or Jetty frame of
    its stack (library and JDK frames count for the code that called them)."""
    for fr in frames:
        if fr.startswith("ai.numio.lmgate."):
            part = fr.split(".")[3]
            return {"meter": "LMGate: metering", "stats": "LMGate: usage records (writer thread)",
                    "auth": "LMGate: keys and allow-list", "route": "LMGate: routing"}.get(
                        part, "LMGate: the proxy servlet and exchange")
        if fr.startswith("org.eclipse.jetty."):
            part = fr.split(".")[3]
            if part == "ee10":
                return {"proxy": "Jetty: ProxyServlet", "servlet": "Jetty: servlet layer"}.get(
                    fr.split(".")[4], "Jetty: other")
            return {"client": "Jetty: HttpClient (upstream connections, requests, responses)",
                    "server": "Jetty: server (connections, request/response state)",
                    "http": "Jetty: HTTP/1.1 parsing and generation (both sides)",
                    "io": "Jetty: socket I/O, selectors, buffers (both sides)",
                    "util": "Jetty: utilities (thread pool, callbacks, locks, pools)"}.get(
                        part, "Jetty: other")
    return "JDK and other (outside any LMGate or Jetty frame)"


# ---------------------------------------------------------------- report

def machine():
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""
    return {"nproc": sh("nproc"), "cpu": sh("lscpu | grep -E '^Model name' | sed 's/.*: *//'"),
            "hypervisor": sh("lscpu | grep -E '^Hypervisor' | sed 's/.*: *//'"),
            "kernel": sh("uname -r"), "mem": sh("free -m | awk '/Mem:/{print $2\" MB\"}'"),
            "java": sh("java -version 2>&1 | head -1"), "nginx": sh("nginx -v 2>&1"),
            "wrk": sh("wrk -v 2>&1 | head -1")}


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def report(res, a):
    rows = res["rows"]
    L = []
    m = res["machine"]
    L.append("# LMGate loopback benchmark — %s\n" % res["started"][:19].replace("T", " "))
    L.append("Machine: %s CPUs (%s, %s), %s, kernel %s; %s; %s; %s. Load (wrk, stream client) "
             "on CPU %s, every server (upstreams, proxy under test) on CPU %s. %d runs of %d s "
             "per scenario after a warm-up (each JVM %d s at 16 connections, others 5 s). Gateway JVM "
             "options: `%s`. Other work on the machine at start: %.0f%% CPU busy.\n" % (
                 m["nproc"], m["cpu"], m["hypervisor"] or "bare metal", m["mem"], m["kernel"],
                 m["java"], m["nginx"], m["wrk"], LOAD_CPUS, SERVER_CPUS, a.runs, a.duration,
                 a.warmup, res["java_opts"] or "(none: java -jar)",
                 100 * res["background_busy"]))

    L.append("## Request/response (~900-byte chat completion)\n")
    L.append("| scenario | target | run | req/s | p50 µs | p99 µs | p99.9 µs | added p50 / p99 µs "
             "vs direct | CPU µs/req | RSS MB | errors | usage records | other work % |")
    L.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for scen, _, _ in SCENARIOS:
        for run in range(1, a.runs + 1):
            d = next(r for r in rows if r["scenario"] == scen and r["run"] == run
                     and r["target"] == "direct")
            for name in TARGETS:
                r = next(x for x in rows if x["scenario"] == scen and x["run"] == run
                         and x["target"] == name)
                added = "—" if name == "direct" else "%+.0f / %+.0f" % (
                    r["p50"] - d["p50"], r["p99"] - d["p99"])
                recs = "%d, %d exact (%d completed)" % (
                    r["records"], r["records_exact"], r["requests"]) \
                    if "records" in r else ""
                L.append("| %s (c=%d) | %s | %d | %.0f | %.0f | %.0f | %.0f | %s | %.1f | %.0f | %d "
                         "| %s | %.0f |" % (scen, r["conns"], name, run, r["rps"], r["p50"],
                                            r["p99"], r["p999"], added, r["cpu_us_per_req"],
                                            r["rss_mb"], r["errors"], recs, r["foreign_pct"]))
    L.append("\nCPU µs/req is the process under test (for *direct*: the upstream nginx; for "
             "*nginx*: master + worker; for *jetty* and *lmgate*: the JVM), from /proc utime+stime "
             "(%d Hz ticks) over the run ÷ completed requests. Added latency is the target's "
             "percentile minus direct's in the same run. Usage records: lines the gateway "
             "appended during the scenario (≥ completed: wrk does not count requests still in "
             "flight when it stops). Other work %%: CPU used meanwhile by processes outside the "
             "benchmark, as %% of the whole machine (anything above a few %% skews that row).\n"
             % CLK_TCK)

    L.append("## Streaming (32 concurrent streams × 40 events, 20 ms apart, started %d ms apart)\n"
             % round(1000 * res.get("stream_ramp_s", 0) / 32))
    L.append("| target | run | ok | TTFB p50 / p99 µs | event delay p50 / p99 / max µs | "
             "gaps p1–p99 ms | coalesced events | CPU ms | usage records exact | other work % |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in res["streams"]:
        L.append("| %s | %d | %d/%d | %s / %s | %s / %s / %s | %s–%s | %d / %d | %.0f | %s | %.0f |" % (
            s["target"], s["run"], s["ok"], s["streams"], s["ttfb_p50_us"], s["ttfb_p99_us"],
            s["delay_p50_us"], s["delay_p99_us"], s["delay_max_us"], s["gap_p1_ms"],
            s["gap_p99_ms"], s["coalesced"], s["events_total"], s["cpu_ms"],
            "%d/%d" % (s["records_exact"], s["records"]) if "records" in s else "",
            s["foreign_pct"]))
    L.append("\nTTFB: request written → first event fully received. Event delay: receive time "
             "− the upstream's write time carried in each event (same monotonic clock). "
             "Coalesced: events that arrived in the same read as the previous event.\n")

    if res["slow"]:
        L.append("## %d concurrent slow streams (40 events, 500 ms apart, ramp 2 s)\n"
                 % a.slow_streams)
        L.append("| target | ok | RSS before / peak / after MB | heap after GC MB (start, mid, "
                 "end) | usage records exact |")
        L.append("|---|---:|---:|---:|---:|")
        for name, s in res["slow"].items():
            L.append("| %s | %d/%d | %.0f / %.0f / %.0f | %s | %s |" % (
                name, s["ok"], s["streams"], s["rss_before_mb"], s["rss_peak_mb"],
                s["rss_after_mb"],
                ", ".join("%.1f" % h for h in s.get("heap_after_gc_mb", [])) or "—",
                "%d/%d" % (s["records_exact"], s["records"]) if "records" in s else "—"))
        L.append("")

    L.append("## Against the targets (medians of the runs; ratios against nginx in this run)\n")

    def mv(scen, name, key):
        return med([r[key] for r in rows if r["scenario"] == scen and r["target"] == name])

    def added(scen, key):
        vals = []
        for run in range(1, a.runs + 1):
            g = next(r for r in rows if r["scenario"] == scen and r["run"] == run
                     and r["target"] == "lmgate")
            d = next(r for r in rows if r["scenario"] == scen and r["run"] == run
                     and r["target"] == "direct")
            vals.append(g[key] - d[key])
        return med(vals)

    def sm(name, key):
        return med([s[key] for s in res["streams"] if s["target"] == name])

    tput = mv("throughput", "lmgate", "rps") / mv("throughput", "nginx", "rps")
    cpu = mv("throughput", "lmgate", "cpu_us_per_req") / mv("throughput", "nginx", "cpu_us_per_req")
    a50, a99 = added("paced", "p50"), added("paced", "p99")
    ttfb = sm("lmgate", "ttfb_p50_us") - sm("nginx", "ttfb_p50_us")
    coal = sum(s["coalesced"] for s in res["streams"] if s["target"] == "lmgate")
    ok = lambda b: "met" if b else "**missed**"
    L.append("| target | goal | measured | |")
    L.append("|---|---|---|---|")
    L.append("| throughput, 64 connections | ≥ 0.8 × nginx | %.2f × (%.0f vs %.0f req/s) | %s |" % (
        tput, mv("throughput", "lmgate", "rps"), mv("throughput", "nginx", "rps"), ok(tput >= 0.8)))
    L.append("| CPU per request | ≤ 1.5 × nginx | %.2f × (%.1f vs %.1f µs) | %s |" % (
        cpu, mv("throughput", "lmgate", "cpu_us_per_req"),
        mv("throughput", "nginx", "cpu_us_per_req"), ok(cpu <= 1.5)))
    if any(r["target"] == "jetty" for r in rows):
        L.append("| *floor: Jetty's ProxyServlet alone, 64 connections* | — | %.2f × nginx "
                 "(%.0f req/s), %.1f µs CPU/req = %.2f × nginx; LMGate adds %+.1f µs/req | — |" % (
                     mv("throughput", "jetty", "rps") / mv("throughput", "nginx", "rps"),
                     mv("throughput", "jetty", "rps"), mv("throughput", "jetty", "cpu_us_per_req"),
                     mv("throughput", "jetty", "cpu_us_per_req")
                     / mv("throughput", "nginx", "cpu_us_per_req"),
                     mv("throughput", "lmgate", "cpu_us_per_req")
                     - mv("throughput", "jetty", "cpu_us_per_req")))
    L.append("| added latency, paced ~400 req/s, p50 | ≤ 150 µs | %+.0f µs (nginx %+.0f) | %s |" % (
        a50, med([r["p50"] for r in rows if r["scenario"] == "paced" and r["target"] == "nginx"])
        - mv("paced", "direct", "p50"), ok(a50 <= 150)))
    L.append("| added latency, paced ~400 req/s, p99 | ≤ 1 ms | %+.0f µs (nginx %+.0f) | %s |" % (
        a99, mv("paced", "nginx", "p99") - mv("paced", "direct", "p99"), ok(a99 <= 1000)))
    L.append("| streaming TTFB p50 | within 1 ms of nginx | %+.0f µs (%.0f vs %.0f) | %s |" % (
        ttfb, sm("lmgate", "ttfb_p50_us"), sm("nginx", "ttfb_p50_us"), ok(ttfb <= 1000)))
    L.append("| streaming events not coalesced | 0 | %d | %s |" % (coal, ok(coal == 0)))
    if "lmgate" in res["slow"]:
        s = res["slow"]["lmgate"]
        good = s["ok"] == s["streams"] and s["records_exact"] == s["streams"]
        L.append("| %d slow streams complete, exact records | all | %d ok, %d exact records | %s |"
                 % (s["streams"], s["ok"], s["records_exact"], ok(good)))
        L.append("| slow streams RSS | ≤ 300 MB | peak %.0f MB | %s |" % (
            s["rss_peak_mb"], ok(s["rss_peak_mb"] <= 300)))
        h = s["heap_after_gc_mb"]
        L.append("| heap after GC flat (end vs start; mid = live in-flight state) | no growth "
                 "| %s MB | %s |" % (" → ".join("%.1f" % x for x in h), ok(h[-1] - h[0] < 10)))
    rc = res["records"]
    L.append("\nUsage records: %d lines after SIGTERM (%d before it); measured and profiled "
             "requests completed by the clients: %d, warm-up lines: %d; lines − (completed + "
             "warm-up) = %d (requests wrk abandoned in flight at the end of a run).\n" % (
                 rc["after_sigterm"], rc["before_sigterm"], rc["measured_expected_min"],
                 rc["warmup"], rc["after_sigterm"] - rc["measured_expected_min"] - rc["warmup"]))

    if res["profile"]:
        p = res["profile"]
        L.append("## Gateway CPU profile (JFR `profile` settings, one extra throughput run after 30 s "
                 "of settling under JFR, "
                 "%.0f req/s under JFR, %d samples)\n" % (p["rps"], p["samples"]))
        L.append("| layer (innermost LMGate or Jetty frame of each sample) | % of samples |")
        L.append("|---|---:|")
        for k, v in p.get("layers", []):
            L.append("| %s | %.1f |" % (k, v))
        L.append("\n| top self frames | % of samples |")
        L.append("|---|---:|")
        for k, v in p["self"]:
            L.append("| `%s` | %.1f |" % (k, v))
        L.append("\n| LMGate frames, inclusive | % of samples |")
        L.append("|---|---:|")
        for k, v in p["lmgate_inclusive"]:
            L.append("| `%s` | %.1f |" % (k, v))
        L.append("")
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    main()
