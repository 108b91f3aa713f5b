#!/usr/bin/env bash
# Change-to-status benchmark of the operator (StatusLatencyBenchIT): p50/p99 from a proxy seeing a
# change to status showing it, per kind of change, and the admin requests a proxy answers per minute
# when nothing changes; on a real API server (the realapi kit, ../shared/realapi beside this
# checkout, or REALAPI=/path/to/kit). Prints the table and writes operator/target/bench/status-latency.txt.
# Knobs (environment): ROUNDS (default 20), IDLE (s, default 120).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
KIT=${REALAPI:-$(dirname "$ROOT")/shared/realapi}
if [ ! -x "$KIT/start.sh" ]; then
  echo "no realapi kit at $KIT (set REALAPI): this benchmark needs a real API server" >&2
  exit 2
fi
DIR=$(mktemp -d /tmp/fulcrum-status-bench.XXXXXX)
trap '"$KIT/stop.sh" "$DIR" >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT
KC=$("$KIT/start.sh" "$DIR")
cd "$ROOT"
FULCRUM_IT_KUBECONFIG=$KC ./mvnw -B -q verify -Pbench -pl proxy-sidecar,operator -am \
  -Dfulcrum.image.skip=true -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=StatusLatencyBenchIT -Dspotless.check.skip=true -Djacoco.skip=true \
  -Dfulcrum.bench.rounds="${ROUNDS:-20}" -Dfulcrum.bench.idleSeconds="${IDLE:-120}"
cat operator/target/bench/status-latency.txt
