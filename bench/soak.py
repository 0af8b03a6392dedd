#!/usr/bin/env python3
"""LMGate soak driver (called by bench/soak.sh; stdlib only).

Starts bench's upstreams (static nginx JSON completion, paced SSE) and the gateway jar, then
for --duration seconds runs a mixed load: JSON completions and SSE streams with the allowed key
(soak_load.py, counted exactly) and denied requests with a wrong key (wrk). Every
--sample-every seconds it samples the gateway: heap after a full GC (jcmd GC.run, GC.heap_info),
RSS and live threads (/proc/<pid>/status), open file descriptors (/proc/<pid>/fd).

Verdict PASS when: the heap after GC, RSS, threads and descriptors are flat (mean of the last
third of the samples against the first third, within the tolerances printed in the report); no
allowed request failed; every denied request got a non-2xx answer; after SIGTERM the gateway
exits 0 and the usage files (rotated ones included) hold exactly one exact record per completed
allowed request and nothing else. Writes bench/results/soak-<timestamp>.md; exits 1 on FAIL.
"""
import argparse
import datetime
import glob
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import bench

P_GATEWAY, P_STATIC, P_SSE = 18180, 18181, 18182
WRONG_KEY = "sk-soak-not-on-the-allow-list-0000000000000000"
MAX_FILE_BYTES = 104857600  # the default: the soak writes enough to rotate

# Flatness: mean of the last third of the samples may exceed the first third's by at most
# max(absolute, relative x first third).
TOLERANCE = {"heap_mb": (8.0, 0.10), "rss_mb": (48.0, 0.15), "threads": (8, 0.0),
             "fds": (16, 0.0)}
LABEL = {"heap_mb": "heap after GC (MB)", "rss_mb": "RSS (MB)", "threads": "live threads",
         "fds": "open file descriptors"}


