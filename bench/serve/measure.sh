#!/usr/bin/env bash
# The monitoring cost of the whole `vigie serve` process against the bare
# loop of shared/bench (raw-baseline), in the same run, on loopback.
#
#   bash bench/serve/measure.sh                         # 2,000 and 5,000 checks/s, ~9 min
#   SIZES=5000 WARMUP=45 WINDOW=60 bash bench/serve/measure.sh   # 500 checks/s, ~3 min
#   PROFILE=/tmp/serve bash bench/serve/measure.sh      # CPU profiles of each window, /tmp/serve-N.pprof
#
# SIZES lists how many sites, each with an http check every INTERVAL
# (10 s: 20,000 sites are 2,000 checks/s). For each size the bare loop runs
# at the same rate against the same targets just before and just after the
# server: its CPU is the mean of both, which brackets a machine whose load
# drifts. Prints each run's figures and a table of the ratios.
set -euo pipefail
SIZES=${SIZES:-${N:-20000 50000}}
INTERVAL=${INTERVAL:-10s}
WARMUP=${WARMUP:-45}
WINDOW=${WINDOW:-60}
RAW_SECONDS=${RAW_SECONDS:-30}
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SHARED_BENCH:-$root/../shared/bench}
[ -f "$shared/measure-monitor.sh" ] || { echo "no shared bench harness at $shared (set SHARED_BENCH)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$root"
go build -o "$out/vigie" ./cmd/vigie
(cd "$shared/targets" && go build -o "$out/targets" .)
(cd "$shared/raw-baseline" && go build -o "$out/raw" .)
secs=${INTERVAL%s}
echo "nproc: $(nproc)   go: $(go env GOVERSION)   commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)"

# raw N FILE: the bare loop at the rate of N sites, against its own targets.
raw() {
  "$out/targets" -n "$1" -duration $((RAW_SECONDS + 30))s 2>/dev/null &
  local tpid=$!
  sleep 1
  "$out/raw" -n "$1" -rate $(( $1 / secs )) -duration "${RAW_SECONDS}s" -keepalive=false -label raw > "$2"
  kill "$tpid" 2>/dev/null || true
  wait "$tpid" 2>/dev/null || true
}

for n in $SIZES; do
  rm -f "$out"/v.db*
  # One site per target URL, each with an http check at INTERVAL.
  {
    echo "assets:"
    awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "  - {name: s%07d, kind: site, url: \"http://127.0.0.1:%d/s/%d\"}\n", i, 30000 + i % 100, i }'
    echo "check_defaults:"
    echo "  site: {kind: http, interval: $INTERVAL}"
  } > "$out/host.yaml"
  "$out/vigie" import --db "sqlite:$out/v.db" "$out/host.yaml" >/dev/null

  raw "$n" "$out/raw-before-$n.json"
  # PROFILE=PREFIX: a CPU profile of the server over the measured window.
  debug=()
  if [ -n "${PROFILE:-}" ]; then
    debug=(--debug-listen 127.0.0.1:28082)
    (
      for _ in $(seq 1 600); do curl -fso /dev/null http://127.0.0.1:28082/debug/pprof/ && break; sleep 0.2; done
      sleep "$WARMUP"
      curl -fso "$PROFILE-$n.pprof" "http://127.0.0.1:28082/debug/pprof/profile?seconds=$((WINDOW - 5))"
    ) &
  fi
  bash "$shared/measure-monitor.sh" --label vigie --out "$out/run-$n" --targets "$out/targets" \
    --n "$n" --interval "$INTERVAL" --warmup "$WARMUP" --window "$WINDOW" --api-probes 0 \
    -- "$out/vigie" serve --db "sqlite:$out/v.db" --listen 127.0.0.1:28081 "${debug[@]}" >/dev/null 2>"$out/measure.log" || {
    cat "$out/measure.log" >&2; exit 1; }
  wait
  raw "$n" "$out/raw-after-$n.json"
done

python3 - "$out" $SIZES <<'PY'
import json, sys
out, sizes = sys.argv[1], sys.argv[2:]
def last(path):
    return json.loads(open(path).read().strip().splitlines()[-1])
rows = []
for n in sizes:
    v = json.load(open(f"{out}/run-{n}/summary.json"))
    rb, ra = last(f"{out}/raw-before-{n}.json"), last(f"{out}/raw-after-{n}.json")
    print(f"vigie serve, {n} sites:", json.dumps(v))
    print(f"raw loop before:", json.dumps(rb))
    print(f"raw loop after: ", json.dumps(ra))
    raw_per_check = sum(r["cpu_pct_of_one_core"] / r["checks_per_s"] for r in (rb, ra)) / 2
    vig_per_check = v["cpu_pct_one_core"] / v["checks_per_s"]
    rows.append((int(n), v["checks_per_s"], v["expected_per_s"], v["gaps_over_interval_by"]["one_interval"],
                 v["cpu_pct_one_core"], rb["cpu_pct_of_one_core"], ra["cpu_pct_of_one_core"],
                 vig_per_check / raw_per_check, v["rss_mib"], v["peak_rss_mib"], v["rss_mib"] * 1024 / int(n)))
print()
print("| sites | checks/s (planned) | gaps over one interval | vigie CPU, % of one core | bare loop before / after | CPU per check, vigie / bare loop | RSS MiB (peak) | RSS per check |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    print(f"| {r[0]:,} | {r[1]:,.0f} ({r[2]:,.0f}) | {r[3]} | {r[4]:.1f} | {r[5]:.1f} / {r[6]:.1f} | **{r[7]:.2f}** | {r[8]:.0f} ({r[9]:.0f}) | {r[10]:.2f} KiB |")
PY
