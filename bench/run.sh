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

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
if [ ${#need[@]} -gt 0 ]; then
  echo "[bench] installing ${need[*]} with apt-get" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  # Debian's package starts a system nginx on :80 where an init system runs; we do not need it.
  $SUDO service nginx stop >/dev/null 2>&1 || true
fi
export PATH="$PATH:/usr/sbin:/sbin"
for tool in wrk nginx python3 java jcmd jfr taskset; do
  command -v "$tool" >/dev/null 2>&1 || { echo "[bench] $tool is required but not found" >&2; exit 1; }
done

if [ ! -f lmgate-standalone/target/lmgate.jar ]; then
  echo "[bench] building lmgate-standalone/target/lmgate.jar (mvn -DskipTests package)" >&2
  mvn -B -q -DskipTests package -pl lmgate-standalone -am
fi

if [ "$(nproc)" -lt 2 ]; then
  echo "[bench] warning: $(nproc) CPU; load and servers will share it" >&2
  export BENCH_LOAD_CPUS="${BENCH_LOAD_CPUS:-0}" BENCH_SERVER_CPUS="${BENCH_SERVER_CPUS:-0}"
fi

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
exec python3 bench/bench.py "$@"
