#!/usr/bin/env bash
# The two engines beside nginx (issue 14): bench/engine.py (see its docstring).
#   bench/engine.sh [--engines servlet,lean] [--phases ...] [--warmup S] [--runs N] [--slow N]
#                   [--stale-requests N] [--stale-minutes M]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/tools.sh
ensure_tools engine-bench wrk nginx python3 java taskset
ensure_jar engine-bench
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
exec python3 bench/engine.py "$@"
