#!/usr/bin/env bash
# What policies and the Redis limit store add to a request: bench/policy.py (see its docstring).
#   bench/policy.sh [--warmup S] [--duration S] [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/tools.sh
ensure_tools policy-bench wrk nginx python3 java taskset
command -v redis-server >/dev/null 2>&1 || {
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get install -y -qq redis-server >/dev/null
}
ensure_jar policy-bench
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
exec python3 bench/policy.py "$@"
