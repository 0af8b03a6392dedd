#!/usr/bin/env bash
# LMGate loopback benchmark: one command from a clean clone.
#   bench/run.sh [--runs N] [--duration S] [--warmup S] [--slow-streams N] [--no-profile]
# Installs wrk and nginx with apt-get when missing (root, or sudo), builds the gateway jar
# when missing, then runs bench/bench.py: static nginx upstream + paced SSE upstream, the
# gateway and plain nginx proxy_pass as references, direct-to-upstream as the baseline.
# Prints a markdown table and writes it to bench/results/<timestamp>.md.
# Env: BENCH_LOAD_CPUS (default 0), BENCH_SERVER_CPUS (default 1), BENCH_JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/tools.sh
ensure_tools bench wrk nginx python3 java jcmd jfr taskset
ensure_jar bench

if [ "$(nproc)" -lt 2 ]; then
  echo "[bench] warning: $(nproc) CPU; load and servers will share it" >&2
  export BENCH_LOAD_CPUS="${BENCH_LOAD_CPUS:-0}" BENCH_SERVER_CPUS="${BENCH_SERVER_CPUS:-0}"
fi

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
exec python3 bench/bench.py "$@"
