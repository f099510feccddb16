#!/usr/bin/env bash
# The memory of the whole `vigie serve` process with N sites, each with an
# http check every 10 s against the shared targets on loopback, for this
# tree and, with BASE, for another commit built in the same run:
#
#   BASE=33fdab6 bash bench/serve/memory.sh        # 20,000 sites, about 4 min
#   SIZES="0 20000" WAIT=60 bash bench/serve/memory.sh
#
# Over the last 20 of WAIT seconds it reads the RSS from /proc each
# second, then from Go's profiler
# (--debug-listen) the heap's figures and an inuse_space profile, kept in
# OUT (default: a temporary directory, removed) as NAME-N.heap for
# `go tool pprof -sample_index=inuse_space`. Extra environment (GOGC,
# GOMEMLIMIT) passes to the server. Ports 31000-31099, 30999, 28181-28182.
set -euo pipefail
SIZES=${SIZES:-20000}
WAIT=${WAIT:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SHARED_BENCH:-$root/../shared/bench}
[ -d "$shared/targets" ] || { echo "no shared bench targets at $shared (set SHARED_BENCH)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=${OUT:-$tmp}
mkdir -p "$out"
cd "$root"
builds=(head)
go build -o "$tmp/vigie-head" ./cmd/vigie
if [ -n "${BASE:-}" ]; then
  mkdir "$tmp/base"
  git archive "$BASE" | tar -x -C "$tmp/base"
  (cd "$tmp/base" && go build -o "$tmp/vigie-base" ./cmd/vigie)
  builds=(base head)
fi
(cd "$shared/targets" && go build -o "$tmp/targets" .)
echo "nproc: $(nproc)   go: $(go env GOVERSION)   head: $(git rev-parse --short HEAD)   base: ${BASE:-none}   GOGC=${GOGC:-unset}"
echo "| build | sites | RSS MiB, mean of the last 20 s (max) | RSS ÷ checks | anon / file MiB | live heap MiB | heap in use / idle kept MiB | next GC MiB | GC CPU fraction |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in $SIZES; do
  {
    echo "assets:"
    awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "  - {name: s%07d, kind: site, url: \"http://127.0.0.1:%d/s/%d\"}\n", i, 31000 + i % 100, i }'
    echo "check_defaults:"
    echo "  site: {kind: http, interval: 10s}"
  } > "$tmp/host.yaml"
  [ "$n" -gt 0 ] || echo "assets: []" > "$tmp/host.yaml"
  for b in "${builds[@]}"; do
    rm -f "$tmp"/v.db*
    "$tmp/vigie-$b" import --db "sqlite:$tmp/v.db" "$tmp/host.yaml" >/dev/null
    "$tmp/targets" -n "$n" -base-port 31000 -ctrl-port 30999 -keepalive=false -duration $((WAIT + 30))s 2>/dev/null &
    tpid=$!
    "$tmp/vigie-$b" serve --db "sqlite:$tmp/v.db" --listen 127.0.0.1:28181 --debug-listen 127.0.0.1:28182 >/dev/null 2>"$tmp/serve.log" &
    vpid=$!
    sleep $((WAIT - 20))
    rss=()
    for _ in $(seq 20); do
      kill -0 "$vpid" 2>/dev/null || { cat "$tmp/serve.log" >&2; exit 1; }
      rss+=("$(awk '$1 == "VmRSS:" {print $2}' /proc/$vpid/status)")
      sleep 1
    done
    st=$(cat /proc/$vpid/status)
    curl -fs -o "$out/$b-$n.heap" http://127.0.0.1:28182/debug/pprof/heap
    ms=$(curl -fs "http://127.0.0.1:28182/debug/pprof/heap?debug=1" | grep '^# ')
    kill "$vpid" "$tpid" 2>/dev/null || true
    wait "$vpid" "$tpid" 2>/dev/null || true
    live=$(go tool pprof -sample_index=inuse_space -unit=MB -top "$out/$b-$n.heap" 2>/dev/null | sed -n 's/.* of \([0-9.]*\)MB total.*/\1/p')
    python3 - "$b" "$n" "$st" "$ms" "${live:-0}" "${rss[@]}" <<'PY'
import sys
b, n, st, ms, live = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])
rss = [int(x) for x in sys.argv[6:]]
kb = {l.split(':')[0]: int(l.split()[1]) for l in st.splitlines() if l.endswith('kB')}
m = {l[2:].split(' = ')[0]: float(l.split(' = ')[1]) for l in ms.splitlines() if ' = ' in l and l.split(' = ')[1].replace('.', '').replace('e-', '').isdigit()}
mib = lambda x: x / 2**20
mean = sum(rss) / len(rss)
per = f"{mean / n:.2f} KiB" if n else "-"
print(f"| {b} | {n:,} | {mean / 1024:.0f} ({max(rss) / 1024:.0f}) | {per} | {kb['RssAnon'] / 1024:.0f} / {kb['RssFile'] / 1024:.0f} | "
      f"{live * 1e6 / 2**20:.0f} | {mib(m['HeapInuse']):.0f} / {mib(m['HeapIdle'] - m['HeapReleased']):.0f} | {mib(m['NextGC']):.0f} | {m['GCCPUFraction']:.4f} |")
PY
  done
done