def log(msg):
    print("[soak %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def proc_status(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def sample(pid, t0, srv):
    heap_kb = bench.heap_after_gc_kb(pid)
    return {"t": round(time.time() - t0), "heap_mb": heap_kb / 1024.0,
            "rss_mb": proc_status(pid, "VmRSS") / 1024.0, "threads": proc_status(pid, "Threads"),
            "fds": len(os.listdir("/proc/%d/fd" % pid)),
            "stats_mb": sum(os.path.getsize(p) for p in glob.glob(srv.stats_path + "*")) / 2**20}


def flatness(samples):
    third = max(1, len(samples) // 3)
    rows = []
    for key, (absolute, relative) in TOLERANCE.items():
        first = statistics.mean(s[key] for s in samples[:third])
        last = statistics.mean(s[key] for s in samples[-third:])
        allowed = max(absolute, relative * first)
        rows.append({"key": key, "first": first, "last": last, "growth": last - first,
                     "allowed": allowed, "ok": last - first <= allowed,
                     "min": min(s[key] for s in samples), "max": max(s[key] for s in samples)})
    return rows


def check_records(srv, events):
    """Counts the records of every usage file: exact JSON, exact SSE, anything else."""
    counts = {"json": 0, "sse": 0, "other": 0, "malformed": 0}
    others = []
    files = sorted(glob.glob(srv.stats_path + "*"))
    for path in files:
        with open(path, "rb") as f:
            for line in f:
                try:
                    r = json.loads(line)
                except ValueError:
                    counts["malformed"] += 1
                    continue
                ok = r.get("status") == 200 and r.get("error_type") is None \
                    and r.get("lmgate_id") == "bench"
                if ok and r.get("provider") == "openai" and r.get("stream") is False \
                        and r.get("input_tokens") == 31 and r.get("output_tokens") == 58:
                    counts["json"] += 1
                elif ok and r.get("provider") == "ssebench" and r.get("stream") is True \
                        and r.get("input_tokens") == 57 and r.get("output_tokens") == events - 1:
                    counts["sse"] += 1
                else:
                    counts["other"] += 1
                    if len(others) < 5:
                        others.append(line.decode(errors="replace").strip()[:300])
    return counts, others, [os.path.basename(p) for p in files]


def sanity(port):
    """One allowed and one denied request before the load, so a misconfiguration fails early."""
    # a cold JVM on a busy machine can take seconds over its first request
    body = bench.post("http://127.0.0.1:%d/openai/v1/chat/completions" % port, bench.KEY, 120)
    if json.loads(body).get("usage", {}).get("prompt_tokens") != 31:
        raise SystemExit("unexpected answer to the allowed request: %r" % body[:200])
    try:
        bench.post("http://127.0.0.1:%d/openai/v1/chat/completions" % port, WRONG_KEY, 120)
        raise SystemExit("the wrong key was not refused")
    except urllib.error.HTTPError as e:
        denied = e.read()
        if e.code != 403 or b'"forbidden"' not in denied:
            raise SystemExit("unexpected answer to the denied request: %d %r" % (e.code, denied))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=int, default=600, help="seconds of load (default 600)")
    ap.add_argument("--sample-every", type=int, default=10)
    ap.add_argument("--json-conns", type=int, default=8)
    ap.add_argument("--json-rate", type=float, default=500.0,
                    help="allowed JSON completions per second, all connections together")
    ap.add_argument("--streams", type=int, default=16, help="concurrent SSE streams")
    ap.add_argument("--events", type=int, default=20)
    ap.add_argument("--interval-ms", type=int, default=50)
    ap.add_argument("--denied-conns", type=int, default=2)
    ap.add_argument("--denied-delay-ms", type=int, default=10,
                    help="think time of each denied connection (wrk.lua BENCH_DELAY_MS)")
    ap.add_argument("--java-opts", default=os.environ.get("BENCH_JAVA_OPTS", ""))
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="lmgate-soak-")
    log("temp dir %s; load on cpu %s, servers on cpu %s; %d s"
        % (tmp, bench.LOAD_CPUS, bench.SERVER_CPUS, a.duration))
    srv = bench.Servers(tmp, a.java_opts.split())
    srv.max_file_bytes = MAX_FILE_BYTES
    res = {"started": datetime.datetime.now(datetime.timezone.utc).isoformat(),
           "machine": bench.machine(), "background_busy": bench.busy_fraction(), "samples": []}
    try:
        srv.start_upstreams(P_STATIC, P_SSE)
        srv.start_gateway(P_GATEWAY, P_STATIC, P_SSE, level="INFO")
        sanity(P_GATEWAY)
        pid = srv.java_pid()
        t0 = time.time()
        res["samples"].append(dict(sample(pid, t0, srv), t=0))
        log("before load: %s" % res["samples"][0])

        fg = bench.Foreign(srv)
        load = subprocess.Popen(
            ["taskset", "-c", bench.LOAD_CPUS, sys.executable,
             os.path.join(bench.HERE, "soak_load.py"), str(P_GATEWAY), bench.KEY,
             str(a.duration), str(a.json_conns), str(a.json_rate), str(a.streams),
             str(a.events), str(a.interval_ms)], stdout=subprocess.PIPE, text=True)
        denied = {}
        wrk = threading.Thread(target=lambda: denied.update(bench.wrk(
            "http://127.0.0.1:%d/openai/v1/chat/completions" % P_GATEWAY, WRONG_KEY,
            a.denied_conns, a.duration, a.denied_delay_ms)))
        wrk.start()
        t0 = time.time()
        next_at = t0 + a.sample_every
        while load.poll() is None or wrk.is_alive():
            time.sleep(max(0.0, min(1.0, next_at - time.time())))
            if time.time() >= next_at and next_at < t0 + a.duration:  # under load only
                s = sample(pid, t0, srv)
                res["samples"].append(s)
                log("t=%4ds heap %.1f MB, RSS %.0f MB, threads %d, fds %d, stats %.0f MB" % (
                    s["t"], s["heap_mb"], s["rss_mb"], s["threads"], s["fds"], s["stats_mb"]))
                next_at += a.sample_every
        res["load"] = json.loads(load.stdout.read())
        wrk.join()
        res["denied"] = denied
        res["other_work_pct"] = fg.percent()
        log("load done: %s; denied: %d requests, %d non-2xx" % (
            res["load"], denied.get("requests", 0), denied.get("status", 0)))

        time.sleep(2.5)  # flush interval 1 s
        p = srv.procs["lmgate"]
        p.send_signal(15)
        res["exit_code"] = p.wait(60)
        with open(os.path.join(tmp, "lmgate.log")) as f:
            gateway_log = f.read()
        m = re.search(r"Stopped; (\d+) usage records written, (\d+) dropped", gateway_log)
        res["stopped"] = m.group(0) if m else None
        lines = gateway_log.splitlines()
        # each denial is logged, or counted in a once-a-second summary line when they come fast
        unlogged = [re.search(r"LMGate - (\d+) more denied requests were not logged", l)
                    for l in lines]
        res["denied_logged"] = sum(1 for l in lines if " WARN  LMGate - Denied request" in l) \
            + sum(int(m.group(1)) for m in unlogged if m)
        res["log_problems"] = [l for l, m in zip(lines, unlogged)
                               if (" WARN " in l or " ERROR " in l) and not m
                               and " WARN  LMGate - Denied request" not in l][:10]
        res["records"], res["other_records"], res["files"] = check_records(srv, a.events)
    finally:
        srv.stop_all()

    verdict, md = report(res, a, tmp)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    os.makedirs(os.path.join(bench.HERE, "results"), exist_ok=True)
    out = os.path.join(bench.HERE, "results", "soak-%s.md" % stamp)
    with open(out, "w") as f:
        f.write(md)
    with open(out[:-3] + ".json", "w") as f:
        json.dump(res, f, indent=1)
    print(md)
    log("%s; written %s (and .json); logs in %s" % (verdict, out, tmp))
    sys.exit(0 if verdict == "PASS" else 1)


