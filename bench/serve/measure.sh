#!/usr/bin/env bash
# The monitoring cost of the whole `vigie serve` process against the bare
# loop of shared/bench (raw-baseline), in the same run, on loopback.
#
#   bash bench/serve/measure.sh                 # 5,000 sites every 10 s, ~3 min
#   N=20000 WARMUP=60 WINDOW=120 bash bench/serve/measure.sh
#
# Prints the figures of both and the ratio of their CPU per check.
set -euo pipefail
N=${N:-5000}
INTERVAL=${INTERVAL:-10s}
WARMUP=${WARMUP:-45}
WINDOW=${WINDOW:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SHARED_BENCH:-$root/../shared/bench}
[ -f "$shared/measure-monitor.sh" ] || { echo "no shared bench harness at $shared (set SHARED_BENCH)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$root"
go build -o "$out/vigie" ./cmd/vigie
(cd "$shared/targets" && go build -o "$out/targets" .)
(cd "$shared/raw-baseline" && go build -o "$out/raw" .)

# One site per target URL, each with an http check at INTERVAL.
{
  echo "assets:"
  awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) printf "  - {name: s%07d, kind: site, url: \"http://127.0.0.1:%d/s/%d\"}\n", i, 30000 + i % 100, i }'
  echo "check_defaults:"
  echo "  site: {kind: http, interval: $INTERVAL}"
} > "$out/host.yaml"
"$out/vigie" import --db "sqlite:$out/v.db" "$out/host.yaml" >/dev/null

echo "nproc: $(nproc)"
bash "$shared/measure-monitor.sh" --label vigie --out "$out/run" --targets "$out/targets" \
  --n "$N" --interval "$INTERVAL" --warmup "$WARMUP" --window "$WINDOW" --api-probes 0 \
  -- "$out/vigie" serve --db "sqlite:$out/v.db" --listen 127.0.0.1:28081 >/dev/null 2>"$out/measure.log" || {
  cat "$out/measure.log" >&2; exit 1; }
secs=${INTERVAL%s}
rate=$(( N / secs ))
"$out/targets" -n "$N" -duration 60s 2>/dev/null &
tpid=$!
sleep 1
"$out/raw" -n "$N" -rate "$rate" -duration 30s -keepalive=false -label raw > "$out/raw.json"
kill "$tpid" 2>/dev/null || true
wait "$tpid" 2>/dev/null || true
python3 - "$out/run/summary.json" "$out/raw.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
r = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
print("vigie serve:", json.dumps(v))
print("raw loop:   ", json.dumps(r))
vc, rc = v.get("cpu_pct_one_core"), r.get("cpu_pct_of_one_core")
vr, rr = v.get("checks_per_s"), r.get("checks_per_s") or r.get("rate")
if vc and rc and vr and rr:
    print("CPU per check, vigie / raw: %.2f" % ((vc / vr) / (rc / rr)))
PY
