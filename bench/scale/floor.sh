#!/usr/bin/env bash
# The floor under a simulation on this machine: the loopback sites
# (shared/bench targets) and the bare loop (shared/bench raw-baseline, a
# fresh connection per check) alone, at the rate a simulation asks, with
# no Vigie process, server, probe or database at all. Whatever CPU they
# take, a simulation of that rate cannot give to Vigie.
#
#   bash bench/scale/floor.sh                 # 200,000 sites every 60 s from two locations: 6,667 checks/s
#   SITES=60000 LOCATIONS=2 bash bench/scale/floor.sh
#
# It prints, for the sites and the bare loop, their CPU (one core = 100 %)
# over SECONDS and per check, the checks done against those asked, and
# what is left of the machine's nproc cores. Ports 30000-30099, 29999.
set -euo pipefail
SITES=${SITES:-200000}
INTERVAL=${INTERVAL:-60}
LOCATIONS=${LOCATIONS:-2}
SECONDS_=${SECONDS_:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SHARED_BENCH:-$root/../shared/bench}
[ -d "$shared/targets" ] || { echo "no shared bench targets at $shared (set SHARED_BENCH)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'kill "${tpid:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
(cd "$shared/targets" && go build -o "$tmp/targets" .)
(cd "$shared/raw-baseline" && go build -o "$tmp/raw" .)
rate=$(( SITES * LOCATIONS / INTERVAL ))
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }

"$tmp/targets" -n "$SITES" -keepalive=false -duration $((SECONDS_ + 30))s 2>/dev/null &
tpid=$!
for _ in $(seq 1 100); do curl -fso /dev/null http://127.0.0.1:29999/stats && break; sleep 0.1; done
t0=$(cpu "$tpid")
"$tmp/raw" -n "$SITES" -rate "$rate" -workers 64 -duration "${SECONDS_}s" -keepalive=false -label floor > "$tmp/raw.json"
t1=$(cpu "$tpid")
echo "nproc: $(nproc)   go: $(go env GOVERSION)   sites: $SITES every ${INTERVAL}s from $LOCATIONS locations: $rate checks/s asked"
python3 - "$tmp/raw.json" "$t0" "$t1" "$ticks" "$SECONDS_" "$rate" "$(nproc)" <<'EOF'
import json, sys
raw = json.load(open(sys.argv[1]))
t0, t1, ticks, secs, rate, cores = (float(x) for x in sys.argv[2:])
done = raw["checks_per_s"]
raw_pct = raw["cpu_pct_of_one_core"]
tgt_pct = 100 * (t1 - t0) / ticks / secs
print(f"checks/s done: {done:.0f} of {rate:.0f} asked ({done / rate:.3f}); {raw['dropped_behind_schedule']} dropped behind schedule, {raw['errors']} errors")
print(f"sites (targets): {tgt_pct:.1f} % of one core, {tgt_pct * 1e4 / max(done, 1):.0f} µs per check")
print(f"bare loop:       {raw_pct:.1f} % of one core, {raw_pct * 1e4 / max(done, 1):.0f} µs per check")
print(f"together:        {tgt_pct + raw_pct:.1f} % of one core; left for everything else: {100 * cores - tgt_pct - raw_pct:.1f} % ({cores:.0f} cores)")
EOF
