#!/usr/bin/env bash
# Side-by-side benchmark of fulcrum-proxy against HAProxy and nginx stream on loopback.
# Idempotent: installs what is missing, builds the proxy jar, (re)starts backends and proxies, measures
# them interleaved over several rounds, prints one table and writes bench/results.md.
# Knobs (environment): ROUNDS, DURATION (s per wrk/iperf3 run), WARMUP (cycles per proxy), IDLE, BIG,
# PUSHES, STORM (comma-separated storm sizes, default 1000,5000,9000), STORM_SPREAD (s, default 1),
# JAVA_OPTS, SKIP_BUILD, PIN=1 (each proxy on a CPU of its own), CPU_CLOCK=proc (CPU from
# /proc ticks instead of perf's task-clock),
# SERVE_ONLY=1 (start everything and wait, for profiling by hand).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
WORK=${WORK:-/tmp/fulcrum-bench}
export ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-5} IDLE=${IDLE:-5000} BIG=${BIG:-10000}
export PUSHES=${PUSHES:-200}
# The JVM flags fulcrum-proxy ships with (the systemd unit and the container image read the same
# file), so the benchmark measures what users run. JAVA_OPTS overrides them for experiments.
DEFAULT_JAVA_OPTS=$(grep -v '^#' "$ROOT/deploy/jvm/fulcrum-proxy.options" | tr '\n' ' ')
# glibc would otherwise keep one malloc arena per thread that ever allocated (the JIT's threads).
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
export JAVA_OPTS=${JAVA_OPTS:-$DEFAULT_JAVA_OPTS}

# --- tools -----------------------------------------------------------------------------------------
need=()
command -v haproxy >/dev/null || need+=(haproxy)
command -v nginx >/dev/null || need+=(nginx-light)
[ -e /usr/lib/nginx/modules/ngx_stream_module.so ] || need+=(libnginx-mod-stream)
command -v wrk >/dev/null || need+=(wrk)
command -v iperf3 >/dev/null || need+=(iperf3)
command -v ss >/dev/null || need+=(iproute2)
command -v perf >/dev/null || need+=(linux-perf) # optional: without it the CPU rows use /proc ticks
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  apt-get update -qq
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
    required=()
    for p in "${need[@]}"; do [ "$p" = linux-perf ] || required+=("$p"); done
    [ ${#required[@]} -eq 0 ] ||
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${required[@]}" >/dev/null
  fi
fi

# The hard limit may be below what 10,000 proxied connections need (two sockets each); use what we get.
ulimit -n "$(ulimit -Hn)" || true
export NOFILE=$(ulimit -n)
# Many short connections in a row: a wide ephemeral range (TIME_WAIT reuse on loopback is the default),
# above every port this benchmark listens on (all below 10000); the machine's own range is put back
# on exit (tests pick their listeners' ports below it).
OLD_PORT_RANGE=$(sysctl -n net.ipv4.ip_local_port_range 2>/dev/null | tr -s ' \t' ' ' || true)
sysctl -qw net.ipv4.ip_local_port_range="10000 65000" 2>/dev/null || true

# Where things run. By default everything shares every CPU. On an lb host the clients and the K3s
# servers are other machines: PIN=1 gives each proxy (all its processes and threads) the last CPU to
# itself and the load generators, backends and this harness the others. The same for all three
# proxies either way.
CPUS=$(nproc)
PROXY_PIN=() LOAD_PIN=()
export PLACEMENT=""
if [ "${PIN:-0}" = 1 ] && [ "$CPUS" -ge 2 ] && command -v taskset >/dev/null; then
  PROXY_PIN=(taskset -c $((CPUS - 1)))
  LOAD_PIN=(taskset -c 0-$((CPUS - 2)))
  PLACEMENT="each proxy on CPU $((CPUS - 1)) alone (taskset, all its processes and threads); wrk, iperf3, the backends and the harness on CPU 0-$((CPUS - 2)) (PIN=1)"
fi

# --- build -----------------------------------------------------------------------------------------
JAR=$ROOT/proxy-sidecar/target/fulcrum-proxy.jar
if [ -z "${SKIP_BUILD:-}" ] || [ ! -f "$JAR" ]; then
  (cd "$ROOT" && ./mvnw -B -q -DskipTests -pl proxy-sidecar -am package)
fi

# --- processes -------------------------------------------------------------------------------------
stop_all() {
  for f in "$WORK"/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null || true)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}
stop_all
rm -rf "$WORK"/fulcrum-state
mkdir -p "$WORK"/logs "$WORK"/nginx-temp "$WORK"/fulcrum-state
restore() {
  stop_all
  [ -z "$OLD_PORT_RANGE" ] || sysctl -qw net.ipv4.ip_local_port_range="$OLD_PORT_RANGE" 2>/dev/null || true
}
trap restore EXIT

"$HERE"/configs.sh "$WORK"

"${LOAD_PIN[@]}" nginx -p "$WORK" -c "$WORK/backends.conf"
for i in 1 2 3; do
  "${LOAD_PIN[@]}" iperf3 -s -D -B 127.0.0.1$i -p 5201 -I "$WORK/iperf3-$i.pid" --logfile "$WORK/logs/iperf3-$i.log"
done
"${PROXY_PIN[@]}" haproxy -D -f "$WORK/haproxy.cfg" -p "$WORK/haproxy.pid"
"${PROXY_PIN[@]}" nginx -p "$WORK" -c "$WORK/nginx-stream.conf"
# shellcheck disable=SC2086
"${PROXY_PIN[@]}" java $JAVA_OPTS -Xlog:gc:file="$WORK/logs/gc.log" -jar "$JAR" --config "$WORK/proxy.yaml" >"$WORK/logs/fulcrum.log" 2>&1 &
echo $! >"$WORK/fulcrum.pid"

if [ -n "${SERVE_ONLY:-}" ]; then
  echo "serving (SERVE_ONLY): haproxy :7443, nginx :8443, fulcrum :9443; Ctrl-C stops"
  wait "$(cat "$WORK/fulcrum.pid")"
else
  "${LOAD_PIN[@]}" python3 "$HERE/bench.py" "$WORK" "$HERE/results.md"
fi