def report(res, a, tmp):
    samples = res["samples"][1:]  # under load
    flat = flatness(samples) if len(samples) >= 3 else []
    load, denied, rec = res["load"], res["denied"], res["records"]
    allowed = load["completed"]["json"] + load["completed"]["sse"]
    wrk_socket_errors = int(sum(denied.get(k, 0) for k in ("connect", "read", "write", "timeout")))
    checks = [
        ("samples under load", len(samples) >= 3, "%d" % len(samples)),
    ] + [("%s flat" % LABEL[r["key"]], r["ok"],
          "first third %.1f, last third %.1f: %+.1f (allowed +%.1f)"
          % (r["first"], r["last"], r["growth"], r["allowed"])) for r in flat] + [
        ("allowed requests failed", sum(load["failed"].values()) == 0,
         "%d JSON, %d SSE%s" % (load["failed"]["json"], load["failed"]["sse"],
                                "; first: %s" % load["failures"][:3] if load["failures"] else "")),
        ("denied requests refused", denied.get("requests", 0) > 0
         and denied.get("status", 0) == denied.get("requests"),
         "%d sent, %d non-2xx" % (denied.get("requests", 0), denied.get("status", 0))),
        ("wrk socket errors (denied load)", wrk_socket_errors == 0, "%d" % wrk_socket_errors),
        ("gateway exit code after SIGTERM", res["exit_code"] == 0, "%s" % res["exit_code"]),
        ("exact JSON records = JSON completed + 1 sanity request",
         rec["json"] == load["completed"]["json"] + 1,
         "%d = %d + 1" % (rec["json"], load["completed"]["json"])),
        ("exact SSE records = streams completed", rec["sse"] == load["completed"]["sse"],
         "%d = %d" % (rec["sse"], load["completed"]["sse"])),
        ("other or malformed records", rec["other"] + rec["malformed"] == 0,
         "%d other, %d malformed%s" % (rec["other"], rec["malformed"],
                                       "; e.g. %s" % res["other_records"][:2]
                                       if res["other_records"] else "")),
        ("gateway's own count", res["stopped"] is not None
         and res["stopped"].startswith("Stopped; %d usage records written, 0 dropped"
                                       % (allowed + 1)),
         "%s (%d + 1 sanity request)" % (res["stopped"], allowed)),
    ]
    verdict = "PASS" if all(ok for _, ok, _ in checks) else "FAIL"
    m = res["machine"]
    L = ["# LMGate soak — %s — %s\n" % (res["started"][:19].replace("T", " "), verdict)]
    L.append("Machine: %s CPUs (%s), %s, %s. Load on CPU %s, servers on CPU %s; other work on "
             "the machine: %.0f%% busy before the run, %.0f%% of the machine during it (the "
             "soak shares the CPUs with whatever else runs). Gateway JVM options: `%s`.\n" % (
                 m["nproc"], m["cpu"], m["mem"], m["java"], bench.LOAD_CPUS, bench.SERVER_CPUS,
                 100 * res["background_busy"], res["other_work_pct"], a.java_opts or "(none)"))
    L.append("Load for %d s: %d keep-alive connections of JSON chat completions paced to %.0f/s "
             "in all; %d concurrent SSE streams of %d events %d ms apart; %d wrk connections of "
             "denied requests (wrong key), %d ms think time. Completed: %d JSON, %d SSE streams, "
             "%d denied (%.0f req/s allowed, %.0f req/s in all). Usage files: %s.\n" % (
                 a.duration, a.json_conns, a.json_rate, a.streams, a.events, a.interval_ms,
                 a.denied_conns, a.denied_delay_ms, load["completed"]["json"],
                 load["completed"]["sse"], denied.get("requests", 0),
                 allowed / max(1.0, load["wall_s"]),
                 (allowed + denied.get("requests", 0)) / max(1.0, load["wall_s"]),
                 ", ".join(res["files"])))
    L.append("Denials in the gateway log: %d logged or counted in its once-a-second summaries "
             "(the summary of the last second comes only with a later denial).\n"
             % res["denied_logged"])
    L.append("## Samples (every %d s; heap after a full GC)\n" % a.sample_every)
    L.append("| t (s) | heap after GC (MB) | RSS (MB) | threads | open fds | usage files (MB) |")
    L.append("|---:|---:|---:|---:|---:|---:|")
    for s in res["samples"]:
        L.append("| %d%s | %.1f | %.0f | %d | %d | %.1f |" % (
            s["t"], " (before load)" if s is res["samples"][0] else "", s["heap_mb"], s["rss_mb"],
            s["threads"], s["fds"], s["stats_mb"]))
    L.append("\n## Checks\n")
    L.append("| check | result | measured |")
    L.append("|---|---|---|")
    for name, ok, measured in checks:
        L.append("| %s | %s | %s |" % (name, "ok" if ok else "**FAIL**", measured))
    L.append("\nFlat means: the mean of the last third of the samples under load exceeds the "
             "first third's by at most the larger of an absolute and a relative margin (heap "
             "8 MB or 10%%, RSS 48 MB or 15%%, threads 8, fds 16). Range over the run: %s.\n" % (
                 "; ".join("%s %.1f–%.1f" % (LABEL[r["key"]], r["min"], r["max"]) for r in flat)))
    if res["log_problems"]:
        L.append("Gateway WARN/ERROR lines other than denials (first %d):\n"
                 % len(res["log_problems"]))
        L.extend("    " + l for l in res["log_problems"])
        L.append("")
    L.append("**Verdict: %s**\n" % verdict)
    return verdict, "\n".join(L) + "\n"


if __name__ == "__main__":
    main()
