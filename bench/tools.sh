# Shared by bench/run.sh and bench/soak.sh; sourced from the repository root.
#   ensure_tools PREFIX TOOL...  installs the Debian packages of missing tools (wrk, nginx) with
#                                apt-get (root, or sudo), then checks every tool is on the PATH
#   ensure_jar PREFIX            builds lmgate-standalone/target/lmgate.jar when it is missing

ensure_tools() {
  local prefix="$1"; shift
  local sudo="" need=() tool
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  for tool in wrk nginx; do
    case " $* " in *" $tool "*)
      command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || need+=("$tool") ;;
    esac
  done
  if [ ${#need[@]} -gt 0 ]; then
    echo "[$prefix] installing ${need[*]} with apt-get" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
    # Debian's package starts a system nginx on :80 where an init system runs; we do not need it.
    $sudo service nginx stop >/dev/null 2>&1 || true
  fi
  export PATH="$PATH:/usr/sbin:/sbin"
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "[$prefix] $tool is required but not found" >&2; exit 1; }
  done
}

ensure_jar() {
  if [ ! -f lmgate-standalone/target/lmgate.jar ]; then
    echo "[$1] building lmgate-standalone/target/lmgate.jar (mvn -DskipTests package)" >&2
    mvn -B -q -DskipTests package -pl lmgate-standalone -am
  fi
}
