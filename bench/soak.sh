#!/usr/bin/env bash
# LMGate soak: one command from a clean clone; not part of mvn verify.
#   bench/soak.sh [--duration S] [--json-rate N] [--streams N] ...   (bench/soak.py --help)
# Installs wrk and nginx with apt-get when missing (root, or sudo), builds the gateway jar when
# missing, then runs bench/soak.py: the gateway jar in front of bench's static nginx and paced SSE
# upstreams, a mixed load for --duration seconds (default 600: JSON completions and SSE streams
# with an allowed key, denied requests with a wrong key), heap after GC, RSS, threads and open
# descriptors sampled every 10 s. Prints a markdown table and a PASS/FAIL verdict, writes them to
# bench/results/soak-<timestamp>.md, exits 1 on FAIL.
# Env: BENCH_LOAD_CPUS (default 0), BENCH_SERVER_CPUS (default 1), BENCH_JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/tools.sh
ensure_tools soak wrk nginx python3 java jcmd taskset
ensure_jar soak

if [ "$(nproc)" -lt 2 ]; then
  echo "[soak] warning: $(nproc) CPU; load and servers will share it" >&2
  export BENCH_LOAD_CPUS="${BENCH_LOAD_CPUS:-0}" BENCH_SERVER_CPUS="${BENCH_SERVER_CPUS:-0}"
fi

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
exec python3 bench/soak.py "$@"
